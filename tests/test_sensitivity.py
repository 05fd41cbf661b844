"""The robustness table: each row agrees with the function it summarises; bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from reanalysis.data import load
from reanalysis.sensitivity import COLUMNS, baseline_balance, robustness


@pytest.fixture(scope="module")
def table():
    return robustness(11, 27, 3, 26, lost1=5, lost2=9, test="fisher", alpha=0.05).set_index(["analysis", "setting"])


def test_columns_are_the_promised_ones():
    assert list(robustness(9, 45, 2, 44).columns) == COLUMNS


def test_per_protocol_row_is_fishers_test(table):
    row = table.xs("per protocol", level="analysis").iloc[0]
    assert row.p == pytest.approx(stats.fisher_exact([[11, 16], [3, 23]]).pvalue)
    assert row.estimate == pytest.approx(11 / 27 - 3 / 26) and row.ci_low < row.estimate < row.ci_high


def test_worst_and_best_case_rows(table):
    worst = table.xs("worst case for the missing", level="analysis").iloc[0]
    assert worst.p == pytest.approx(stats.fisher_exact([[11, 21], [12, 23]]).pvalue)
    best = table.xs("best case for the missing", level="analysis").iloc[0]
    assert best.p == pytest.approx(stats.fisher_exact([[16, 16], [3, 32]]).pvalue)


def test_every_prior_has_its_rows(table):
    settings = table.xs("posterior P(benefit)", level="analysis").index
    assert sorted(settings) == sorted(f"{p} prior" for p in ("uniform", "jeffreys", "sceptical", "enthusiastic"))
    assert sorted(table.xs("prior P(benefit >= 0.1)", level="analysis").index) == sorted(settings)


def test_prior_rows_state_each_prior_in_numbers(table):
    """The sceptical prior gives 5% to a benefit >= the margin, the enthusiastic 50% (scipy's normal)."""
    at_least = table.xs("prior P(benefit >= 0.1)", level="analysis").estimate
    assert at_least["sceptical prior"] == pytest.approx(0.05) and at_least["enthusiastic prior"] == pytest.approx(0.5)
    assert at_least["uniform prior"] == pytest.approx(0.9**2 / 2)  # the difference of two uniforms: triangular
    prior_rd = table.xs("prior risk difference", level="analysis")
    sd = 0.1 / stats.norm.isf(0.05)
    row = prior_rd.loc[[s for s in prior_rd.index if s.startswith("sceptical prior")][0]]
    assert (row.ci_low, row.ci_high) == pytest.approx(stats.norm(0, sd).ppf([0.025, 0.975]), rel=1e-9)


def test_prior_prose_states_every_prior_in_words_and_computed_numbers():
    from reanalysis.sensitivity import prior_prose

    text = prior_prose(0.1).plain
    for name in ("uniform", "jeffreys", "sceptical", "enthusiastic"):
        assert f"- {name}: " in text
    assert "P(benefit ≥ 0.1) = 0.050" in text and "no sample-size calculation" in text
    assert f"SD {0.1 / stats.norm.isf(0.05):.3f}" in text


def test_sample_size_rows_are_whole_numbers(table):
    n = table.xs("n per arm", level="analysis").estimate
    assert len(n) == 4 and (n == np.floor(n)).all() and (n > 0).all()


def test_carlisle_on_zang2022_table1_uses_its_nine_printed_p_values():
    # with the stratified variables kept in (by default they are left out: tests/test_registration.py)
    result = baseline_balance(load("zang2022"), leave_out_stratified=False)
    assert result.k == 9
    printed = [0.8068, 0.4158, 0.7808, 0.7819, 0.6992, 0.7737, 0.6173, 0.5905, 0.6177]  # Table 1
    assert result.p_dissimilar == pytest.approx(stats.combine_pvalues(printed, method="stouffer").pvalue)


def test_carlisle_needs_printed_baseline_p_values(tmp_path):
    import shutil

    from reanalysis.data import data_root

    folder = tmp_path / "lu2021"  # lu2021 prints no baseline p-value; made randomised, the check needs one
    shutil.copytree(data_root() / "lu2021", folder)
    toml = folder / "paper.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("non-randomised", "randomised"), encoding="utf-8")
    with pytest.raises(ValueError, match="prints no exact baseline p-value"):
        baseline_balance(load(folder))


@pytest.mark.parametrize(
    "args", [(2.5, 27, 3, 26), (30, 27, 3, 26), (-1, 27, 3, 26)], ids=["fraction", "events>n", "negative"]
)
def test_bad_counts_are_refused(args):
    with pytest.raises(ValueError):
        robustness(*args)
