"""Impact assessment pages: the process settings, the register, the guided form, review,
comparison, the FRIA view and exports."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission, Role
from aims.approval.rules import Status
from aims.comments import service as comments
from aims.errors import AimsError, NotFound, StaleVersion, ValidationFailed
from aims.exports.http import attachment
from aims.impact import present, rules, service
from aims.impact.models import ImpactAssessment
from aims.impact.questionnaire import QuestionKind, QuestionType
from aims.impact.rules import ImpactLevel
from aims.impact.schemas import (
    AssessmentFields,
    ImpactIn,
    ImpactPatch,
    ImpactSettingsData,
)
from aims.impact.vocab import (
    Affected,
    Dimension,
    Likelihood,
    Nature,
    PeopleAffected,
    Reversibility,
    Severity,
)
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import form_errors, html_status
from aims.web.forms import form_version
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)

NONE_APPLY = "__none__"  # the "none of these" tick of a tick-all question


# --- Process settings (A.5.2) ------------------------------------------------------------------


def _settings_page(
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
    return _settings_page(request, service.get_settings(db, info.context),
                          can_edit=info.context.can(Permission.APPROVE))  # fmt: skip


@router.post("/impact/settings")
async def save_settings(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    current = service.get_settings(db, info.context)
    can_edit = info.context.can(Permission.APPROVE)
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
        version = form_version(form)
        with db.begin_nested():
            service.save_settings(db, info.context, data, version=version)
    except ValidationError as exc:
        errors = [_settings_error(e["loc"], str(e["msg"])) for e in exc.errors()]
        return _settings_page(request, _as_typed(raw, current), errors=errors, status_code=422,
                              can_edit=can_edit)  # fmt: skip
    except (AimsError, ValueError) as exc:
        detail = exc.detail if isinstance(exc, AimsError) else "the form is out of date"
        status = exc.status if isinstance(exc, AimsError) else 409
        return _settings_page(request, _as_typed(raw, current), errors=[detail],
                              status_code=status, can_edit=can_edit)  # fmt: skip
    return RedirectResponse("/impact/settings?saved=1", status_code=303)


def _settings_error(loc: tuple[Any, ...], msg: str) -> str:
    """A readable place for a settings error: "Level III, reassess every" not "levels.2..."."""
    msg = msg.removeprefix("Value error, ")
    if len(loc) >= 2 and loc[0] == "levels" and isinstance(loc[1], int):
        field = {"reassess_months": "reassess every (months)", "label": "label"}.get(
            str(loc[-1]), str(loc[-1])
        )
        return f"Level {list(ImpactLevel)[loc[1]].value}, {field}: {msg}"
    if loc and loc[0] == "thresholds":
        return f"Level thresholds: {msg}"
    return f"{' '.join(str(p) for p in loc).replace('_', ' ') or 'Settings'}: {msg}"


def _as_typed(raw: dict[str, Any], current: Any) -> SimpleNamespace:
    """The form as the person filled it in, so a refused save loses nothing they typed."""
    return SimpleNamespace(
        triggers=raw["triggers"],
        levels=[SimpleNamespace(**{**lv, "level": ImpactLevel(lv["level"])})
                for lv in raw["levels"]],
        thresholds=raw["thresholds"], approver_roles=raw["approver_roles"],
        harm_risk_level=raw["harm_risk_level"], version=current.version, saved=current.saved,
    )  # fmt: skip


# --- The register ------------------------------------------------------------------------------


@router.get("/impact")
def register(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    status: str = "",
    level: str = "",
    cursor: str | None = None,
    deleted: str = "",
) -> object:
    ctx = info.context
    try:  # the undo form posts to this id: only ever a real id, never text from the link
        deleted_id: uuid.UUID | None = uuid.UUID(deleted) if deleted else None
    except ValueError:
        deleted_id = None
    filters = {"q": q, "status": status, "level": level}
    params = ListParams(limit=50, cursor=cursor, q=q or None).with_filters(
        status=status or None, level=level or None
    )
    try:
        page = service.list_assessments(db, ctx, params)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    found = service.attention(db, ctx)
    assessed = {a.system_id for a in service.list_assessments(db, ctx, ListParams(limit=200)).items}
    startable = [
        s for s in systems.list_systems(db, ctx, ListParams(limit=200)).items
        if s.id not in assessed
    ]  # fmt: skip
    return render(
        request, "impact/list.html",
        {"page": page, "f": filters, "statuses": list(Status), "levels": list(ImpactLevel),
         "attention": found, "startable": startable, "can_edit": ctx.can(Permission.EDIT),
         "deleted": deleted_id,
         "base_query": urlencode({k: v for k, v in filters.items() if v})},
    )  # fmt: skip


@router.post("/impact/new")
async def start(request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    try:
        with db.begin_nested():
            record = service.create(
                db, info.context, str(form.get("system_id") or ""), AssessmentFields()
            )
    except AimsError as exc:
        existing = _existing_for(db, info, str(form.get("system_id") or ""))
        if existing is not None:
            return RedirectResponse(f"/impact/{existing}", status_code=303)
        return html_status(request, exc.status, exc.detail, title="Not started")
    return RedirectResponse(f"/impact/{record.id}/edit/scope", status_code=303)


def _existing_for(db: PageDb, info: WebSession, system_id: str) -> uuid.UUID | None:
    try:
        system = systems.get_system(db, info.context, system_id)
    except AimsError:
        return None
    found = service.for_system(db, info.context, system)
    return found[0].id if found else None


@router.get("/impact/referrals")
def referrals(request: Request, db: PageDb, info: WebSession, cursor: str | None = None) -> object:
    page = service.list_referrals(db, info.context, ListParams(limit=50, cursor=cursor))
    return render(request, "impact/referrals.html", {"page": page, "base_query": ""})


# --- One assessment ----------------------------------------------------------------------------


def _steps() -> list[tuple[str, str]]:
    """The guided form's steps: the narrative first, then the questionnaire by section, the
    impacts, and what is done about them."""
    head = [(f, t) for f, t, _h in rules.TEXT_PARTS[:6]]
    sections = [(f"q-{s.id}", s.title) for s in service.questionnaire().sections]
    tail = [(f, t) for f, t, _h in rules.TEXT_PARTS[6:]]
    return [*head, *sections, ("impacts", "Impacts"), *tail]


def _step_done(record: ImpactAssessment, step: str) -> bool:
    if step == "impacts":
        return bool(record.impacts)
    if step.startswith("q-"):
        section = step[2:]
        ids = [q.id for q in service.questionnaire().questions if q.section == section]
        return all(i in record.answers for i in ids)
    return bool(str(getattr(record, step, "") or "").strip())


def _common(db: PageDb, info: WebSession, record: ImpactAssessment) -> dict[str, Any]:
    ctx = info.context
    out = present.detail(db, ctx, record)
    return {
        "a": record, "out": out, "score": out.score, "progress": out.progress,
        "steps": [(s, t, _step_done(record, s)) for s, t in _steps()],
        "can_edit": ctx.can(Permission.EDIT) and record.status == Status.DRAFT.value,
        "can_write": ctx.can(Permission.EDIT), "can_approve": ctx.can(Permission.APPROVE),
        "is_author": record.author_id == ctx.user_id,
        "settings": service.get_settings(db, ctx), "q": service.questionnaire(),
    }  # fmt: skip


@router.get("/impact/{assessment_id}")
def detail(assessment_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    return _detail_page(request, db, info, service.get(db, info.context, assessment_id))


def _detail_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    record: ImpactAssessment,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = _common(db, info, record)
    context["versions"] = service.versions(db, info.context, record)
    context["is_newest"] = context["versions"][-1].id == record.id
    context["problem"] = problem
    context["referrals"] = service.referrals_of(db, info.context, record)
    threshold = context["settings"].harm_risk_level
    context["sendable"] = {
        i["key"] for i in record.impacts if rules.harm_referral_refusal(i, threshold) is None
    }
    context["level_labels"] = {s.level.value: s.label for s in context["settings"].levels}
    thread = comments.list_comments(
        db, info.context, subject_type="impact_assessment", subject_id=str(record.id),
        params=ListParams(limit=200),
    )  # fmt: skip
    context.update(
        thread=thread, subject_type="impact_assessment", subject_id=str(record.id),
        back=f"/impact/{record.id}",
        authors=access.names_of(db, info.context, {c.created_by_id for c in thread.items}),
    )  # fmt: skip
    return render(request, "impact/detail.html", context, status_code=status_code)


def _text_errors(exc: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for e in exc.errors():
        loc = [str(p) for p in e["loc"]]
        msg = str(e["msg"]).removeprefix("Value error, ")
        name = loc[-1] if loc else (msg.split(":", 1)[0] if ":" in msg else "_form")
        found.setdefault(name, msg.split(": ", 1)[-1] if not loc and ":" in msg else msg)
    return found


def _answers_from(form: FormData, section: str) -> dict[str, Any]:
    """The section's answers as the form sent them (None clears an answer)."""
    merge: dict[str, Any] = {}
    for question in service.questionnaire().questions:
        if question.section != section:
            continue
        if question.type == QuestionType.SINGLE:
            value = str(form.get(question.id) or "")
            merge[question.id] = value or None
        else:
            ticked = [str(v) for v in form.getlist(question.id)]
            if NONE_APPLY in ticked:
                merge[question.id] = []
            else:
                merge[question.id] = ticked or None
    return merge


