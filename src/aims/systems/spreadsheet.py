"""Read an AI-system inventory from a CSV or XLSX file, suggest a column mapping, check the rows."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

import openpyxl

from aims.errors import FieldError, ValidationFailed
from aims.systems.vocab import (
    AIRole,
    AutomationLevel,
    DecisionRole,
    LifecycleStage,
    OperatorRole,
    VulnerableGroup,
)

MAX_ROWS = 5_000
TEXT = 20_000  # the longest free text the inventory stores (as in systems.schemas)

Cell = str | date | None


class Kind(StrEnum):
    """How a cell is turned into a field value."""

    TEXT = "text"
    EMAIL = "email"
    BOOL = "bool"
    DATE = "date"
    CHOICE = "choice"  # one value of ``FieldSpec.choices``
    CHOICES = "choices"  # a comma- or semicolon-separated list of them


@dataclass(frozen=True)
class FieldSpec:
    """One field of an AI system record as a spreadsheet column can fill it.

    ``synonyms`` are other header texts for the column; ``aliases`` are other words for the
    values of a choice (enum value → words), on top of the value and its label with spaces.
    """

    name: str
    label: str
    kind: Kind
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: type[StrEnum] | None = None
    noun: str = ""  # "a life-cycle stage": used in "'x' is not a life-cycle stage"
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    max_length: int = TEXT


# fmt: off
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Name", Kind.TEXT, required=True, max_length=200, synonyms=(
        "System name", "AI system", "AI system name", "Name of system", "Name of the system",
        "System", "Title", "System title")),
    FieldSpec("purpose", "Purpose", Kind.TEXT, synonyms=(
        "Intended purpose", "Business purpose", "Objective", "Goal")),
    FieldSpec("description", "Description", Kind.TEXT, synonyms=(
        "System description", "Summary", "Details")),
    FieldSpec("intended_use", "Intended use", Kind.TEXT, synonyms=(
        "Intended uses", "Use", "Use case", "Use cases")),
    FieldSpec("foreseeable_misuse", "Foreseeable misuse", Kind.TEXT, synonyms=(
        "Misuse", "Reasonably foreseeable misuse", "Potential misuse")),
    FieldSpec("owner_email", "Owner e-mail", Kind.EMAIL, max_length=320, synonyms=(
        "Owner", "System owner", "Owner email address", "Responsible", "Responsible person",
        "Accountable", "E-mail", "Contact e-mail")),
    FieldSpec("business_unit", "Business unit", Kind.TEXT, max_length=200, synonyms=(
        "BU", "Department", "Division", "Team", "Unit")),
    FieldSpec("lifecycle_stage", "Life-cycle stage", Kind.CHOICE, synonyms=(
        "Stage", "Lifecycle", "Life cycle", "Phase", "Status"),
        choices=LifecycleStage, noun="a life-cycle stage", aliases={
            LifecycleStage.INCEPTION: ("idea", "concept", "planned", "planning"),
            LifecycleStage.DESIGN_DEVELOPMENT: ("development", "design", "build",
                                                "in development"),
            LifecycleStage.VERIFICATION_VALIDATION: ("testing", "test", "validation",
                                                     "verification"),
            LifecycleStage.DEPLOYMENT: ("deploying", "rollout", "roll out"),
            LifecycleStage.OPERATION_MONITORING: ("production", "in production", "live",
                                                  "operation", "in operation", "operational",
                                                  "monitoring"),
            LifecycleStage.RE_EVALUATION: ("reevaluation",),
            LifecycleStage.RETIREMENT: ("retired", "decommissioned", "decommissioning",
                                        "withdrawn"),
        }),
    FieldSpec("ai_roles", "AI roles", Kind.CHOICES, synonyms=(
        "AI role", "Roles", "ISO 22989 roles", "Our role"),
        choices=AIRole, noun="an AI role", aliases={
            AIRole.PROVIDER: ("provider",),
            AIRole.PRODUCER: ("producer", "developer", "ai developer"),
            AIRole.CUSTOMER: ("customer", "user", "ai user"),
            AIRole.PARTNER: ("partner", "integrator", "system integrator", "data supplier"),
            AIRole.SUBJECT: ("subject",),
            AIRole.RELEVANT_AUTHORITY: ("authority", "regulator"),
        }),
    FieldSpec("operator_role", "Operator role", Kind.CHOICE, synonyms=(
        "AI Act role", "EU AI Act role", "Operator", "AI Act operator role"),
        choices=OperatorRole, noun="an operator role", aliases={
            OperatorRole.DEPLOYER: ("user",),
            OperatorRole.AUTHORISED_REPRESENTATIVE: ("authorized representative",),
            OperatorRole.PRODUCT_MANUFACTURER: ("manufacturer",),
        }),
    FieldSpec("used_in_eu", "Used in the EU", Kind.BOOL, synonyms=(
        "EU", "Used in EU", "In EU", "EU use", "EU market")),
    FieldSpec("users_description", "Users", Kind.TEXT, synonyms=(
        "Users description", "Intended users", "User groups", "Who uses it")),
    FieldSpec("affected_persons", "Affected persons", Kind.TEXT, synonyms=(
        "Affected people", "Affected", "Impacted persons", "Impacted people")),
    FieldSpec("vulnerable_groups", "Vulnerable groups", Kind.CHOICES, synonyms=(
        "Vulnerable", "Vulnerable persons", "Vulnerable people"),
        choices=VulnerableGroup, noun="a vulnerable group", aliases={
            VulnerableGroup.CHILDREN: ("minors", "minor", "kids", "child"),
            VulnerableGroup.ELDERLY: ("older people", "older persons", "seniors",
                                      "elderly people"),
            VulnerableGroup.PERSONS_WITH_DISABILITIES: ("disabled", "disabled people",
                                                        "people with disabilities"),
            VulnerableGroup.ECONOMICALLY_VULNERABLE: ("low income", "financially vulnerable"),
            VulnerableGroup.EMPLOYEES: ("staff", "workers", "employee"),
            VulnerableGroup.MIGRANTS: ("migrant", "refugees", "asylum seekers"),
        }),
    FieldSpec("automation_level", "Automation level", Kind.CHOICE, synonyms=(
        "Automation", "Level of automation", "Autonomy", "Autonomy level"),
        choices=AutomationLevel, noun="an automation level", aliases={
            AutomationLevel.ASSISTIVE: ("advisory", "decision support", "assistant"),
            AutomationLevel.HUMAN_IN_THE_LOOP: ("hitl",),
            AutomationLevel.HUMAN_ON_THE_LOOP: ("hotl",),
            AutomationLevel.FULLY_AUTOMATED: ("automated", "full automation", "fully automatic",
                                              "autonomous"),
        }),
    FieldSpec("human_oversight", "Human oversight", Kind.TEXT, synonyms=(
        "Oversight", "Oversight measures", "Human oversight measures")),
    FieldSpec("decisions_about_people", "Decisions about people", Kind.CHOICE, synonyms=(
        "Decisions about persons", "Decides about people", "Automated decisions",
        "Decision making"),
        choices=DecisionRole, noun="a decision role", aliases={
            DecisionRole.MAKES: ("yes", "makes decisions", "decides"),
            DecisionRole.SUPPORTS: ("supports decisions", "assists", "partly", "partially"),
            DecisionRole.NONE: ("no", "n/a"),
        }),
    FieldSpec("personal_data", "Personal data", Kind.BOOL, synonyms=(
        "GDPR personal data", "Processes personal data", "Personal information", "PII")),
    FieldSpec("special_category_data", "Special category data", Kind.BOOL, synonyms=(
        "Special category", "Special categories", "Special category personal data",
        "Sensitive data", "Art. 9 data")),
    FieldSpec("biometric_data", "Biometric data", Kind.BOOL, synonyms=(
        "Biometric", "Biometrics")),
    FieldSpec("in_scope", "In scope", Kind.BOOL, synonyms=(
        "Scope", "In AIMS scope", "AIMS scope", "Included")),
    FieldSpec("scope_reason", "Scope reason", Kind.TEXT, synonyms=(
        "Reason", "Scope justification", "Exclusion reason", "Reason out of scope",
        "Why out of scope")),
    FieldSpec("review_date", "Review date", Kind.DATE, synonyms=(
        "Review", "Next review", "Next review date", "Review due", "Due for review")),
)
# fmt: on

FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}

_TRUE = frozenset({"yes", "y", "true", "1", "x", "ja", "j", "oui", "wahr", "vrai"})
_FALSE = frozenset({"no", "n", "false", "0", "nein", "non", "falsch", "faux"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong and where: ``row`` as the spreadsheet numbers it, ``column`` its header."""

    row: int | None
    column: str | None
    reason: str

    @property
    def loc(self) -> tuple[str | int, ...]:
        return tuple(part for part in (self.row, self.column) if part is not None) or ("file",)

    def __str__(self) -> str:
        where = [f"Row {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"column '{self.column}'" if where else f"Column '{self.column}'")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class SpreadsheetError(ValidationFailed):
    """The file or the mapping cannot be used at all; a 422 with every problem listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems) or [Problem(None, None, "The spreadsheet cannot be used.")]
        first = self.problems[0]
        count = len(self.problems)
        detail = (
            str(first)
            if count == 1
            else f"The spreadsheet cannot be used: {count} problems, the first: {first}"
        )
        super().__init__(detail, errors=[FieldError(p.loc, p.reason) for p in self.problems])


@dataclass(frozen=True)
class Table:
    """The cells of a file's header and non-blank data rows, before any mapping."""

    headers: list[str]
    rows: list[list[Cell]]
    row_numbers: list[int]  # the spreadsheet's own numbers; the header is row 1 (or later)
    sheet: str | None = None  # the worksheet read, for an XLSX file


@dataclass(frozen=True)
class Preview:
    """The valid rows as field values, and every problem; import only when ``ok``."""

    rows: list[dict[str, object]]
    row_numbers: list[int]  # of ``rows``, so later checks (owner membership) can cite the row
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


# --- reading ---------------------------------------------------------------------------------


def read_table(filename: str, content: bytes) -> Table:
    """Read the header and data rows of a .csv or .xlsx file, or say why it cannot be read."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _file_error(
            f"'{filename}' is not a .csv or .xlsx file; save the inventory as one of those."
        )
    if not content or content in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise _file_error("The file is empty.")
    if suffix == ".xlsx":
        return _read_xlsx(content)
    if content.startswith(b"PK\x03\x04"):
        raise _file_error("The file is an Excel workbook, not CSV text; name it .xlsx.")
    return _read_csv(content)


def _file_error(reason: str, row: int | None = None) -> SpreadsheetError:
    return SpreadsheetError([Problem(row, None, reason)])


def _read_csv(content: bytes) -> Table:
    """Try UTF-8 first; a file that is not UTF-8 is almost always Excel's Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return _build_table(_csv_rows(content, encoding), sheet=None)
        except UnicodeError:
            continue
    raise _file_error("The file is not UTF-8 or Windows-1252 text; save it as CSV UTF-8.")


def _csv_rows(content: bytes, encoding: str) -> Iterator[tuple[int, list[Cell]]]:
    """Stream the records (not the physical lines: a quoted cell may span lines)."""
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    sample = stream.read(_SAMPLE)
    stream.seek(0)
    reader = csv.reader(stream, delimiter=_delimiter(sample, whole=len(sample) < _SAMPLE))
    number = 0
    try:
        for record in reader:
            number += 1
            cells: list[Cell] = [cell.strip() or None for cell in record]
            if any(cell is not None for cell in cells):
                yield number, cells
    except csv.Error as exc:
        raise _file_error(f"The CSV file cannot be read: {exc}.", row=number + 1) from exc


_SAMPLE = 16_384


def _delimiter(sample: str, *, whole: bool) -> str:
    """Comma, semicolon or tab; the header line decides when the sniffer is unsure or wrong."""
    if not whole and "\n" in sample:
        sample = sample[: sample.rfind("\n")]  # never sniff a cut-off last line
    try:
        found = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        found = ","
    header = sample.split("\n", 1)[0]
    if found not in header:
        counts = {d: header.count(d) for d in ",;\t"}
        best = max(counts, key=lambda d: counts[d])
        found = best if counts[best] else ","
    return found


MAX_UNZIPPED = 50 * 1024 * 1024  # an inventory never needs more; a zip bomb does
MAX_RATIO = 500  # uncompressed / compressed size of any one part
MAX_SCANNED_ROWS = MAX_ROWS * 4  # blank rows count too: a sheet of empty rows is not free
MAX_COLUMNS = 200


def _check_archive(content: bytes) -> None:
    """Refuse a workbook that would expand to far more than it looks (before openpyxl reads)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        return  # openpyxl reports it with a clear message below
    total = sum(part.file_size for part in parts)
    if total > MAX_UNZIPPED or any(
        part.file_size > MAX_RATIO * max(part.compress_size, 1) for part in parts
    ):
        raise _file_error(
            "The workbook expands to far more than an inventory needs; save only the inventory "
            "sheet (or export it as CSV) and retry."
        )


def _read_xlsx(content: bytes) -> Table:
    """Read one worksheet lazily; openpyxl's many errors on a damaged file become one message."""
    _check_archive(content)
    try:
        workbook: Any = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:
        raise _file_error(
            "The file is not a valid .xlsx workbook (it is not a zip archive); "
            "an old .xls file must be saved as .xlsx or CSV first."
        ) from exc
    except Exception as exc:
        raise _corrupt(exc) from exc
    try:
        sheet = _pick_sheet(list(workbook.worksheets))
        if sheet is None:
            raise _file_error("The workbook has no worksheet.")
        sheet.reset_dimensions()  # never trust the stored size: rows are only as wide as they are
        return _build_table(_xlsx_rows(sheet), sheet=str(sheet.title))
    finally:
        workbook.close()


def _corrupt(exc: Exception) -> SpreadsheetError:
    return _file_error(
        f"The .xlsx workbook is damaged and cannot be read ({type(exc).__name__}); "
        "open it in Excel, save it again and retry."
    )


def _pick_sheet(sheets: list[Any]) -> Any:
    """A sheet named like the inventory if there is one (workbooks often hold lookups too)."""
    for sheet in sheets:
        title = _normalise_header(str(sheet.title))
        if "inventory" in title or "aisystem" in title:
            return sheet
    return sheets[0] if sheets else None


def _xlsx_rows(sheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    rows = iter(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
    number = 0
    while True:
        if number >= MAX_SCANNED_ROWS:
            raise _file_error(
                f"The sheet has more than {MAX_SCANNED_ROWS} rows (blank ones included); "
                "delete the empty rows below the inventory and retry."
            )
        try:
            values = next(rows, None)
        except Exception as exc:  # the sheet XML is read as we go
            raise _corrupt(exc) from exc
        if values is None:
            return
        number += 1
        cells = [_xlsx_cell(value) for value in values]
        if any(cell is not None for cell in cells):
            yield number, cells


def _xlsx_cell(value: object) -> Cell:
    """Excel cells as CSV would show them: whole numbers without '.0', dates kept as dates."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, time | timedelta):
        return str(value)
    return str(value).strip() or None


def _build_table(rows: Iterator[tuple[int, list[Cell]]], sheet: str | None) -> Table:
    """The first non-blank row is the header; stop reading as soon as the file is too long."""
    first = next(rows, None)
    if first is None:
        where = f"The sheet '{sheet}'" if sheet is not None else "The file"
        raise _file_error(f"{where} has no header row: every row is blank.")
    header_row, header_cells = first
    headers = _headers(header_row, header_cells)
    width = len(headers)
    table = Table(headers=headers, rows=[], row_numbers=[], sheet=sheet)
    problems: list[Problem] = []
    for number, cells in rows:
        if len(table.rows) == MAX_ROWS:
            raise _file_error(
                f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
        for index in range(width, len(cells)):
            if cells[index] is not None:
                reason = f"has a value in column {_column_letter(index)}, which has no header"
                problems.append(Problem(number, None, reason))
        table.rows.append(cells[:width] + [None] * (width - len(cells)))
        table.row_numbers.append(number)
    if problems:
        raise SpreadsheetError(problems)
    return table


def _headers(row: int, cells: list[Cell]) -> list[str]:
    """Trailing blank header cells are dropped; a blank one in between gets its column letter."""
    width = max((index + 1 for index, cell in enumerate(cells) if cell is not None), default=0)
    headers = [
        _as_text(cell) if cell is not None else f"Column {_column_letter(index)}"
        for index, cell in enumerate(cells[:width])
    ]
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for index, header in enumerate(headers):
        key = " ".join(header.casefold().split())
        if key in seen:
            problems.append(
                Problem(
                    row,
                    header,
                    f"'{header}' appears twice in the header (columns "
                    f"{_column_letter(seen[key])} and {_column_letter(index)})",
                )
            )
        else:
            seen[key] = index
    if problems:
        raise SpreadsheetError(problems)
    return headers


def _column_letter(index: int) -> str:
    """0 → A, 26 → AA: the letters a person sees above the column."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- mapping ---------------------------------------------------------------------------------


def _normalise_header(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


_MIN_CONTAINED = 6  # shorter keys ("eu", "owner") only match a whole header


def _header_keys() -> list[tuple[str, int, int]]:
    """(normalised key, score, field index): the field name beats its label beats a synonym."""
    keys: list[tuple[str, int, int]] = []
    for index, spec in enumerate(FIELDS):
        keys.append((_normalise_header(spec.name), 4, index))
        keys.append((_normalise_header(spec.label), 3, index))
        keys.extend((_normalise_header(s), 2, index) for s in spec.synonyms)
    return keys


_HEADER_KEYS = _header_keys()


def suggest_mapping(headers: list[str]) -> dict[str, str | None]:
    """Guess which field each column fills; a person confirms or corrects it before import.

    A whole-header match (on the field name, label or a synonym) beats a header that only
    contains one (the longest wins); among equals the first column wins. Each field is
    used at most once, and a column whose best field is taken falls back to its next one.
    """
    candidates: list[tuple[int, int, int, int]] = []  # (-score, -length, column, field)
    for column, header in enumerate(headers):
        normalised = _normalise_header(header)
        if not normalised:
            continue
        for key, score, index in _HEADER_KEYS:
            if key == normalised:
                candidates.append((-score, 0, column, index))
            elif len(key) >= _MIN_CONTAINED and key in normalised:
                candidates.append((-1, -len(key), column, index))
    mapping: dict[str, str | None] = dict.fromkeys(headers)
    taken_columns: set[int] = set()
    taken_fields: set[int] = set()
    for _, _, column, index in sorted(candidates):
        if column not in taken_columns and index not in taken_fields:
            mapping[headers[column]] = FIELDS[index].name
            taken_columns.add(column)
            taken_fields.add(index)
    return mapping


# --- validating ------------------------------------------------------------------------------


class _Invalid(Exception):
    """A cell's value cannot be used; each reason becomes one problem."""

    def __init__(self, *reasons: str) -> None:
        super().__init__(*reasons)
        self.reasons = reasons


def validate_rows(table: Table, mapping: Mapping[str, str | None]) -> Preview:
    """Convert every mapped cell and collect every problem, so one pass shows all to fix."""
    columns = _mapped_columns(table.headers, mapping)
    header_of = {spec.name: header for _, header, spec in columns}
    rows: list[dict[str, object]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    first_seen: dict[str, list[int]] = {}
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        record: dict[str, object] = {}
        found: list[Problem] = []
        for index, header, spec in columns:
            cell = cells[index] if index < len(cells) else None
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                if spec.required:
                    found.append(Problem(number, header, f"{spec.name} is required"))
                continue
            try:
                value = _convert(spec, cell)
            except _Invalid as invalid:
                found.extend(Problem(number, header, reason) for reason in invalid.reasons)
                continue
            if value is not None:
                record[spec.name] = value
        record.setdefault("in_scope", True)  # the inventory's default: in scope unless said
        if record.get("in_scope") is False and "scope_reason" not in record:
            column = header_of.get("scope_reason", header_of.get("in_scope"))
            found.append(
                Problem(number, column, "scope_reason is required when the system is out of scope")
            )
        name = record.get("name")
        if isinstance(name, str):
            key = " ".join(name.casefold().split())
            earlier = first_seen.setdefault(key, [])
            if earlier:
                found.append(Problem(number, header_of["name"], _twice(name, earlier)))
            earlier.append(number)
        if found:
            problems.extend(found)
        else:
            rows.append(record)
            numbers.append(number)
    return Preview(rows=rows, row_numbers=numbers, problems=problems)


def _twice(name: str, earlier: list[int]) -> str:
    if len(earlier) == 1:
        return f"'{_short(name)}' appears twice (also row {earlier[0]})"
    rows = ", ".join(str(n) for n in earlier)
    return f"'{_short(name)}' appears {len(earlier) + 1} times (also rows {rows})"


def _mapped_columns(
    headers: list[str], mapping: Mapping[str, str | None]
) -> list[tuple[int, str, FieldSpec]]:
    """Refuse a mapping that cannot be right before looking at any row."""
    problems: list[Problem] = []
    known = set(headers)
    mapped_from: dict[str, str] = {}
    for header, name in mapping.items():
        if header not in known:
            problems.append(Problem(None, header, f"'{header}' is not a column of the file"))
        if not name:
            continue
        if name not in FIELDS_BY_NAME:
            fields = ", ".join(FIELDS_BY_NAME)
            problems.append(Problem(None, header, f"'{name}' is not a field (one of: {fields})"))
        elif name in mapped_from:
            problems.append(
                Problem(
                    None,
                    header,
                    f"{name} is already filled from column '{mapped_from[name]}'",
                )
            )
        else:
            mapped_from[name] = header
    if "name" not in mapped_from:
        problems.append(Problem(None, None, "no column is mapped to name, which is required"))
    if problems:
        raise SpreadsheetError(problems)
    return [
        (index, header, FIELDS_BY_NAME[name])
        for index, header in enumerate(headers)
        if (name := mapping.get(header))
    ]


def _convert(spec: FieldSpec, cell: str | date) -> object:
    """The field value of one non-blank cell, or ``_Invalid`` with plain-language reasons."""
    if spec.kind is Kind.DATE:
        return _to_date(cell)
    text = _as_text(cell)
    if spec.kind is Kind.TEXT:
        return _checked_length(spec, text)
    if spec.kind is Kind.EMAIL:
        return _to_email(spec, text)
    if spec.kind is Kind.BOOL:
        return _to_bool(text)
    if spec.kind is Kind.CHOICE:
        return _to_choice(spec, text)
    return _to_choices(spec, text)


def _as_text(cell: str | date) -> str:
    return cell.isoformat() if isinstance(cell, date) else cell.strip()


def _short(text: str, limit: int = 60) -> str:
    """A value quoted in a message stays readable however long the cell is."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _checked_length(spec: FieldSpec, text: str) -> str:
    if len(text) > spec.max_length:
        raise _Invalid(
            f"'{_short(text, 30)}' is too long ({len(text):,} characters; "
            f"at most {spec.max_length:,})"
        )
    return text


_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;.]+(\.[^@\s<>,;.]+)+")


def _to_email(spec: FieldSpec, text: str) -> str:
    """Accept "Aoife Byrne <aoife@…>" as pasted from a mail client; keep only the address."""
    address = parseaddr(text)[1] if "<" in text else text
    if not _EMAIL.fullmatch(address):
        raise _Invalid(f"'{_short(text)}' is not an e-mail address")
    return _checked_length(spec, address)


def _to_bool(text: str) -> bool:
    word = text.casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _Invalid(f"'{_short(text)}' is not yes or no")


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})")


def _to_date(cell: str | date) -> date:
    """ISO or day-first (31/03/2026, 31.03.2026): never guess month-first."""
    if isinstance(cell, date):
        return cell
    text = cell.strip()
    try:
        if match := _ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY_FIRST.fullmatch(text):
            return date(int(match[4]), int(match[3]), int(match[1]))
    except ValueError:
        pass
    raise _Invalid(f"'{_short(text)}' is not a date (use 2026-03-31)")


def _normalise_value(text: str) -> str:
    text = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[_\-/.]+", " ", text).split())


def _choice_lookups() -> dict[str, dict[str, str]]:
    """Per choice field: every accepted word (value, label, alias) → the value it stands for."""
    lookups: dict[str, dict[str, str]] = {}
    for spec in FIELDS:
        if spec.choices is None:
            continue
        values = [member.value for member in spec.choices]
        lookup = {_normalise_value(value): value for value in values}
        for value, words in spec.aliases.items():
            if value not in values:
                raise ValueError(f"FIELDS: {spec.name} has an alias for unknown value {value}")
            lookup.update({_normalise_value(word): value for word in words})
        lookups[spec.name] = lookup
    return lookups


_CHOICES = _choice_lookups()


def _to_choice(spec: FieldSpec, text: str) -> str:
    value = _CHOICES[spec.name].get(_normalise_value(text))
    if value is None:
        assert spec.choices is not None
        labels = ", ".join(member.value.replace("_", " ") for member in spec.choices)
        raise _Invalid(f"'{_short(text)}' is not {spec.noun} (one of: {labels})")
    return value


def _to_choices(spec: FieldSpec, text: str) -> list[str] | None:
    """Items separated by commas, semicolons or line breaks; repeats are dropped."""
    values: list[str] = []
    reasons: list[str] = []
    for item in re.split(r"[,;\n]", text):
        if not item.strip():
            continue
        try:
            value = _to_choice(spec, item.strip())
        except _Invalid as invalid:
            reasons.extend(invalid.reasons)
            continue
        if value not in values:
            values.append(value)
    if reasons:
        raise _Invalid(*reasons)
    return values or None
