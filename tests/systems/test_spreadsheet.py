"""Inventory spreadsheets: reading CSV and XLSX, the suggested mapping, and every row check."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aims.errors import ValidationFailed
from aims.systems.schemas import SystemFields
from aims.systems.spreadsheet import (
    FIELDS,
    MAX_ROWS,
    Kind,
    Preview,
    Problem,
    SpreadsheetError,
    Table,
    _normalise_header,
    read_table,
    suggest_mapping,
    validate_rows,
)
from aims.systems.vocab import LifecycleStage

# --- helpers ---------------------------------------------------------------------------------


def csv_bytes(rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, title: str = "Sheet", before: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if before is not None:  # a lookup sheet in front of the inventory
        sheet.title = before
        sheet.append(["Not", "the", "inventory"])
        sheet = workbook.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems_of(error: pytest.ExceptionInfo[SpreadsheetError]) -> list[str]:
    return [p.reason for p in error.value.problems]


def check(field: str, raw: str | date | None) -> Preview:
    """One data row with a name and one cell for ``field`` under that field's own label."""
    label = next(spec.label for spec in FIELDS if spec.name == field)
    table = Table(headers=["Name", label], rows=[["Row", raw]], row_numbers=[2])
    return validate_rows(table, {"Name": "name", label: field})


# --- the Meridian inventory (happy path) -----------------------------------------------------

MERIDIAN_HEADERS = [
    "System name", "Purpose", "Owner", "Department", "Stage", "Our role", "AI Act role",
    "Used in EU", "Vulnerable groups", "Automation", "Decisions about people",
    "GDPR personal data", "Special category data", "Biometric", "In scope", "Scope reason",
    "Next review",
]  # fmt: skip

MERIDIAN_ROWS: list[list[Any]] = [
    ["Credit decisioning model (CreditLens)", "Scores consumer loan applications",
     "priya.raman@meridian.example", "Lending", "Production", "provider; customer", "Deployer",
     "yes", "older people, economically vulnerable", "HITL", "supports", "Y", "no", "no",
     "yes", "", "31/03/2026"],
    ["Customer service chatbot", "Answers account questions",
     "Sofia Marino <sofia.marino@meridian.example>", "Customer service", "live", "customer",
     "deployer", "yes", "", "advisory", "none", "yes", "", "", "", "", "2026-06-30"],
    ["Fraud detection", "Flags suspicious card transactions", "aoife.byrne@meridian.example",
     "Risk", "operation and monitoring", "ai_customer", "deployer", "true", "",
     "human on the loop", "supports", "1", "0", "0", "x", "", "30.09.2026"],
    ["CV screening assistant", "Ranks job applicants", "tomas.obriain@meridian.example", "HR",
     "testing", "customer", "Deployer", "ja", "staff", "decision support", "partly", "oui",
     "non", "nein", "yes", "", ""],
    ["Collections prioritisation", "Orders overdue accounts for calls",
     "daniel.kowalski@meridian.example", "Collections", "Retired", "producer", "provider",
     "yes", "", "automated", "makes decisions", "yes", "no", "no", "no",
     "Retired in 2024; no longer in use", ""],
]  # fmt: skip

