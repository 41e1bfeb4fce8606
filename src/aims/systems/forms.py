"""How the system and component forms look and how their posted values become fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from aims.systems.vocab import (
    AIRole,
    AutomationLevel,
    ComponentKind,
    DecisionRole,
    LifecycleStage,
    OperatorRole,
    VulnerableGroup,
)


def _label(value: str) -> str:
    return value.replace("_", " ").replace("ai ", "AI ").capitalize().replace("Ai ", "AI ")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # text | textarea | select | multi | bool | date | email | number
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    section: str = ""
    required: bool = False  # no "—" / "Not known" choice


def _choices(enum: type[Any]) -> tuple[tuple[str, str], ...]:
    return tuple((member.value, _label(member.value)) for member in enum)


SYSTEM_FORM: tuple[FormField, ...] = (
    FormField("name", "Name", "text", "What people call the system.", section="What it is"),
    FormField("purpose", "Purpose", "textarea", "Why the organisation uses it, briefly."),
    FormField("description", "Description", "textarea", "How it works, as a reviewer needs it."),
    FormField("intended_use", "Intended use", "textarea",
              "Who uses it, for what, in which setting (A.9.4)."),
    FormField("foreseeable_misuse", "Reasonably foreseeable misuse", "textarea",
              "Uses it was not built for but that people could plausibly try."),
    FormField("owner_email", "Owner", "email", "A member accountable for the system.",
              section="Ownership and life cycle"),
    FormField("business_unit", "Business unit", "text"),
    FormField("lifecycle_stage", "Life-cycle stage", "select", "ISO/IEC 22989 stages.",
              _choices(LifecycleStage), required=True),
    FormField("review_date", "Next review", "date"),
    FormField("ai_roles", "Your ISO/IEC 22989 role(s)", "multi",
              "Provider, producer, customer …", _choices(AIRole), section="Roles and market"),
    FormField("operator_role", "EU AI Act operator role", "select",
              "Your role under Art. 3 of the AI Act.", _choices(OperatorRole)),
    FormField("used_in_eu", "Placed on the EU market or used in the EU", "bool",
              "Includes output used in the EU."),
    FormField("users_description", "Who uses it", "textarea", section="People"),
    FormField("affected_persons", "Who is affected", "textarea",
              "People the output is about or acts upon."),
    FormField("vulnerable_groups", "Vulnerable groups affected", "multi", "",
              _choices(VulnerableGroup)),
    FormField("automation_level", "Level of automation", "select", "", _choices(AutomationLevel)),
    FormField("human_oversight", "Human oversight", "textarea", "Who can intervene, and how."),
    FormField("decisions_about_people", "Decisions about people", "select",
              "Does it make or support decisions about natural persons?", _choices(DecisionRole)),
    FormField("personal_data", "Personal data", "bool", section="Data"),
    FormField("special_category_data", "Special-category data", "bool", "GDPR Art. 9 data."),
    FormField("biometric_data", "Biometric data", "bool"),
    FormField("in_scope", "In the AIMS scope", "bool", "Clause 4.3.", section="Scope",
              required=True),
    FormField("scope_reason", "Reason (required when out of scope)", "textarea"),
)  # fmt: skip

COMPONENT_FORM: tuple[FormField, ...] = (
    FormField("kind", "Kind", "select", "", _choices(ComponentKind), required=True),
    FormField("name", "Name", "text"),
    FormField("version_label", "Version", "text", "The release, e.g. 2.3.0."),
    FormField("description", "Description", "textarea"),
    FormField("supplier_name", "Supplied by", "text", "A third party; created if new (A.10.3)."),
    FormField("licence", "Licence", "text", "SPDX id or name."),
    FormField("model_type", "Model type", "text", "For models: task or approach.", section="Model"),
    FormField("general_purpose", "General-purpose model", "bool", "EU AI Act Art. 3(63)."),
    FormField("training_compute_flop", "Training compute (FLOP)", "number",
              "Where known; above 10^25 a GPAI model is presumed to have systemic risk."),
    FormField("data_source", "Source", "textarea", "For datasets.", section="Dataset"),
    FormField("acquisition", "How acquired", "text", "Collected, bought, licensed, synthetic …"),
    FormField("personal_data", "Personal data", "bool"),
    FormField("collection_start", "Collected from", "date"),
    FormField("collection_end", "Collected until", "date"),
    FormField("provenance_notes", "Provenance notes", "textarea", "A.7.5."),
    FormField("quality_notes", "Quality notes", "textarea", "A.7.4."),
)  # fmt: skip


def read_form(form: FormData, fields: tuple[FormField, ...]) -> dict[str, Any]:
    """The posted values, typed loosely (the Pydantic schema does the checking)."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.kind == "multi":
            values[f.name] = [str(v) for v in form.getlist(f.name) if str(v)]
            continue
        raw = form.get(f.name)
        text = raw.strip() if isinstance(raw, str) else ""
        if f.kind == "bool":
            values[f.name] = {"true": True, "false": False}.get(text)
        elif f.kind in {"select", "date", "number", "email"}:
            values[f.name] = text or None
        else:
            values[f.name] = text
    return values


def errors_by_field(exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors keyed by the form field they belong to."""
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = [p for p in error["loc"] if isinstance(p, str)]
        key = loc[0] if loc else "_form"
        found.setdefault(key, str(error["msg"]).removeprefix("Value error, "))
    return found


def form_values(record: BaseModel | Any, fields: tuple[FormField, ...]) -> dict[str, Any]:
    """What to put back into the form for an existing record."""
    values: dict[str, Any] = {}
    for f in fields:
        value = getattr(record, f.name, None)
        if isinstance(value, date):
            value = value.isoformat()
        values[f.name] = value
    return values