def _step_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    record: ImpactAssessment,
    step: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    names = [s for s, _t in _steps()]
    if step not in names:
        raise NotFound(f"no step '{step}' in the assessment form")
    index = names.index(step)
    context = _common(db, info, record)
    context.update(
        step=step, title=dict(_steps())[step], errors=errors or {}, values=values or {},
        previous=names[index - 1] if index else None,
        next=names[index + 1] if index + 1 < len(names) else None,
        hints={f: h for f, _t, h in rules.TEXT_PARTS}, none_apply=NONE_APPLY,
        section=service.questionnaire().section(step[2:]) if step.startswith("q-") else None,
        section_score=next((s for s in (context["score"].sections if context["score"] else [])
                            if f"q-{s.section}" == step), None),
        kinds=QuestionKind, choices=_impact_choices(),
    )  # fmt: skip
    return render(request, "impact/step.html", context, status_code=status_code)


@router.get("/impact/{assessment_id}/edit/{step}")
def edit_step(
    assessment_id: uuid.UUID, step: str, request: Request, db: PageDb, info: WebSession
) -> object:
    record = service.get(db, info.context, assessment_id)
    if record.status != Status.DRAFT.value:
        return RedirectResponse(f"/impact/{record.id}", status_code=303)
    return _step_page(request, db, info, record, step)