MERIDIAN_EXPECTED: list[dict[str, object]] = [
    {
        "name": "Credit decisioning model (CreditLens)",
        "purpose": "Scores consumer loan applications",
        "owner_email": "priya.raman@meridian.example",
        "business_unit": "Lending",
        "lifecycle_stage": "operation_and_monitoring",
        "ai_roles": ["ai_provider", "ai_customer"],
        "operator_role": "deployer",
        "used_in_eu": True,
        "vulnerable_groups": ["elderly", "economically_vulnerable"],
        "automation_level": "human_in_the_loop",
        "decisions_about_people": "supports",
        "personal_data": True,
        "special_category_data": False,
        "biometric_data": False,
        "in_scope": True,
        "review_date": date(2026, 3, 31),
    },
    {
        "name": "Customer service chatbot",
        "purpose": "Answers account questions",
        "owner_email": "sofia.marino@meridian.example",
        "business_unit": "Customer service",
        "lifecycle_stage": "operation_and_monitoring",
        "ai_roles": ["ai_customer"],
        "operator_role": "deployer",
        "used_in_eu": True,
        "automation_level": "assistive",
        "decisions_about_people": "none",
        "personal_data": True,
        "in_scope": True,
        "review_date": date(2026, 6, 30),
    },
    {
        "name": "Fraud detection",
        "purpose": "Flags suspicious card transactions",
        "owner_email": "aoife.byrne@meridian.example",
        "business_unit": "Risk",
        "lifecycle_stage": "operation_and_monitoring",
        "ai_roles": ["ai_customer"],
        "operator_role": "deployer",
        "used_in_eu": True,
        "automation_level": "human_on_the_loop",
        "decisions_about_people": "supports",
        "personal_data": True,
        "special_category_data": False,
        "biometric_data": False,
        "in_scope": True,
        "review_date": date(2026, 9, 30),
    },
    {
        "name": "CV screening assistant",
        "purpose": "Ranks job applicants",
        "owner_email": "tomas.obriain@meridian.example",
        "business_unit": "HR",
        "lifecycle_stage": "verification_and_validation",
        "ai_roles": ["ai_customer"],
        "operator_role": "deployer",
        "used_in_eu": True,
        "vulnerable_groups": ["employees"],
        "automation_level": "assistive",
        "decisions_about_people": "supports",
        "personal_data": True,
        "special_category_data": False,
        "biometric_data": False,
        "in_scope": True,
    },
    {
        "name": "Collections prioritisation",
        "purpose": "Orders overdue accounts for calls",
        "owner_email": "daniel.kowalski@meridian.example",
        "business_unit": "Collections",
        "lifecycle_stage": "retirement",
        "ai_roles": ["ai_producer"],
        "operator_role": "provider",
        "used_in_eu": True,
        "automation_level": "fully_automated",
        "decisions_about_people": "makes",
        "personal_data": True,
        "special_category_data": False,
        "biometric_data": False,
        "in_scope": False,
        "scope_reason": "Retired in 2024; no longer in use",
    },
]

MERIDIAN_MAPPING = {
    "System name": "name",
    "Purpose": "purpose",
    "Owner": "owner_email",
    "Department": "business_unit",
    "Stage": "lifecycle_stage",
    "Our role": "ai_roles",
    "AI Act role": "operator_role",
    "Used in EU": "used_in_eu",
    "Vulnerable groups": "vulnerable_groups",
    "Automation": "automation_level",
    "Decisions about people": "decisions_about_people",
    "GDPR personal data": "personal_data",
    "Special category data": "special_category_data",
    "Biometric": "biometric_data",
    "In scope": "in_scope",
    "Scope reason": "scope_reason",
    "Next review": "review_date",
}


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("meridian.csv", csv_bytes([MERIDIAN_HEADERS, *MERIDIAN_ROWS])),
        ("Meridian.CSV", csv_bytes([MERIDIAN_HEADERS, *MERIDIAN_ROWS], delimiter=";")),
        ("meridian.csv", csv_bytes([MERIDIAN_HEADERS, *MERIDIAN_ROWS], delimiter="\t")),
        ("meridian.csv", csv_bytes([MERIDIAN_HEADERS, *MERIDIAN_ROWS], encoding="cp1252")),
        ("meridian.csv", csv_bytes([MERIDIAN_HEADERS, *MERIDIAN_ROWS], encoding="utf-16")),
        ("meridian.xlsx", xlsx_bytes([MERIDIAN_HEADERS, *MERIDIAN_ROWS])),
    ],
    ids=["csv-comma", "csv-semicolon", "csv-tab", "csv-cp1252", "csv-utf16", "xlsx"],
)
def test_the_meridian_inventory_imports_whole(filename: str, content: bytes) -> None:
    table = read_table(filename, content)
    assert table.headers == MERIDIAN_HEADERS
    assert table.row_numbers == [2, 3, 4, 5, 6]
    mapping = suggest_mapping(table.headers)
    assert mapping == MERIDIAN_MAPPING
    preview = validate_rows(table, mapping)
    assert preview.problems == []
    assert preview.ok
    assert preview.rows == MERIDIAN_EXPECTED
    assert preview.row_numbers == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("utf-8", ","), ("cp1252", ";"), ("cp1252", "\t")],
)
def test_csv_encodings_and_delimiters_keep_accents(encoding: str, delimiter: str) -> None:
    rows = [
        ["Name", "Business unit", "Purpose"],
        ["Tomás' model", "Ressources humaines", "Café; ok, sure"],
    ]
    table = read_table("inventory.csv", csv_bytes(rows, delimiter=delimiter, encoding=encoding))
    assert table.headers == ["Name", "Business unit", "Purpose"]
    assert table.rows == [["Tomás' model", "Ressources humaines", "Café; ok, sure"]]


