"""The audit's closed forms agree with reanalysis.inference (itself checked against R) on every small table."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as scipy_stats

from reanalysis import closedform, inference

TABLES = [
    (k1, n1, k2, n2)
    for n1, n2 in [(5, 7), (12, 12), (27, 26), (30, 21)]
    for k1, k2 in itertools.product(range(n1 + 1), range(n2 + 1))
]


@pytest.mark.parametrize("yates", [False, True])
def test_chi2_matches_scipy(yates):
    test = "chi2_yates" if yates else "chi2"
    for t in TABLES:
        assert closedform.p_chi2(*t, yates=yates) == pytest.approx(
            inference.two_by_two(*t, test=test).pvalue, abs=1e-12
        )


def test_fisher_matches_scipy():
    # inference.two_by_two uses closedform's Fisher too, so compare with scipy's own (right at these sizes).
    for k1, n1, k2, n2 in TABLES:
        expected = scipy_stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
        assert closedform.p_fisher(k1, n1, k2, n2) == pytest.approx(expected, abs=1e-9), (k1, n1, k2, n2)


def test_min_expected_decides_chi2_or_fisher_like_inference():
    for t in TABLES:
        chosen = inference.two_by_two(*t, test="chi2_or_fisher").method
        if "degenerate" not in chosen:
            assert ("Fisher" in chosen) == (closedform.min_expected(*t) < 5), t


@pytest.mark.parametrize("method", ["wald", "agresti_caffo", "newcombe"])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_difference_ci_matches_statsmodels(method, level):
    for t in TABLES[::7]:
        ci = inference.proportion_difference_ci(*t, method=method, level=level)
        low, high = closedform.diff_ci(*t, method=method, level=level)
        assert (low, high) == pytest.approx((ci.low, ci.high), abs=1e-10), t


FISHER_REFERENCE = [
    r for r in csv.DictReader((Path(__file__).parent / "reference" / "fisher_reference.csv").open(encoding="utf-8"))
]


def _table(row):
    return tuple(int(row[k]) for k in ("events1", "n1", "events2", "n2"))


@pytest.mark.parametrize("row", FISHER_REFERENCE, ids=[f"{r['note']}-{r['what'][:11]}" for r in FISHER_REFERENCE])
def test_log_p_fisher_matches_r_on_large_tables(row):
    # R sums the whole support (tests/reference/fisher_reference.R); log_p_fisher only the tails' near parts.
    # Within 3e-8 of log P: 3e-8 of P, below R's tie tolerance of 1e-7 (plain lgamma below 10^7 in all).
    got = closedform.log_p_fisher(*_table(row))
    assert got == pytest.approx(float(row["log_p"]), rel=1e-12, abs=3e-8), row["note"]


def test_log_p_fisher_where_the_first_guess_falls_short(monkeypatch):
    # A first guess of a fifth of the normal approximation's reach leaves each large tail unfinished: its
    # end is then found by bisection and the tail summed again. The same P as R's.
    fallbacks = []
    ratio_sum = closedform._ratio_sum

    def spy(anchor, end, n1, n2, events, floor):
        fallbacks.append(floor == 0.0)  # only the second pass sums without a floor
        return ratio_sum(anchor, end, n1, n2, events, floor)

    monkeypatch.setattr(closedform, "_GUESS_MARGIN", 0.2)
    monkeypatch.setattr(closedform, "_ratio_sum", spy)
    for row in FISHER_REFERENCE:
        got = closedform.log_p_fisher(*_table(row))
        assert got == pytest.approx(float(row["log_p"]), rel=1e-12, abs=3e-8), row["note"]
    assert sum(fallbacks) >= 10


def test_fisher_matches_scipy_on_moderately_large_tables():
    # 60 random tables of 10^3 to 3 10^4 per arm (scipy takes about 5 ms each), from P = 1 to P near
    # 1e-146, 28 with equal arms (exact ties with the mirror image).
    rng = np.random.default_rng(20261201)
    tables = []
    for _ in range(60):
        n1, n2 = (int(v) for v in rng.integers(1_000, 30_000, size=2))
        n2 = n1 if rng.random() < 0.4 else n2  # equal arms: exact ties with the mirror image
        p = rng.uniform(0.0005, 0.5)
        k1, k2 = int(rng.binomial(n1, p)), int(rng.binomial(n2, p * rng.uniform(0.7, 1.3)))
        tables.append((k1, n1, k2, n2))
    tables += [(0, 5000, 40, 5000), (5000, 5000, 4960, 5000), (1, 20000, 0, 20000), (2500, 5000, 2500, 5000)]
    for k1, n1, k2, n2 in tables:
        expected = scipy_stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
        if expected > 1e-250:
            assert closedform.p_fisher(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-7), (k1, n1, k2, n2)


@pytest.mark.parametrize(
    "table", [(1, 2, 1, 2), (3, 10, 0, 1), (15, 30, 15, 30), (1_500_000, 3 * 10**6, 1_500_001, 3 * 10**6)]
)
def test_fisher_is_exactly_one_when_no_outcome_is_more_likely(table):
    # Observed at the mode, with its neighbour tied (or none): every outcome counts, so P = 1, as fisher.test
    # gives (1, and 1.0000000000000009 by the log-sum-exp in fisher_reference.csv), not 1 less a rounding.
    assert closedform.p_fisher(*table) == 1.0
    assert scipy_stats.fisher_exact([[table[0], table[1] - table[0]], [table[2], table[3] - table[2]]]).pvalue == (
        pytest.approx(1.0, abs=1e-12)
    )
