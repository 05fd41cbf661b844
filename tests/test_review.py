"""Defects found by the statistical review of issues 12 and 13, each pinned by a value from the paper
or from R (tests/reference/review_reference.R), never from our own output."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from reanalysis import conclusions
from reanalysis.vocabulary import CONCLUSION_LABELS

SUPPORTED, BY_CHOICE, NOT_SUPPORTED, NOT_CHECKABLE = CONCLUSION_LABELS
REF = Path(__file__).parent / "reference" / "review_reference.csv"


def _r(case: str) -> float:
    with REF.open(encoding="utf-8") as f:
        return next(float(r["value"]) for r in csv.DictReader(f) if r["case"] == case)


def _flip(cid: str, reported: str, recomputed_p: float) -> dict:
    return {
        "claim_id": cid,
        "kind": "p_value",
        "verdict": "reproduced",
        "as_stated": True,
        "significance_flip": True,
        "recomputed_p": recomputed_p,
        "reported": reported,
        "route": "test=student",
    }


def test_a_flip_towards_significance_does_not_count_against_a_conclusion_of_effect():
    # zang2022's daily insulin at 32 weeks is printed "p > 0.05"; at the randomised n R's t-test gives
    # p = 0.0448: stronger than printed, which cannot weaken "insulin requirement decreased".
    towards = _r("zang2022 daily insulin 32 weeks, n 45/46")
    assert towards < 0.05
    claims = pd.DataFrame([_flip("up.p", "˃0.05", towards), _flip("down.p", "< 0.05", 0.0721)])
    sens = pd.DataFrame(columns=["analysis", "setting", "estimate", "p", "significant"])
    ((status, _),) = conclusions.evidence("claim:up.p", claims, sens)
    assert status == "holds"
    ((status, _),) = conclusions.evidence("claim:down.p", claims, sens)  # a printed significance lost
    assert status == "fails"
    # without a recomputed p the direction is unknown: the flip still fails, as before
    claims.loc[0, "recomputed_p"] = None
    ((status, _),) = conclusions.evidence("claim:up.p", claims, sens)
    assert status == "fails"


@pytest.fixture(scope="module")
def zang_assessed():
    from reanalysis.audit import Settings, account, audit, endpoint_counts
    from reanalysis.data import load
    from reanalysis.sensitivity import robustness

    paper = load("zang2022")
    claims = account(paper, audit(paper, Settings()))
    counts = endpoint_counts(paper, "primary_endpoint", "w48", Settings())
    sens = robustness(*counts[["events", "n"]].to_numpy().ravel(), *counts["lost"], test="chi2")
    return claims.set_index("claim_id", drop=False), conclusions.assess(paper, claims, sens)


def test_zang2022_insulin_conclusion_is_supported(zang_assessed):
    # "insulin requirement decreased ... in a time-dependent manner": at 48 weeks both insulin
    # differences are significant in R at the randomised n and at the completers' n alike; at 32 weeks the
    # paper prints p > 0.05 for both, and R's recomputation is if anything more significant.
    for case in ("daily insulin 48 weeks", "insulin per kg 48 weeks"):
        assert _r(f"zang2022 {case}, n 45/46") < 0.05 and _r(f"zang2022 {case}, n 37/36") < 0.05
    claims, assessed = zang_assessed
    assert claims.loc["res.insulin_day.w32.p", "recomputed_p"] == pytest.approx(
        _r("zang2022 daily insulin 32 weeks, n 45/46"), rel=1e-6
    )
    assert assessed.loc["disc.insulin", "label"] == SUPPORTED
    assert assessed.loc["disc.insulin", "depends_on"] == ""


def _ref(case: str, quantity: str) -> float:
    with REF.open(encoding="utf-8") as f:
        return next(float(r["value"]) for r in csv.DictReader(f) if r["case"] == case and r["quantity"] == quantity)


def test_effects_use_the_n_the_printed_percentages_fit_even_when_a_count_is_printed():
    # Table 1 prints "30 (68.18%)" under "Placebo (N = 46)": 68.18% is 30/44, and the printed p 0.5552
    # is R's chi-squared at 28/45 vs 30/44. The effect must be computed on the counts the paper's
    # numbers fit, as the module promises, not on 30/46 (p 0.766).
    from reanalysis import effects
    from reanalysis.data import load

    e = effects.effect_sizes(load("zang2022"))
    male = e[(e["variable"] == "male")].set_index("measure")
    case = "zang2022 male at baseline, 28/45 vs 30/44"
    assert (int(male.loc["risk difference", "n1"]), int(male.loc["risk difference", "n2"])) == (45, 44)
    assert round(_ref(case, "p"), 4) == 0.5552  # the paper's printed p
    assert male.loc["risk difference", "p"] == pytest.approx(_ref(case, "p"), rel=1e-9)
    assert male.loc["risk difference", "ci_low"] == pytest.approx(_ref(case, "rd_low"), rel=1e-6)
    assert male.loc["risk difference", "ci_high"] == pytest.approx(_ref(case, "rd_high"), rel=1e-6)
    assert male.loc["risk ratio", "ci_low"] == pytest.approx(_ref(case, "rr_low"), rel=1e-6)
    assert male.loc["risk ratio", "ci_high"] == pytest.approx(_ref(case, "rr_high"), rel=1e-6)


def test_primary_effects_is_the_synthesis_forest_and_the_old_name_still_works():
    from reanalysis import sensitivity

    counts = pd.DataFrame({"events": [11, 3], "n": [27, 26], "lost": [5, 9]})
    t = sensitivity.primary_effects({"lu2021": counts}, ci_method="wald").set_index("measure")
    case = "lu2021 remission, 11/27 vs 3/26"
    assert t.loc["risk ratio", "ci_low"] == pytest.approx(_ref(case, "rr_low"), rel=1e-6)
    assert t.loc["risk ratio", "ci_high"] == pytest.approx(_ref(case, "rr_high"), rel=1e-6)
    assert t.loc["risk difference", "ci_low"] == pytest.approx(_ref(case, "rd_low"), rel=1e-6)
    assert t.loc["risk difference", "ci_high"] == pytest.approx(_ref(case, "rd_high"), rel=1e-6)
    assert not hasattr(sensitivity, "effect_sizes")  # one name per function: effects.effect_sizes


def test_audit_helpers_have_public_names_with_the_old_ones_kept():
    from reanalysis import audit

    for public, private in [
        ("Inputs", "_Inputs"),
        ("claim_refs", "_refs"),
        ("printed_p", "_printed_p"),
        ("arm_sd", "_sd"),
        ("count_tables", "_tables"),
        ("per_visit", "_per_visit"),
    ]:
        assert public in audit.__all__ and getattr(audit, public) is getattr(audit, private)
    assert audit.claim_refs({"refers_to": "a; b;"}) == ["a", "b"]


def test_effects_sentence_counts_a_binary_outcome_only_when_both_intervals_leave_out_no_difference():
    from reanalysis.effects import EFFECT_COLUMNS, effects_sentence

    def row(measure, low, high, note="", tp="w32"):
        r = dict.fromkeys(EFFECT_COLUMNS, "")
        r.update(variable="v", timepoint=tp, claim_ids=f"c.{tp}", measure=measure, ci_low=low, ci_high=high)
        return {**r, "note": note}

    # zang2022's HbA1c < 7% at 32 weeks, 19/45 vs 10/44: the Wald RD interval leaves out 0 but the Katz
    # RR interval holds 1 (0.9765 to 3.534, as R computes it): not a comparison that "excludes" no difference.
    rows = [row("risk difference", 0.48, 38.51), row("risk ratio", 0.9765, 3.534)]
    rows += [row("mean difference", -0.98, -0.04, "the n at this visit is not printed: the arm's n assumed", "w9")]
    text = effects_sentence(pd.DataFrame(rows, columns=EFFECT_COLUMNS)).plain
    assert "in 1 of those the interval leaves out the value of no difference" in text
    assert "1 of these rest on an n the paper does not print" in text


def test_every_finding_has_an_innocent_explanation_and_the_32_week_n_is_an_open_question():
    from reanalysis import findings
    from reanalysis.audit import Settings, account, audit
    from reanalysis.data import load

    for pid in ("zang2022", "lu2021"):
        paper = load(pid)
        found = findings.findings(paper, account(paper, audit(paper, Settings())))
        for f in found["findings"]:
            assert f["explanations"], (pid, f["statement"])
        if pid == "zang2022":
            # the paper prints no n per visit (Results: only the randomised 45/46 and the completers 37/36)
            population = next(f["statement"] for f in found["findings"] if f["cause"] == "population")
            assert "paper prints no n per visit" in population
            assert not any("the n the paper gives" in f["statement"] for f in found["findings"])


def test_a_p_value_whose_stated_route_keeps_its_side_does_not_make_a_conclusion_hang_on_the_route(zang_assessed):
    # Table 2 prints 0.0268 for 9/45 vs 2/44 (R: chi-squared); at the randomised 46 R gives p < 0.05 as well,
    # so the n is not the choice the primary conclusions depend on; Yates' correction (R's default) is.
    assert round(_ref("zang2022 primary 48 weeks, 9/45 vs 2/44", "p"), 4) == 0.0268
    assert _ref("zang2022 primary 48 weeks, 9/45 vs 2/46", "p") < 0.05
    assert _ref("zang2022 primary 48 weeks, 9/45 vs 2/44", "p_yates") > 0.05
    _, assessed = zang_assessed
    for cid in ("abs.potential", "disc.primary", "concl.option"):
        assert assessed.loc[cid, "label"] == BY_CHOICE
        assert "chi2_yates" in assessed.loc[cid, "depends_on"]
        assert "t2.primary.w48.p" not in assessed.loc[cid, "depends_on"]


def test_regression_to_the_mean_keeps_the_papers_ambiguous_ten_of_them():
    # lu2021, Results: "11 out of 27 subjects increased in fasting C-peptide and 10 of them increased in
    # postprandial C-peptide": "of them" may be of the 11 or of the 27; the sentence must not decide it.
    from reanalysis import regression
    from reanalysis.data import load

    paper = load("lu2021")
    assert "11 out of 27 subjects increased in fasting C-peptide and 10 of them" in " ".join(paper.text.split())
    text = regression.regression_to_the_mean(paper).plain
    assert "10 of 27" not in text and "10 of them" in text


def test_a_flip_towards_significance_is_not_a_changed_conclusion_in_the_findings():
    # zang2022 prints "p > 0.05" at 32 weeks for daily insulin and HbA1c; R's Student t at the arms' full n
    # gives 0.0448 and 0.0336, at the completers' n 0.0721 and 0.0569 (the printed calls). Whichever n is
    # right, no significance the paper claims is lost: the finding changes numbers, not a conclusion.
    from reanalysis import findings
    from reanalysis.audit import Settings, account, audit
    from reanalysis.data import load

    for what in ("daily insulin", "HbA1c"):
        assert _r(f"zang2022 {what} 32 weeks, n 45/46") < 0.05 < _r(f"zang2022 {what} 32 weeks, n 37/36")
    paper = load("zang2022")
    found = findings.findings(paper, account(paper, audit(paper, Settings())), Settings())
    population = next(f for f in found["findings"] if f["cause"] == "population")
    assert set(population["claim_ids"]) == {"res.insulin_day.w32.p", "res.hba1c.w32.p"}
    assert population["consequence"] == "changes_a_number"
    # a flip that loses a printed significance still changes a conclusion
    group = pd.DataFrame({"significance_flip": [True], "recomputed_p": [0.0721]})
    assert findings._consequence(("population",), group) == "changes_a_conclusion"