def test_the_header_row_decides_when_descriptions_are_full_of_the_other_delimiter() -> None:
    content = b"Name;Purpose\nA;one, two, three, four\nB;five, six\n"
    assert read_table("x.csv", content).rows == [["A", "one, two, three, four"], ["B", "five, six"]]


def test_a_single_column_file_falls_back_to_comma() -> None:
    table = read_table("x.csv", b"Name\nCreditLens\nFraud detection\n")
    assert table.headers == ["Name"]
    assert table.rows == [["CreditLens"], ["Fraud detection"]]


# --- the mapping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("name", "name"),
        ("System name", "name"),
        ("AI system", "name"),
        ("Name of system", "name"),
        ("SYSTEM_NAME", "name"),
        ("System name (required)", "name"),
        ("Owner", "owner_email"),
        ("Owner e-mail", "owner_email"),
        ("owner_email", "owner_email"),
        ("Owner email address", "owner_email"),
        ("Responsible", "owner_email"),
        ("Stage", "lifecycle_stage"),
        ("Lifecycle", "lifecycle_stage"),
        ("Life-cycle stage", "lifecycle_stage"),
        ("EU", "used_in_eu"),
        ("Used in EU", "used_in_eu"),
        ("Is it used in the EU?", "used_in_eu"),
        ("GDPR personal data", "personal_data"),
        ("Personal data?", "personal_data"),
        ("Personal data (GDPR)", "personal_data"),
        ("Special category personal data", "special_category_data"),
        ("Review", "review_date"),
        ("Next review", "review_date"),
        ("BU", "business_unit"),
        ("Department", "business_unit"),
        ("Misuse", "foreseeable_misuse"),
        ("Decisions about people (makes/supports/none)", "decisions_about_people"),
        ("In scope (yes/no)", "in_scope"),
        ("Reason if out of scope", "scope_reason"),
        ("HITL", None),
        ("Notes", None),
        ("Owner name", None),
        ("Neural network", None),
        ("", None),
        ("???", None),
    ],
)
def test_suggested_field_for_a_header(header: str, field: str | None) -> None:
    assert suggest_mapping([header]) == {header: field}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Owner", "Owner e-mail"], {"Owner": None, "Owner e-mail": "owner_email"}),
        (["System name", "AI system"], {"System name": "name", "AI system": None}),
        (["Name", "System name"], {"Name": "name", "System name": None}),
        (["AI system owner", "Name"], {"AI system owner": "owner_email", "Name": "name"}),
        (["Description", "Users"], {"Description": "description", "Users": "users_description"}),
    ],
)
def test_each_field_is_suggested_once_and_the_best_match_wins(
    headers: list[str], expected: dict[str, str | None]
) -> None:
    assert suggest_mapping(headers) == expected


def test_every_field_maps_from_its_own_name_and_label() -> None:
    assert suggest_mapping([spec.name for spec in FIELDS]) == {s.name: s.name for s in FIELDS}
    assert suggest_mapping([spec.label for spec in FIELDS]) == {s.label: s.name for s in FIELDS}


def test_the_field_table_matches_the_system_schema_and_has_no_ambiguous_header() -> None:
    assert {spec.name for spec in FIELDS} == set(SystemFields.model_fields)
    owners: dict[str, str] = {}
    for spec in FIELDS:
        for text in (spec.name, spec.label, *spec.synonyms):
            key = _normalise_header(text)
            assert owners.setdefault(key, spec.name) == spec.name, f"{text!r} is ambiguous"
        if spec.kind in (Kind.CHOICE, Kind.CHOICES):
            assert spec.choices is not None and spec.noun
        else:
            assert spec.choices is None and not spec.aliases


# --- the converters, one table per kind ------------------------------------------------------

