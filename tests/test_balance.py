"""Tests for reanalysis.balance.

Expected values come from R's qnorm / pnorm (tests/reference/sensitivity_reference.csv, from
tests/reference/sensitivity_reference.R); scipy.stats.combine_pvalues, which the module calls, is
checked against them rather than used as the reference. None is a copy of our own output.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from reanalysis.balance import CAVEATS, stouffer

REFERENCE = Path(__file__).parent / "reference" / "sensitivity_reference.csv"
ROWS = [r for r in csv.DictReader(REFERENCE.open(newline="", encoding="utf-8")) if r["function"] == "stouffer"]
ZANG2022_TABLE1 = [0.8068, 0.4158, 0.7808, 0.7819, 0.6992, 0.7737, 0.6173, 0.5905, 0.6177]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['quantity']}-{r['case']}" for r in ROWS])
def test_matches_r(row):
    res = stouffer(**json.loads(row["args"]))
    assert getattr(res, row["quantity"]) == pytest.approx(float(row["value"]), rel=float(row["rtol"]), abs=1e-300)


def test_reference_covers_the_trial_and_both_tails():
    cases = {r["case"] for r in ROWS}
    assert (
        any("zang2022" in c for c in cases)
        and any("alike" in c for c in cases)
        and any("different" in c for c in cases)
    )


def test_scipy_stouffer_is_carlisles_upper_tail():
    res = stouffer(ZANG2022_TABLE1)
    sp = stats.combine_pvalues(ZANG2022_TABLE1, method="stouffer")
    assert (res.statistic, res.p_dissimilar) == pytest.approx((sp.statistic, sp.pvalue), rel=1e-12)


def test_readings():
    trial = stouffer(ZANG2022_TABLE1)  # nine continuous baseline variables of zang2022's Table 1
    assert trial.k == 9 and trial.statistic < 0 and "consistent with random allocation" in trial.sentence
    alike = stouffer([0.97, 0.99, 0.95, 0.98, 0.96])
    assert alike.p_similar < 0.05 and "more alike than random allocation" in alike.sentence
    different = stouffer([0.001, 0.02, 0.3, 0.04, 0.01])
    assert different.p_dissimilar < 0.05 and "differ more than random allocation" in different.sentence
    assert "read it with care" in stouffer([0.5, 0.6]).sentence and "read it with care" not in alike.sentence
    middling = [0.3, 0.4, 0.35, 0.3, 0.4]  # combined p for "too different" 0.19
    assert "differ more" in stouffer(middling, alpha=0.2).sentence
    assert "consistent" in stouffer(middling, alpha=0.05).sentence


def test_caveats_and_repr():
    res = stouffer(ZANG2022_TABLE1)
    for word in ("Few variables", "Rounding", "Correlation", "Categorical"):
        assert word in res.caveats
    assert res.caveats == CAVEATS and "caveats" not in repr(res)
    assert repr(res).startswith("BalanceResult(k=9, statistic=-1.43")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(1e-6, 1 - 1e-6), min_size=1, max_size=30))
def test_tails_mirror(pvalues):
    res = stouffer(pvalues)
    assert res.p_dissimilar + res.p_similar == pytest.approx(1, abs=1e-12)
    assert res.pvalue == pytest.approx(min(1, 2 * min(res.p_dissimilar, res.p_similar)))
    mirrored = stouffer([1 - p for p in pvalues])  # too alike <-> too different
    assert mirrored.statistic == pytest.approx(-res.statistic, abs=1e-6)
    assert mirrored.p_similar == pytest.approx(res.p_dissimilar, abs=1e-6)


@pytest.mark.parametrize(
    ("pvalues", "message"),
    [
        ([], "non-empty"),
        ([0.5, 1.0], "strictly between 0 and 1"),
        ([0.0, 0.5], "strictly between 0 and 1"),
        ([math.nan], "strictly between 0 and 1"),
        ([1.2], "strictly between 0 and 1"),
        (["NS"], "pvalues must be numbers"),
        ([[0.2, 0.3]], "non-empty list of numbers"),
    ],
)
def test_bad_input(pvalues, message):
    with pytest.raises(ValueError, match=message):
        stouffer(pvalues)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, math.inf])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha must be strictly between 0 and 1"):
        stouffer([0.5], alpha=alpha)
