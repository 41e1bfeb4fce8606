"""Meridian's controls in operation and their evidence (DEMO.md): CreditLens's verification
and validation (A.6.2.4), monitoring (A.6.2.6), data quality (A.7.4) and impact on
individuals (A.5.4), and the AI policy organisation-wide (A.2.2); evidence as a stored
parity-test file, a link, the approved impact assessment and the approved AI policy, one
item expiring soon."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.controls import service as controls
from aims.controls.models import ControlImplementation
from aims.controls.rules import CheckResult, Status
from aims.controls.service import ImplementationFields
from aims.demo.risk import AOIFE, DANIEL, OWNERS
from aims.documents.models import Document, DocumentVersion
from aims.evidence import service as evidence
from aims.evidence.service import ItemFields
from aims.impact.models import ImpactAssessment
from aims.store.types import utcnow
from aims.systems.models import AISystem

CREDITLENS = "Credit decisioning model (CreditLens)"

PARITY_CSV = (
    b"age_band,applications,approved,approval_rate\n"
    b"18-29,4120,2884,0.700\n30-44,6310,4606,0.730\n45-59,5080,3658,0.720\n"
    b"60+,2270,1521,0.670\n"
)

HOW = {
    "A.6.2.4": (Status.IMPLEMENTED, 3, "Before each release the model team reruns the hold-out "
                "validation and an approval-rate parity test across age bands; a release needs "
                "the ratio of the lowest to the highest band at 0.9 or above."),
    "A.6.2.6": (Status.IMPLEMENTED, 1, "A monthly job compares live approval rates and score "
                "distributions with the validation baseline and alerts the model owner on drift."),
    "A.7.4": (Status.PARTIAL, 6, "Bureau and application data are profiled on each refresh "
              "(missing values, ranges, duplicates); thin-file records are still being mapped."),
    "A.5.4": (Status.PARTIAL, 12, "The impact assessment's findings on older applicants are "
              "tracked as a risk with a quarterly parity test and a retraining plan."),
}  # fmt: skip


def load(db: Session, org: Organisation) -> None:
    """Add the implementations and evidence once; leave a demo that has them alone."""
    from aims.demo.service import context_of

    if db.scalars(
        select(ControlImplementation.id).where(ControlImplementation.organisation_id == org.id)
    ).first():
        return
    lens = db.scalars(
        select(AISystem).where(AISystem.organisation_id == org.id, AISystem.name == CREDITLENS)
    ).first()
    if lens is None:
        return
    daniel = context_of(db, org, DANIEL)
    today = utcnow().date()
    impls = {}
    for control_id, (status, months, how) in HOW.items():
        impls[control_id] = controls.create_implementation(
            db, daniel, control_id, lens.id,
            ImplementationFields(description=how, owner_email=OWNERS[control_id], status=status,
                                 check_months=months),
        )  # fmt: skip
    impls["A.2.2"] = controls.create_implementation(
        db, daniel, "A.2.2", None,
        ImplementationFields(
            description="The AI policy is approved by the board's risk committee, published "
            "on the intranet, acknowledged by staff and reviewed every year.",
            owner_email=AOIFE, status=Status.IMPLEMENTED, check_months=12,
        ),
    )  # fmt: skip
    v = impls["A.6.2.4"]
    controls.record_check(db, daniel, v, checked_on=today - timedelta(days=40),
                          result=CheckResult.PARTLY, version=v.version,
                          note="Parity ratio 0.92 overall but 0.67 vs 0.73 for the over-60s.")  # fmt: skip
    m = impls["A.6.2.6"]
    controls.record_check(db, daniel, m, checked_on=today - timedelta(days=45),
                          result=CheckResult.EFFECTIVE, version=m.version,
                          note="Drift alert in March handled within two days.")  # fmt: skip

    parity = evidence.add_file(
        db, daniel,
        ItemFields("Approval-rate parity test by age band, Q1", today - timedelta(days=40),
                   today + timedelta(days=14), OWNERS["A.6.2.4"],
                   "Output of the release parity test; renewed every quarter."),
        data=PARITY_CSV, filename="parity-test-q1.csv", declared_type="text/csv",
    )  # fmt: skip
    evidence.link(db, daniel, parity, "implementation", str(v.id))
    evidence.link(db, daniel, parity, "system", str(lens.id))
    dashboard = evidence.add_link(
        db, daniel,
        ItemFields("CreditLens monitoring dashboard", today - timedelta(days=45),
                   today + timedelta(days=180), OWNERS["A.6.2.6"]),
        url="https://bi.meridian.example/creditlens/monitoring",
    )  # fmt: skip
    evidence.link(db, daniel, dashboard, "implementation", str(m.id))
    evidence.link(db, daniel, dashboard, "clause", "9.1")

    assessment = db.scalars(
        select(ImpactAssessment).where(
            ImpactAssessment.organisation_id == org.id,
            ImpactAssessment.system_id == lens.id,
            ImpactAssessment.status == "approved",
        )
    ).first()
    if assessment is not None:
        item = evidence.add_record(
            db, daniel,
            ItemFields("Approved impact assessment of CreditLens", today, None,
                       OWNERS["A.5.4"]),
            record_type="impact_assessment", record_id=str(assessment.id),
        )  # fmt: skip
        evidence.link(db, daniel, item, "implementation", str(impls["A.5.4"].id))
        evidence.link(db, daniel, item, "system", str(lens.id))
    policy = db.scalars(
        select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.organisation_id == org.id, Document.code == "AI-POL-001",
               DocumentVersion.status == "approved")
    ).first()  # fmt: skip
    if policy is not None:
        item = evidence.add_record(
            db, daniel,
            ItemFields("The approved AI policy", today, None, AOIFE),
            record_type="document_version", record_id=str(policy.id),
        )  # fmt: skip
        evidence.link(db, daniel, item, "implementation", str(impls["A.2.2"].id))
        evidence.link(db, daniel, item, "clause", "5.2")
