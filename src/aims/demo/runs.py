"""Meridian's measurement run (DEMO.md): a fairness run over a synthetic CreditLens decision
log in which applicants over 60 are approved less often (parity ratio about 0.72 against a
limit of 0.8). It is stored as evidence for A.6.2.4 on CreditLens, feeds OBJ-001, and is
flagged on the dashboard as a nonconformity candidate."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.demo.controls import CREDITLENS
from aims.demo.risk import PRIYA
from aims.demo.service import context_of
from aims.measure.models import MeasurementRun
from aims.measure.schemas import FairnessOptions
from aims.systems.models import AISystem

SEED = 42
#: Applications and approval rate per age band: 0.533 / 0.74 ≈ 0.72 for the over-60s.
BANDS = {"18-29": (700, 0.68), "30-44": (1000, 0.74), "45-59": (800, 0.72), "60+": (500, 0.533)}
LIMITS = {"demographic_parity_ratio": [0.8, None], "accuracy": [0.7, None]}


def write_log(folder: Path, seed: int = SEED) -> Path:
    """A seeded decision log (3,000 rows): age_band, sex, score, approved, repaid."""
    import polars as pl

    rng = np.random.default_rng(seed)
    frames = []
    for band, (n, rate) in BANDS.items():
        approved = np.zeros(n, dtype=int)
        approved[: round(n * rate)] = 1
        rng.shuffle(approved)
        # Most approvals repay and most refusals would not have; a few of each are wrong.
        wrong = rng.random(n) < 0.18
        repaid = np.where(wrong, 1 - approved, approved)
        score = np.clip(0.35 + 0.4 * approved + rng.normal(0, 0.12, n), 0, 1).round(4)
        frames.append(
            pl.DataFrame({
                "application_id": [f"{band}-{i:04d}" for i in range(n)],
                "age_band": [band] * n,
                "sex": rng.choice(["F", "M"], n, p=[0.48, 0.52]).tolist(),
                "score": score, "approved": approved, "repaid": repaid,
            })
        )  # fmt: skip
    path = folder / "creditlens-decisions.csv"
    pl.concat(frames).sample(fraction=1.0, shuffle=True, seed=seed).write_csv(path)
    return path


def load(db: Session, org: Organisation) -> None:
    from aims.measure import runs, service

    if db.scalar(select(MeasurementRun.id).where(MeasurementRun.organisation_id == org.id)):
        return
    lens = db.scalars(
        select(AISystem).where(AISystem.organisation_id == org.id, AISystem.name == CREDITLENS)
    ).first()
    if lens is None:
        return
    ctx = context_of(db, org, PRIYA)
    options = FairnessOptions(
        prediction="approved", truth="repaid", score="score", sensitive=["age_band", "sex"]
    )
    with tempfile.TemporaryDirectory(prefix="aims-demo-") as folder:
        result = service.fairness(write_log(Path(folder)), options)
    runs.store_run(
        db, ctx, lens.id, service.record(result, options), limits=LIMITS, control_id="A.6.2.4",
        note="Monthly parity test on last month's CreditLens decisions (synthetic demo log).",
        source="upload",
    )  # fmt: skip