GOOD: list[tuple[str, str | date, object]] = [
    ("name", "  CreditLens  ", "CreditLens"),
    ("purpose", "Line one\nline two", "Line one\nline two"),
    ("business_unit", date(2026, 1, 2), "2026-01-02"),
    ("owner_email", "priya.raman@meridian.example", "priya.raman@meridian.example"),
    ("owner_email", "Priya Raman <priya.raman@meridian.example>", "priya.raman@meridian.example"),
    *[("used_in_eu", word, True) for word in ["yes", "Y", "TRUE", "1", "x", "X", "ja", "Oui"]],
    *[("personal_data", word, False) for word in ["no", "N", "false", "0", "Nein", "non"]],
    ("review_date", "2026-03-31", date(2026, 3, 31)),
    ("review_date", "31/03/2026", date(2026, 3, 31)),
    ("review_date", "31.03.2026", date(2026, 3, 31)),
    ("review_date", "1/4/2026", date(2026, 4, 1)),
    ("review_date", "2026-03-31 00:00:00", date(2026, 3, 31)),
    ("review_date", date(2026, 3, 31), date(2026, 3, 31)),
    ("lifecycle_stage", "design_and_development", "design_and_development"),
    ("lifecycle_stage", "Design and development", "design_and_development"),
    ("lifecycle_stage", "Design & development", "design_and_development"),
    ("lifecycle_stage", "development", "design_and_development"),
    ("lifecycle_stage", "Design", "design_and_development"),
    ("lifecycle_stage", "build", "design_and_development"),
    ("lifecycle_stage", "Testing", "verification_and_validation"),
    ("lifecycle_stage", "validation", "verification_and_validation"),
    ("lifecycle_stage", "PRODUCTION", "operation_and_monitoring"),
    ("lifecycle_stage", "live", "operation_and_monitoring"),
    ("lifecycle_stage", "In production", "operation_and_monitoring"),
    ("lifecycle_stage", "operation", "operation_and_monitoring"),
    ("lifecycle_stage", "retired", "retirement"),
    ("lifecycle_stage", "Decommissioned", "retirement"),
    ("lifecycle_stage", "idea", "inception"),
    ("lifecycle_stage", "concept", "inception"),
    ("lifecycle_stage", "planned", "inception"),
    ("lifecycle_stage", "Re-evaluation", "re_evaluation"),
    ("ai_roles", "provider", ["ai_provider"]),
    ("ai_roles", "AI provider; ai_customer, Partner", ["ai_provider", "ai_customer", "ai_partner"]),
    ("ai_roles", "provider, provider,", ["ai_provider"]),
    ("ai_roles", "relevant authority", ["relevant_authority"]),
    ("operator_role", "Deployer", "deployer"),
    ("operator_role", "authorised representative", "authorised_representative"),
    ("operator_role", "Authorized-Representative", "authorised_representative"),
    ("operator_role", "product_manufacturer", "product_manufacturer"),
    ("vulnerable_groups", "minors; kids", ["children"]),
    ("vulnerable_groups", "older people, Seniors", ["elderly"]),
    ("vulnerable_groups", "disabled", ["persons_with_disabilities"]),
    ("vulnerable_groups", "staff; workers; migrants", ["employees", "migrants"]),
    ("automation_level", "HITL", "human_in_the_loop"),
    ("automation_level", "Human in the loop", "human_in_the_loop"),
    ("automation_level", "human-in-the-loop", "human_in_the_loop"),
    ("automation_level", "HOTL", "human_on_the_loop"),
    ("automation_level", "automated", "fully_automated"),
    ("automation_level", "Full automation", "fully_automated"),
    ("automation_level", "advisory", "assistive"),
    ("automation_level", "Decision support", "assistive"),
    ("decisions_about_people", "yes", "makes"),
    ("decisions_about_people", "Makes decisions", "makes"),
    ("decisions_about_people", "supports", "supports"),
    ("decisions_about_people", "assists", "supports"),
    ("decisions_about_people", "partly", "supports"),
    ("decisions_about_people", "No", "none"),
    ("decisions_about_people", "none", "none"),
    ("in_scope", "yes", True),
]


@pytest.mark.parametrize(("field", "raw", "value"), GOOD)
def test_good_values_convert(field: str, raw: str | date, value: object) -> None:
    preview = check(field, raw)
    assert preview.problems == []
    assert preview.rows[0][field] == value