@router.post("/impact/{assessment_id}/edit/{step}")
async def save_step(
    assessment_id: uuid.UUID, step: str, request: Request, db: PageDb, info: CsrfSession
) -> object:
    """Save one step: HTMX saves as you go (a status line back), a plain post moves on."""
    record = service.get(db, info.context, assessment_id)
    if step not in {s for s, _t in _steps()} or step == "impacts":
        raise NotFound(f"no step '{step}' to save in the assessment form")
    form = await request.form()
    htmx = request.headers.get("HX-Request") == "true"
    raw: dict[str, Any] = {}
    if step.startswith("q-"):
        raw["answers_merge"] = _answers_from(form, step[2:])
    else:
        raw[step] = str(form.get(step) or "")
        if step == "scope" and "title" in form:
            raw["title"] = str(form.get("title") or "")
    errors: dict[str, str] = {}
    status_code = 422
    try:
        fields = AssessmentFields.model_validate(raw)
        version = form_version(form)
        with db.begin_nested():
            service.update(db, info.context, record, fields, version=version)
    except ValidationError as exc:
        errors = _text_errors(exc)
    except StaleVersion as exc:
        status_code = exc.status
        errors = {"_form": "someone saved this assessment after you opened the page; nothing "
                  "of yours was saved. Copy your text, reload the page and try again"}  # fmt: skip
    except AimsError as exc:
        status_code = exc.status
        errors = form_errors(exc)
    except ValueError:
        errors = {"_form": "the form is out of date; reload the page"}
    if htmx:
        return render(
            request, "impact/saved.html",
            {"a": record, "errors": errors,
             "progress": rules.progress(service.content_of(record), service.questionnaire())},
        )  # fmt: skip
    if errors:
        values = {k: v for k, v in raw.items() if k != "answers_merge"}
        values.update(raw.get("answers_merge") or {})  # what was ticked stays ticked
        return _step_page(request, db, info, record, step, errors=errors, values=values,
                          status_code=status_code)  # fmt: skip
    names = [s for s, _t in _steps()]
    index = names.index(step) if step in names else len(names) - 1
    target = (
        f"/impact/{record.id}/edit/{names[index + 1]}"
        if form.get("go") != "stay" and index + 1 < len(names)
        else f"/impact/{record.id}"
    )
    return RedirectResponse(target, status_code=303)


