"""Effect sizes and multiplicity (reanalysis.effects) against R and against the papers' own numbers.

Reference values: tests/reference/effects_reference.R (R's t.test on samples with the printed mean
and SD, textbook Wald and Katz formulas, chisq.test, p.adjust on a family transcribed by hand).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from reanalysis.data import load
from reanalysis.effects import (
    EFFECT_COLUMNS,
    _t_method,
    _two_by_two_test,
    adjust,
    effect_sizes,
    effects_sentence,
    forest_rows,
    mean_difference,
    multiplicity,
    multiplicity_sentence,
    sensitivity_rows,
)
from reanalysis.figures import plot_forest
from reanalysis.printed import parse
from reanalysis.sensitivity import COLUMNS

matplotlib.use("Agg")

REFERENCE = pd.read_csv(Path(__file__).parent / "reference" / "effects_reference.csv", dtype={"value": str})


def _ref(case: str, fn: str | None = None) -> pd.DataFrame:
    rows = REFERENCE[REFERENCE["case"] == case]
    return rows[rows["function"] == fn] if fn else rows


def _value(rows: pd.DataFrame, quantity: str) -> float:
    return float(rows.loc[rows["quantity"] == quantity, "value"].iloc[0])


@pytest.fixture(scope="module")
def zang():
    return load("zang2022")


@pytest.fixture(scope="module")
def zang_effects(zang):
    return effect_sizes(zang)


def _row(effects: pd.DataFrame, variable: str, timepoint: str, measure: str) -> pd.Series:
    hit = effects[(effects.variable == variable) & (effects.timepoint == timepoint) & (effects.measure == measure)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# ----------------------------------------------------------------------------- against R


MEAN_ROWS = REFERENCE[REFERENCE["function"] == "mean_difference"]


@pytest.mark.parametrize(
    "args", sorted(set(MEAN_ROWS["args"])), ids=lambda a: f"{json.loads(a)['mean1']}-{json.loads(a)['method']}"
)
def test_mean_difference_matches_r_t_test(args):
    rows = MEAN_ROWS[MEAN_ROWS["args"] == args]
    ci, p = mean_difference(**json.loads(args))
    for quantity, ours in (("estimate", ci.estimate), ("ci_low", ci.low), ("ci_high", ci.high), ("p", p)):
        assert ours == pytest.approx(_value(rows, quantity), rel=1e-9, abs=1e-12), quantity


def test_effect_sizes_route_hba1c_48_weeks_matches_r(zang_effects):
    """The stated route: a "t-test" read as Student's, at the arms' analysed n (no n printed at the visit)."""
    rows = _ref("zang2022 HbA1c 48 weeks, n 45/46", "mean_difference")
    rows = rows[rows["args"].str.contains('"student"')]
    r = _row(zang_effects, "hba1c", "w48", "mean difference")
    assert (r.n1, r.n2, r.population) == (45, 46, "analysed n")
    assert r.method.startswith("Student") and "Student's assumed" in r.note
    for q in ("estimate", "ci_low", "ci_high", "p"):
        assert r[q] == pytest.approx(_value(rows, q), rel=1e-9)


def test_effect_sizes_table_n_labelled(zang_effects):
    rows = _ref("zang2022 age at baseline, table n", "mean_difference")
    rows = rows[rows["args"].str.contains('"student"')]
    r = _row(zang_effects, "age", "baseline", "mean difference")
    assert (r.n1, r.n2) == (45, 46) and r.population.startswith("table n: Table 1")
    assert (r.ci_low, r.ci_high) == pytest.approx((_value(rows, "ci_low"), _value(rows, "ci_high")), rel=1e-9)


@pytest.mark.parametrize(
    ("paper", "variable", "timepoint", "case"),
    [
        ("zang2022", "primary_endpoint", "w48", "zang2022 primary endpoint 48 weeks, 9/45 vs 2/44"),
        ("lu2021", "clinical_remission", "m12", "lu2021 remission, 11/27 vs 3/26"),
    ],
)
def test_risk_difference_and_ratio_match_r(paper, variable, timepoint, case):
    effects = effect_sizes(load(paper), ci_method="wald")
    rows = _ref(case, "risk")
    rd = _row(effects, variable, timepoint, "risk difference")
    rr = _row(effects, variable, timepoint, "risk ratio")
    assert (rd.estimate, rd.ci_low, rd.ci_high) == pytest.approx(
        (_value(rows, "rd"), _value(rows, "rd_low"), _value(rows, "rd_high")), rel=1e-9
    )
    assert (rr.estimate, rr.ci_low, rr.ci_high) == pytest.approx(
        (_value(rows, "rr"), _value(rows, "rr_low"), _value(rows, "rr_high")), rel=1e-9
    )
    # zang names chi-squared; lu "chi-square or Fisher" (the switch rule: no expected count below 5 here)
    assert rd.p == pytest.approx(_value(rows, "p_chi2"), rel=1e-9)
    assert rd.unit == "percentage points" and rr.unit == "ratio"


def test_primary_endpoint_interval_is_the_papers(zang, zang_effects):
    """The paper prints the 95% CI of the rate difference (2.25-28.66%): the Wald interval on 9/45 vs 2/44."""
    printed = zang.inferences.set_index("id").loc["res.primary.w48.ci"]
    rd = _row(zang_effects, "primary_endpoint", "w48", "risk difference")
    assert parse(printed["ci_low"]).contains(rd.ci_low) and parse(printed["ci_high"]).contains(rd.ci_high)
    assert rd.population.startswith("implied n") and "do not fit the analysed n" in rd.note


def test_adjust_matches_p_adjust():
    rows = _ref("plain vector", "adjust")
    for args in set(rows["args"]):
        spec = json.loads(args)
        _, adjusted = adjust(spec["pvalues"], spec["method"])
        want = rows[rows["args"] == args].sort_values("quantity", key=lambda s: s.astype(int))["value"].astype(float)
        np.testing.assert_allclose(adjusted, want.to_numpy(), rtol=1e-9)


def test_zang_family_matches_the_family_transcribed_in_r(zang):
    family = multiplicity(zang)
    rows = _ref("zang2022 printed family after baseline")
    key = family["variable"] + "@" + family["timepoint"]
    assert sorted(key) == sorted(set(rows.loc[rows["function"] == "adjust", "quantity"]))
    for column, method in (("holm_printed", "holm"), ("bh_printed", "fdr_bh")):
        ref = rows[(rows["function"] == "adjust") & rows["args"].str.contains(f'"{method}"')]
        want = dict(zip(ref["quantity"], ref["value"].astype(float), strict=True))
        np.testing.assert_allclose(family[column].to_numpy(), [want[k] for k in key], rtol=1e-9)
        size = rows[(rows["function"] == "family") & rows["args"].str.contains(f'"{method}"')]
        assert len(family) == _value(size, "size")
        short = "holm" if method == "holm" else "bh"
        assert family[f"survives_{short}_printed"].sum() == _value(size, "survivors")


def test_family_counts_a_comparison_printed_several_times_once(zang):
    family = multiplicity(zang).set_index(["variable", "timepoint"])
    primary = family.loc[("primary_endpoint", "w48")]
    assert primary["printed"] == "0.0268"  # Table 2's exact p, not the abstract's "p < 0.05"
    assert {"abs.primary.w48.p", "t2.primary.w48.p", "res.primary.w48.p"} <= set(primary["claim_ids"].split(";"))
    # a bound is taken at its least favourable value
    assert family.loc[("hba1c", "w32"), "p_printed"] == 1.0
    assert family.loc[("gir", "w48"), "p_printed"] == 0.01


def test_lu2021_family_and_sentence():
    lu = load("lu2021")
    family = multiplicity(lu)
    assert len(family) == 1 and family.iloc[0]["printed"] == "0.041"
    text = multiplicity_sentence(family).plain
    assert "holds 1 between-group test" in text and "neither adjustment changes anything" in text


def test_multiplicity_sentence_counts(zang):
    family = multiplicity(zang)
    text = multiplicity_sentence(family).plain
    sig = int(family["printed_significant"].sum())
    assert f"holds {len(family)} between-group" in text and f"calls {sig} of them significant" in text
    assert f"{int(family['survives_holm_printed'].sum())} of these survive Holm" in text


# ----------------------------------------------------------------------------- routes and choices


def test_stated_t_and_two_by_two_tests():
    assert _t_method("Welch's t-test", 2, None) == ("welch", "as stated")
    assert _t_method("Student's t test or Mann-Whitney test", 2, None) == ("student", "as stated")
    assert _t_method("t-test", 2, "welch")[0] == "welch"
    assert _t_method("Mann-Whitney U test", 2, None)[0] is None
    assert _two_by_two_test("chi-squared or Fisher", None)[0] == "chi2_or_fisher"
    assert _two_by_two_test("Fisher's exact test", None) == ("fisher", "as stated")
    assert _two_by_two_test("", "barnard")[0] == "barnard"


def test_welch_on_request_for_a_plain_t_test(zang):
    welch = effect_sizes(zang, t_method="welch")
    r = _row(welch, "hba1c", "w48", "mean difference")
    rows = _ref("zang2022 HbA1c 48 weeks, n 45/46", "mean_difference")
    rows = rows[rows["args"].str.contains('"welch"')]
    assert r.method == "Welch t" and r.ci_low == pytest.approx(_value(rows, "ci_low"), rel=1e-9)


def test_completers_on_request(zang):
    completers = effect_sizes(zang, population="completed")
    r = _row(completers, "insulin_u_kg_day", "w32", "mean difference")
    rows = _ref("zang2022 insulin 32 weeks, completers 37/36", "mean_difference")
    rows = rows[rows["args"].str.contains('"student"')]
    assert (r.n1, r.n2, r.population) == (37, 36, "completed n")
    assert r.p == pytest.approx(_value(rows, "p"), rel=1e-9)
    assert "instead of the analysed n" in r.note


def test_bad_choices_raise(zang):
    with pytest.raises(ValueError, match="ci_method"):
        effect_sizes(zang, ci_method="exact")
    with pytest.raises(ValueError, match="t_method"):
        effect_sizes(zang, t_method="pooled")
    with pytest.raises(ValueError, match="adjustment"):
        adjust([0.1], "bonferroni")
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        adjust([0.1, math.nan], "holm")


# ----------------------------------------------------------------------------- packages not tuned for


@pytest.mark.parametrize("paper", ["roman2016", "heckmann2011", "huh2009"])
def test_runs_on_other_packages_with_sensible_rows(paper):
    p = load(paper)
    effects = effect_sizes(p)
    assert list(effects.columns) == EFFECT_COLUMNS
    # every printed between-group p is accounted for (a row with an estimate, or a note saying why not)
    between = p.inferences[(p.inferences.kind == "p_value") & (p.inferences.comparison == "between")]
    covered = {i.split("@")[0] for ids in effects["claim_ids"] for i in ids.split(";")}
    assert set(between["id"]) <= covered
    assert (effects["estimate"].notna() | effects["note"].ne("")).all()
    ci = effects.dropna(subset=["ci_low", "ci_high"])
    finite = ci[np.isfinite(ci[["estimate", "ci_high"]]).all(axis=1)]
    assert (finite.ci_low <= finite.estimate).all() and (finite.estimate <= finite.ci_high).all()
    recomputed = effects.dropna(subset=["p"])
    assert ((recomputed.p >= 0) & (recomputed.p <= 1)).all()
    assert (recomputed.n1 >= 1).all() and (recomputed.n2 >= 1).all() and recomputed.population.ne("").all()
    family = multiplicity(p)
    assert len(family) >= 1
    assert (family.holm_printed >= family.p_printed - 1e-12).all()
    assert (family.bh_printed >= family.p_printed - 1e-12).all()
    assert (family.holm_printed >= family.bh_printed - 1e-12).all()  # Holm is never less strict than BH
    rows = sensitivity_rows(effects, family)
    assert list(rows.columns) == COLUMNS and len(rows) >= 4 * len(family)


def test_roman_sem_converted_and_matches_r():
    """roman2016 prints mean ± SEM; the SD is SEM x sqrt(n), at the n analysed (14 and 9)."""
    effects = effect_sizes(load("roman2016"))
    r = _row(effects, "sessions_missed", "", "mean difference")
    rows = _ref("roman2016 sessions missed, SD from SEM", "mean_difference")
    rows = rows[rows["args"].str.contains('"student"')]
    assert (r.n1, r.n2) == (14, 9) and "SD = SEM x sqrt(n)" in r.note
    assert (r.ci_low, r.ci_high, r.p) == pytest.approx(
        (_value(rows, "ci_low"), _value(rows, "ci_high"), _value(rows, "p")), rel=1e-9
    )


def test_an_exact_p_printed_for_several_visits_is_one_test():
    family = multiplicity(load("heckmann2011"))
    change = family[family.variable == "qmgs_change"]
    assert len(change) == 1 and change.iloc[0]["timepoint"] == "m6+m12+m18+m24"


# ----------------------------------------------------------------------------- outputs


def test_sensitivity_rows_name_measure_visit_method_and_n(zang, zang_effects):
    family = multiplicity(zang)
    rows = sensitivity_rows(zang_effects, family).set_index("analysis")
    r = rows.loc["mean difference: HbA1c, 48 weeks"]
    assert "Student" in r.setting and "n 45/46 (analysed n)" in r.setting and r.significant
    holm = rows.loc["Holm: primary endpoint, 48 weeks"]
    assert len(holm) == 2 and set(holm["significant"]) == {False}
    assert holm["setting"].str.contains(f"family of {len(family)}").all()


def test_effects_sentence_counts(zang_effects):
    text = effects_sentence(zang_effects).plain
    n = len(zang_effects.drop_duplicates(["variable", "timepoint", "claim_ids"]))
    assert f"prints {n} distinct between-group comparison" in text


def test_forest_has_a_panel_per_measure_and_a_label_column(zang_effects):
    import matplotlib.pyplot as plt

    rows = forest_rows(zang_effects[zang_effects.timepoint != "baseline"])
    fig = plot_forest(rows, by="panel", label_width=20)
    panels = rows["panel"].nunique()
    assert len(fig.axes) == panels  # one plot per panel; labels and values are columns of text beside it
    texts = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "label"]
    labels = [t.get_text() for t in texts]
    assert len(labels) == len(rows) and any("\n" in t for t in labels)  # long labels wrapped, not squeezed
    for ax in fig.axes:  # the labels' column is left of the plot, in the figure's coordinates
        assert all(t.get_position()[0] < ax.get_position().x0 for t in ax.texts if t.get_gid() == "label")
    ratio_axes = [ax for ax in fig.axes if ax.get_xscale() == "log"]
    assert len(ratio_axes) == 1 and any("1, no difference" in ax.get_xlabel() for ax in ratio_axes)
    nulls = [ln.get_xdata()[0] for ax in fig.axes for ln in ax.lines if ln.get_linestyle() == "--"]
    assert sorted(set(nulls)) == [0.0, 1.0]
    plt.close(fig)


def test_plot_forest_still_takes_a_single_panel():
    import matplotlib.pyplot as plt

    rows = pd.DataFrame({"label": ["a", "b"], "estimate": [0.1, 0.2], "ci_low": [0.0, 0.1], "ci_high": [0.2, 0.3]})
    fig = plot_forest(rows, xlabel="risk difference", title="t")
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "risk difference"
    plt.close(fig)


def test_impossible_inputs_become_a_note_not_a_crash(zang, monkeypatch):
    import reanalysis.effects as effects_module

    def refuse(*args, **kwargs):
        raise ValueError("sd1 must be a finite number > 0, got 0.0")

    monkeypatch.setattr(effects_module, "mean_difference", refuse)
    effects = effect_sizes(zang)
    r = effects[(effects.variable == "hba1c") & (effects.timepoint == "w48") & effects.note.str.startswith("cannot")]
    assert len(r) == 1 and "sd1 must be" in r.iloc[0]["note"] and math.isnan(r.iloc[0]["estimate"])
    assert (effects.measure == "risk difference").any()  # the other comparisons are still there


def test_forest_labels_are_text_not_mathtext():
    rows = pd.DataFrame(
        {"label": ["cost $x^{2$ (week 4)"], "estimate": [1.0], "ci_low": [0.5], "ci_high": [1.5], "panel": ["$ panel"]}
    )
    fig = plot_forest(rows, by="panel")
    fig._png()  # rendered as a reader sees it: an unbalanced $ would raise here if read as mathtext
    assert fig.axes[0].texts[0].get_text() == r"cost \$x^{2\$ (week 4)"


def test_sensitivity_rows_carry_the_survivor_counts_of_the_sentence(zang, zang_effects):
    family = multiplicity(zang, zang_effects)
    rows = sensitivity_rows(zang_effects, family).set_index("analysis")
    text = multiplicity_sentence(family).plain
    assert rows.loc["multiplicity: family size", "estimate"] == len(family)
    holm = int(rows.loc["Holm: survivors, printed p", "estimate"])
    bh = int(rows.loc["Benjamini-Hochberg: survivors, printed p", "estimate"])
    assert f"{holm} of these survive Holm's adjustment and {bh} survive Benjamini–Hochberg's" in text
    assert (
        rows.loc["mean difference: reduction in daily insulin (%), 48 weeks", "setting"] == "no SD printed: no interval"
    )


def test_holm_by_hand_equals_statsmodels_on_random_and_tied_families(monkeypatch):
    """effects._holm replaces statsmodels' Holm branch (which runs a full garbage collection on every
    call); it must give statsmodels' numbers and decisions, ties and p near 1 included. (The
    collections are left out here too, ~0.15 s each in a test worker: they change no number.)"""
    import gc

    from statsmodels.stats.multitest import multipletests

    monkeypatch.setattr(gc, "collect", lambda *args, **kwargs: 0)

    rng = np.random.default_rng(20261201)
    families = [rng.uniform(0, 1, size=m) ** 3 for m in (1, 2, 5, 33, 200)]
    families += [np.array([0.01, 0.01, 0.04, 0.04, 0.9, 1.0]), np.array([0.05] * 4), np.array([0.0, 1.0])]
    for p in families:
        for alpha in (0.01, 0.05, 0.1):
            reject, adjusted = adjust(p, "holm", alpha)
            want_reject, want, _, _ = multipletests(p, alpha=alpha, method="holm")
            np.testing.assert_allclose(adjusted, want, rtol=1e-12, atol=0)
            assert (reject == want_reject).all()
