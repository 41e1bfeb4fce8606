"""Meridian's context (DEMO.md): issues with one climate-related, the climate determination,
interested parties with their requirements (one only partly met), the legal register with the EU
AI Act linked to CreditLens and TalentSift, and a scope approved by the Chief Risk Officer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.context import service
from aims.context.models import ContextIssue
from aims.context.schemas import (
    IssueIn,
    LegalIn,
    PartyIn,
    RequirementIn,
    ScopeFields,
    ScopeItem,
)
from aims.store.types import utcnow
from aims.systems.models import AISystem

AOIFE = "aoife.byrne@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
PRIYA = "priya.raman@meridian.example"
TOMAS = "tomas.obriain@meridian.example"
LENA = "lena.vogel@meridian.example"

CREDITLENS = "Credit decisioning model (CreditLens)"
TALENTSIFT = "CV screening service (TalentSift)"
ASSISTANT = "Customer service assistant"

ISSUES: list[dict[str, Any]] = [
    {"title": "EU AI Act duties for high-risk credit scoring and recruitment",
     "direction": "external", "category": "legal", "owner_email": DANIEL,
     "description": "CreditLens and TalentSift fall under Annex III; the duties for them apply "
     "from December 2027 after the digital omnibus.",
     "effect": "Sets the bar the AIMS has to reach for documentation, logging, human oversight "
     "and a fundamental-rights impact assessment before that date.", "review_days": 180},
    {"title": "Customers expect to understand credit decisions",
     "direction": "external", "category": "social", "owner_email": AOIFE,
     "description": "Consumer associations and complaints to the Ombudsman ask for plain reasons "
     "behind automated declines.",
     "effect": "Explanations and human review become an outcome the AIMS must deliver, not an "
     "extra.", "review_days": 365},
    {"title": "Data-centre energy for model training and inference",
     "direction": "internal", "category": "environmental", "owner_email": PRIYA,
     "climate_related": True,
     "description": "Yearly retraining of CreditLens on cloud GPUs and every chat answered by "
     "the general-purpose model draw on data-centre energy counted in Meridian's reported "
     "emissions.",
     "effect": "Model choices (size, retraining frequency, hosting region) are weighed against "
     "the emissions target; the AIMS records energy use per training run.",
     "review_days": 120},
    {"title": "Few staff trained in AI ethics and fairness testing",
     "direction": "internal", "category": "organisational", "owner_email": TOMAS,
     "description": "Fairness testing rests on two people in the credit-model team; HR analytics "
     "has no AI-ethics training on record.",
     "effect": "Limits how many systems can be assessed well; competence is a prerequisite for "
     "the impact assessments the AIMS requires.", "review_days": 90},
    {"title": "Dependence on one general-purpose model provider",
     "direction": "external", "category": "technological", "owner_email": DANIEL,
     "description": "The customer service assistant runs on a third-party model that changes "
     "on the provider's schedule.",
     "effect": "Behaviour can shift without a Meridian release; the AIMS needs change monitoring "
     "and contractual notice of model updates.", "review_days": -10},
]  # fmt: skip

CLIMATE_REASON = (
    "Relevant. Training and running our models uses data-centre energy that counts towards "
    "the emissions we report, and the Central Bank expects lenders to weigh climate-related "
    "risks in their governance. We track energy per training run and prefer EU regions with a "
    "low-carbon grid."
)

LEGAL: list[dict[str, Any]] = [
    {"title": "EU AI Act", "kind": "legal", "jurisdiction": "European Union",
     "reference": "Regulation (EU) 2024/1689, as amended by Regulation (EU) 2026/1744",
     "obligations": "As provider and deployer of CreditLens and deployer of TalentSift: risk "
     "management, technical documentation, automatic logs, transparency to deployers and "
     "users, human oversight, a fundamental-rights impact assessment for credit scoring; "
     "Art. 50 disclosure for the chat assistant.",
     "owner_email": DANIEL, "status": "active", "applies_from": date(2027, 12, 2),
     "systems": [CREDITLENS, TALENTSIFT], "controls": ["A.6.2.7", "A.6.2.8", "A.8.2"]},
    {"title": "General Data Protection Regulation", "kind": "legal",
     "jurisdiction": "European Union", "reference": "Regulation (EU) 2016/679",
     "obligations": "Lawful basis for training and scoring data, Art. 22 safeguards for "
     "automated decisions (human intervention, explanation, contest), data protection impact "
     "assessments, data subject rights.",
     "owner_email": LENA, "status": "active", "applies_from": date(2018, 5, 25),
     "systems": [CREDITLENS, TALENTSIFT, ASSISTANT], "controls": ["A.7.4", "A.7.5"]},
    {"title": "Consumer Credit Directive", "kind": "regulatory",
     "jurisdiction": "Ireland, the Netherlands, Germany (national transpositions)",
     "reference": "Directive (EU) 2023/2225",
     "obligations": "Creditworthiness assessment on relevant and accurate information; where it "
     "is automated, the consumer may ask for human intervention and a clear explanation.",
     "owner_email": AOIFE, "status": "active", "applies_from": date(2026, 11, 20),
     "systems": [CREDITLENS], "controls": ["A.9.4"]},
    {"title": "Enterprise API agreement with the general-purpose model provider",
     "kind": "contractual", "jurisdiction": "Contract under Irish law",
     "reference": "Example AI Inc. enterprise agreement, 2025",
     "obligations": "Use the model within the provider's usage policy (no credit or hiring "
     "decisions); keep customer personal data out of prompts unless masked; the provider "
     "notifies model changes 30 days ahead and security incidents within 72 hours.",
     "owner_email": DANIEL, "status": "active", "applies_from": date(2025, 3, 1),
     "systems": [ASSISTANT], "controls": ["A.10.2", "A.10.3"]},
    {"title": "ISO/IEC 27001 certification", "kind": "voluntary",
     "jurisdiction": "International", "reference": "ISO/IEC 27001:2022, certified since 2021",
     "obligations": "Keep the certified information security management system, which the AIMS "
     "builds on for access control, supplier security and incident handling.",
     "owner_email": DANIEL, "status": "active", "applies_from": date(2021, 6, 1),
     "systems": [], "controls": []},
]  # fmt: skip

PARTIES: list[dict[str, Any]] = [
    {"name": "Loan applicants and borrowers", "kind": "customers",
     "description": "About 400,000 consumers in Ireland, the Netherlands and Germany who apply "
     "for or hold unsecured loans.",
     "requirements": [
         {"text": "Know why an application was declined and be able to ask a person to look "
          "again.", "addressed": "yes", "legal": "Consumer Credit Directive",
          "response": "Decline letters give the three main reasons; a credit officer reviews "
          "any decline on request within 30 days."},
         {"text": "Be treated fairly whatever their age.", "addressed": "partly",
          "legal": "General Data Protection Regulation",
          "response": "A quarterly approval-rate parity test across age bands runs since 2026; "
          "reweighting of thin-file features is planned for the 2027 retraining."},
     ]},
    {"name": "Central Bank of Ireland", "kind": "regulators",
     "description": "Meridian's home supervisor for consumer credit and conduct.",
     "requirements": [
         {"text": "Sound governance of models used in credit decisions, with a named owner and "
          "validation before use.", "addressed": "yes",
          "response": "Model approval by the credit committee; independent validation by the "
          "risk function."},
         {"text": "Consider climate-related risks in governance and risk management.",
          "addressed": "yes", "climate_related": True,
          "response": "Climate change is a recorded issue of the AIMS; energy per training run "
          "is measured and reported."},
     ]},
    {"name": "Supervisors in the Netherlands and Germany (AFM, DNB, BaFin)",
     "kind": "regulators",
     "description": "Host supervisors for lending in the Netherlands and Germany.",
     "requirements": [
         {"text": "Be told of material changes to the models used for lending in their market.",
          "addressed": "yes", "response": "Material model changes are notified before release."},
     ]},
    {"name": "Employees", "kind": "employees",
     "description": "900 staff, including credit officers who oversee CreditLens and agents "
     "who work beside the chat assistant.",
     "requirements": [
         {"text": "Know which AI tools they may use with customer data.", "addressed": "yes",
          "response": "The acceptable-use rules of the AI policy; blocked access to "
          "unapproved tools."},
     ]},
    {"name": "Job applicants", "kind": "ai_subjects",
     "description": "People whose CVs TalentSift ranks.",
     "requirements": [
         {"text": "Be told that software ranks their application, and have a person read it.",
          "addressed": "yes", "legal": "EU AI Act",
          "response": "The job advert says so; recruiters see every application, ranked or not."},
     ]},
    {"name": "TalentSift vendor", "kind": "suppliers",
     "description": "The company that provides the CV screening service under a SaaS contract.",
     "requirements": [
         {"text": "Use the service only for screening applications, with human review of every "
          "shortlist.", "addressed": "yes",
          "response": "HR procedure for recruitment; shortlists signed off by the hiring manager."},
     ]},
    {"name": "Example AI Inc. (general-purpose model provider)", "kind": "suppliers",
     "description": "Provides the general-purpose model behind the customer service assistant "
     "and the internal code assistant.",
     "requirements": [
         {"text": "Keep to the usage policy: no use of the model for credit or hiring "
          "decisions.", "addressed": "yes",
          "legal": "Enterprise API agreement with the general-purpose model provider",
          "response": "The assistant only answers questions; it has no access to decisions."},
     ]},
]  # fmt: skip

SCOPE = {
    "boundaries": "The AI management system covers how Meridian Lending Ltd designs, builds, "
    "buys, deploys, operates, monitors and retires AI systems in its consumer-lending business "
    "in Ireland, the Netherlands and Germany, and the people, processes and data around them.",
    "units": "Head office, Dublin (credit risk, data science, technology, HR, customer service, "
    "compliance); operations teams in Amsterdam and Frankfurt; model training and serving in "
    "the cloud provider's EU regions.",
    "interfaces": "The ISO/IEC 27001 information security management system (certified since "
    "2021) supplies access control, supplier security and incident handling; the data "
    "protection officer runs data protection impact assessments; procurement manages the AI "
    "suppliers; the credit committee approves credit models; the parent group's internal audit "
    "audits the AIMS.",
    "inclusions": [
        ScopeItem(item="Credit decisioning (CreditLens)", reason="Core lending decision; high "
                  "risk under the EU AI Act"),
        ScopeItem(item="Recruitment screening (TalentSift)", reason="Decides who is "
                  "shortlisted; high risk under the EU AI Act"),
        ScopeItem(item="Customer service chat", reason="Talks to customers, including people "
                  "in financial hardship"),
        ScopeItem(item="Fraud detection and internal developer tools", reason="In use across "
                  "the business; lower risk, same governance"),
    ],
    "exclusions": [
        ScopeItem(item="Mortgage lending", reason="Meridian sold its mortgage book in 2023 and "
                  "writes no new mortgages"),
        ScopeItem(item="Collections prioritisation model", reason="Retired in 2025; kept in the "
                  "inventory for history only"),
        ScopeItem(item="Group marketing analytics", reason="Run and governed by the parent group "
                  "under its own policies; Meridian receives aggregate reports only"),
    ],
}  # fmt: skip


def load(db: Session, org: Organisation) -> None:
    """Add the context once; a demo that already has issues is left alone."""
    from aims.demo.service import context_of

    if db.scalars(select(ContextIssue.id).where(ContextIssue.organisation_id == org.id)).first():
        return
    daniel = context_of(db, org, DANIEL)
    today = utcnow().date()
    for entry in ISSUES:
        fields = {k: v for k, v in entry.items() if k != "review_days"}
        service.create_issue(db, daniel, IssueIn(
            **fields, review_date=today + timedelta(days=entry["review_days"])))  # fmt: skip
    aoife = context_of(db, org, AOIFE)
    service.save_climate(db, aoife, relevant=True, reasoning=CLIMATE_REASON, version=0)

    daniel = context_of(db, org, DANIEL)
    systems = {
        s.name: s.id for s in db.scalars(select(AISystem).where(AISystem.organisation_id == org.id))
    }
    legal_ids = {}
    for entry in LEGAL:
        fields = {k: v for k, v in entry.items() if k != "systems"}
        ids = [systems[name] for name in entry["systems"] if name in systems]
        legal_ids[entry["title"]] = service.create_legal(
            db, daniel, LegalIn(**fields, system_ids=ids)
        ).id
    for entry in PARTIES:
        party = service.create_party(db, daniel, PartyIn(
            name=entry["name"], kind=entry["kind"], description=entry["description"]))  # fmt: skip
        for req in entry["requirements"]:
            fields = {k: v for k, v in req.items() if k != "legal"}
            service.add_requirement(db, daniel, party, RequirementIn(
                **fields, legal_requirement_id=legal_ids.get(req.get("legal", ""))))  # fmt: skip

    draft = service.create_scope(db, daniel, ScopeFields(**SCOPE))
    service.submit_scope(db, daniel, draft, version=draft.version)
    service.approve_scope(db, context_of(db, org, AOIFE), draft, version=draft.version,
                          note="Scope for the certification audit")  # fmt: skip
