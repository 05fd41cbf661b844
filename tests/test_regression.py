"""lu2021's regression claims (reanalysis.regression): odds ratio against risk ratio, events per
variable, regression to the mean.

Expected values from R (tests/reference/additions_reference.csv, from additions_reference.R): the risk
and odds ratio of the printed counts 11/27 vs 3/26, Zhang & Yu's conversion of the printed OR 4.38 at
the control rate 3/26, and the EPV of each model; the conversion's textbook value (OR 2 at P0 = 0.5 is
RR 4/3) is worked by hand.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reanalysis import regression
from reanalysis.data import load
from reanalysis.sensitivity import COLUMNS

REFERENCE = Path(__file__).parent / "reference" / "additions_reference.csv"
R = {(r["case"], r["quantity"]): float(r["value"]) for r in csv.DictReader(REFERENCE.open(encoding="utf-8"))}


@pytest.fixture(scope="module")
def lu():
    return load("lu2021")


def test_or_to_rr_by_hand_and_limits():
    assert regression.or_to_rr(2.0, 0.5) == pytest.approx(4 / 3)  # 2 / (1 - 0.5 + 1)
    assert regression.or_to_rr(3.0, 0.0) == 3.0  # a rare outcome: the OR is the RR
    assert regression.or_to_rr(1.0, 0.4) == 1.0
    for bad in ((0, 0.1), (-1, 0.1), (float("inf"), 0.1), (2, 1.0), (2, -0.1)):
        with pytest.raises(ValueError):
            regression.or_to_rr(*bad)


def test_or_to_rr_against_r():
    case = "lu2021 OR 4.38 at P0 = 3/26"
    assert regression.or_to_rr(4.38, 3 / 26) == pytest.approx(R[(case, "rr_from_or")], rel=1e-12)


def test_events_per_variable_takes_the_rarer_outcome():
    assert regression.events_per_variable(14, 53, 3) == pytest.approx(R[("lu2021 whole-population model", "epv")])
    assert regression.events_per_variable(11, 27, 7) == pytest.approx(R[("lu2021 MSC-group model", "epv")])
    assert regression.events_per_variable(40, 50, 2) == 5.0  # 10 non-events are the rarer outcome
    with pytest.raises(ValueError):
        regression.events_per_variable(3, 2, 1)


def test_odds_against_risk_for_lu2021_against_r(lu):
    t = regression.odds_against_risk(lu).set_index("analysis")
    counts = "lu2021 remission 11/27 vs 3/26"
    assert t.loc["odds ratio as printed", "estimate"] == 4.38
    assert t.loc["risk ratio of the printed counts", "estimate"] == pytest.approx(R[(counts, "risk_ratio")], rel=1e-12)
    assert t.loc["odds ratio of the printed counts", "estimate"] == pytest.approx(R[(counts, "odds_ratio")], rel=1e-12)
    implied = t.loc["risk ratio implied by the printed odds ratio (Zhang & Yu 1998)"]
    case = "lu2021 OR 4.38 at P0 = 3/26"
    assert implied.estimate == pytest.approx(R[(case, "rr_from_or")], rel=1e-12)
    assert implied.ci_low == pytest.approx(R[(case, "rr_from_or_low")], rel=1e-12)
    assert implied.ci_high == pytest.approx(R[(case, "rr_from_or_high")], rel=1e-12)


def test_four_times_more_likely_is_not_what_the_odds_ratio_means(lu):
    text = regression.odds_sentence(lu).plain
    assert "3.15" in text and "3.53" in text and "overstates" in text
    t = regression.odds_against_risk(lu).set_index("analysis")
    assert t.loc["risk ratio implied by the printed odds ratio (Zhang & Yu 1998)", "estimate"] < 4


def test_epv_of_each_model_is_flagged_below_ten(lu):
    t = regression.epv(lu)
    assert list(t.columns) == COLUMNS and len(t) == len(lu.meta["models"]) == 2
    assert t["estimate"].tolist() == pytest.approx(
        [R[("lu2021 whole-population model", "epv")], R[("lu2021 MSC-group model", "epv")]]
    )
    assert t["setting"].str.contains("below 10").all()
    # the whole-population model names only three of its variables: its EPV is an upper bound
    assert "at most" in t["setting"].iloc[0] and t["ci_high"].iloc[0] == t["estimate"].iloc[0]
    assert "at most" not in t["setting"].iloc[1]
    assert "A logistic regression analysis was applied" in regression.epv_sentence(lu).plain


def test_regression_to_the_mean_uses_the_printed_numbers(lu):
    text = regression.regression_to_the_mean(lu).plain
    for fragment in ("3 of 26", "6 of 26", "28%", "OR 0.99", "0.982", "regression to the mean"):
        assert fragment in text, fragment


def test_regression_to_the_mean_needs_its_rows():
    with pytest.raises(ValueError, match="written for lu2021"):
        regression.regression_to_the_mean(load("zang2022"))


def test_regression_rows_are_sensitivity_rows_and_empty_without_models(lu):
    rows = regression.regression_rows(lu)
    assert list(rows.columns) == COLUMNS and len(rows) == 6
    assert regression.regression_rows(load("zang2022")).empty  # no odds ratio, no model
