"""Hostile input for the numerical functions (issue 15): huge n, zero and all events, bad types, NaN and
inf, levels outside (0, 1), counts above n. Each case gives a clear ValueError naming the bad argument,
or a correct result: from R (tests/reference/hardening_reference.csv, checked in test_inference.py),
from exact integer arithmetic here, or from a defining property. Nothing is a copy of our own output.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import pytest

import reanalysis
from reanalysis import checks, closedform
from reanalysis.fragility import fragility_index
from reanalysis.inference import (
    EXACT_UNCONDITIONAL_MAX_N,
    TableTooLarge,
    power_two_means,
    power_two_proportions,
    proportion_difference_ci,
    ratio_ci,
    sample_size_two_means,
    two_by_two,
)

NAN, INF = math.nan, math.inf


# ----------------------------------------------------------------------------- clear errors
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: two_by_two(True, 10, 2, 10), ValueError, r"events1 must be a whole number, got True"),
        (lambda: two_by_two("3", 10, 2, 10), ValueError, r"events1 must be a whole number, got '3'"),
        (lambda: two_by_two(NAN, 10, 2, 10), ValueError, r"events1 must be a whole number, got nan"),
        (lambda: two_by_two(2, INF, 2, 10), ValueError, r"n1 must be a whole number, got inf"),
        (lambda: two_by_two(2, 10, 2.5, 10), ValueError, r"events2 must be a whole number, got 2.5"),
        (lambda: two_by_two(-1, 10, 2, 10), ValueError, r"events1 must be between 0 and n1 = 10, got -1"),
        (lambda: two_by_two(2, 10, 11, 10), ValueError, r"events2 must be between 0 and n2 = 10, got 11"),
        (lambda: two_by_two(2, 0, 1, 10), ValueError, r"n1 must be at least 1"),
        (lambda: two_by_two(1, 10**20, 2, 10**20, "fisher"), ValueError, r"n1 must be at most 2\*\*53"),
        (lambda: two_by_two(1, 10**9, 2, 10**9, "barnard"), TableTooLarge, r"Barnard's exact test not run: table"),
        (lambda: two_by_two(10**9, 10**9, 10**9, 10**9, "boschloo"), TableTooLarge, r"table too large"),
        (lambda: two_by_two(1, EXACT_UNCONDITIONAL_MAX_N + 1, 5, 20, "boschloo"), TableTooLarge, r"Boschloo"),
        (lambda: closedform.p_value(1, 10**6, 5, 10**6, "barnard"), TableTooLarge, r"limit \d+ per arm"),
        (lambda: closedform.p_value(5, 4, 1, 10, "fisher"), ValueError, r"events must lie between 0 and n"),
        (lambda: two_by_two(2**52, 2**53, 2**52, 2**53, "fisher"), TableTooLarge, r"Fisher's exact test not run"),
        (lambda: ratio_ci(1, 42, 54, 54, "rr", "score", level=1.5), ValueError, r"level must be strictly between"),
        (lambda: ratio_ci(1, 42, 54, 54, "rr", "score", level=NAN), ValueError, r"level must be strictly between"),
        (lambda: ratio_ci(1, 42, 54, 54, "rr", "score", level="0.95"), ValueError, r"level must be a number"),
        (lambda: ratio_ci(0, 42, 0, 54, "rr", "score"), ValueError, r"0/0"),
        (lambda: power_two_means(NAN, 1, 10), ValueError, r"diff must be a finite number"),
        (lambda: power_two_means(1, -1, 10), ValueError, r"sd must be a finite number > 0"),
        (lambda: power_two_means(1, 1, INF), ValueError, r"n1 must be at least 2"),
        (lambda: power_two_means(1, 1, 10, alpha=0), ValueError, r"alpha must be strictly between 0 and 1"),
        (lambda: power_two_means(1, 1, True), ValueError, r"n1 must be a number, got True"),
        (lambda: sample_size_two_means(1, 1, power=1.0), ValueError, r"power must be strictly between 0 and 1"),
        (lambda: sample_size_two_means(INF, 1), ValueError, r"diff must be a finite number"),
        (lambda: power_two_proportions(1.2, 0.5, 10), ValueError, r"p1 must be a proportion in \[0, 1\]"),
        (lambda: power_two_proportions(0.2, NAN, 10), ValueError, r"p2 must be a proportion in \[0, 1\]"),
        (lambda: proportion_difference_ci(1, 10, 2, 10, level=0), ValueError, r"level must be strictly between"),
        (lambda: fragility_index(True, 10, 2, 10), ValueError, r"events1 must be a whole number"),
        (lambda: fragility_index(1, 10, 8, 10, alpha=1.0), ValueError, r"alpha must be strictly between"),
        (lambda: fragility_index(1, 10**6, 50, 10**6, test="boschloo"), TableTooLarge, r"Boschloo's exact test"),
        (lambda: checks.percent_denominators("50", None, range(1, 2_000_000)), ValueError, r"MAX_DENOMINATORS"),
        (lambda: checks.percent_denominators("50", None, range(1, 10_000)), ValueError, r"MAX_FITS"),
        (lambda: checks.fitting_denominators("50", range(1, 2_000_000)), ValueError, r"at most 200,000 are tried"),
        (lambda: checks.percent_denominators("4.55", 2, range(0, 5)), ValueError, r"n_range must be a range"),
    ],
)
def test_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_table_too_large_is_a_value_error():
    # Callers that skip bad input with `except ValueError` skip an oversized table too.
    assert issubclass(TableTooLarge, ValueError)


# ----------------------------------------------------------------------------- correct results
def test_fisher_below_the_smallest_normal_float():
    # 0/520 v 520/520: the two extreme tables are the only ones as unlikely, P = 2 / C(1040, 520) = 6.9e-312,
    # exactly, in integer arithmetic. scipy's fisher_exact gives half of it.
    expected = 2 / math.comb(1040, 520)
    res = two_by_two(0, 520, 520, 520, "fisher")
    assert res.pvalue == pytest.approx(expected, rel=1e-4)  # a subnormal float keeps about 5 digits here
    exact_log10 = math.log10(2) - (math.lgamma(1041) - 2 * math.lgamma(521)) / math.log(10)
    assert res.detail["log10_pvalue"] == pytest.approx(exact_log10, rel=1e-12)


def test_fisher_at_a_million_per_arm_is_exact_not_a_memory_error():
    # 0/10^6 v 10^6/10^6: P = 2 / C(2 10^6, 10^6), far below any float; its log10 from lgamma.
    res = two_by_two(0, 10**6, 10**6, 10**6, "fisher")
    assert res.pvalue == 0.0
    expected = math.log10(2) - (math.lgamma(2 * 10**6 + 1) - 2 * math.lgamma(10**6 + 1)) / math.log(10)
    assert res.detail["log10_pvalue"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("table", [(0, 45, 0, 46), (45, 45, 46, 46), (0, 1, 0, 1)])
def test_degenerate_exact_odds_ratio_is_zero_as_r(table):
    # fisher.test(matrix(c(0, 45, 0, 46), 2)) gives estimate 0 and conf.int (0, Inf): one table is possible.
    ci = ratio_ci(*table, measure="or", method="exact")
    assert (ci.estimate, ci.low, ci.high) == (0.0, 0.0, INF)
    assert "degenerate" in ci.method


def test_power_with_a_huge_noncentrality_is_one_not_nan():
    # power.t.test(n = 144, delta = 1.187, sd = 0.597)$power is 1 (the CSV has it); 10^9 per arm too.
    assert power_two_means(1.187, 0.597, 144).power == pytest.approx(1.0, abs=1e-12)
    assert power_two_means(1, 1, 10**9).power == 1.0
    assert power_two_means(1, 1e-300, 10).power == 1.0
    assert power_two_means(1e-12, 1, 10).power == pytest.approx(0.05, abs=1e-9)  # no effect: power = alpha


def test_score_ratio_interval_with_huge_n_contains_its_estimate():
    ci = ratio_ci(1, 10**9, 2, 10**9, "rr", "score")
    assert 0 < ci.low < ci.estimate == 0.5 < ci.high < INF


@pytest.mark.parametrize(("e1", "e2"), [(0, 7), (7, 0), (10, 10), (0, 10)])
def test_score_ratio_interval_at_zero_and_all_events(e1, e2):
    ci = ratio_ci(e1, 10, e2, 10, "rr", "score")
    assert ci.low <= ci.estimate <= ci.high
    assert (ci.low == 0) == (e1 == 0) and (ci.high == INF) == (e2 == 0)


def test_numpy_integers_and_integral_floats_are_counts():
    expected = two_by_two(3, 10, 2, 10, "fisher").pvalue
    assert two_by_two(np.int64(3), np.int64(10), 2, 10, "fisher").pvalue == expected
    assert two_by_two(3.0, 10.0, 2, 10, "fisher").pvalue == expected


def test_percent_denominators_with_a_count_needs_no_enumeration():
    # 2 of n prints as 4.55% only for n = 44 (2/44 = 4.545...), in any range, however wide.
    start = time.perf_counter()
    assert checks.percent_denominators("4.55", 2, range(1, 10**12)).denominators == (44,)
    assert time.perf_counter() - start < 5  # generous: about 1e-4 s measured
    assert Fraction(2, 44) * 100 == Fraction(50, 11)


# ----------------------------------------------------------------------------- former hangs now finish
def test_fragility_index_of_a_million_per_arm_finishes():
    # Took 273 s, then about 3.5 s; now about 1.4 s CPU: each Fisher P sums a tail of a few thousand outcomes
    # (closedform.log_p_fisher; with equal arms the other tail is its mirror image).
    reanalysis.forget()  # from cold: no p kept from another test's tables
    start = time.perf_counter()
    res = fragility_index(100000, 10**6, 120000, 10**6)
    assert time.perf_counter() - start < 120
    assert res.kind == "fragility" and res.arm == 1 and res.step == 1
    # The index is where P first reaches alpha: the table before is still significant.
    assert closedform.p_value(100000 + res.index, 10**6, 120000, 10**6, "fisher") >= 0.05
    assert closedform.p_value(100000 + res.index - 1, 10**6, 120000, 10**6, "fisher") < 0.05


def test_barnard_and_boschloo_at_the_size_limit_finish():
    n = EXACT_UNCONDITIONAL_MAX_N
    for test in ("barnard", "boschloo"):
        start = time.perf_counter()
        p = two_by_two(n // 3, n, n // 2, n, test).pvalue
        assert time.perf_counter() - start < 30  # about 0.1 s (Barnard) and 0.2 s (Boschloo) measured
        assert 0 < p < 1e-6
