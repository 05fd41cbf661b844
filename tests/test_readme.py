"""The README's findings are computed numbers: check each against the audit, so prose cannot drift."""

from __future__ import annotations

import pytest

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


# --------------------------------------------------------------------------- issue 12's results


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def test_zang2022_32_weeks_in_readme():
    p = load("zang2022")
    claims = audit(p).set_index("claim_id")
    ids = ("res.insulin_day.w32.p", "res.hba1c.w32.p")
    arms = list(p.arms.values())
    completed = "/".join(str(a["completed"]) for a in arms)
    randomised = "/".join(str(a["assigned"]) for a in arms)
    for cid in ids:  # reproduced with the completers' n, significant by the stated (randomised) n
        assert (
            claims.loc[cid, "verdict"] == "reproduced"
            and f"n={completed};population=completed" in claims.loc[cid, "route"]
        )
        assert claims.loc[cid, "recomputed_p"] < 0.05
    stated = ", ".join(f"{claims.loc[cid, 'recomputed_p']:.3f}" for cid in ids)
    assert (
        f"reproduced with the completers' {completed}; with the {randomised} randomised both would be significant "
        f"(p = {stated}), so which n each visit used is an open question" in README
    )


def test_multiplicity_in_readme():
    from reanalysis.effects import effect_sizes, multiplicity

    family = {
        pid: multiplicity(load(pid), effect_sizes(load(pid), ci_method="wald"), 0.05) for pid in ("zang2022", "lu2021")
    }
    z = family["zang2022"]
    assert (
        f"of the {len(z)} between-group tests in the family (outcomes × visits, each counted once) the paper calls "
        f"{int(z.printed_significant.sum())} significant; on the printed p, {int(z.survives_holm_printed.sum())} "
        f"survive Holm's adjustment and {int(z.survives_bh_printed.sum())} survive Benjamini–Hochberg's (on the "
        f"recomputed p, {int(z.survives_holm_recomputed.sum())} and {int(z.survives_bh_recomputed.sum())})" in README
    )
    lu = family["lu2021"]
    assert len(lu) == 1 and lu.survives_holm_printed.all() and lu.survives_bh_printed.all()
    assert "Its one between-group test survives both Holm's and Benjamini–Hochberg's adjustment" in README


def test_registration_in_readme():
    from reanalysis import registration

    z = load("zang2022")
    said = " ".join(registration.summary(z).plain.split())
    for phrase in (
        "10 to 11 months before the first enrolment the paper reports",
        "22 to 23 months after the registry's own start date",
    ):
        assert phrase in said and phrase in README
    r = z.registration
    differ = [f.replace("follow_up", "follow-up").replace("_", " ") for f in r.loc[r.agrees == "no", "field"]]
    assert f"the record differs from the paper in {_and(differ)}" in README
    assert list(r.loc[r.registry_value.str.strip() == "", "field"]) == ["primary_outcome"]
    assert "its primary outcome was not read from the registry" in README
    registered = r.set_index("field").loc["registered"]
    assert "NCT02302599" in registered.paper_quote and "NCT02302599" in registered.registry_source  # as printed
    assert "*Registration:* NCT02302599 was first posted 10 to 11 months" in README
    lu = load("lu2021")
    said = " ".join(registration.summary(lu).plain.split())
    assert "Registered April 15, 2021 (retrospectively registered)" in said
    assert "87 to 99 months after the first enrolment the paper reports" in said
    assert (lu.registration.registry_value.str.strip() == "").all()  # the record could not be read
    assert (
        "registered retrospectively (April 15, 2021, 87 to 99 months after the first enrolment the paper reports), "
        "and the registry record itself could not be read" in README
    )


def test_carlisle_in_readme():
    from reanalysis.sensitivity import baseline_balance

    z = load("zang2022")
    left_out, every = baseline_balance(z, 0.05), baseline_balance(z, 0.05, leave_out_stratified=False)
    assert left_out.excluded and not every.excluded
    assert (
        f"Carlisle's check of the {left_out.k} baseline p-values of variables randomisation was not stratified on "
        f"gives Z = {left_out.statistic:.2f} (P = {left_out.p_dissimilar:.2f} for too different, "
        f"{left_out.p_similar:.2f} for too alike); with the stratified variables, which are balanced by design, "
        f"Z = {every.statistic:.2f}" in README
    )
    assert not baseline_balance(load("lu2021"), 0.05).applies
    assert "Carlisle's check does not apply to a non-randomised design" in README