def _impact_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "affected": [(a.value, a.value) for a in Affected],
        "dimension": [(d.value, d.label) for d in Dimension],
        "nature": [(n.value, n.value) for n in Nature],
        "likelihood": [(str(v.value), v.label) for v in Likelihood],
        "severity": [(str(v.value), v.label) for v in Severity],
        "reversibility": [(r.value, r.value.replace("_", " ")) for r in Reversibility],
        "people": [(p.value, p.label) for p in PeopleAffected],
        "residual_level": [(lv.value, lv.value) for lv in ImpactLevel],
    }


IMPACT_FIELDS = (
    "affected", "who", "dimension", "charter_article", "nature", "description", "likelihood",
    "severity", "reversibility", "people", "existing_measures", "planned_measures",
    "residual_level",
)  # fmt: skip


OPTIONAL_IMPACT_FIELDS = ("charter_article", "residual_level")


def _impact_raw(form: FormData) -> dict[str, Any]:
    """The impact as typed: an emptied optional field clears it, an emptied required one is
    an error beside it (never silently the old value)."""
    raw: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in IMPACT_FIELDS}
    for name in OPTIONAL_IMPACT_FIELDS:
        if raw[name] == "":
            raw[name] = None
    for name in ("affected", "dimension", "nature", "likelihood", "severity", "reversibility",
                 "people"):  # fmt: skip
        if raw[name] == "":
            del raw[name]  # a select left on "Choose…": required on create, unchanged on edit
    return raw


