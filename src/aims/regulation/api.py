"""API routes for EU AI Act classification."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel

from aims.api.deps import Ctx, Db
from aims.api.schemas import PROBLEM_RESPONSES
from aims.regulation import service
from aims.regulation.questionnaire import QUESTIONS, STEPS
from aims.regulation.rules import classify
from aims.regulation.schemas import Answers, Result
from aims.systems import service as systems

router = APIRouter(prefix="/api/v1", tags=["EU AI Act"], responses=PROBLEM_RESPONSES)


class ClassificationOut(BaseModel):
    id: uuid.UUID
    system_id: uuid.UUID
    classified_at: datetime
    answers: dict[str, Any]
    result: Result
    changes: dict[str, Any]


class OptionOut(BaseModel):
    value: str
    label: str
    reference: str


class QuestionOut(BaseModel):
    field: str
    text: str
    kind: str
    help: str
    reference: str
    step: str
    options: list[OptionOut]


class QuestionnaireOut(BaseModel):
    steps: list[dict[str, str]]
    questions: list[QuestionOut]


@router.post("/classify", response_model=Result, summary="Classify an answer set (not stored)")
def classify_answers(body: Answers, _ctx: Ctx) -> Result:
    """The classification with its obligations and trace, without recording anything."""
    return classify(body)


@router.get("/classify/questionnaire", response_model=QuestionnaireOut)
def questionnaire(_ctx: Ctx) -> QuestionnaireOut:
    """The questions in order with help and article references (for building a client UI).
    Which questions apply depends on earlier answers; see each step in the web app."""
    return QuestionnaireOut(
        steps=[{"id": s.id, "title": s.title, "intro": s.intro} for s in STEPS],
        questions=[
            QuestionOut(
                field=q.field, text=q.text, kind=q.kind, help=q.help, reference=q.reference,
                step=q.step,
                options=[OptionOut(value=o.value, label=o.label, reference=o.reference)
                         for o in q.options],
            )
            for q in QUESTIONS
        ],
    )  # fmt: skip


def _out(records: list[Any], index: int) -> ClassificationOut:
    record = records[index]
    before = records[index + 1] if index + 1 < len(records) else None
    return ClassificationOut(
        id=record.id,
        system_id=record.system_id,
        classified_at=record.classified_at,
        answers=record.answers,
        result=service.result_of(record),
        changes=service.changes(before, record),
    )


@router.post(
    "/systems/{system_id}/classifications",
    response_model=ClassificationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Classify a system and keep the result",
)
def classify_system(system_id: uuid.UUID, body: Answers, db: Db, ctx: Ctx) -> ClassificationOut:
    service.classify_system(db, ctx, system_id, body)
    records = service.history(db, ctx, systems.get_system(db, ctx, system_id))
    return _out(records, 0)


@router.get(
    "/systems/{system_id}/classifications",
    response_model=list[ClassificationOut],
    summary="A system's classifications, newest first, each with what changed",
)
def list_classifications(system_id: uuid.UUID, db: Db, ctx: Ctx) -> list[ClassificationOut]:
    records = service.history(db, ctx, systems.get_system(db, ctx, system_id))
    return [_out(records, i) for i in range(len(records))]