BAD: list[tuple[str, str, str]] = [
    ("used_in_eu", "maybe", "'maybe' is not yes or no"),
    ("biometric_data", "2", "'2' is not yes or no"),
    ("review_date", "sometime", "'sometime' is not a date (use 2026-03-31)"),
    ("review_date", "03/31/2026", "'03/31/2026' is not a date (use 2026-03-31)"),
    ("review_date", "31/02/2026", "'31/02/2026' is not a date (use 2026-03-31)"),
    ("review_date", "46112", "'46112' is not a date (use 2026-03-31)"),
    ("review_date", "31-03-26", "'31-03-26' is not a date (use 2026-03-31)"),
    (
        "lifecycle_stage",
        "Alpha",
        "'Alpha' is not a life-cycle stage (one of: inception, design and development, "
        "verification and validation, deployment, operation and monitoring, continuous "
        "validation, re evaluation, retirement)",
    ),
    ("operator_role", "vendor", "'vendor' is not an operator role (one of: provider, deployer"),
    ("automation_level", "manual", "'manual' is not an automation level (one of: assistive"),
    ("decisions_about_people", "maybe", "'maybe' is not a decision role (one of: none"),
    ("ai_roles", "seller", "'seller' is not an AI role (one of: ai provider"),
    ("vulnerable_groups", "teens", "'teens' is not a vulnerable group (one of: children"),
    ("owner_email", "Priya Raman", "'Priya Raman' is not an e-mail address"),
    ("owner_email", "priya@meridian", "'priya@meridian' is not an e-mail address"),
    ("owner_email", "a@b.example; c@d.example", "is not an e-mail address"),
    ("name", "N" * 201, "is too long (201 characters; at most 200)"),
    ("business_unit", "B" * 201, "is too long (201 characters; at most 200)"),
    ("purpose", "P" * 20_001, "is too long (20,001 characters; at most 20,000)"),
]


@pytest.mark.parametrize(("field", "raw", "reason"), BAD)
def test_bad_values_are_named_in_plain_words(field: str, raw: str, reason: str) -> None:
    preview = check(field, raw)
    assert not preview.ok and preview.rows == []
    [problem] = preview.problems
    label = next(spec.label for spec in FIELDS if spec.name == field)
    assert (problem.row, problem.column) == (2, "Name" if field == "name" else label)
    assert reason in problem.reason
    assert len(problem.reason) < 400  # a 20,000-character cell is not echoed back


def test_every_bad_item_of_a_list_is_its_own_problem() -> None:
    preview = check("ai_roles", "provider, seller; buyer")
    assert [p.reason.split(" is not")[0] for p in preview.problems] == ["'seller'", "'buyer'"]


@pytest.mark.parametrize("field", [spec.name for spec in FIELDS if spec.name != "name"])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_cells_are_left_out(field: str, blank: str | None) -> None:
    preview = check(field, blank)
    assert preview.ok
    assert preview.rows == [{"name": "Row", "in_scope": True}]


@pytest.mark.parametrize("separators", [",", ";", " ; , "])
def test_a_list_of_only_separators_is_blank(separators: str) -> None:
    assert check("vulnerable_groups", separators).rows == [{"name": "Row", "in_scope": True}]


# --- Excel cells -----------------------------------------------------------------------------


def test_excel_cells_dates_numbers_and_booleans() -> None:
    content = xlsx_bytes(
        [
            ["Name", "Review date", "Business unit", "Description", "Used in EU", "Personal data"],
            ["A", datetime(2026, 3, 31, 0, 0), 42.0, 3.5, True, 0],
            [1234, date(2026, 12, 1), 7, "  padded  ", False, 1],
        ]
    )
    table = read_table("inventory.xlsx", content)
    assert table.rows == [
        ["A", date(2026, 3, 31), "42", "3.5", "TRUE", "0"],
        ["1234", date(2026, 12, 1), "7", "padded", "FALSE", "1"],
    ]
    preview = validate_rows(table, suggest_mapping(table.headers))
    assert preview.ok
    assert preview.rows[0] == {
        "name": "A",
        "review_date": date(2026, 3, 31),
        "business_unit": "42",
        "description": "3.5",
        "used_in_eu": True,
        "personal_data": False,
        "in_scope": True,
    }
    assert preview.rows[1]["name"] == "1234"
    assert preview.rows[1]["review_date"] == date(2026, 12, 1)


