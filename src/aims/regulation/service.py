"""Classifying AI systems under the EU AI Act: run the rules, keep every result with its answers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission
from aims.regulation.questionnaire import applicable_answers
from aims.regulation.rules import classify
from aims.regulation.schemas import Answers, Result
from aims.store.types import utcnow
from aims.systems import service as systems
from aims.systems.models import AISystem, Classification


def classify_system(
    db: Session, ctx: Context, system_id: uuid.UUID | str, answers: Answers
) -> Classification:
    """Classify a system and keep the answers and result; the system shows the new class."""
    ctx.require(Permission.EDIT)
    system = systems.get_system(db, ctx, system_id)
    # Answers to questions that do not apply are dropped, whichever face sent them, so the
    # history compares like with like.
    answers = Answers.model_validate(applicable_answers(answers.model_dump(mode="json")))
    result = classify(answers)
    record = Classification(
        organisation_id=ctx.organisation_id,
        system_id=system.id,
        answers=answers.model_dump(mode="json"),
        result=result.model_dump(mode="json"),
        risk_class=result.risk_class.value,
        rules_version=result.rules_version,
        classified_at=utcnow(),
    )
    db.add(record)
    system.risk_class = result.risk_class.value
    db.flush()
    return record


def history(db: Session, ctx: Context, system: AISystem) -> list[Classification]:
    """Every classification of a system, newest first."""
    ctx.require(Permission.READ)
    stmt = (
        select(Classification)
        .where(
            Classification.organisation_id == ctx.organisation_id,
            Classification.system_id == system.id,
        )
        .order_by(Classification.classified_at.desc(), Classification.id.desc())
    )
    return list(db.scalars(stmt))


def result_of(record: Classification) -> Result:
    return Result.model_validate(record.result)


def changes(before: Classification | None, after: Classification) -> dict[str, Any]:
    """What changed from one classification to the next: answers and headline results."""
    if before is None:
        return {"answers": {}, "result": {}, "obligations_added": [], "obligations_removed": []}
    answer_changes = {
        key: {"before": before.answers.get(key), "after": value}
        for key, value in after.answers.items()
        if before.answers.get(key) != value
    }
    headline = ("risk_class", "high_risk_route", "derogation_applied", "effective_role",
                "transparency_obligations", "fria_required", "gpai")  # fmt: skip
    result_changes = {
        key: {"before": before.result.get(key), "after": after.result.get(key)}
        for key in headline
        if before.result.get(key) != after.result.get(key)
    }
    old = {o["id"] for o in before.result.get("obligations", [])}
    new = {o["id"] for o in after.result.get("obligations", [])}
    return {
        "answers": answer_changes,
        "result": result_changes,
        "obligations_added": sorted(new - old),
        "obligations_removed": sorted(old - new),
    }


def suggested_answers(system: AISystem) -> dict[str, Any]:
    """A first guess from the inventory, so people confirm rather than retype."""
    guess: dict[str, Any] = {}
    if system.operator_role:
        guess["operator_role"] = system.operator_role
    if system.used_in_eu is not None:
        guess["in_eu"] = system.used_in_eu
    return guess


def page_context(db: Session, ctx: Context, system: AISystem) -> dict[str, Any]:
    """What a system's page shows about its classification."""
    records = history(db, ctx, system)
    latest = records[0] if records else None
    return {
        "section_template": "regulation/section.html",
        "classification": latest,
        "result": result_of(latest) if latest else None,
        "history": [
            (record, changes(records[i + 1] if i + 1 < len(records) else None, record))
            for i, record in enumerate(records)
        ],
    }
