"""Measuring fairness and drift from a prediction log: aims against fairlearn and the floor.

    python -m bench.metrics --rows 1000000

Generates a synthetic log (CSV and Parquet), then runs each contender in its own process on
the same file and prints its wall time (the work, from reading the file to the metrics;
interpreter start-up and imports excluded) and peak memory (the process's maximum resident
set, imports included), with the ratios:

- fairness: aims (``measure.service.fairness``: per attribute and per intersection, with the
  input's SHA-256), fairlearn's ``MetricFrame`` on a pandas frame read from the CSV (per
  attribute and per intersection, as a user would), and the floor: a bare Polars group-by of
  the confusion-matrix counts per group, from which every metric follows;
- drift between the two halves of the log: aims (PSI, KS, chi-square, verdicts) against a bare
  Polars + numpy + scipy script doing the same computations.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENSITIVE = ["sex", "age_band"]
NUMERIC = ["income", "score"]
CATEGORICAL = ["region"]


# ------------------------------------------------------------------------------- the log


def generate(rows: int, folder: Path) -> dict[str, Path]:
    """A synthetic credit log in chunks (bounded memory), as CSV and Parquet, plus halves."""
    import numpy as np
    import polars as pl

    paths = {k: folder / n for k, n in [("csv", "log.csv"), ("parquet", "log.parquet"),
             ("ref", "ref.parquet"), ("cur", "cur.parquet")]}  # fmt: skip
    rng = np.random.default_rng(42)
    chunk = 1_000_000
    parts: list[pl.DataFrame] = []
    done = 0
    with paths["csv"].open("wb") as csv:
        while done < rows:
            n = min(chunk, rows - done)
            sex = rng.choice(["F", "M", "X"], n, p=[0.48, 0.5, 0.02])
            age = rng.choice(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"], n)
            label = rng.integers(0, 2, n)
            late = done + np.arange(n) >= rows // 2  # the second half drifts a little
            score = np.clip(0.3 * label + 0.7 * rng.random(n) - 0.1 * (sex == "F"), 0, 1)
            df = pl.DataFrame({
                "id": np.arange(done, done + n),
                "sex": sex, "age_band": age,
                "region": rng.choice(["north", "south", "east", "west"], n),
                "income": rng.normal(42_000, 11_000, n) * np.where(late, 1.03, 1.0),
                "score": score.round(5),
                "prediction": (score > 0.45).astype(np.int8),
                "label": label.astype(np.int8),
            })  # fmt: skip
            df.write_csv(csv, include_header=done == 0)
            parts.append(df)
            done += n
    full = pl.concat(parts)
    full.write_parquet(paths["parquet"])
    full.head(rows // 2).write_parquet(paths["ref"])
    full.tail(rows - rows // 2).write_parquet(paths["cur"])
    return paths


# ------------------------------------------------------------------------- the contenders


def child_aims(path: str) -> None:
    from aims.measure import service
    from aims.measure.schemas import FairnessOptions

    options = FairnessOptions(prediction="prediction", truth="label", sensitive=SENSITIVE)
    result = service.fairness(path, options)
    assert result.rows > 0


def child_floor(path: str) -> None:
    import polars as pl

    scan = pl.scan_parquet(path) if path.endswith(".parquet") else pl.scan_csv(path)
    counts = (
        scan.group_by([*SENSITIVE, "prediction", "label"]).agg(pl.len()).collect(engine="streaming")
    )
    assert counts.height > 0


def child_fairlearn(path: str) -> None:
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score

    df = pd.read_csv(path)
    y, p = df["label"], df["prediction"]
    metrics = {"count": count, "selection_rate": selection_rate, "tpr": true_positive_rate,
               "fpr": false_positive_rate, "accuracy": accuracy_score}  # fmt: skip
    # One MetricFrame per attribute and one for the intersection; the differences and ratios
    # come from each frame (fairlearn's demographic_parity_* helpers would build new frames).
    for features in (["sex"], ["age_band"], SENSITIVE):
        frame = MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=df[features])
        diff = frame.difference()
        frame.ratio()
        max(diff["tpr"], diff["fpr"])


def child_aims_drift(ref: str, cur: str) -> None:
    from aims.measure import service
    from aims.measure.schemas import DriftOptions

    result = service.drift(ref, cur, DriftOptions(columns=NUMERIC + CATEGORICAL))
    assert result.columns


def child_bare_drift(ref: str, cur: str) -> None:
    import numpy as np
    import polars as pl
    from scipy import stats

    r_df = pl.read_parquet(ref, columns=NUMERIC + CATEGORICAL)
    c_df = pl.read_parquet(cur, columns=NUMERIC + CATEGORICAL)
    for col in NUMERIC:
        r, c = r_df[col].to_numpy(), c_df[col].to_numpy()
        edges = np.unique(np.quantile(r, np.arange(1, 10) / 10))
        rp = np.maximum(
            np.bincount(np.searchsorted(edges, r), minlength=len(edges) + 1) / len(r), 1e-4
        )
        cp = np.maximum(
            np.bincount(np.searchsorted(edges, c), minlength=len(edges) + 1) / len(c), 1e-4
        )
        float(np.sum((cp - rp) * np.log(cp / rp)))
        stats.ks_2samp(r, c)
    for col in CATEGORICAL:
        rv = dict(r_df[col].value_counts().iter_rows())
        cv = dict(c_df[col].value_counts().iter_rows())
        keys = sorted(set(rv) | set(cv))
        stats.chi2_contingency([[rv.get(k, 0) for k in keys], [cv.get(k, 0) for k in keys]])


CHILDREN = {
    "aims": child_aims,
    "floor": child_floor,
    "fairlearn": child_fairlearn,
    "aims-drift": child_aims_drift,
    "bare-drift": child_bare_drift,
}


#: What each contender imports before its clock starts: the time is the work, not start-up.
IMPORTS = {
    "aims": ["aims.measure.service"],
    "floor": ["polars"],
    "fairlearn": ["pandas", "fairlearn.metrics", "sklearn.metrics"],
    "aims-drift": ["aims.measure.service", "scipy.stats"],
    "bare-drift": ["polars", "numpy", "scipy.stats"],
}


def child_main(name: str, args: list[str]) -> None:
    import importlib

    for module in IMPORTS[name]:
        importlib.import_module(module)
    start = time.perf_counter()
    CHILDREN[name](*args)  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: per address space, so neither the parent's
    memory at fork, which getrusage would carry over exec, nor another process counts)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------- runner


def measure(name: str, *args: str, repeat: int = 1) -> tuple[float, float]:
    """Run one contender in fresh processes: (median seconds of work, highest peak MB)."""
    runs = [_once(name, *args) for _ in range(repeat)]
    return statistics.median(s for s, _ in runs), max(m for _, m in runs)


def _once(name: str, *args: str) -> tuple[float, float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.metrics", "--child", name, *args],
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    if proc.wait() != 0:
        raise SystemExit(f"{name} failed with exit code {proc.returncode}")
    got = json.loads(output.decode().strip().splitlines()[-1])
    return float(got["seconds"]), float(got["peak_mb"])


def run(rows: int, *, fairlearn: bool = True, repeat: int = 3) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        paths = generate(rows, Path(tmp))
        mb = paths["csv"].stat().st_size / 1e6
        lines.append(f"metrics: {rows:,} rows (CSV {mb:.0f} MB), generated in "
                     f"{time.perf_counter() - t:.1f} s on {os.cpu_count()} cores")  # fmt: skip

        def row(label: str, s: float, m: float) -> str:
            return f"  {label:<34} {s:8.2f} s  {m:7.0f} MB peak"

        for fmt in ("csv", "parquet"):
            file = str(paths[fmt])
            aims_s, aims_m = measure("aims", file, repeat=repeat)
            floor_s, floor_m = measure("floor", file, repeat=repeat)
            lines.append(f"fairness on {fmt.upper()}")
            lines.append(row("aims measure fairness", aims_s, aims_m))
            lines.append(row("floor: bare Polars group-by", floor_s, floor_m))
            lines.append(f"  aims / floor {aims_s / floor_s:6.2f}x time")
            if fmt == "csv" and fairlearn:
                fl_s, fl_m = measure("fairlearn", file)
                lines.append(row("fairlearn MetricFrame (pandas)", fl_s, fl_m))
                lines.append(f"  fairlearn / aims {fl_s / aims_s:6.1f}x time, "
                             f"{fl_m / aims_m:4.1f}x memory")  # fmt: skip
        ref, cur = str(paths["ref"]), str(paths["cur"])
        d_s, d_m = measure("aims-drift", ref, cur, repeat=repeat)
        b_s, b_m = measure("bare-drift", ref, cur, repeat=repeat)
        lines.append(f"drift between the two halves ({rows // 2:,} rows each, Parquet)")
        lines.append(row("aims measure drift", d_s, d_m))
        lines.append(row("bare Polars + scipy", b_s, b_m))
        lines.append(f"  aims / bare {d_s / b_s:6.2f}x time")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-fairlearn", action="store_true", help="skip fairlearn (slow)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast contender")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        child_main(args.child, rest)
        return
    for line in run(args.rows, fairlearn=not args.no_fairlearn, repeat=args.repeat):
        print(line, flush=True)


if __name__ == "__main__":
    main()
