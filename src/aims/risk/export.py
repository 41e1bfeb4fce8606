"""The SoA as XLSX and PDF, and the risk register as XLSX and CSV."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined

from aims.exports.pdf import html_to_pdf
from aims.exports.tables import Cell, to_csv, to_xlsx
from aims.risk.schemas import RiskOut

SOA_HEADER = ("Control", "Title", "Applicable", "Justification for inclusion",
              "Justification for exclusion", "Implementation status", "Owner",
              "Evidence items", "Open questions")  # fmt: skip
SOA_WIDTHS = (10, 34, 12, 50, 40, 18, 28, 10, 40)

APPLICABLE = {True: "Yes", False: "No", None: "Not decided"}


def _soa_cells(row: Mapping[str, Any]) -> list[Cell]:
    return [
        row["control_id"], row["title"], APPLICABLE[row["applicable"]],
        row["inclusion_justification"], row["exclusion_justification"],
        str(row["status"]).replace("_", " "), row["owner"] or "",
        # Versions frozen before evidence was counted have no count: they say so.
        row.get("evidence", "n/a"), "; ".join(row["problems"]),
    ]  # fmt: skip


def soa_xlsx(rows: Sequence[Mapping[str, Any]], *, about: Sequence[tuple[str, str]]) -> bytes:
    return to_xlsx(
        sheet="Statement of Applicability", header=SOA_HEADER,
        rows=[_soa_cells(r) for r in rows], widths=SOA_WIDTHS, about=about,
    )  # fmt: skip


_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #111; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
p.sub { color: #444; margin: 0 0 4mm; }
table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; }
th, td { border: 0.4pt solid #999; padding: 1.2mm; vertical-align: top; text-align: left; }
th { background: #dde5f0; }
tr { page-break-inside: avoid; }
td.q { color: #8a1c1c; }
dl.about { margin: 0 0 4mm; } dl.about dt { float: left; width: 40mm; font-weight: bold; }
"""

_ENV = Environment(
    loader=DictLoader(
        {
            "soa.html": """<!doctype html><html><head><meta charset="utf-8">
<title>Statement of Applicability</title></head><body>
<h1>Statement of Applicability</h1>
<p class="sub">ISO/IEC 42001:2023, clause 6.1.3 and Annex A</p>
<dl class="about">{% for k, v in about %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<table><thead><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for r in rows %}<tr>{% for c in r[:-1] %}<td>{{ c }}</td>{% endfor %}
<td class="q">{{ r[-1] }}</td></tr>
{% endfor %}</tbody></table></body></html>"""
        }
    ),
    autoescape=True,
    undefined=StrictUndefined,
)


def soa_pdf(rows: Sequence[Mapping[str, Any]], *, about: Sequence[tuple[str, str]]) -> bytes:
    html = _ENV.get_template("soa.html").render(
        about=[*about, ("Generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))],
        header=SOA_HEADER, rows=[_soa_cells(r) for r in rows],
    )  # fmt: skip
    return html_to_pdf(html, _CSS)


REGISTER_HEADER = ("Ref", "Risk", "AI system", "Risk source", "Objectives",
                   "Consequences for the organisation", "Consequences for individuals",
                   "Consequences for society", "Owner", "Inherent L", "Inherent C",
                   "Inherent level", "Existing controls", "Residual L", "Residual C",
                   "Residual level", "Treatment", "Controls", "Status", "Accepted by",
                   "Acceptance expires", "Next review", "Origin", "Criteria version")  # fmt: skip
REGISTER_WIDTHS = (8, 40, 24, 18, 18, 30, 30, 30, 26, 6, 6, 10, 30, 6, 6, 10, 10, 18, 10, 26,
                   12, 12, 12, 8)  # fmt: skip


def _register_cells(r: RiskOut) -> list[Cell]:
    return [
        r.ref, r.title, r.system_name or "Organisation", r.source or r.own_source,
        ", ".join(r.objectives), r.consequences_org, r.consequences_individuals,
        r.consequences_society, r.owner or "", r.inherent_likelihood, r.inherent_consequence,
        r.inherent_level, r.existing_controls, r.residual_likelihood, r.residual_consequence,
        r.residual_level or "", r.treatment_option or "", ", ".join(r.controls), r.status,
        r.accepted_by or "", str(r.acceptance_expires or ""), str(r.next_review or ""),
        r.origin, r.criteria_number,
    ]  # fmt: skip


def register_xlsx(risks: Sequence[RiskOut], *, about: Sequence[tuple[str, str]]) -> bytes:
    return to_xlsx(
        sheet="Risk register", header=REGISTER_HEADER,
        rows=[_register_cells(r) for r in risks], widths=REGISTER_WIDTHS, about=about,
    )  # fmt: skip


def register_csv(risks: Sequence[RiskOut]) -> bytes:
    return to_csv(REGISTER_HEADER, [_register_cells(r) for r in risks])
