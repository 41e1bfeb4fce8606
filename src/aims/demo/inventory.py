"""Meridian's AI systems, their components and their EU AI Act classifications (DEMO.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.regulation import service as regulation
from aims.regulation.schemas import Answers
from aims.systems import bomstore, service
from aims.systems.bom import ComponentData, export_bom
from aims.systems.models import AISystem
from aims.systems.vocab import ComponentKind

PRIYA = "priya.raman@meridian.example"
TOMAS = "tomas.obriain@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
SOFIA = "sofia.marino@meridian.example"

SYSTEMS: list[dict[str, Any]] = [
    {
        "name": "Credit decisioning model (CreditLens)",
        "purpose": "Scores consumer-loan applicants' creditworthiness to support lending decisions.",
        "description": "Gradient-boosted trees trained in-house on the loan book; a credit officer "
        "reviews every decline and every borderline score.",
        "intended_use": "Consumer loans up to EUR 75,000 in Ireland, the Netherlands and Germany.",
        "foreseeable_misuse": "Pricing insurance products; screening existing customers for "
        "collections.",
        "owner_email": PRIYA, "business_unit": "Retail lending",
        "lifecycle_stage": "operation_and_monitoring", "ai_roles": ["ai_provider", "ai_customer"],
        "operator_role": "provider", "used_in_eu": True,
        "users_description": "Credit officers and the online application flow.",
        "affected_persons": "Loan applicants, including people over 60 and people in financial "
        "difficulty.",
        "vulnerable_groups": ["economically_vulnerable", "elderly"],
        "automation_level": "human_in_the_loop",
        "human_oversight": "A credit officer confirms every decline; overrides are logged.",
        "decisions_about_people": "supports", "personal_data": True,
        "special_category_data": False, "biometric_data": False, "review_date": date(2027, 3, 31),
    },
    {
        "name": "CV screening service (TalentSift)",
        "purpose": "Ranks job applicants for recruiters.", "owner_email": TOMAS,
        "business_unit": "Human resources", "lifecycle_stage": "operation_and_monitoring",
        "ai_roles": ["ai_customer"], "operator_role": "deployer", "used_in_eu": True,
        "affected_persons": "Job applicants.", "automation_level": "assistive",
        "decisions_about_people": "supports", "personal_data": True,
        "review_date": date(2027, 1, 31),
    },
    {
        "name": "Customer service assistant",
        "purpose": "Answers customers' questions in the web and app chat.",
        "description": "A chat system Meridian built on a third-party general-purpose model "
        "reached through an API; it hands over to an agent on request.",
        "owner_email": DANIEL, "business_unit": "Customer service",
        "lifecycle_stage": "operation_and_monitoring", "ai_roles": ["ai_provider", "ai_customer"],
        "operator_role": "provider", "used_in_eu": True, "affected_persons": "Customers.",
        "automation_level": "human_on_the_loop", "decisions_about_people": "none",
        "personal_data": True, "review_date": date(2026, 12, 15),
    },
    {
        "name": "Transaction fraud detection",
        "purpose": "Flags card transactions for review by the fraud team.", "owner_email": PRIYA,
        "business_unit": "Financial crime", "lifecycle_stage": "operation_and_monitoring",
        "ai_roles": ["ai_provider", "ai_customer"], "operator_role": "provider",
        "used_in_eu": True, "automation_level": "human_in_the_loop",
        "decisions_about_people": "supports", "personal_data": True,
    },
    {
        "name": "Internal code assistant",
        "purpose": "Suggests code to Meridian's developers.", "owner_email": DANIEL,
        "business_unit": "Technology", "lifecycle_stage": "deployment",
        "ai_roles": ["ai_customer"], "operator_role": "deployer", "used_in_eu": True,
        "automation_level": "assistive", "decisions_about_people": "none", "personal_data": False,
    },
    {
        "name": "Collections prioritisation",
        "purpose": "Ordered overdue accounts for collection calls.", "owner_email": PRIYA,
        "business_unit": "Collections", "lifecycle_stage": "retirement",
        "operator_role": "provider", "used_in_eu": True, "in_scope": False,
        "scope_reason": "Retired in 2025; kept for history.",
    },
]  # fmt: skip

COMPONENTS: dict[str, list[dict[str, Any]]] = {
    "Credit decisioning model (CreditLens)": [
        {"kind": "model", "name": "creditlens-gbt", "version_label": "4.2",
         "model_type": "binary classification (gradient-boosted trees)",
         "supplier_name": "Meridian Lending Ltd", "licence": "Proprietary",
         "general_purpose": False},
        {"kind": "dataset", "name": "Loan book 2015-2024", "data_source": "Meridian core banking",
         "acquisition": "collected from our own customers", "personal_data": True,
         "collection_start": date(2015, 1, 1), "collection_end": date(2024, 12, 31),
         "provenance_notes": "Extracted monthly; lineage in the data catalogue.",
         "quality_notes": "Applicants over 60 are under-represented before 2018."},
        {"kind": "dataset", "name": "Credit bureau data", "supplier_name": "Bureau Data Services Ltd",
         "acquisition": "bought under licence", "personal_data": True},
    ],
    "CV screening service (TalentSift)": [
        {"kind": "tooling", "name": "TalentSift", "version_label": "2026.3",
         "supplier_name": "TalentSift BV", "licence": "Commercial SaaS"},
    ],
    "Transaction fraud detection": [
        {"kind": "model", "name": "fraud-sentinel", "version_label": "7.1",
         "model_type": "anomaly detection", "supplier_name": "Meridian Lending Ltd"},
    ],
    "Internal code assistant": [
        {"kind": "tooling", "name": "Code assistant IDE plug-in", "supplier_name": "Example AI Inc."},
    ],
}  # fmt: skip

ANSWERS: dict[str, dict[str, Any]] = {
    "Credit decisioning model (CreditLens)": {
        "operator_role": "provider", "also_deployer": True, "in_eu": True, "annex_iii": ["5b"],
        "profiles_natural_persons": True},
    "CV screening service (TalentSift)": {"operator_role": "deployer", "in_eu": True,
                                          "annex_iii": ["4a"], "profiles_natural_persons": True},
    "Customer service assistant": {"operator_role": "provider", "also_deployer": True,
                                   "in_eu": True, "transparency": ["interacts_with_people"]},
    "Transaction fraud detection": {"operator_role": "provider", "also_deployer": True,
                                    "in_eu": True},
    "Internal code assistant": {"operator_role": "deployer", "in_eu": True},
}  # fmt: skip


def _assistant_bom() -> str:
    """The assistant's AI bill of materials: the third-party model with a model card."""
    model = ComponentData(
        kind=ComponentKind.MODEL, name="frontier-chat-model", version="2026-05",
        description="General-purpose large language model reached through the provider's API.",
        bom_ref="model-frontier-chat", cdx_type="machine-learning-model",
        supplier={"name": "Example AI Inc.", "url": ["https://example.com"]},
        licences=[{"name": "Proprietary API terms"}],
        model_card={
            "modelParameters": {"task": "text-generation", "architectureFamily": "transformer"},
            "considerations": {
                "useCases": ["Customer-service answers with retrieval from Meridian's help pages"],
                "technicalLimitations": ["Can state wrong facts confidently; answers are grounded "
                                         "on retrieved pages and hand over on request"],
                "ethicalConsiderations": [{"name": "Customers in financial hardship",
                                           "mitigationStrategy": "Hardship questions go to an agent"}],
            },
        },
        general_purpose=True,
    )  # fmt: skip
    subject = ComponentData(
        kind=ComponentKind.TOOLING,
        cdx_type="application",
        name="Customer service assistant",
        bom_ref="app-customer-service-assistant",
    )
    return export_bom(subject=subject, components=[model],
                      dependencies={subject.bom_ref: [model.bom_ref]})  # fmt: skip


def load(db: Session, org: Organisation) -> None:
    """Register Meridian's systems with components and classifications, once."""
    from aims.demo.service import context_of

    if db.scalars(select(AISystem.id).where(AISystem.organisation_id == org.id)).first():
        return
    for fields in SYSTEMS:
        ctx = context_of(db, org, fields.get("owner_email") or PRIYA)
        system = service.create_system(db, ctx, fields)
        for component_fields in COMPONENTS.get(system.name, []):
            component = service.create_component(db, ctx, component_fields)
            service.link_component(db, ctx, system.id, component.id)
        if system.name == "Customer service assistant":
            bomstore.import_bom(db, ctx, system.id, _assistant_bom())
        if system.name in ANSWERS:
            ctx = context_of(db, org, DANIEL)
            regulation.classify_system(
                db, ctx, system.id, Answers.model_validate(ANSWERS[system.name])
            )