def test_excel_picks_the_inventory_sheet_over_the_first() -> None:
    content = xlsx_bytes([["Name"], ["CreditLens"]], title="AI systems", before="Lookups")
    table = read_table("book.xlsx", content)
    assert table.sheet == "AI systems"
    assert table.rows == [["CreditLens"]]
    assert read_table("book.xlsx", xlsx_bytes([["Name"], ["X"]], title="Data")).sheet == "Data"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_blank_rows_are_skipped_and_rows_keep_their_numbers(kind: str) -> None:
    rows: list[list[Any]] = [
        [],
        ["Name", "Purpose"],
        ["A", "first"],
        [],
        [None, "  "] if kind == "xlsx" else ["", "  "],
        ["B", None],
    ]
    content = xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows)
    table = read_table(f"inventory.{kind}", content)
    assert table.headers == ["Name", "Purpose"]
    assert table.rows == [["A", "first"], ["B", None]]
    assert table.row_numbers == [3, 6]


def test_a_quoted_cell_over_several_lines_is_one_row() -> None:
    content = b'Name,Purpose\nA,"line one\nline two"\nB,x\n'
    table = read_table("x.csv", content)
    assert table.rows == [["A", "line one\nline two"], ["B", "x"]]
    assert table.row_numbers == [2, 3]


def test_short_rows_are_padded_and_blank_header_cells_named_by_letter() -> None:
    table = read_table("x.csv", b"Name,,Purpose,,\nA\nB,x,y\n")
    assert table.headers == ["Name", "Column B", "Purpose"]
    assert table.rows == [["A", None, None], ["B", "x", "y"]]


# --- whole-row rules -------------------------------------------------------------------------


def test_duplicate_names_are_reported_on_the_later_rows() -> None:
    table = Table(
        headers=["Name"],
        rows=[["CreditLens"], ["Fraud"], ["creditlens"], [" CREDITLENS "], ["Fraud"]],
        row_numbers=[2, 3, 4, 5, 7],
    )
    preview = validate_rows(table, {"Name": "name"})
    assert preview.problems == [
        Problem(4, "Name", "'creditlens' appears twice (also row 2)"),
        Problem(5, "Name", "'CREDITLENS' appears 3 times (also rows 2, 4)"),
        Problem(7, "Name", "'Fraud' appears twice (also row 3)"),
    ]
    assert [row["name"] for row in preview.rows] == ["CreditLens", "Fraud"]


def test_missing_name_is_required() -> None:
    table = read_table("x.csv", b"System name,Purpose\n,scores loans\nB,x\n")
    preview = validate_rows(table, suggest_mapping(table.headers))
    assert preview.problems == [Problem(2, "System name", "name is required")]
    assert preview.row_numbers == [3]


def test_every_problem_of_a_row_is_collected() -> None:
    table = read_table("x.csv", b"Name,Stage,EU,Review\n,Alpha,maybe,sometime\n")
    preview = validate_rows(table, suggest_mapping(table.headers))
    assert [(p.row, p.column) for p in preview.problems] == [
        (2, "Name"),
        (2, "Stage"),
        (2, "EU"),
        (2, "Review"),
    ]


@pytest.mark.parametrize(
    ("in_scope", "reason", "expected"),
    [
        ("no", "", [Problem(2, "Why", "scope_reason is required when the system is out of scope")]),
        ("no", "Retired", []),
        ("yes", "", []),
        ("", "", []),
        ("maybe", "", [Problem(2, "Scope", "'maybe' is not yes or no")]),
    ],
)
def test_scope_reason_is_required_when_out_of_scope(
    in_scope: str, reason: str, expected: list[Problem]
) -> None:
    table = Table(headers=["Name", "Scope", "Why"], rows=[["A", in_scope, reason]], row_numbers=[2])
    preview = validate_rows(table, {"Name": "name", "Scope": "in_scope", "Why": "scope_reason"})
    assert preview.problems == expected
    if not expected:
        assert preview.rows[0]["in_scope"] is (in_scope != "no")


def test_scope_reason_problem_sits_on_in_scope_when_no_column_is_mapped_to_it() -> None:
    table = Table(headers=["Name", "Scope"], rows=[["A", "no"]], row_numbers=[2])
    preview = validate_rows(table, {"Name": "name", "Scope": "in_scope"})
    assert preview.problems == [
        Problem(2, "Scope", "scope_reason is required when the system is out of scope")
    ]


