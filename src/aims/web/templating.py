"""One Jinja2 environment for every capability's templates (autoescaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

import aims

PACKAGE = Path(aims.__file__).parent
STATIC = PACKAGE / "web" / "static"

# The standard's sections, in order, each with its clause, then the product's own areas.
NAV: list[tuple[str, str, str]] = [
    ("context", "Context", "4"),
    ("leadership", "Leadership", "5"),
    ("planning", "Planning", "6"),
    ("support", "Support", "7"),
    ("operation", "Operation", "8"),
    ("performance", "Performance evaluation", "9"),
    ("improvement", "Improvement", "10"),
]

# The records that carry each part of the standard, as (link, label) per section.
SECTION_LINKS: dict[str, list[tuple[str, str]]] = {
    "context": [
        ("/context", "Issues, interested parties and the climate decision (4.1, 4.2)"),
        ("/context/requirements", "Legal, regulatory and contractual requirements (4.2)"),
        ("/scope", "Scope of the AIMS (4.3)"),
        ("/systems", "AI system inventory"),
    ],
    "leadership": [
        ("/leadership", "Leadership and commitment: approvals and resources (5.1)"),
        ("/documents/ai-policy", "The AI policy (5.2, A.2.2 to A.2.4)"),
        ("/competence/roles", "AIMS roles and who holds them (5.3, A.3.2)"),
        ("/competence/raci", "RACI of processes and controls (5.3)"),
        ("/concerns/new", "Raise a concern about an AI system (A.3.3)"),
        ("/concerns", "Concerns being handled (A.3.3; for the roles that handle them)"),
    ],
    "planning": [
        ("/risks", "AI risk register (6.1.2)"),
        ("/risks/criteria", "Risk criteria (6.1.2)"),
        ("/soa", "Statement of Applicability (6.1.3)"),
        ("/impact", "AI system impact assessments (6.1.4)"),
        ("/impact/settings", "Impact assessment process (A.5.2)"),
        ("/objectives", "AI objectives and their measurements (6.2, A.6.1.2, A.9.3)"),
        ("/changes", "Planned changes (6.3)"),
    ],
    "support": [
        ("/leadership#commitments", "Resources committed (7.1)"),
        ("/competence", "Competence matrix and gaps (7.2, A.4.6)"),
        ("/acknowledgements", "Awareness: documents to acknowledge (7.3)"),
        ("/communication", "Communication plan (7.4)"),
        ("/documents", "Controlled documents (7.5)"),
        ("/evidence", "Evidence store (7.5)"),
    ],
    "operation": [
        ("/impact", "Impact assessments in operation (8.4)"),
        ("/risks", "Risk assessment and treatment in operation (8.2, 8.3)"),
        ("/event-logs", "Event logs of AI systems (A.6.2.8, EU AI Act Art. 12)"),
        ("/controls", "Controls in operation (A.4.3, A.6.2, A.7)"),
    ],
    "performance": [
        ("/objectives?state=breached", "Objectives whose newest measurement misses (9.1)"),
        ("/documents?overdue=1", "Documents due for review"),
        ("/measurement-runs", "Measurement runs on prediction logs (9.1)"),
        ("/controls?overdue=1", "Control checks due (9.1)"),
        ("/evidence?validity=expiring", "Evidence about to expire (9.1)"),
    ],
    "improvement": [
        ("/concerns", "Concerns that may show a nonconformity (10.2)"),
        ("/measurement-runs?breached=true", "Measurements that breached their limits (10.2)"),
        ("/changes", "Changes that carry improvements (10.1)"),
    ],
}


def _loader() -> ChoiceLoader:
    dirs = [PACKAGE / "web" / "templates"]
    dirs += sorted(p for p in PACKAGE.glob("*/templates") if p.parent.name != "web")
    return ChoiceLoader([FileSystemLoader(str(d)) for d in dirs])


env = Environment(loader=_loader(), autoescape=select_autoescape(default=True), auto_reload=False)
env.globals["nav_sections"] = NAV
env.globals["aims_version"] = aims.__version__
templates = Jinja2Templates(env=env)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the signed-in session (if any) available as ``session``."""
    ctx: dict[str, Any] = {"session": getattr(request.state, "web", None)}
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
