"""The classification questionnaire in the browser: one step at a time, with skip logic."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access.rules import Permission
from aims.regulation import service
from aims.regulation.questionnaire import (
    BY_FIELD,
    QUESTIONS,
    STEPS,
    applicable_answers,
    next_step,
    previous_step,
    questions_for,
    visible_steps,
)
from aims.regulation.schemas import Answers
from aims.systems import service as systems
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)
STEP_TITLES = {s.id: s for s in STEPS}


def _read_step(form: FormData, step: str, answers: dict[str, Any]) -> dict[str, str]:
    """Merge one step's posted answers (only the questions the page showed); returns problems
    with single fields (e.g. numbers)."""
    problems: dict[str, str] = {}
    shown = {str(v) for v in form.getlist("shown")}
    for question in (q for q in QUESTIONS if q.step == step and q.field in shown):
        name = question.field
        if question.kind == "multi":
            answers[name] = [str(v) for v in form.getlist(name)]
        elif question.kind == "bool":
            answers[name] = form.get(name) == "true"
        elif question.kind == "number":
            raw = str(form.get(name) or "").strip().replace("_", "")
            try:
                answers[name] = float(raw) if raw else None
            except ValueError:
                problems[name] = f"'{raw}' is not a number (e.g. 3e24)"
        elif name in form:
            answers[name] = str(form.get(name) or "") or None
    return problems


def _state(raw: str) -> dict[str, Any]:
    """The answers carried between steps, keeping only well-formed values (the field is
    posted back by the browser, so it is never trusted)."""
    try:
        loaded = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(loaded, dict):
        return {}
    clean: dict[str, Any] = {}
    for name, value in loaded.items():
        question = BY_FIELD.get(str(name))
        if question is None:
            continue
        if question.kind == "multi" and isinstance(value, list):
            clean[question.field] = [str(v) for v in value if isinstance(v, str)]
        elif (
            (question.kind == "bool" and isinstance(value, bool))
            or (
                question.kind == "number"
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            )
            or (question.kind == "choice" and isinstance(value, str))
        ):
            clean[question.field] = value
    return clean


def _page(
    request: Request,
    system: Any,
    answers: dict[str, Any],
    step: str | None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> object:
    steps = visible_steps(answers)
    return render(
        request,
        "regulation/questionnaire.html",
        {
            "system": system, "answers": answers, "step": step,
            "step_info": STEP_TITLES.get(step or ""), "steps": steps,
            "questions": questions_for(step, answers) if step else [],
            "review": [(q, answers.get(q.field)) for q in BY_FIELD.values()
                       if q.field in applicable_answers(answers)],
            "errors": errors or {}, "state": json.dumps(answers),
        },
        status_code=status_code,
    )  # fmt: skip


@router.get("/systems/{system_id}/classify")
def start(system_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    system = systems.get_system(db, info.context, system_id)
    records = service.history(db, info.context, system)
    answers = dict(records[0].answers) if records else service.suggested_answers(system)
    return _page(request, system, answers, next_step(answers, None))


@router.post("/systems/{system_id}/classify")
async def advance(system_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    system = systems.get_system(db, info.context, system_id)
    form = await request.form()
    answers = _state(str(form.get("state") or "{}"))
    step = str(form.get("step") or "") or None
    action = str(form.get("action") or "next")
    shown = {str(v) for v in form.getlist("shown")}
    problems = _read_step(form, step, answers) if step in STEP_TITLES else {}
    if problems:
        return _page(request, system, answers, step, problems, status_code=422)
    if step in STEP_TITLES and action != "back":
        # An answer on this page can bring in a question of the same step (a "yes" to "is it a
        # general-purpose model?" asks about its compute): ask it before moving on.
        unanswered = {q.field for q in questions_for(step, answers)} - shown
        if unanswered:
            return _page(request, system, answers, step)
    if action == "back":
        return _page(request, system, answers, previous_step(answers, step))
    if action.startswith("goto:"):
        return _page(request, system, answers, action.removeprefix("goto:"))
    if action == "next":
        return _page(request, system, answers, next_step(answers, step))
    # action == "save": the review step
    try:
        parsed = Answers.model_validate(applicable_answers(answers))
    except ValidationError as exc:
        errors = {str(e["loc"][0]) if e["loc"] else "_form": str(e["msg"]) for e in exc.errors()}
        return _page(request, system, answers, None, errors, status_code=422)
    with db.begin_nested():
        service.classify_system(db, info.context, system.id, parsed)
    return RedirectResponse(f"/systems/{system.id}?classified=1#classification", status_code=303)