@router.post("/impact/{assessment_id}/impacts")
async def add_impact(
    assessment_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    record = service.get(db, info.context, assessment_id)
    form = await request.form()
    raw = _impact_raw(form)
    try:
        impact = ImpactIn.model_validate(raw)
        version = form_version(form)
        with db.begin_nested():
            service.add_impact(db, info.context, record, impact, version=version)
    except ValidationError as exc:
        return _step_page(request, db, info, record, "impacts", errors=_text_errors(exc),
                          values=raw, status_code=422)  # fmt: skip
    except (AimsError, ValueError) as exc:
        errors = form_errors(exc) if isinstance(exc, AimsError) else {"_form": "out of date"}
        return _step_page(request, db, info, record, "impacts", errors=errors, values=raw,
                          status_code=getattr(exc, "status", 409))  # fmt: skip
    return RedirectResponse(f"/impact/{record.id}/edit/impacts?added=1", status_code=303)


@router.get("/impact/{assessment_id}/impacts/{key}")
def impact_form(
    assessment_id: uuid.UUID, key: str, request: Request, db: PageDb, info: WebSession
) -> object:
    record = service.get(db, info.context, assessment_id)
    impact = next((i for i in record.impacts if i.get("key") == key), None)
    if impact is None:
        raise NotFound(f"no impact '{key}' in this assessment")
    context = _common(db, info, record)
    context.update(impact=impact, values=impact, errors={}, choices=_impact_choices())
    return render(request, "impact/impact_form.html", context)


@router.post("/impact/{assessment_id}/impacts/{key}")
async def save_impact(
    assessment_id: uuid.UUID, key: str, request: Request, db: PageDb, info: CsrfSession
) -> object:
    record = service.get(db, info.context, assessment_id)
    form = await request.form()
    try:
        version = form_version(form)
    except ValueError:
        version = -1  # refused below as out of date
    try:
        with db.begin_nested():
            if form.get("action") == "delete":
                service.remove_impact(db, info.context, record, key, version=version)
            else:
                patch = ImpactPatch.model_validate({**_impact_raw(form), "version": version})
                service.update_impact(db, info.context, record, key, patch)
    except (ValidationError, AimsError) as exc:
        errors = _text_errors(exc) if isinstance(exc, ValidationError) else form_errors(exc)
        context = _common(db, info, record)
        impact = next((i for i in record.impacts if i.get("key") == key), {})
        context.update(impact=impact, values={**impact, **_impact_raw(form)}, errors=errors,
                       choices=_impact_choices())  # fmt: skip
        return render(request, "impact/impact_form.html", context, status_code=422)
    return RedirectResponse(f"/impact/{record.id}/edit/impacts", status_code=303)


@router.post("/impact/{assessment_id}/impacts/{key}/risk")
def send_harm(
    assessment_id: uuid.UUID, key: str, db: PageDb, info: CsrfSession
) -> RedirectResponse:
    record = service.get(db, info.context, assessment_id)
    service.send_harm(db, info.context, record, key)
    return RedirectResponse(f"/impact/{record.id}?sent={key}#impacts", status_code=303)


@router.post("/impact/{assessment_id}/restore-deleted")
def restore(assessment_id: uuid.UUID, db: PageDb, info: CsrfSession) -> RedirectResponse:
    record = service.restore(db, info.context, assessment_id)
    return RedirectResponse(f"/impact/{record.id}", status_code=303)


async def _form_version(request: Request) -> tuple[int, str]:
    form = await request.form()
    try:
        return form_version(form), str(form.get("note") or "").strip()
    except ValueError:
        return -1, ""


@router.post("/impact/{assessment_id}/{action}")
async def workflow(
    assessment_id: uuid.UUID, action: str, request: Request, db: PageDb, info: CsrfSession
) -> object:
    """Submit, return, approve, start a new version or discard: errors show on the page."""
    ctx = info.context
    record = service.get(db, ctx, assessment_id)
    version, note = await _form_version(request)
    target = f"/impact/{record.id}"
    try:
        with db.begin_nested():
            if action == "submit":
                service.submit(db, ctx, record, version=version)
            elif action == "return":
                if not note:
                    raise ValidationFailed("say what the author should change")
                service.return_to_draft(db, ctx, record, version=version, note=note)
            elif action == "approve":
                service.approve(db, ctx, record, version=version, note=note)
            elif action == "new-version":
                target = f"/impact/{service.new_version(db, ctx, record).id}/edit/scope"
            elif action == "delete":
                service.delete(db, ctx, record, version=version)
                return RedirectResponse(f"/impact?deleted={record.id}", status_code=303)
            else:
                raise NotFound(f"no action '{action}'")
    except NotFound:
        raise
    except AimsError as exc:
        db.expire_all()  # show the record as stored, not as the refused change left it
        return _detail_page(request, db, info, record, problem=exc.detail, status_code=exc.status)
    return RedirectResponse(target, status_code=303)


@router.get("/impact/{assessment_id}/compare")
def compare(
    assessment_id: uuid.UUID,
    request: Request,
    db: PageDb,
    info: WebSession,
) -> object:
    record = service.get(db, info.context, assessment_id)
    other = request.query_params.get("with")
    all_versions = service.versions(db, info.context, record)
    if not other:
        earlier = [v for v in all_versions if v.revision < record.revision]
        if not earlier:
            return _detail_page(
                request, db, info, record, problem="there is no earlier version to compare with"
            )
        other = str(earlier[-1].id)
    first, second = sorted([record, service.get(db, info.context, other)], key=lambda v: v.revision)
    result = service.compare(db, info.context, str(first.id), str(second.id))
    return render(
        request, "impact/compare.html",
        {"c": result, "a": record, "versions": all_versions, "q": service.questionnaire(),
         "titles": {f: t for f, t, _h in rules.TEXT_PARTS} | {"title": "Title"}},
    )  # fmt: skip


@router.get("/impact/{assessment_id}/fria")
def fria(assessment_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    record = service.get(db, info.context, assessment_id)
    step_of = {"a": "deployment", "b": "use_period", "c": "impacts", "d": "impacts",
               "e": "oversight", "f": "remedies"}  # fmt: skip
    return render(
        request, "impact/fria.html",
        {"a": record, "f": present.fria(db, info.context, record), "step_of": step_of,
         "can_edit": info.context.can(Permission.EDIT) and record.status == Status.DRAFT.value},
    )  # fmt: skip


@router.get("/impact/{assessment_id}/export.{fmt}")
def export(
    assessment_id: uuid.UUID, fmt: str, db: PageDb, info: WebSession, view: str = "assessment"
) -> Response:
    if fmt not in ("pdf", "docx") or view not in ("assessment", "fria"):
        raise NotFound("exports are PDF or DOCX, of the assessment or its FRIA view")
    return attachment(*present.render_export(db, info.context, assessment_id, fmt, view))