def test_lu2021_odds_ratio_epv_and_dropouts_in_readme():
    from reanalysis import regression

    lu = load("lu2021")
    t = regression.odds_against_risk(lu).set_index("analysis")
    implied = t[t.index.str.startswith("risk ratio implied")].iloc[0]
    assert (
        f'The odds ratio of {t.loc["odds ratio as printed", "estimate"]:.2f} is not "four times more likely": at '
        f"these event rates it implies a risk ratio of {implied.estimate:.2f} at the control arm's rate (Zhang–Yu), "
        f"and the printed counts give a risk ratio of {t.loc['risk ratio of the printed counts', 'estimate']:.2f}"
        in README
    )
    assert abs(t.loc["risk ratio of the printed counts", "estimate"] - (11 / 27) / (3 / 26)) < 1e-9
    epv = regression.epv(lu)["estimate"].tolist()
    assert epv == [14 / 3, 11 / 7]  # 14 of 53 over at least 3 variables; 11 of 27 over 7
    assert f"has at most {epv[0]:.2f} events per variable and the step-wise model {epv[1]:.2f}, both below" in README
    p = inference.two_by_two(11, 32, 3, 35, test="chi2").pvalue  # every drop-out as not in remission
    assert p < 0.05 and f"counting every drop-out as not in remission keeps it (p = {p:.2g})" in README


def test_conclusion_labels_in_readme():
    import pandas as pd

    from reanalysis import registration, regression, tables
    from reanalysis.audit import Settings, account, endpoint_counts
    from reanalysis.conclusions import assess
    from reanalysis.sensitivity import baseline_balance_rows, robustness
    from reanalysis.vocabulary import CONCLUSION_LABELS

    z = load("zang2022")
    primary = endpoint_counts(z, "primary_endpoint", "w48", Settings())
    zs = robustness(*primary[["events", "n"]].to_numpy().ravel(), *primary["lost"], test="chi2", ci_method="wald")
    lu = load("lu2021")
    remission = tables.arm_counts(lu, "clinical_remission", "m12")
    ls = robustness(
        *remission[["events", "n"]].to_numpy().ravel(), *tables.losses(lu)["lost"], test="chi2", ci_method="wald"
    )
    sens = {
        "zang2022": pd.concat([zs, baseline_balance_rows(z), registration.timing(z)], ignore_index=True),
        "lu2021": pd.concat(
            [ls, baseline_balance_rows(lu), regression.regression_rows(lu), registration.timing(lu)], ignore_index=True
        ),
    }
    phrases = []
    for pid, paper in (("zang2022", z), ("lu2021", lu)):
        counts = assess(paper, account(paper, audit(paper)), sens[pid])["label"].value_counts()
        n = [int(counts.get(label, 0)) for label in CONCLUSION_LABELS]
        phrases.append(
            f"{n[0]} supported, {n[1]} supported only under a stated choice, {n[2]} not supported by the printed "
            f"numbers, {n[3]} not checkable"
        )
        phrases[-1] = (f"of {sum(n)} conclusions transcribed, " if pid == "zang2022" else f"of {sum(n)}, ") + phrases[
            -1
        ]
    assert f"zang2022: {phrases[0]}. lu2021: {phrases[1]}." in README


def test_sceptical_prior_sentence_in_readme():
    """The README's posterior probabilities are the package's, and the package's agree with R's nested
    integrate() (tests/reference/sensitivity_reference.csv)."""
    import csv
    import json

    from reanalysis.bayes import posterior

    reference = {}
    with open(ROOT / "tests" / "reference" / "sensitivity_reference.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["function"] == "posterior":
                args = json.loads(row["args"])
                if set(args) != {"events1", "n1", "events2", "n2", "prior", "margin"} or args["margin"] != 0.1:
                    continue
                key = (args["events1"], args["n1"], args["events2"], args["n2"], args["prior"], row["quantity"])
                reference[key] = float(row["value"])
    numbers = {}
    for counts in ((9, 45, 2, 44), (11, 27, 3, 26)):
        for prior in ("sceptical", "uniform"):
            post = posterior(*counts, prior=prior, margin=0.1)
            numbers[counts, prior] = (f"{post.prob_greater:.3f}", f"{post.prob_above_margin:.3f}")
            for quantity, value in (("prob_greater", post.prob_greater), ("prob_above_margin", post.prob_above_margin)):
                if (*counts, prior, quantity) in reference:
                    assert value == pytest.approx(reference[(*counts, prior, quantity)], rel=1e-6)
    assert (9, 45, 2, 44, "sceptical", "prob_greater") in reference  # the R check above ran
    (zs, zsm), (ls, lsm) = numbers[(9, 45, 2, 44), "sceptical"], numbers[(11, 27, 3, 26), "sceptical"]
    (zu, zum), (lu, lum) = numbers[(9, 45, 2, 44), "uniform"], numbers[(11, 27, 3, 26), "uniform"]
    assert f"P(benefit) = {zs} for zang2022 and {ls} for lu2021, and P(benefit > 0.1) = {zsm} and {lsm}" in README
    assert f"(under a uniform prior: {zu} and {lu}, and {zum} and {lum})" in README
    assert float(zsm) < 0.5 and float(lsm) < 0.5  # "neither makes ... more likely than not"
