"""Throughput of the audit on synthetic claims of mixed kinds, from 1,000 to 100,000 claims.

Run: ``.venv/bin/python benchmarks/audit_throughput.py`` (one core: the audit is single-threaded).
Target (issue 4): 100,000 claims in <= 10 s. It prints claims, seconds and claims per second
for each size, so the growth with size is visible.

The synthetic paper has two arms; each "unit" prints, as a trial would:
- a t-test: mean and SD per arm with n, and the Student p at 4 decimals (1 claim);
- a 2x2 comparison: n and a percentage per arm and the chi-squared p (3 claims: 2 percentages, 1 p);
- the 95% Wald CI of that rate difference (1 claim);
- a change: two means of one arm and their printed difference (1 claim).
Values are random (seeded). The t-test p and the change are computed from the unrounded values
and the means and SDs printed at 2 decimals, as a paper would, so some of those claims are only
consistent within rounding. All claims hold: an inconsistent 2x2 p-value would also run Barnard's
and Boschloo's exact tests (tens of ms each), which this mix does not measure.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import reanalysis
from reanalysis.audit import audit
from reanalysis.data import DESCRIPTIVE_COLUMNS, INFERENCE_COLUMNS, Paper

CLAIMS_PER_UNIT = 6


def synthetic_paper(units: int, seed: int = 20261123) -> Paper:
    """A paper with ``units * 6`` claims (see the module docstring)."""
    rng = np.random.default_rng(seed)
    d, i = [], []

    def desc(id_, arm, variable, statistic, value, timepoint="w1"):
        d.append(
            {
                "id": id_,
                "arm": arm,
                "variable": variable,
                "statistic": statistic,
                "value": value,
                "timepoint": timepoint,
                "section": "results",
                "location": "synthetic",
                "quote": "synthetic",
            }
        )

    def inf(id_, kind, variable, value, refers_to, **extra):
        i.append(
            {
                "id": id_,
                "kind": kind,
                "variable": variable,
                "value": value,
                "refers_to": ";".join(refers_to),
                "timepoint": "w1",
                "comparison": "between",
                "arms": "a;b",
                "recomputable": "yes",
                "section": "results",
                "location": "synthetic",
                "quote": "synthetic",
                **extra,
            }
        )

    for u in range(units):
        n = rng.integers(20, 61, size=2)
        # t-test
        v = f"t{u}"
        m, sd = rng.normal(10, 1, 2), rng.uniform(0.5, 3, 2)
        mp, sp = [f"{x:.2f}" for x in m], [f"{x:.2f}" for x in sd]
        for arm, k in (("a", 0), ("b", 1)):
            desc(f"{v}.{arm}.n", arm, v, "n", str(n[k]))
            desc(f"{v}.{arm}.mean", arm, v, "mean", mp[k])
            desc(f"{v}.{arm}.sd", arm, v, "sd", sp[k])
        p = stats.ttest_ind_from_stats(m[0], sd[0], n[0], m[1], sd[1], n[1]).pvalue  # from the unrounded values
        inf(f"{v}.p", "p_value", v, f"{p:.4f}", [f"{v}.a.mean", f"{v}.a.sd", f"{v}.b.mean", f"{v}.b.sd"])
        # 2x2 with its CI
        v = f"x{u}"
        k = [rng.integers(0, n[0] + 1), rng.integers(0, n[1] + 1)]
        for arm, j in (("a", 0), ("b", 1)):
            desc(f"{v}.{arm}.n", arm, v, "n", str(n[j]))
            desc(f"{v}.{arm}.percent", arm, v, "percent", f"{100 * k[j] / n[j]:.2f}")
        refs = [f"{v}.a.percent", f"{v}.b.percent"]
        table = [[k[0], n[0] - k[0]], [k[1], n[1] - k[1]]]
        chi = stats.chi2_contingency(table, correction=False).pvalue if 0 < k[0] + k[1] < n.sum() else 1.0
        inf(f"{v}.p", "p_value", v, f"{chi:.4f}", refs)
        p1, p2 = k[0] / n[0], k[1] / n[1]
        se = np.sqrt(p1 * (1 - p1) / n[0] + p2 * (1 - p2) / n[1])
        lo, hi = 100 * max(p1 - p2 - 1.959964 * se, -1), 100 * min(p1 - p2 + 1.959964 * se, 1)
        inf(f"{v}.ci", "ci", v, "", refs, ci_low=f"{lo:.2f}", ci_high=f"{hi:.2f}", ci_level="95")
        # change
        v = f"c{u}"
        before, after = rng.normal(9, 1), rng.normal(8, 1)
        desc(f"{v}.before", "a", v, "mean", f"{before:.2f}", "baseline")
        desc(f"{v}.after", "a", v, "mean", f"{after:.2f}", "w1")
        inf(
            f"{v}.change",
            "change",
            v,
            f"{abs(after - before):.2f}",
            [f"{v}.before", f"{v}.after"],
            arms="a",
            comparison="within",
        )
    meta = {
        "id": "synthetic",
        "citation": "synthetic",
        "arms": {
            "a": {"label": "A", "assigned": 60, "analysed": 60},
            "b": {"label": "B", "assigned": 60, "analysed": 60},
        },
        "timepoints": [{"id": "baseline"}, {"id": "w1"}],
    }
    descriptives = pd.DataFrame(d).reindex(columns=list(DESCRIPTIVE_COLUMNS)).astype(object).fillna("")
    inferences = pd.DataFrame(i).reindex(columns=list(INFERENCE_COLUMNS)).astype(object).fillna("")
    return Paper("synthetic", Path("."), meta, descriptives, inferences)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest counts (default 3)")
    args = parser.parse_args()
    print(f"best of {args.repeat} runs per size")
    print(f"{'claims':>8} {'seconds':>8} {'claims/s':>9}  verdicts")
    for size in args.sizes:
        paper = synthetic_paper(size // CLAIMS_PER_UNIT)
        seconds = math.inf
        for _ in range(args.repeat):
            reanalysis.forget()  # each run audits (audit() keeps its results: a repeat would only look one up)
            t = time.perf_counter()
            claims = audit(paper)
            seconds = min(seconds, time.perf_counter() - t)
        counts = claims["verdict"].value_counts().to_dict()
        print(f"{len(claims):>8} {seconds:>8.2f} {len(claims) / seconds:>9.0f}  {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