def test_header_only_file_is_ok_with_no_rows() -> None:
    for name, content in [("x.csv", b"Name,Purpose\r\n"), ("x.xlsx", xlsx_bytes([["Name"]]))]:
        table = read_table(name, content)
        preview = validate_rows(table, suggest_mapping(table.headers))
        assert preview.ok and preview.rows == [] and preview.row_numbers == []


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (
            {"Name": "name", "Owner": "owner"},
            [Problem(None, "Owner", "'owner' is not a field (one of: name, purpose")],
        ),
        (
            {"Name": "name", "Owner": "owner_email", "Contact": "owner_email"},
            [Problem(None, "Contact", "owner_email is already filled from column 'Owner'")],
        ),
        (
            {"Name": None, "Owner": "owner_email"},
            [Problem(None, None, "no column is mapped to name, which is required")],
        ),
        (
            {"Name": "name", "Nope": "purpose"},
            [Problem(None, "Nope", "'Nope' is not a column of the file")],
        ),
        (
            {"Name": "nom", "Owner": "owner_email", "Contact": "owner_email"},
            [
                Problem(None, "Name", "'nom' is not a field"),
                Problem(None, "Contact", "owner_email is already filled"),
                Problem(None, None, "no column is mapped to name"),
            ],
        ),
    ],
)
def test_a_bad_mapping_is_refused_with_every_problem(
    mapping: dict[str, str | None], expected: list[Problem]
) -> None:
    table = Table(headers=["Name", "Owner", "Contact"], rows=[["A", None, None]], row_numbers=[2])
    with pytest.raises(SpreadsheetError) as error:
        validate_rows(table, mapping)
    found = error.value.problems
    assert [(p.row, p.column) for p in found] == [(p.row, p.column) for p in expected]
    for problem, wanted in zip(found, expected, strict=True):
        assert problem.reason.startswith(wanted.reason)


def test_unmapped_columns_and_empty_string_are_ignored() -> None:
    table = Table(headers=["Name", "Notes"], rows=[["A", "whatever"]], row_numbers=[2])
    assert validate_rows(table, {"Name": "name", "Notes": ""}).rows == [
        {"name": "A", "in_scope": True}
    ]
    assert validate_rows(table, {"Name": "name"}).ok


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("inventory.xls", b"\xd0\xcf\x11\xe0", "is not a .csv or .xlsx file"),
        ("inventory.ods", b"PK\x03\x04", "is not a .csv or .xlsx file"),
        ("inventory", b"Name\nA\n", "is not a .csv or .xlsx file"),
        ("inventory.csv", b"", "The file is empty."),
        ("inventory.csv", b"\xef\xbb\xbf", "The file is empty."),
        ("inventory.xlsx", b"", "The file is empty."),
        ("inventory.csv", b"\r\n\r\n,,,\r\n", "has no header row"),
        ("inventory.csv", xlsx_bytes([["Name"]]), "is an Excel workbook"),
        ("inventory.xlsx", b"Name,Purpose\nA,B\n", "not a zip archive"),
        ("inventory.xlsx", b"PK\x03\x04 truncated", "not a zip archive"),
        ("inventory.xlsx", xlsx_bytes([]), "The sheet 'Sheet' has no header row"),
        ("inventory.csv", b"Name,Owner,name\nA,b,c\n", "'name' appears twice in the header"),
        ("inventory.csv", b"Name,Purpose\nA,b,stray\n", "in column C, which has no header"),
        ("inventory.csv", b"\x81\x8d\x8f\x90\x9d", "not UTF-8 or Windows-1252"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(
    filename: str, content: bytes, reason: str
) -> None:
    with pytest.raises(SpreadsheetError) as error:
        read_table(filename, content)
    assert any(reason in r for r in problems_of(error)), problems_of(error)


def test_a_zip_that_is_not_a_workbook_is_refused_not_raised() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SpreadsheetError) as error:
        read_table("inventory.xlsx", out.getvalue())
    assert "damaged" in error.value.detail


def test_a_workbook_with_broken_sheet_xml_is_refused_not_raised() -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Name"], ["A"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            archive.writestr(item, data)
    with pytest.raises(SpreadsheetError) as error:
        read_table("inventory.xlsx", out.getvalue())
    assert "damaged" in error.value.detail


