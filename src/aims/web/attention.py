"""What the dashboard lists as needing attention, gathered from every capability.

Each capability says what is overdue or missing in its own terms (its ``attention``); this
module turns those into one list of short notices with a link, so the dashboard shows them
side by side without knowing each record's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.changes import service as changes
from aims.communication import service as communication
from aims.competence import service as competence
from aims.concerns import service as concerns
from aims.context import service as context
from aims.controls import service as controls
from aims.documents import service as documents
from aims.evidence import service as evidence
from aims.impact import service as impact
from aims.leadership import service as leadership
from aims.measure import runs as measurement_runs
from aims.objectives import service as objectives
from aims.risk import service as risk
from aims.techdoc import service as techdoc


@dataclass(frozen=True)
class Notice:
    area: str  # the clause or capability, e.g. "6.1.4 Impact"
    html: Markup  # the message, with its link; every value in it is escaped


def _link(href: str, text: object) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


def notices(db: Session, ctx: Context) -> list[Notice]:
    found: list[Notice] = []

    def add(area: str, template: str, *args: object) -> None:
        # The templates are literals in this module; format() escapes every argument.
        found.append(Notice(area, Markup(template).format(*args)))  # noqa: S704

    cx = context.attention(db, ctx)
    if cx.climate_undecided:
        add("4.1 Context", "Nobody has yet decided whether climate change is a relevant issue: {}",
            _link("/context", "record the decision"))  # fmt: skip
    for issue in cx.overdue_issues:
        add("4.1 Context", "The issue {} was due for review on {}",
            _link("/context", issue.title), issue.review_date)  # fmt: skip
    if cx.unaddressed:
        add("4.2 Context", "{} requirement(s) of interested parties are not fully met: {}",
            len(cx.unaddressed), _link("/context#parties", "see which"))  # fmt: skip
    if cx.scope_unapproved:
        add("4.3 Scope", "The scope of the AIMS has no approved version: {}",
            _link("/scope", "the scope"))  # fmt: skip
    im = impact.attention(db, ctx)
    for a in im.overdue:
        add("6.1.4 Impact", "Impact assessment of {} was due for reassessment on {}",
            _link(f"/impact/{a.id}", a.system.name), a.due_date)  # fmt: skip
    for a in im.reclassified:
        add("6.1.4 Impact", "{} changed EU AI Act class since its {} was approved",
            _link(f"/systems/{a.system_id}", a.system.name),
            _link(f"/impact/{a.id}", "impact assessment"))  # fmt: skip
    rk = risk.attention(db, ctx)
    for r in rk.expired_acceptances:
        add("6.1.2 Risk", "The acceptance of risk {} expired on {}",
            _link(f"/risks/{r.id}", r.ref), r.acceptance_expires)  # fmt: skip
    for t in rk.overdue_actions:
        add("6.1.3 Treatment", 'Treatment action "{}" of a {} was due on {}',
            t.title, _link(f"/risks/{t.risk_id}", "risk"), t.due_date)  # fmt: skip
    for r in rk.overdue_reviews:
        add("6.1.2 Risk", "Risk {} was due for review on {}",
            _link(f"/risks/{r.id}", r.ref), r.next_review)  # fmt: skip
    for s in im.unassessed:
        add("6.1.4 Impact", "{} is in scope and has no approved impact assessment",
            _link(f"/systems/{s.id}", s.name))  # fmt: skip
    ob = objectives.attention(db, ctx)
    for f in ob.breached:
        last = f.assessment.last
        add("6.2 Objectives", "{} missed its target: {} {} on {}",
            _link(f"/objectives/{f.objective.id}", f"{f.objective.code} {f.objective.title}"),
            f"{last.value:g}" if last else "", f.objective.unit,
            last.measured_at if last else "")  # fmt: skip
    for f in ob.overdue:
        add("6.2 Objectives", "{} was due on {} and is not achieved",
            _link(f"/objectives/{f.objective.id}", f"{f.objective.code} {f.objective.title}"),
            f.objective.due_date)  # fmt: skip
    dc = documents.attention(db, ctx)
    for d in dc.reviews_overdue:
        add("7.5 Documents", "{} was due for review on {}",
            _link(f"/documents/{d.id}", f"{d.code} {d.title}"), d.next_review_on)  # fmt: skip
    for ack in dc.to_acknowledge:
        doc = ack.document
        add("7.3 Awareness", "You have not yet acknowledged {}",
            _link(f"/documents/{ack.document_id}", f"{doc.code} {doc.title}"))  # fmt: skip
    for c in changes.attention(db, ctx):
        add("6.3 Changes", "Change {} ({}) was planned for {} and is still {}",
            _link(f"/changes/{c.id}", c.ref), c.title, c.planned_date,
            c.status.replace("_", " "))  # fmt: skip
    for i in communication.attention(db, ctx):
        add("7.4 Communication", "{} to {} was due on {}",
            _link(f"/communication/{i.id}", i.topic), i.audience, i.next_due)  # fmt: skip
    for status, count in concerns.attention(db, ctx).items():
        if count:
            add("A.3.3 Concerns", "{} concern(s) {}", count,
                _link(f"/concerns?status={status}", status.replace("_", " ")))  # fmt: skip
    cp = competence.attention(db, ctx)
    for cell in cp.gaps:
        add("7.2 Competence", "{}: {} has no valid, checked evidence of {} ({})",
            cell.role_name, cell.person or "nobody", cell.competence_name,
            _link("/competence?status=" + cell.status.value, cell.status.value))  # fmt: skip
    for cell in cp.expiring:
        add("7.2 Competence", "The evidence of {} for {} expires soon: {}",
            cell.competence_name, cell.person or "nobody",
            _link(f"/competence/people/{cell.user_id}", "renew it"))  # fmt: skip
    if cp.raci_gaps:
        add("5.3 Roles", "{} process(es) or control(s) have no one accountable: {}",
            len(cp.raci_gaps), _link("/competence/raci", "the RACI"))  # fmt: skip
    for impl in controls.attention(db, ctx).overdue_checks:
        where = impl.system.name if impl.system else "the organisation"
        add("9.1 Controls", "The check of {} for {} was due on {}",
            _link(f"/controls/{impl.id}", impl.control_id), where, impl.next_check)  # fmt: skip
    ev = evidence.attention(db, ctx)
    for item in ev.expired:
        add("7.5 Evidence", "{} stopped counting as evidence on {}",
            _link(f"/evidence/{item.id}", item.title), item.valid_until)  # fmt: skip
    for item in ev.expiring:
        add("7.5 Evidence", "{} is valid only until {}",
            _link(f"/evidence/{item.id}", item.title), item.valid_until)  # fmt: skip
    for log in techdoc.attention(db, ctx):
        add("A.6.2.8 Event logs", "{} is high-risk and its event logs fall short: {}",
            _link(f"/event-logs/{log.system.id}", log.system.name),
            "; ".join(f.message for f in log.flags))  # fmt: skip
    for run in measurement_runs.attention(db, ctx):
        add("9.1 Measurement", "The latest {} run of {} breached its limits ({}): {}",
            run.kind, _link(f"/systems/{run.system_id}", run.system.name),
            ", ".join(b["metric"] for b in run.breaches),
            _link(f"/measurement-runs/{run.id}", run.ref))  # fmt: skip
    for row in leadership.attention(db, ctx):
        add("5.1 Leadership", "The {} committed until {} is still only promised",
            _link(f"/leadership/commitments/{row.id}", row.description), row.until)  # fmt: skip
    return sorted(found, key=_clause_order)


def _clause_order(notice: Notice) -> tuple[int, ...]:
    """Clauses in the standard's order (4.1 before 10.2), Annex A controls after them."""
    ref = notice.area.split()[0]
    numbers = ref.removeprefix("A.").split(".")
    return (1 if ref.startswith("A.") else 0, *(int(n) for n in numbers if n.isdigit()))
