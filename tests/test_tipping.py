"""Tipping-point grids: every split of the missing, p from an independent call, the extremes, bad input."""

from __future__ import annotations

import pytest
from scipy import stats

from reanalysis.tipping import itt_table, tipping_grid, tipping_summary


def test_grid_has_every_split_and_fisher_p_from_scipy():
    grid = tipping_grid(11, 27, 5, 3, 26, 9, test="fisher")
    assert len(grid) == 6 * 10
    for _, row in grid.sample(12, random_state=0).iterrows():
        table = [[row.events1, row.n1 - row.events1], [row.events2, row.n2 - row.events2]]
        assert row.p == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)
        assert row.n1 == 32 and row.n2 == 35


def test_worst_and_best_case_are_the_corners():
    grid = tipping_grid(11, 27, 5, 3, 26, 9, test="chi2")
    summary = tipping_summary(grid, per_protocol_p=0.0159, alpha=0.05)
    # worst case: 11/32 vs 12/35 (no missing treated participant in remission, every missing control one)
    worst = stats.chi2_contingency([[11, 21], [12, 23]], correction=False).pvalue
    best = stats.chi2_contingency([[16, 16], [3, 32]], correction=False).pvalue
    assert summary.worst_case_p == pytest.approx(worst) and summary.best_case_p == pytest.approx(best)
    assert "worst case" in repr(summary)
    pp = dict(events1=11, n1=27, events2=3, n2=26, p=0.0159)
    assert itt_table(grid, pp, "worst_case").iloc[0][["events1", "events2"]].tolist() == [11, 12]
    assert itt_table(grid, pp, "best_case").iloc[0][["events1", "events2"]].tolist() == [16, 3]
    assert len(itt_table(grid, pp, "tipping_point")) == len(grid)
    assert itt_table(grid, pp, "per_protocol").iloc[0].n1 == 27


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((30, 27, 5, 3, 26, 9), "between 0 and n"),
        ((11, 27, -1, 3, 26, 9), "missing must be a whole number"),
        ((11, 27, 5, 3, 26, 9.5), "missing must be a whole number"),
    ],
)
def test_bad_input_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        tipping_grid(*args)


def test_unknown_test_and_alpha_are_refused():
    with pytest.raises(ValueError, match="one of"):
        tipping_grid(11, 27, 5, 3, 26, 9, test="t-test")
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        tipping_grid(11, 27, 5, 3, 26, 9, alpha=1.5)
    with pytest.raises(ValueError, match="itt_assumption"):
        itt_table(tipping_grid(1, 5, 1, 1, 5, 1), {}, "optimistic")
