"""Meridian's AIMS roles, RACI matrix, competences and evidence (DEMO.md): everyone in a role
shows what it requires, Aoife Byrne's AI-literacy refresher runs out soon, and the one gap is
Tomás Ó Briain, AI system owner for HR analytics, with no AI-ethics training on record."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.models import Organisation
from aims.catalog.loader import get_catalog
from aims.competence import service
from aims.competence.models import AimsRole
from aims.competence.rules import CheckResult, CompetenceKind, EvidenceKind, Letter
from aims.competence.schemas import (
    AssignmentIn,
    CheckIn,
    CompetenceIn,
    EvidenceIn,
    RequirementIn,
    RoleIn,
)
from aims.store.types import utcnow

AOIFE = "aoife.byrne@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
PRIYA = "priya.raman@meridian.example"
TOMAS = "tomas.obriain@meridian.example"
LENA = "lena.vogel@meridian.example"
MARC = "marc.dubois@meridian.example"

TMS, AM, SO, DPO, IA = (
    "Top management sponsor",
    "AIMS manager",
    "AI system owner",
    "Data protection officer",
    "Internal auditor",
)

ROLES = (
    (
        TMS,
        None,
        "Sponsors the AI management system on the board.",
        "Approves the AI policy and the AIMS resources; chairs the management review; accepts "
        "residual AI risks above the manager's authority.",
        "Approve or stop the use of an AI system; assign AIMS roles; approve the budget.",
    ),
    (
        AM,
        TMS,
        "Runs the AI management system day to day.",
        "Keeps the AIMS processes running: risk and impact assessments, the SoA, documented "
        "information, objectives and their measurement, corrective actions; reports to the "
        "sponsor on AIMS performance.",
        "Approve AIMS procedures and assessments; require changes to an AI system before use.",
    ),
    (
        SO,
        AM,
        "Answers for one AI system over its whole life cycle.",
        "Keeps the system's inventory record, impact assessment and risks current; makes sure "
        "its data, models and suppliers are governed; monitors it in operation and raises "
        "incidents.",
        "Decide on releases of the system; suspend it when monitoring shows harm.",
    ),
    (
        DPO,
        TMS,
        "Advises on personal data in AI systems, independently.",
        "Advises on data protection impact, lawful basis and data subjects' rights for every AI "
        "system that touches personal data; is consulted on impact assessments.",
        "Ask for any information on processing; report directly to the board.",
    ),
    (
        IA,
        TMS,
        "Audits the AI management system, independently of those who run it.",
        "Plans and runs the internal audit programme for the AIMS and reports findings to the "
        "sponsor and the AIMS manager.",
        "Access every AIMS record and interview anyone; report straight to the board.",
    ),
)

COMPETENCES = (
    (
        "AI ethics and fairness",
        CompetenceKind.KNOWLEDGE,
        24,
        "Recognising unfair outcomes, bias sources and ethical trade-offs in AI systems, and "
        "the measures that address them.",
    ),
    (
        "ISO/IEC 42001 management systems",
        CompetenceKind.QUALIFICATION,
        36,
        "Setting up and running an AI management system; a recognised implementer course.",
    ),
    (
        "AI risk and impact assessment",
        CompetenceKind.SKILL,
        None,
        "Running Meridian's risk and impact assessment methods on an AI system.",
    ),
    (
        "Machine-learning model development",
        CompetenceKind.SKILL,
        None,
        "Building, validating and monitoring machine-learning models.",
    ),
    (
        "Data protection law",
        CompetenceKind.QUALIFICATION,
        36,
        "GDPR and Irish, Dutch and German data protection law as they apply to AI systems.",
    ),
    (
        "Management-system auditing",
        CompetenceKind.QUALIFICATION,
        36,
        "Auditing management systems to plan, with evidence and independence.",
    ),
    (
        "AI literacy",
        CompetenceKind.KNOWLEDGE,
        12,
        "What AI can and cannot do, its risks and Meridian's rules for it (EU AI Act Art. 4).",
    ),
)

REQUIRED = {
    TMS: (("AI literacy", ""),),
    AM: (("ISO/IEC 42001 management systems", "lead implementer"),
         ("AI ethics and fairness", ""), ("AI risk and impact assessment", "expert")),
    SO: (("AI ethics and fairness", ""), ("AI risk and impact assessment", "practitioner"),
         ("Machine-learning model development", "senior")),
    DPO: (("Data protection law", "certified"),),
    IA: (("Management-system auditing", "lead auditor"),),
}  # fmt: skip

HOLDERS = (
    (TMS, AOIFE, 700, ""),
    (AM, DANIEL, 600, ""),
    (SO, PRIYA, 500, "CreditLens and the credit models"),
    (SO, TOMAS, 400, "TalentSift and HR analytics"),
    (DPO, LENA, 900, ""),
    (IA, MARC, 300, ""),
)

# (person, competence, kind, title, provider, days ago, checked by)
EVIDENCE = (
    (AOIFE, "AI literacy", EvidenceKind.TRAINING, "AI literacy for board members",
     "Institute of Directors Ireland", 335, DANIEL),
    (DANIEL, "ISO/IEC 42001 management systems", EvidenceKind.QUALIFICATION,
     "ISO/IEC 42001 Lead Implementer", "Certification body training", 400, AOIFE),
    (DANIEL, "AI ethics and fairness", EvidenceKind.TRAINING, "Responsible AI in finance",
     "Trinity College Dublin, professional course", 200, AOIFE),
    (DANIEL, "AI risk and impact assessment", EvidenceKind.EXPERIENCE,
     "Led the 2025 model-risk programme", "Meridian", 300, AOIFE),
    (PRIYA, "AI ethics and fairness", EvidenceKind.TRAINING,
     "Fairness in credit scoring models", "Meridian academy", 120, DANIEL),
    (PRIYA, "AI risk and impact assessment", EvidenceKind.ASSESSMENT,
     "Ran the CreditLens impact assessment, reviewed", "Meridian", 60, DANIEL),
    (PRIYA, "Machine-learning model development", EvidenceKind.EXPERIENCE,
     "Eight years building credit models", "Meridian and previous employers", 900, DANIEL),
    (TOMAS, "AI risk and impact assessment", EvidenceKind.TRAINING,
     "AI risk assessment workshop", "Meridian academy", 90, DANIEL),
    (TOMAS, "Machine-learning model development", EvidenceKind.EXPERIENCE,
     "People-analytics models for HR", "Meridian", 700, DANIEL),
    (LENA, "Data protection law", EvidenceKind.QUALIFICATION, "CIPP/E certification", "IAPP",
     500, DANIEL),
    (MARC, "Management-system auditing", EvidenceKind.QUALIFICATION,
     "Management-system lead auditor (ISO 19011)", "Accredited training provider", 650,
     DANIEL),
)  # fmt: skip

PROCESS_RACI = {
    "policy-objectives": {TMS: "A", AM: "R", SO: "C", DPO: "C", IA: "I"},
    "context-scope": {TMS: "A", AM: "R", SO: "C", DPO: "C"},
    "risk-assessment-treatment": {AM: "A", SO: "R", DPO: "C", IA: "I"},
    "impact-assessment": {AM: "A", SO: "R", DPO: "C", TMS: "I"},
    "document-control": {AM: "A", SO: "R", IA: "I"},
    "competence-awareness": {TMS: "A", AM: "R", SO: "I", DPO: "C"},
    "communication": {TMS: "A", AM: "R", DPO: "C"},
    "ai-system-life-cycle": {AM: "A", SO: "R", DPO: "C", IA: "I"},
    "data-management": {AM: "A", SO: "R", DPO: "C"},
    "supplier-oversight": {AM: "A", SO: "R", DPO: "C", TMS: "I"},
    "incident-concern-handling": {AM: "A", SO: "R", DPO: "C", TMS: "I"},
    "monitoring-measurement": {AM: "A", SO: "R", IA: "I"},
    "internal-audit": {TMS: "A", IA: "R", AM: "C"},
    "management-review": {TMS: "A", AM: "R", IA: "C", DPO: "C"},
    "nonconformity-corrective-action": {AM: "A", SO: "R", IA: "C", TMS: "I"},
}

# Annex A rows nobody has taken on yet: the RACI gaps view shows them.
UNASSIGNED = frozenset({"A.4.5", "A.6.2.8", "A.8.3", "A.10.4"})


def _control_raci(control_id: str) -> dict[str, str]:
    if control_id.startswith(("A.2.", "A.3.2", "A.4.6")):
        return {TMS: "A", AM: "R", DPO: "C"}
    if control_id.startswith(("A.5.", "A.7.", "A.8.", "A.10.", "A.3.3")):
        return {AM: "A", SO: "R", DPO: "C"}
    return {AM: "A", SO: "R"}


def load(db: Session, org: Organisation) -> None:
    """Add the roles, competences, evidence and RACI once; a demo with roles is left alone."""
    from aims.demo.service import context_of

    if db.scalars(select(AimsRole.id).where(AimsRole.organisation_id == org.id)).first():
        return
    daniel = context_of(db, org, DANIEL)
    today = utcnow().date()
    roles: dict[str, AimsRole] = {}
    for name, parent, description, responsibilities, authorities in ROLES:
        roles[name] = service.create_role(db, daniel, RoleIn(
            name=name, description=description, responsibilities=responsibilities,
            authorities=authorities, parent_id=roles[parent].id if parent else None))  # fmt: skip
    competences = {
        name: service.create_competence(db, daniel, CompetenceIn(
            name=name, kind=kind, validity_months=months, description=description))
        for name, kind, months, description in COMPETENCES
    }  # fmt: skip
    for role_name, needs in REQUIRED.items():
        for competence_name, level in needs:
            service.add_requirement(db, daniel, roles[role_name], RequirementIn(
                competence_id=competences[competence_name].id, level=level))  # fmt: skip
    for role_name, email, days, note in HOLDERS:
        service.assign(db, daniel, roles[role_name], AssignmentIn(
            email=email, since=today - timedelta(days=days), note=note))  # fmt: skip
    for email, competence_name, kind, title, provider, days, checker in EVIDENCE:
        user = access.get_user_by_email(db, email)
        assert user is not None
        ev = service.add_evidence(db, daniel, user.id, EvidenceIn(
            kind=kind, competence_id=competences[competence_name].id, title=title,
            provider=provider, obtained=today - timedelta(days=days)))  # fmt: skip
        checked_on = min(today, ev.obtained + timedelta(days=30))
        service.check_evidence(db, context_of(db, org, checker), ev, CheckIn(
            version=ev.version, result=CheckResult.EFFECTIVE, check_date=checked_on,
            note="Applied in their AIMS work; reviewed by their line manager."))  # fmt: skip
    daniel = context_of(db, org, DANIEL)
    rows = {**PROCESS_RACI}
    for control_id in get_catalog().controls:
        if control_id not in UNASSIGNED:
            rows[control_id] = _control_raci(control_id)
    for row_id, letters in rows.items():
        for role_name, letter in letters.items():
            service.set_raci_cell(db, daniel, row_id, roles[role_name].id, Letter(letter),
                                  version=0)  # fmt: skip
