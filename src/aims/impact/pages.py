"""The impact assessment process settings page (A.5.2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from aims.access.rules import Permission, Role
from aims.errors import AimsError
from aims.impact import service
from aims.impact.rules import ImpactLevel
from aims.impact.schemas import ImpactSettingsData
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    settings: Any,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
    can_edit: bool = False,
) -> object:
    return render(
        request, "impact/settings.html",
        {"s": settings, "errors": errors or [], "levels": list(ImpactLevel),
         "approver_choices": [Role.OWNER, Role.MANAGER], "can_edit": can_edit},
        status_code=status_code,
    )  # fmt: skip


@router.get("/impact/settings")
def settings_page(request: Request, db: PageDb, info: WebSession) -> object:
    return _page(request, service.get_settings(db, info.context),
                 can_edit=info.context.can(Permission.APPROVE))  # fmt: skip


@router.post("/impact/settings")
async def save(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    current = service.get_settings(db, info.context)
    raw: dict[str, Any] = {
        "triggers": {name: form.get(f"trigger_{name}") == "on"
                     for name in ("new_system", "significant_change", "eu_ai_act_class_change",
                                  "periodic")},
        "levels": [
            {"level": level.value, "label": str(form.get(f"label_{level.value}") or ""),
             "description": str(form.get(f"description_{level.value}") or ""),
             "reassess_months": str(form.get(f"months_{level.value}") or "")}
            for level in ImpactLevel
        ],
        "thresholds": [str(form.get(f"threshold_{i}") or "") for i in range(3)],
        "approver_roles": [str(v) for v in form.getlist("approver_roles")],
        "harm_risk_level": str(form.get("harm_risk_level") or ""),
    }  # fmt: skip
    try:
        data = ImpactSettingsData.model_validate(raw)
        version = int(str(form.get("version") or "-1"))
        with db.begin_nested():
            service.save_settings(db, info.context, data, version=version)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
                  for e in exc.errors()]  # fmt: skip
        return _page(request, current, errors=errors, status_code=422, can_edit=True)
    except (AimsError, ValueError) as exc:
        detail = exc.detail if isinstance(exc, AimsError) else "the form is out of date"
        status = exc.status if isinstance(exc, AimsError) else 409
        return _page(request, current, errors=[detail], status_code=status, can_edit=True)
    return RedirectResponse("/impact/settings?saved=1", status_code=303)
