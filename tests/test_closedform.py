"""The audit's closed forms agree with reanalysis.inference (itself checked against R) on every small table."""

from __future__ import annotations

import itertools

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
