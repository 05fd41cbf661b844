"""Tests for reanalysis.fragility.

Expected values come from published worked examples (cited where used) and from R
(tests/reference/sensitivity_reference.csv, written by tests/reference/sensitivity_reference.R: a plain
loop over fisher.test / chisq.test, one move at a time). None is a copy of our own output.
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

from reanalysis import fragility as frag
from reanalysis.closedform import p_value
from reanalysis.fragility import FragilityResult, fragility_index, fragility_vs_loss
from reanalysis.inference import two_by_two

REFERENCE = Path(__file__).parent / "reference" / "sensitivity_reference.csv"
ROWS = [r for r in csv.DictReader(REFERENCE.open(newline="", encoding="utf-8")) if r["function"] == "fragility_index"]


def _fisher(e1, n1, e2, n2):
    return stats.fisher_exact([[e1, n1 - e1], [e2, n2 - e2]]).pvalue


# ----------------------------------------------------------------------------- against R
@pytest.mark.parametrize("row", ROWS, ids=[f"{r['quantity']}-{r['case']}-{r['args']}" for r in ROWS])
def test_matches_r_loop(row):
    res = fragility_index(**json.loads(row["args"]))
    name, _, i = row["quantity"].partition(".")
    got = getattr(res, name) if not i else getattr(res, name)[int(i)]
    if row["value"] in ("", "NA"):
        assert got is None
    else:
        assert got == pytest.approx(float(row["value"]), rel=float(row["rtol"]), abs=1e-12), row["r_source"]


def test_reference_has_large_indices_that_use_the_search():
    indices = [r["value"] for r in ROWS if r["quantity"] == "index"]
    assert sum(v.isdigit() and int(v) > frag._SCAN for v in indices) >= 4
    assert "NA" in indices  # and a table too small to become significant


# ----------------------------------------------------------------------------- published examples
def test_walsh_2014_illustration():
    # Walsh et al. 2014 (J Clin Epidemiol 67:622), Figure 1 as described in secondary sources: 1 v 9 events
    # of 100 per arm, Fisher P = 0.02; one more event in the arm with fewer events gives P = 0.06: index 1.
    res = fragility_index(1, 100, 9, 100)
    assert round(res.original_pvalue, 2) == 0.02 and round(res.pvalue, 2) == 0.06
    assert (res.index, res.table, res.kind) == (1, (2, 100, 9, 100), "fragility")
    assert res.quotient == pytest.approx(1 / 200)


def test_fragilityindex_readme():
    # R package fragilityindex (K. Johnson), README: 15/40 v 6/40 has fisher.test P 0.04060921, and
    # 15/40 v 7/40 has 0.07836101, so the index is 1; its help example fragility.index(15, 5, 40, 40)
    # starts one event lower, so it takes two.
    res = fragility_index(15, 40, 6, 40)
    assert res.original_pvalue == pytest.approx(0.04060921, abs=5e-9)
    assert res.pvalue == pytest.approx(0.07836101, abs=5e-9)
    assert (res.index, res.direction) == (1, "events added to arm 2")
    assert fragility_index(15, 40, 5, 40).index == 2


def test_fragilitytools_readme_needs_the_fastest_rule():
    # R package FragilityTools (B. Baer), README: treatment 40 events / 20 non-events, control 100 / 110,
    # Fisher P = 0.0124; bin.fi returns 37/60 (3 treatment events fewer) with P = 0.0585605: index 3.
    res = fragility_index(40, 60, 100, 210, rule="fastest")
    assert round(res.original_pvalue, 4) == 0.0124
    assert (res.index, res.table, res.arm, res.step) == (3, (37, 60, 100, 210), 1, -1)
    assert res.pvalue == pytest.approx(0.0585605, abs=5e-8)
    # Walsh's rule adds control events instead, and needs more of them.
    assert fragility_index(40, 60, 100, 210).index > 3


def test_heston_counterexample_is_attainable_by_proportion():
    # Heston (Cureus 2026): 3/3 v 4/15, Fisher P = 0.0429; the arm with fewer events has no non-event
    # left to change. The arm with the lower proportion (4/15) does.
    res = fragility_index(3, 3, 4, 15)
    assert round(res.original_pvalue, 4) == 0.0429
    assert (res.index, res.arm, res.step) == (1, 2, 1)
    assert res.pvalue == pytest.approx(_fisher(3, 3, 5, 15))


# ----------------------------------------------------------------------------- the two trials
def test_trials_primary_endpoints_are_fragile():
    for table in [(9, 45, 2, 44), (9, 45, 2, 46), (11, 27, 3, 26)]:
        res = fragility_index(*table)
        assert res.kind == "fragility" and res.index == 1 and res.arm == 2
        assert res.pvalue == pytest.approx(_fisher(*res.table))


def test_fragility_vs_loss():
    res = fragility_index(9, 45, 2, 46)  # zang2022 as randomised: index 1, events added to the placebo arm
    loss = fragility_vs_loss(res, 0, 2)
    assert loss.fragile and loss.index == 1
    assert "at least the fragility index of 1" in loss.sentence and "non-significant" in loss.sentence
    assert "Arm 2, where the index moves events, lost 2: enough" in loss.sentence
    assert not fragility_vs_loss(5, 2, 2).fragile and "fewer than" in fragility_vs_loss(5, 2, 2).sentence
    assert fragility_vs_loss(4, 2, 2).fragile and "changed its significance" in fragility_vs_loss(4, 2, 2).sentence
    reverse = fragility_index(6, 50, 5, 50)
    assert reverse.kind == "reverse fragility" and "made it significant" in fragility_vs_loss(reverse, 3, 3).sentence
    none = fragility_index(1, 1, 1, 3)  # too small to become significant
    assert none.index is None and not fragility_vs_loss(none, 10, 10).fragile
    assert "1 patient was lost" in fragility_vs_loss(1, 1, 0).sentence
    assert "LossComparison(index=1" in repr(loss)


# ----------------------------------------------------------------------------- search v one-by-one scan
def _scan(e1, n1, e2, n2, test, alpha, rule):
    """The definition, one move at a time (independent of fragility._first)."""
    p0 = p_value(e1, n1, e2, n2, test)
    sig = p0 < alpha
    lower = 1 if e1 * n2 <= e2 * n1 else 2
    if sig:
        moves = [(lower, 1)] + ([(3 - lower, -1)] if rule == "fastest" else [])
    elif e1 * n2 == e2 * n1:
        moves = [(1, 1), (1, -1), (2, 1), (2, -1)]
    else:
        moves = [(lower, -1), (3 - lower, 1)]
    best = None
    for arm, step in moves:
        t = [e1, n1, e2, n2]
        i, o = 2 * (arm - 1), 2 * (2 - arm)
        for k in range(1, n1 + n2 + 1):
            t[i] += step
            if not 0 <= t[i] <= t[i + 1]:
                break
            p = p_value(*t, test)
            if (p >= alpha) if sig else (p < alpha):
                cand = (k, -abs(p - alpha))
                best = cand if best is None or cand < best else best
                break
            if sig and (t[i] * t[o + 1] - t[o] * t[i + 1]) * step >= 0:  # reached or passed equal proportions
                break
    return None if best is None else best[0]


@pytest.mark.parametrize("test", ["fisher", "chi2", "chi2_yates"])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_galloping_search_matches_scan(monkeypatch, test, alpha):
    monkeypatch.setattr(frag, "_SCAN", 1)  # gallop and bisect from the first move
    for n1, n2 in [(7, 13), (20, 20), (25, 11)]:
        for e1 in range(n1 + 1):
            for e2 in range(n2 + 1):
                for rule in ("walsh", "fastest"):
                    got = fragility_index(e1, n1, e2, n2, test=test, alpha=alpha, rule=rule).index
                    assert got == _scan(e1, n1, e2, n2, test, alpha, rule), (e1, n1, e2, n2, rule)


@settings(max_examples=60, deadline=None)
@given(st.integers(40, 400), st.integers(40, 400), st.data())
def test_search_matches_scan_on_larger_tables(n1, n2, data):
    e1, e2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    assert fragility_index(e1, n1, e2, n2).index == _scan(e1, n1, e2, n2, "fisher", 0.05, "walsh")


@pytest.mark.parametrize("test", ["barnard", "boschloo", "chi2_or_fisher"])
def test_other_tests_of_two_by_two(test):
    res = fragility_index(9, 45, 2, 44, test=test)
    assert res.index == _scan(9, 45, 2, 44, test, 0.05, "walsh")
    assert res.original_pvalue == pytest.approx(two_by_two(9, 45, 2, 44, test=test).pvalue)
    assert res.pvalue == pytest.approx(two_by_two(*res.table, test=test).pvalue)


# ----------------------------------------------------------------------------- properties
tables = st.integers(1, 60).flatmap(
    lambda n1: st.integers(1, 60).flatmap(
        lambda n2: st.tuples(st.integers(0, n1), st.just(n1), st.integers(0, n2), st.just(n2))
    )
)


@settings(max_examples=300, deadline=None)
@given(tables, st.sampled_from(["fisher", "chi2", "chi2_yates", "chi2_or_fisher"]), st.sampled_from([0.05, 0.01]))
def test_index_flips_significance_and_is_minimal_along_its_path(table, test, alpha):
    res = fragility_index(*table, test=test, alpha=alpha)
    significant = res.original_pvalue < alpha
    # The index is never 0: a significant result gets the fragility index, any other the reverse one.
    assert res.kind == ("fragility" if significant else "reverse fragility")
    if res.index is None:
        assert not significant  # only tables too small to reach significance lack an index
        return
    assert res.index >= 1 and res.quotient == pytest.approx(res.index / (table[1] + table[3]))
    assert (res.pvalue < alpha) != significant  # the final table is on the other side of alpha
    assert res.pvalue == pytest.approx(p_value(*res.table, test), abs=0)
    i = 2 * (res.arm - 1)
    assert res.table[i] - table[i] == res.step * res.index  # events moved in one arm only, n fixed
    assert res.table[2 - i] == table[2 - i] and (res.table[1], res.table[3]) == (table[1], table[3])
    assert 0 <= res.table[i] <= res.table[i + 1]
    before = list(res.table)
    before[i] -= res.step
    assert (p_value(*before, test) < alpha) == significant  # one move fewer keeps the original verdict


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(events1=-1), "events1 must be between 0 and n1"),
        (dict(events1=46), "events1 must be between 0 and n1"),
        (dict(n2=0), "n2 must be at least 1"),
        (dict(events2=2.5), "events2 must be a whole number"),
        (dict(alpha=0), "alpha must be strictly between 0 and 1"),
        (dict(alpha=1.5), "alpha must be strictly between 0 and 1"),
        (dict(alpha=math.nan), "alpha must be strictly between 0 and 1"),
        (dict(test="t"), "unknown test 't'; choose one of: chi2, chi2_yates, fisher"),
        (dict(rule="lin"), "unknown rule 'lin'; choose one of: walsh, fastest"),
    ],
)
def test_bad_input(kwargs, message):
    args = dict(events1=9, n1=45, events2=2, n2=44) | kwargs
    with pytest.raises(ValueError, match=message):
        fragility_index(**args)


@pytest.mark.parametrize(
    ("args", "message"),
    [((-1, 0, 0), "index must be a whole number"), ((1, -1, 0), "lost1 must be"), ((1, 0, 1.5), "lost2 must be")],
)
def test_loss_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        fragility_vs_loss(*args)


def test_repr_is_readable():
    text = repr(fragility_index(9, 45, 2, 44))
    assert text.startswith("FragilityResult(index=1, kind='fragility'") and "table=(9, 45, 3, 44)" in text
    assert isinstance(fragility_index(9, 45, 2, 44), FragilityResult)


def test_first_crossing_even_where_fishers_p_dips():
    """Found by hypothesis: along 52/52 vs k/241 Fisher's p crosses 0.05 at k = 223, dips back, and
    crosses again at 225; bisection alone returned 225. Walsh's index is the first crossing."""
    assert frag.fragility_index(52, 52, 0, 241).index == _scan(52, 52, 0, 241, "fisher", 0.05, "walsh") == 223
