"""Registration against publication (reanalysis.registration) and Carlisle's baseline check with its
caveats (reanalysis.sensitivity.baseline_balance).

Expected values: spans of days counted by hand in the comments; Stouffer's Z and both tails from R's
qnorm / pnorm (tests/reference/additions_reference.csv, from tests/reference/additions_reference.R);
the registry fields from the stored record as read (data/<id>/registration.csv), never our output.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import pytest

from reanalysis import registration
from reanalysis.data import load
from reanalysis.sensitivity import COLUMNS, baseline_balance, baseline_balance_rows
from reanalysis.vocabulary import NOT_AVAILABLE, REGISTRATION_AGREEMENT, REGISTRATION_FIELDS, is_randomised

REFERENCE = Path(__file__).parent / "reference" / "additions_reference.csv"
R = {(r["case"], r["quantity"]): float(r["value"]) for r in csv.DictReader(REFERENCE.open(encoding="utf-8"))}


@pytest.fixture(scope="module")
def zang():
    return load("zang2022")


@pytest.fixture(scope="module")
def lu():
    return load("lu2021")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, first, last",
    [
        ("November 27, 2014 (first posted)", date(2014, 11, 27), date(2014, 11, 27)),
        ("January 2013 (actual study start date)", date(2013, 1, 1), date(2013, 1, 31)),
        ("February 2016", date(2016, 2, 1), date(2016, 2, 29)),  # a leap year
        ("2013", date(2013, 1, 1), date(2013, 12, 31)),
        ("2014-11", date(2014, 11, 1), date(2014, 11, 30)),
        ("April 15, 2021 (retrospectively registered)", date(2021, 4, 15), date(2021, 4, 15)),
    ],
)
def test_a_date_stands_for_the_days_its_precision_allows(text, first, last):
    d = registration.parse_date(text)
    assert (d.first, d.last) == (first, last)


def test_no_date_is_refused():
    with pytest.raises(ValueError, match="no date"):
        registration.parse_date("not available")


def test_months_between_partial_dates():
    # registered 2014-11-27; first enrolment "October 2015" = 2015-10-01 .. 2015-10-31.
    # 2014-11-27 -> 2015-10-01 is 308 days (30+31+31+28+31+30+31+30+31+31+4), -> 2015-10-31 is 338.
    low, high = registration.months_between(
        registration.parse_date("October 2015"), registration.parse_date("November 27, 2014")
    )
    assert low == pytest.approx(-338 / (365.25 / 12)) and high == pytest.approx(-308 / (365.25 / 12))


# --------------------------------------------------------------------------- the records


def test_every_field_is_named_once_and_every_agreement_is_from_the_vocabulary(zang, lu):
    for paper in (zang, lu):
        r = paper.registration
        assert r is not None and set(r["field"]) == set(REGISTRATION_FIELDS)
        assert set(r["agrees"]) <= set(REGISTRATION_AGREEMENT)


def test_lu2021_registry_record_is_not_filled_from_memory(lu):
    r = lu.registration
    assert (r["registry_value"] == "").all()
    assert r["registry_source"].str.startswith(NOT_AVAILABLE).all()
    assert (r["agrees"] == "not_available").all()
    assert "could not be read" in registration.summary(lu).plain


def test_lu2021_was_registered_years_after_its_first_enrolment_as_it_prints(lu):
    t = registration.timing(lu)
    span = t[t["analysis"].str.startswith("registration: months")]
    assert len(span) == 1  # only the paper's own dates: the registry was not read
    # April 15, 2021 against "2013": from 2013-12-31, 2,662 days (1 + 7 years of 365 with 2 leap days + 104),
    # to 2013-01-01, 3,026 days (8 years with 2 leap days + 104)
    row = span.iloc[0]
    assert row.ci_low == pytest.approx(2662 / (365.25 / 12)) and row.ci_high == pytest.approx(3026 / (365.25 / 12))
    assert "after" in registration.summary(lu).plain


def test_zang2022_record_against_the_paper(zang):
    r = zang.registration.set_index("field")
    # the stored record's values (first posted, start date, enrolment, dose) beside the paper's
    assert r.loc["registered", "registry_value"].startswith("November 27, 2014")
    assert r.loc["enrolment", "registry_value"].startswith("103") and r.loc["enrolment", "agrees"] == "no"
    assert r.loc["dose", "agrees"] == "no"
    assert r.loc["primary_outcome", "registry_value"] == ""  # not in the stored copy: not filled in
    assert r.loc["primary_outcome", "registry_source"].startswith(NOT_AVAILABLE)
    t = registration.timing(zang)
    span = t[t["analysis"].str.startswith("registration: months")].set_index("setting")
    before = span.loc[[s for s in span.index if s.endswith("(paper)")][0]]
    after = span.loc[[s for s in span.index if s.endswith("(registry)")][0]]
    assert before.ci_high < 0 < after.ci_low  # before the paper's first enrolment, after the registry's start
    # 2013-01-31 -> 2014-11-27 is 665 days; 2013-01-01 -> 2014-11-27 is 695
    assert after.ci_low == pytest.approx(665 / (365.25 / 12)) and after.ci_high == pytest.approx(695 / (365.25 / 12))
    counts = t[t["analysis"].str.startswith("registration: fields")].set_index("analysis")["estimate"]
    assert counts.sum() == len(REGISTRATION_FIELDS)
    assert list(t.columns) == COLUMNS


def test_record_table_shows_not_available_and_not_printed(zang, lu):
    assert (registration.record(lu)["registry"] == NOT_AVAILABLE).all()
    assert registration.record(zang).loc["registered", "paper"] == "not printed"


def test_summary_escapes_data(tmp_path):
    import shutil

    from reanalysis.data import data_root

    folder = tmp_path / "lu2021"
    shutil.copytree(data_root() / "lu2021", folder)
    path = folder / "registration.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("April 15, 2021 (retro", "April 15, 2021 <b>x</b> (retro"),
        encoding="utf-8",
    )
    text = registration.summary(load(folder)).text
    assert "<b>" not in text and "2021" in text


# --------------------------------------------------------------------------- baseline balance


def test_design_field_says_whether_randomised():
    assert is_randomised("single-centre, double-blind, randomised, placebo-controlled phase II trial") is True
    assert is_randomised("open-label, non-randomised, parallel controlled study; per-protocol analysis") is False
    assert is_randomised("nonrandomized, open-label") is False
    assert is_randomised("open parallel controlled clinical study") is None


def test_stratified_variables_are_left_out_against_r(zang):
    res = baseline_balance(zang)
    case = "zang2022 baseline, stratified variables left out"
    assert res.k == R[(case, "k")]  # fails on the old code, which combined all nine
    assert set(res.excluded) == set(zang.meta["stratified_on"]) == {"age", "bmi", "diabetes_duration", "hba1c"}
    assert res.statistic == pytest.approx(R[(case, "statistic")], rel=1e-12)
    assert res.p_dissimilar == pytest.approx(R[(case, "p_dissimilar")], rel=1e-12)
    assert res.p_similar == pytest.approx(R[(case, "p_similar")], rel=1e-12)
    assert "stratified" in res.sentence and "Carlisle 2017" in res.sentence and "not a verdict" in res.sentence


def test_with_the_stratified_variables_against_r(zang):
    res = baseline_balance(zang, leave_out_stratified=False)
    case = "zang2022 baseline, all nine continuous"
    assert res.k == R[(case, "k")] and res.excluded == ()
    assert res.p_similar == pytest.approx(R[(case, "p_similar")], rel=1e-12)


def test_balance_rows_for_sensitivity_csv(zang):
    rows = baseline_balance_rows(zang)
    assert list(rows.columns) == COLUMNS and len(rows) == 4
    left_out = rows[rows["setting"].str.startswith("stratified variables left out")]
    case = "zang2022 baseline, stratified variables left out"
    assert sorted(left_out["p"]) == pytest.approx(sorted([R[(case, "p_dissimilar")], R[(case, "p_similar")]]))


def test_check_does_not_apply_to_a_non_randomised_design(lu):
    res = baseline_balance(lu)
    assert res.applies is False and res.k == 0 and math.isnan(res.p_dissimilar)
    assert "not randomised" in res.sentence and "does not apply" in res.sentence
    rows = baseline_balance_rows(lu)
    assert len(rows) == 1 and rows["setting"].iloc[0].startswith("does not apply")
