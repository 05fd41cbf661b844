"""The README's findings are computed numbers: check each against the audit, so prose cannot drift."""

from __future__ import annotations

from reanalysis import inference
from reanalysis.audit import audit
from reanalysis.data import load
from reanalysis.run import ROOT

README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # line breaks as spaces


def test_lu2021_remission_p_values_in_readme():
    p = {t: inference.two_by_two(11, 27, 3, 26, test=t).pvalue for t in ("chi2", "chi2_yates", "fisher")}
    assert f"χ² {p['chi2']:.3f}, Yates {p['chi2_yates']:.3f}, Fisher {p['fisher']:.3f}" in README


def test_zang2022_findings_in_readme():
    claims = audit(load("zang2022")).set_index("claim_id")
    assert claims.loc["res.hba1c.change.ucmsc", "recomputed"].startswith("1.50")
    assert claims.loc["res.hba1c.change.placebo", "recomputed"].startswith("0.70")
    assert "(1.31%, 0.63%) differ from the differences of the printed means (1.50, 0.70)" in README
    assert claims.loc["t2.primary.w9.p", "method"].startswith("fisher")
    assert claims.loc["res.primary.w48.ci", "method"].startswith("wald; n = 45/44 (implied n; 9/45 vs 2/44)")
    inconsistent = claims[(claims.kind == "percent") & (claims.verdict == "inconsistent")]
    assert "flow.completed.all.percent" in inconsistent.index or any("86.8" in r for r in inconsistent.reported)


def test_lu2021_ratio_and_power_in_readme():
    claims = audit(load("lu2021")).set_index("claim_id")
    assert claims.loc["disc.remission.ratio", "verdict"] == "inconsistent"
    assert "relative excess" in claims.loc["disc.remission.ratio", "note"]
    power = claims.loc["res.remission.power"]
    assert power.verdict == "reproduced" and "rounding=truncate" in power.route
    pooled = inference.power_two_proportions(11 / 27, 3 / 26, 27, 26, method="pooled").power
    assert f"post hoc power 68.4% is the pooled formula's {100 * pooled:.2f}% truncated" in README
    assert claims.loc["res.remission.p", "verdict"] == "inconsistent"


def test_zang2022_yates_and_within_group_findings_in_readme():
    p = {t: inference.two_by_two(9, 45, 2, 44, test=t).pvalue for t in ("chi2", "chi2_yates")}
    assert f"uncorrected χ² test (p = {p['chi2']:.4f})" in README
    assert f"Yates' correction (p = {p['chi2_yates']:.4f})" in README
    claims = audit(load("zang2022")).set_index("claim_id")
    within = claims.loc["abs.hba1c.w48.placebo.p_within"]
    assert within.verdict == "not_reproducible" and "Wilcoxon signed-rank" in within.note
    assert "no correlation between visits from -0.9 to 0.99 gives the printed value" in within.note


def test_lu2021_worst_case_in_readme():
    from reanalysis.tipping import tipping_grid

    worst = tipping_grid(11, 27, 5, 3, 26, 9, test="chi2").set_index(["missing_events1", "missing_events2"]).loc[(0, 9)]
    assert f"removes the difference (p = {worst.p:.2f})" in README