def test_duplicate_headers_are_all_listed_with_their_columns() -> None:
    with pytest.raises(SpreadsheetError) as error:
        read_table("x.csv", b"Name,Owner, owner ,NAME\n")
    assert error.value.problems == [
        Problem(1, "owner", "'owner' appears twice in the header (columns B and C)"),
        Problem(1, "NAME", "'NAME' appears twice in the header (columns A and D)"),
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_row_limit(kind: str) -> None:
    def build(count: int) -> bytes:
        rows = [["Name"], *([f"System {n}"] for n in range(count))]
        return xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows)

    assert len(read_table(f"x.{kind}", build(MAX_ROWS)).rows) == MAX_ROWS
    with pytest.raises(SpreadsheetError) as error:
        read_table(f"x.{kind}", build(MAX_ROWS + 1))
    assert problems_of(error) == ["The file has more than 5,000 rows; split it into smaller files."]


def test_the_error_is_a_validation_failure_the_api_can_show() -> None:
    with pytest.raises(ValidationFailed) as error:
        validate_rows(Table(["A"], [], []), {"A": "nope"})
    assert error.value.status == 422
    assert [(e.loc, e.msg) for e in error.value.errors] == [
        (("A",), "'nope' is not a field (one of: " + ", ".join(s.name for s in FIELDS) + ")"),
        (("file",), "no column is mapped to name, which is required"),
    ]


def test_problems_read_as_sentences() -> None:
    assert str(Problem(4, "Stage", "x")) == "Row 4, column 'Stage': x"
    assert str(Problem(None, "Stage", "x")) == "Column 'Stage': x"
    assert str(Problem(3, None, "x")) == "Row 3: x"
    assert str(Problem(None, None, "x")) == "x"


# --- property: whatever valid rows go in come back out ---------------------------------------

SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -().'éüß"
safe_text = st.text(SAFE + ',;"\n', min_size=1, max_size=40).map(str.strip).filter(bool)
booleans = st.sampled_from([None, True, False])
BOOL_WORDS = {True: ["yes", "Y", "true", "1", "x", "Ja"], False: ["no", "N", "false", "0", "non"]}


@st.composite
def inventory_row(draw: st.DrawFn) -> tuple[list[str], dict[str, object]]:
    """One row as written (cells) and as it must come back (field values)."""
    name = draw(st.text(SAFE, min_size=1, max_size=60).map(str.strip).filter(bool))
    purpose = draw(st.none() | safe_text)
    stage = draw(st.none() | st.sampled_from(LifecycleStage))
    stage_words = [] if stage is None else [stage.value, stage.value.replace("_", " ").title()]
    stage_text = draw(st.sampled_from(stage_words)) if stage_words else ""
    eu = draw(booleans)
    eu_text = "" if eu is None else draw(st.sampled_from(BOOL_WORDS[eu]))
    in_scope = draw(booleans)
    scope_text = "" if in_scope is None else draw(st.sampled_from(BOOL_WORDS[in_scope]))
    reason = draw(safe_text) if in_scope is False else draw(st.none() | safe_text)
    review = draw(st.none() | st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    review_words = (
        [] if review is None else [f"{review:%Y-%m-%d}", f"{review:%d/%m/%Y}", f"{review:%d.%m.%Y}"]
    )
    review_text = draw(st.sampled_from(review_words)) if review_words else ""
    cells = [name, purpose or "", stage_text, eu_text, scope_text, reason or "", review_text]
    expected: dict[str, object] = {"name": name, "in_scope": in_scope is not False}
    for key, value in [
        ("purpose", purpose),
        ("lifecycle_stage", stage and stage.value),
        ("used_in_eu", eu),
        ("scope_reason", reason),
        ("review_date", review),
    ]:
        if value is not None:
            expected[key] = value
    return cells, expected


PROPERTY_HEADERS = ["AI system", "Purpose", "Stage", "EU", "In scope", "Reason", "Next review"]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        inventory_row(),
        max_size=15,
        unique_by=lambda row: " ".join(str(row[1]["name"]).casefold().split()),
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8-sig", "utf-8", "cp1252"]),
)
def test_valid_rows_written_to_csv_come_back_whole(
    rows: list[tuple[list[str], dict[str, object]]], delimiter: str, encoding: str
) -> None:
    content = csv_bytes(
        [PROPERTY_HEADERS, *(cells for cells, _ in rows)], delimiter=delimiter, encoding=encoding
    )
    table = read_table("inventory.csv", content)
    assert table.headers == PROPERTY_HEADERS
    preview = validate_rows(table, suggest_mapping(table.headers))
    assert preview.problems == []
    assert preview.rows == [expected for _, expected in rows]
    assert preview.row_numbers == list(range(2, len(rows) + 2))
