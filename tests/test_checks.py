"""Tests for ``reanalysis.checks``.

Reference values come from published worked examples, each cited next to it:

- [scrutiny-tests] R package scrutiny (Jung), tests/testthat/test-grim.R and test-debit.R
  (github.com/lhdjung/scrutiny).
- [scrutiny-grim], [scrutiny-grimmer], [scrutiny-debit]: scrutiny's vignettes ``grim``,
  ``grimmer`` and ``debit`` (rendered output, articles/*.md), and its ``pigs3`` data set.
- [rsprite2-tests] R package rsprite2 (Wallrich), tests/testthat/test-core-and-plot-functions.R.
- [GRIM-paper] Brown & Heathers (2017), as quoted in The Economist, "Come again",
  18 June 2016, and Wikipedia's "GRIM test" article (die example; 1.125 -> 1.12 or 1.13).

The trial cases (zang2022, lu2021) are checked against arithmetic stated in the comments,
not against this module's output.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reanalysis.checks import (
    change_consistency,
    debit,
    grim,
    grimmer,
    percent_change_consistency,
    percent_counts,
    percent_denominators,
    ratio_consistency,
)
from reanalysis.printed import parse


def _print(x: Fraction | Decimal, decimals: int, mode: str = ROUND_HALF_UP) -> str:
    """``x`` printed at ``decimals`` places, rounded by the decimal module (independent of checks.py)."""
    with localcontext() as ctx:
        ctx.prec = 60
        d = x if isinstance(x, Decimal) else Decimal(x.numerator) / Decimal(x.denominator)
        return str(d.quantize(Decimal(1).scaleb(-decimals), rounding=mode))


def _sd(values: list[int], scale: int = 1, population: bool = False) -> Decimal:
    """Exact SD (to 60 digits) of ``values / scale``."""
    n = len(values)
    mean = Fraction(sum(values), n * scale)
    ss = sum((Fraction(v, scale) - mean) ** 2 for v in values)
    var = ss / (n if population else n - 1)
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()


# --------------------------------------------------------------------------- GRIM


@pytest.mark.parametrize(
    "mean, n, items, expected",
    [
        # [rsprite2-tests]: GRIM_test(5.19, 28) is FALSE; GRIM_test(5.18, 14, n_items = 2) is TRUE.
        ("5.19", 28, 1, False),
        ("5.18", 14, 2, True),
        # [scrutiny-grim]: grim(x = "5.27", n = 43) is FALSE.
        ("5.27", 43, 1, False),
        # [scrutiny-grim] flying_pigs1, n = 28: 8.97 F, 2.61 T, 7.26 F, 3.64 T, 9.26 F, 10.46 T, 7.39 T.
        ("8.97", 28, 1, False),
        ("2.61", 28, 1, True),
        ("7.26", 28, 1, False),
        ("3.64", 28, 1, True),
        ("9.26", 28, 1, False),
        ("10.46", 28, 1, True),
        ("7.39", 28, 1, True),
        # [scrutiny-grim] jpap_1, n = 40: 5.90 T, 5.71 F, 3.50 T, 3.82 T, 4.61 F, 5.24 F ...
        ("5.90", 40, 1, True),
        ("5.71", 40, 1, False),
        ("3.50", 40, 1, True),
        ("3.82", 40, 1, True),
        ("4.61", 40, 1, False),
        ("5.24", 40, 1, False),
        # ... and all TRUE with items = 3.
        ("5.71", 40, 3, True),
        ("4.61", 40, 3, True),
        ("5.24", 40, 3, True),
        # [scrutiny-grim] jpap_2, n = 30: 6.92 F, 3.48 F (1 item); 1.59 F, 2.61 F (2); 4.04 T, 4.50 T (3).
        ("6.92", 30, 1, False),
        ("3.48", 30, 1, False),
        ("1.59", 30, 2, False),
        ("2.61", 30, 2, False),
        ("4.04", 30, 3, True),
        ("4.50", 30, 3, True),
        # [GRIM-paper] 49 participants, mean 5.93: 5.93 * 49 = 290.57 is no whole number; impossible.
        ("5.93", 49, 1, False),
        # [GRIM-paper] a die rolled 20 times cannot average 3.48 (means over 20 end in 0 or 5).
        ("3.48", 20, 1, False),
        # [GRIM-paper] "a mean of 1.125 may be reported as 1.12 or 1.13": 9/8 = 1.125 exactly.
        ("1.12", 8, 1, True),
        ("1.13", 8, 1, True),
    ],
)
def test_grim_published_examples(mean, n, items, expected):
    assert grim(mean, n, items).consistent is expected


def test_grim_sequences_from_scrutiny_tests():
    # [scrutiny-tests] test-grim.R, "Correct values are returned (basic)": 5.19..5.30 with n = 28.
    seq = [f"{5.19 + i / 100:.2f}" for i in range(12)]
    assert [grim(x, 28).consistent for x in seq] == [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]
    # [scrutiny-tests] "(`items` argument)": 0.150..0.159, n = 120, items = 3.
    seq = [f"{0.150 + i / 1000:.3f}" for i in range(10)]
    assert [grim(x, 120, items=3).consistent for x in seq] == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    # [scrutiny-tests] 0.80..0.89, n = 28, items = 2 (0.87 and 0.88 both fit 49/56 = 0.875).
    seq = [f"{0.80 + i / 100:.2f}" for i in range(10)]
    assert [grim(x, 28, items=2).consistent for x in seq] == [1, 0, 1, 0, 1, 0, 1, 1, 1, 1]


def test_grim_result_fields():
    r = grim("5.19", 28)
    # 145/28 = 5.1786 and 146/28 = 5.2143: the nearest possible mean prints 5.18.
    assert (r.consistent, r.nearest_mean, list(r.sums), r.testable) == (False, "5.18", [], True)
    assert "5.19" in r.explanation and "145/28" in r.explanation
    assert list(grim("5.21", 28).sums) == [146]
    # n = 100 >= 10**1: every one-decimal mean is possible, and the result says so.
    assert grim("3.5", 100).testable is False
    # Negative means of whole numbers: -7/4 = -1.75.
    assert grim("-1.75", 4).consistent and not grim("-1.74", 4).consistent
    assert "GrimResult(consistent=False" in repr(r)


# --------------------------------------------------------------------------- percentages


@pytest.mark.parametrize(
    "percent, n, expected",
    [
        # [scrutiny-grim] jpap_3, grim_map(percent = TRUE): 32.5/438 F, 35.6/455 T, 21.7/501 F, 39.3/516 T.
        ("32.5", 438, False),
        ("35.6", 455, True),
        ("21.7", 501, False),
        ("39.3", 516, True),
        # [scrutiny-tests] vec5: whole percents 6..16 with n = 50 fit only when even (k/50 = 2k %).
        *[(str(p), 50, p % 2 == 0) for p in range(6, 17)],
    ],
)
def test_percent_counts_published_examples(percent, n, expected):
    assert percent_counts(percent, n).consistent is expected


def test_percent_counts_trial_cases():
    # zang2022 Table 1 prints 4.55, 68.18 and 2.27 for an arm said to have 46 patients.
    # 2/44 = 4.5454...% -> 4.55; 30/44 = 68.1818...% -> 68.18; 1/44 = 2.2727...% -> 2.27.
    assert list(percent_counts("4.55", 44).counts) == [2]
    assert list(percent_counts("68.18", 44).counts) == [30]
    assert list(percent_counts("2.27", 44).counts) == [1]
    # With 46: 2/46 = 4.3478%, 31/46 = 67.39% and 32/46 = 69.57%, 1/46 = 2.1739%: none fits.
    r = percent_counts("4.55", 46)
    assert not r.consistent and r.nearest == 2 and r.nearest_percent == "4.35"
    assert not percent_counts("68.18", 46).consistent
    assert not percent_counts("2.27", 46).consistent
    # zang2022: 28/45 = 62.222...% -> 62.22; lu2021: 11/27 = 40.74% -> 40.7, 3/26 = 11.54% -> 11.5.
    assert list(percent_counts("62.22%", 45).counts) == [28]
    assert list(percent_counts("40.7", 27).counts) == [11]
    assert list(percent_counts("11.5", 26).counts) == [3]


def test_percent_counts_exact_at_the_half():
    # 29/200 = 14.5% exactly, which may print as 14 or 15; in floats 29 / 200 * 100 = 14.499999999999998.
    assert 29 in percent_counts("14", 200).counts
    # 15% of 200: 29/200 = 14.5, 30/200 = 15, 31/200 = 15.5 all print as 15 (ends included).
    assert list(percent_counts("15", 200).counts) == [29, 30, 31]
    # 1/8 = 12.5% prints as 12 or 13.
    assert percent_counts("12", 8).consistent and percent_counts("13", 8).consistent
    # 0% and 100% are the ends.
    assert list(percent_counts("0.0", 30).counts) == [0] and list(percent_counts("100", 7).counts) == [7]


def test_percent_denominators_find_the_analysed_population():
    # 2/n prints 4.55 only if 200/4.555 = 43.91 <= n <= 200/4.545 = 44.004, i.e. n = 44.
    r = percent_denominators("4.55", 2, range(40, 61))
    assert r.consistent and r.fits == ((44, 2),) and r.denominators == (44,)
    # 30/n prints 68.18 only for 3000/68.185 = 43.998 <= n <= 3000/68.175 = 44.005.
    assert percent_denominators("68.18", 30, range(40, 61)).denominators == (44,)
    # 1/n prints 2.27 only for 100/2.275 = 43.96 <= n <= 100/2.265 = 44.15.
    assert percent_denominators("2.27", 1, range(40, 61)).denominators == (44,)
    # None of them fits n = 46 with any count (see test_percent_counts_trial_cases).
    for percent in ("4.55", "68.18", "2.27"):
        r = percent_denominators(percent, None, range(46, 47))
        assert not r.consistent and r.fits == () and "46" in r.explanation


# --------------------------------------------------------------------------- GRIMMER


@pytest.mark.parametrize(
    "mean, sd, n, expected",
    [
        # [rsprite2-tests]: GRIMMER_test(5.21, 1.6, 28) TRUE, GRIMMER_test(3.44, 2.47, 18) FALSE.
        ("5.21", "1.6", 28, True),
        ("3.44", "2.47", 18, False),
        # [scrutiny-grimmer]: grimmer(x = "7.3", sd = "2.51", n = 12) is FALSE.
        ("7.3", "2.51", 12, False),
        # [scrutiny-grimmer] flying_pigs1, n = 25: 7.2/2.89, 3.6/3.11, 9.2/7.13, 10.4/2.53, 7.3/3.14 TRUE ...
        ("7.2", "2.89", 25, True),
        ("3.6", "3.11", 25, True),
        ("9.2", "7.13", 25, True),
        ("10.4", "2.53", 25, True),
        ("7.3", "3.14", 25, True),
        # ... and 2.6/2.05 FALSE (test 3, parity).
        ("2.6", "2.05", 25, False),
        # [scrutiny-grimmer] flying_pigs2, n = 40, one item: 5.90/2.19, 3.50/1.81, 3.82/2.43 TRUE; 5.71/1.42 GRIM-fails.
        ("5.90", "2.19", 40, True),
        ("3.50", "1.81", 40, True),
        ("3.82", "2.43", 40, True),
        ("5.71", "1.42", 40, False),
    ],
)
def test_grimmer_published_examples(mean, sd, n, expected):
    assert grimmer(mean, sd, n).consistent is expected


def test_grimmer_reasons_by_hand():
    # 3.44 with n = 18: total 62 (61.83..62.01). SD 2.47 -> Q in [17 * 2.465^2 + 62^2/18, 17 * 2.475^2 + 62^2/18]
    # = [316.85, 317.69], so Q = 317, which is odd while the total is even: a parity failure.
    r = grimmer("3.44", "2.47", 18)
    assert (r.consistent, r.grim, r.reason) == (False, True, "parity")
    # 5.19 with n = 28 fails GRIM before any SD is looked at.
    assert grimmer("5.19", "1.00", 28).reason == "grim"
    # 5.5 with n = 2 and SD 0.00: the total 11 needs two different whole numbers (5 and 6, SD 0.71).
    assert grimmer("5.5", "0.00", 2).consistent is False
    assert grimmer("5.5", "0.71", 2).consistent is True


def test_grimmer_tries_every_total_that_passes_grim():
    # [scrutiny-grimmer] reports 8.9 / 2.81 / n = 25 as FALSE (test 3) and itself warns that its test 3
    # "can flag consistent values as inconsistent" (scrutiny issue #80). By hand: 8.9 fits totals 222
    # and 223 (8.88 and 8.92). With 223: Q in [24 * 2.805^2 + 223^2/25, 24 * 2.815^2 + 223^2/25]
    # = [2177.99, 2179.34]; Q = 2179 is odd like 223, giving SD sqrt((2179 - 1989.16)/24) = 2.8125 -> 2.81.
    r = grimmer("8.9", "2.81", 25)
    assert r.consistent and "223" in r.explanation
    # A tie: 161/40 = 4.025 exactly prints as 4.02 (or 4.03); Allard's float-based aGrimmer calls it GRIM-
    # inconsistent. With S = 161: Q in [39 * 2.175^2 + 161^2/40, 39 * 2.185^2 + 161^2/40] = [832.52, 834.22];
    # Q = 833 is odd like 161, SD sqrt((833 - 648.025)/39) = 2.1778 -> 2.18.
    assert grimmer("4.02", "2.18", 40).consistent


def test_grimmer_rejects_an_sd_below_the_least_spread():
    # 5.66 with n = 53: total 300 (299.7..300.3). Whole numbers summing to 300 over 53 are at least
    # 18 fives and 35 sixes, Q >= 18 * 25 + 35 * 36 = 1710, so SD >= sqrt((1710 - 300^2/53)/52) = 0.478,
    # while "0.44" allows at most 0.445. (Allard's aGrimmer, which lacks this bound, passes it.)
    r = grimmer("5.66", "0.44", 53)
    assert (r.consistent, r.reason) == (False, "spread")
    assert grimmer("5.66", "0.48", 53).consistent


# --------------------------------------------------------------------------- DEBIT


PIGS3 = [  # [scrutiny-debit] pigs3 (n = 1683) with debit_map()'s consistency column.
    ("0.53", "0.50", True),
    ("0.44", "0.50", True),
    ("0.77", "0.42", True),
    ("0.19", "0.35", False),
    ("0.34", "0.47", True),
    ("0.93", "0.25", True),
    ("0.12", "0.33", True),
]


@pytest.mark.parametrize("mean, sd, expected", PIGS3)
def test_debit_pigs3(mean, sd, expected):
    assert debit(mean, sd, 1683).consistent is expected


@pytest.mark.parametrize(
    "mean, sd, n, exact, expected",
    [
        # [scrutiny-debit]: debit(x = "0.35", sd = "0.18", n = 20) is FALSE.
        ("0.35", "0.18", 20, False, False),
        # [scrutiny-tests] "DEBIT accepts real binary data with a mean reported as 0.50".
        ("0.50", "0.503", 100, False, True),
        # [scrutiny-tests] "`formula = "mean_n"` accepts SDs no binary sample has": 0.05 / 0.21 / 20 is
        # TRUE by the interval (mean_n) formula, FALSE by "exact"; 0.05 / 0.22 / 20 is TRUE.
        ("0.05", "0.21", 20, False, True),
        ("0.05", "0.21", 20, True, False),
        ("0.05", "0.22", 20, True, True),
        # [scrutiny-tests] "DEBIT decides means of exactly 0 and 1" and "still rejects impossible SDs".
        ("0.00", "0.00", 50, False, True),
        ("1.00", "0.00", 50, False, True),
        ("0.000", "0.000", 5, False, True),
        ("1.000", "0.000", 5, False, True),
        ("0.00", "0.50", 50, False, False),
        ("1.00", "0.50", 50, False, False),
    ],
)
def test_debit_published_examples(mean, sd, n, exact, expected):
    assert debit(mean, sd, n, exact=exact).consistent is expected


def test_debit_population_variant_by_hand():
    # 1 of 2: sample SD sqrt(0.25 * 2/1) = 0.7071 -> "0.71"; population SD sqrt(0.25) = 0.5 -> "0.50".
    assert debit("0.50", "0.71", 2).consistent and not debit("0.50", "0.50", 2).consistent
    assert debit("0.50", "0.50", 2, population=True).consistent
    r = debit("0.35", "0.18", 20)
    # p in [0.345, 0.355]: SD from sqrt(20/19 * 0.345 * 0.655) = 0.4877 to sqrt(20/19 * 0.355 * 0.645) = 0.4909.
    assert r.sd_range == pytest.approx((0.48772, 0.49094), abs=1e-5)


# --------------------------------------------------------------------------- changes and ratios


def test_change_consistency_by_hand():
    # 6.80 - 7.49: [6.795 - 7.495, 6.805 - 7.485] = [-0.700, -0.680], which -0.69 meets ...
    r = change_consistency("7.49", "6.80", "-0.69")
    assert r.consistent and r.implied == pytest.approx((-0.70, -0.68))
    # ... and -0.72 ([-0.725, -0.715]) does not; +0.69 fits only as before - after.
    assert not change_consistency("7.49", "6.80", "-0.72").consistent
    r = change_consistency("7.49", "6.80", "0.69")
    assert not r.consistent and r.other_reading
    # Touching ends count: 1.0 - 1.42 has lower end 0.95 - 1.425 = -0.475, the upper end of -0.48.
    # (In floats 0.95 - 1.425 = -0.47499999999999987, which would miss it.)
    assert change_consistency("1.42", "1.0", "-0.48").consistent


def test_percent_change_consistency_by_hand():
    # 10.0 -> 8.0: 100 * (8.0/10.0 - 1) ranges over [100 * (7.95/10.05 - 1), 100 * (8.05/9.95 - 1)]
    # = [-20.90, -19.10]; -20 ([-20.5, -19.5]) fits, -25 does not, +20 fits only with the sign reversed.
    assert percent_change_consistency("10.0", "8.0", "-20").consistent
    assert not percent_change_consistency("10.0", "8.0", "-25").consistent
    assert percent_change_consistency("10.0", "8.0", "20").other_reading


def test_ratio_consistency_lu2021():
    # lu2021: remission 40.7% (11/27) vs 11.5% (3/26), "nearly 2.5 times higher".
    # 40.7 / 11.5 ranges over [40.65 / 11.55, 40.75 / 11.45] = [3.519, 3.559]: not 2.5 ([2.45, 2.55]);
    # read as an increase, 40.7 / 11.5 - 1 is in [2.519, 2.559], which meets [2.45, 2.55].
    r = ratio_consistency("40.7", "11.5", "2.5")
    assert not r.consistent and r.other_reading
    assert r.implied == pytest.approx((3.5195, 3.5590), abs=1e-4)
    assert ratio_consistency("40.7", "11.5", "3.5").consistent


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call",
    [
        lambda: percent_counts("101", 10),
        lambda: percent_counts("-1", 10),
        lambda: percent_counts("abc", 10),
        lambda: percent_counts(4.55, 44),  # a float has lost its printed precision
        lambda: percent_counts("4.55", 0),
        lambda: percent_counts("4.55", True),
        lambda: percent_counts("p < 0.05", 10),
        lambda: percent_denominators("4.55", 2, range(0, 5)),
        lambda: percent_denominators("4.55", -1, range(1, 5)),
        lambda: percent_denominators("120", None, range(0)),
        lambda: grim("5.19", 0),
        lambda: grim("5.19", 28, items=0),
        lambda: grim("five", 28),
        lambda: grimmer("5.21", "-1.6", 28),
        lambda: grimmer("5.21", "1.6", 1),
        lambda: debit("1.5", "0.5", 100),
        lambda: debit("0.5", "-0.5", 100),
        lambda: debit("0.5", "0.5", 1),
        lambda: change_consistency("1.0", "2.0", "< 0.05"),
        lambda: ratio_consistency("40.7", "0.0", "2.5"),
        lambda: percent_change_consistency("0.0", "2.0", "10"),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_printed_objects_are_accepted():
    assert grim(parse("5.21"), 28).consistent
    assert percent_counts(parse("62.22%"), 45).consistent


# --------------------------------------------------------------------------- properties

ROUNDINGS = st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN])


@given(st.lists(st.integers(-20, 60), min_size=1, max_size=80), st.integers(1, 3), st.integers(0, 3), ROUNDINGS)
def test_grim_passes_real_data(values, items, decimals, mode):
    # Each score is a whole number of item points over ``items``; the mean is sum / (n * items).
    n = len(values)
    mean = _print(Fraction(sum(values), n * items), decimals, mode)
    r = grim(mean, n, items)
    assert r.consistent and sum(values) in r.sums


@given(st.integers(1, 2000), st.data(), st.integers(0, 3), ROUNDINGS)
def test_percent_counts_passes_real_counts(n, data, decimals, mode):
    k = data.draw(st.integers(0, n))
    percent = _print(Fraction(100 * k, n), decimals, mode)
    assert k in percent_counts(percent, n).counts
    assert (n, k) in percent_denominators(percent, k, range(n, n + 1)).fits


@given(st.lists(st.integers(1, 7), min_size=2, max_size=40), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3))
def test_grimmer_passes_real_data(values, items, d_mean, d_sd):
    n = len(values)
    mean = _print(Fraction(sum(values), n * items), d_mean)
    sd = _print(_sd(values, items), d_sd)
    assert grimmer(mean, sd, n, items).consistent


@given(st.integers(2, 500), st.data(), st.integers(1, 3), st.booleans())
def test_debit_passes_real_binary_data(n, data, decimals, population):
    k = data.draw(st.integers(0, n))
    values = [1] * k + [0] * (n - k)
    mean = _print(Fraction(k, n), decimals)
    sd = _print(_sd(values, population=population), decimals)
    assert debit(mean, sd, n, population=population).consistent
    assert debit(mean, sd, n, population=population, exact=True).consistent


@given(st.lists(st.integers(0, 10), min_size=1, max_size=300), st.integers(1, 4))
def test_fewer_decimals_never_fail_real_data(values, decimals):
    # Printing the same true mean, or the same true percentage, with fewer decimals keeps it possible.
    n, mean = len(values), Fraction(sum(values), len(values))
    k = sum(v > 5 for v in values)
    assert all(grim(_print(mean, d), n).consistent for d in range(decimals + 1))
    assert all(percent_counts(_print(Fraction(100 * k, n), d), n).consistent for d in range(decimals + 1))


@given(st.integers(1, 300), st.integers(0, 10**4), st.integers(1, 3), st.integers(-4, 4))
def test_widening_the_interval_never_turns_a_pass_into_a_fail(n, units, decimals, step):
    # A printed value whose rounding interval lies inside a coarser one: with c printed at d - 1
    # decimals and v = c + step * 10^-d, |step| <= 4, the interval [v - 0.5 * 10^-d, v + 0.5 * 10^-d]
    # lies inside [c - 5 * 10^-d, c + 5 * 10^-d]. A pass of the narrower must imply a pass of the wider.
    coarse = Fraction(units, 10 ** (decimals - 1))
    fine = coarse + Fraction(step, 10**decimals)
    if grim(_print(fine, decimals), n).consistent:
        assert grim(_print(coarse, decimals - 1), n).consistent
    coarse = Fraction(units % (100 * 10 ** (decimals - 1) + 1), 10 ** (decimals - 1))  # a percentage
    fine = coarse + Fraction(step, 10**decimals)
    if 0 <= fine <= 100 and percent_counts(_print(fine, decimals), n).consistent:
        assert percent_counts(_print(coarse, decimals - 1), n).consistent
