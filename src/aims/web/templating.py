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
