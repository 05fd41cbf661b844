"""The audit: rounding intervals, verdicts, errors that name the claim, escaped HTML."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reanalysis import inference
from reanalysis.audit import AuditError, _t_p, audit, t_interval
from reanalysis.checks import fitting_denominators
from reanalysis.data import DESCRIPTIVE_COLUMNS, INFERENCE_COLUMNS, Paper, load
from reanalysis.printed import parse

META = {
    "id": "mini",
    "citation": "a made-up paper.",
    "arms": {"a": {"label": "A", "assigned": 50, "analysed": 50}, "b": {"label": "B", "assigned": 50, "analysed": 50}},
    "timepoints": [{"id": "baseline"}, {"id": "w1"}],
}


def mini_paper(descriptives: list[dict], inferences: list[dict]) -> Paper:
    """An in-memory paper: every unspecified column is empty text, provenance is 'test'."""
    base = {"section": "results", "location": "test", "quote": "test", "timepoint": "w1"}
    d = pd.DataFrame([{**base, **r} for r in descriptives]).reindex(columns=list(DESCRIPTIVE_COLUMNS))
    i = pd.DataFrame(
        [{**base, "comparison": "between", "arms": "a;b", "recomputable": "yes", **r} for r in inferences]
    ).reindex(columns=list(INFERENCE_COLUMNS))
    return Paper("mini", Path("."), META, d.astype(object).fillna(""), i.astype(object).fillna(""))


def ttest_paper(m1, s1, n1, m2, s2, n2, p) -> Paper:
    rows = []
    for arm, m, s, n in (("a", m1, s1, n1), ("b", m2, s2, n2)):
        rows += [
            {"id": f"{arm}.n", "arm": arm, "variable": "x", "statistic": "n", "value": n},
            {"id": f"{arm}.mean", "arm": arm, "variable": "x", "statistic": "mean", "value": m},
            {"id": f"{arm}.sd", "arm": arm, "variable": "x", "statistic": "sd", "value": s},
        ]
    return mini_paper(
        rows, [{"id": "x.p", "kind": "p_value", "variable": "x", "value": p, "refers_to": "a.mean;a.sd;b.mean;b.sd"}]
    )


# --------------------------------------------------------------------------- the t-test hot path


def test_vectorised_t_matches_inference():
    rng = np.random.default_rng(1)
    for _ in range(200):
        m1, m2 = rng.normal(0, 2, 2)
        s1, s2 = rng.uniform(0.1, 3, 2)
        n1, n2 = rng.integers(2, 80, 2)
        for method in ("student", "welch"):
            expected = inference.ttest_from_stats(m1, s1, n1, m2, s2, n2, method=method).pvalue
            assert _t_p(m1 - m2, s1, s2, n1, n2, method == "welch") == pytest.approx(expected, rel=1e-9, abs=1e-15)


printed_mean = st.decimals(min_value=-20, max_value=20, places=2, allow_nan=False).map(str)
printed_sd = st.decimals(min_value="0.05", max_value=9, places=2, allow_nan=False).map(str)
arm_n = st.integers(min_value=2, max_value=200)


@settings(max_examples=200, deadline=None)
@given(printed_mean, printed_sd, arm_n, printed_mean, printed_sd, arm_n)
def test_interval_contains_the_central_value(m1, s1, n1, m2, s2, n2):
    m, sd = [parse(m1), parse(m2)], [parse(s1), parse(s2)]
    central, lo, hi = t_interval(m, sd, [n1], [n2], "student")
    assert lo[0] - 1e-12 <= central[0] <= hi[0] + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.floats(-20, 20), st.floats(0.2, 9), arm_n, st.floats(-20, 20), st.floats(0.2, 9), arm_n, st.integers(1, 3))
def test_coarser_printing_never_narrows_the_interval(m1, s1, n1, m2, s2, n2, places):
    """The same printed digits with one decimal fewer ("7.5" against "7.50") never give a narrower interval."""

    def interval(suffix):
        m = [parse(f"{m1:.{places}f}{suffix}"), parse(f"{m2:.{places}f}{suffix}")]
        sd = [parse(f"{s1:.{places}f}{suffix}"), parse(f"{s2:.{places}f}{suffix}")]
        return t_interval(m, sd, [n1], [n2], "student")[1:]

    (lo_fine,), (hi_fine,) = interval("0")
    (lo_coarse,), (hi_coarse,) = interval("")
    assert lo_coarse <= lo_fine + 1e-12 and hi_coarse >= hi_fine - 1e-12


@settings(max_examples=100, deadline=None)
@given(printed_mean, printed_sd, st.integers(5, 120), printed_mean, printed_sd, st.integers(5, 120))
def test_p_from_exact_inputs_rounded_is_reproduced(m1, s1, n1, m2, s2, n2):
    p = inference.ttest_from_stats(float(m1), float(s1), n1, float(m2), float(s2), n2).pvalue
    printed = f"{p:.4f}" if p >= 0.0001 else "< 0.0001"
    claims = audit(ttest_paper(m1, s1, str(n1), m2, s2, str(n2), printed)).set_index("claim_id")
    assert claims.loc["x.p", "verdict"] == "reproduced"
    assert "student" in claims.loc["x.p", "method"]


@settings(max_examples=100, deadline=None)
@given(st.integers(5, 60), st.integers(5, 60), st.data())
def test_2x2_from_exact_counts_rounded_is_reproduced(n1, n2, data):
    k1, k2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    test = data.draw(st.sampled_from(["chi2", "chi2_yates", "fisher"]))
    p = inference.two_by_two(k1, n1, k2, n2, test=test).pvalue
    rows = []
    for arm, k, n in (("a", k1, n1), ("b", k2, n2)):
        rows += [
            {"id": f"{arm}.n", "arm": arm, "variable": "y", "statistic": "n", "value": str(n)},
            {"id": f"{arm}.k", "arm": arm, "variable": "y", "statistic": "count", "value": str(k)},
            {"id": f"{arm}.pc", "arm": arm, "variable": "y", "statistic": "percent", "value": f"{100 * k / n:.2f}"},
        ]
    paper = mini_paper(
        rows, [{"id": "y.p", "kind": "p_value", "variable": "y", "value": f"{p:.4f}", "refers_to": "a.pc;b.pc"}]
    )
    claims = audit(paper).set_index("claim_id")
    assert set(claims.verdict) == {"reproduced"}
    assert test in claims.loc["y.p", "method"]


# --------------------------------------------------------------------------- verdicts on the papers


def test_zang2022_primary_endpoint_uses_44_in_the_placebo_arm():
    """Table 2 prints 4.55% and p = 0.0268; 2/44 = 4.545% (2/46 = 4.348%), and chi-squared on 9/45 vs 2/44.

    The paper states the chi-squared test and analysed 45/46: the test is the stated one, the n is
    not, so the route is labelled an alternative (as_stated False) and says why."""
    claims = audit(load("zang2022")).set_index("claim_id")
    claim = claims.loc["t2.primary.w48.p"]
    assert claim.verdict == "reproduced"
    assert claim.route.startswith("test=chi2;n=45/44;population=implied")
    assert claim.as_stated is False or claim.as_stated == False  # noqa: E712
    assert "9/45 vs 2/44" in claim.method
    assert "the implied n instead of the analysed n" in claim.note
    assert fitting_denominators("4.55", range(40, 51)) == (44,)


def test_lu2021_remission_p_is_inconsistent_and_says_the_nearest():
    claims = audit(load("lu2021")).set_index("claim_id")
    row = claims.loc["res.remission.p"]
    assert row.verdict == "inconsistent" and "nearest" in row.note


def test_settings_change_what_is_recomputed_not_the_verdict():
    default = audit(load("lu2021")).set_index("claim_id")
    fisher = audit(load("lu2021"), two_by_two_test="fisher").set_index("claim_id")
    assert "chi2;" in default.loc["res.remission.p", "recomputed"]
    assert "fisher;" in fisher.loc["res.remission.p", "recomputed"]
    assert (default.verdict == fisher.verdict).all()


# --------------------------------------------------------------------------- impossible inputs


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"a.sd": "0.00"}, "SD must be > 0"),
        ({"a.n": "1"}, "n >= 2"),
        ({"x.p": "1.5"}, "p-value lies in [0, 1]"),
    ],
)
def test_impossible_t_inputs_raise_naming_the_claim(change, message):
    values = {"a.mean": "1.00", "a.sd": "1.00", "a.n": "20", "x.p": "0.05"} | change
    paper = ttest_paper(values["a.mean"], values["a.sd"], values["a.n"], "2.00", "1.00", "20", values["x.p"])
    with pytest.raises(AuditError, match=rf"^claim x\.p: .*{message.replace('[', '.').replace(']', '.')}"):
        audit(paper)


def test_count_above_its_printed_n_raises_naming_the_claim():
    rows = [
        {"id": "a.n", "arm": "a", "variable": "y", "statistic": "n", "value": "10"},
        {"id": "a.k", "arm": "a", "variable": "y", "statistic": "count", "value": "12"},
        {"id": "b.n", "arm": "b", "variable": "y", "statistic": "n", "value": "10"},
        {"id": "b.k", "arm": "b", "variable": "y", "statistic": "count", "value": "2"},
    ]
    paper = mini_paper(
        rows, [{"id": "y.p", "kind": "p_value", "variable": "y", "value": "0.01", "refers_to": "a.k;b.k"}]
    )
    with pytest.raises(AuditError, match=r"^claim y\.p: count 12 .* larger than its printed n = 10"):
        audit(paper)


def test_ci_that_excludes_its_estimate_raises_naming_the_claim():
    paper = mini_paper(
        [],
        [
            {
                "id": "or",
                "kind": "odds_ratio",
                "variable": "z",
                "value": "4.38",
                "ci_low": "5.0",
                "ci_high": "9.0",
                "ci_level": "95",
                "recomputable": "no",
                "reason": "adjusted model",
            },
            {
                "id": "or.p",
                "kind": "p_value",
                "variable": "z",
                "value": "0.04",
                "refers_to": "or",
                "recomputable": "no",
                "reason": "adjusted model",
            },
        ],
    )
    with pytest.raises(AuditError, match=r"^claim or\.p: .*does not contain its estimate"):
        audit(paper)


# --------------------------------------------------------------------------- rendering


def test_text_from_data_is_escaped_in_html():
    paper = ttest_paper("1.00", "1.00", "20", "2.00", "1.00", "20", "0.0032")
    paper.inferences.loc[0, "quote"] = "<script>alert('x')</script>"
    html = audit(paper)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_reproduced_ci_shows_the_interval_its_route_gives():
    """zang2022 prints the primary endpoint's 95% CI as 2.25-28.66% (Abstract and Results); the Wald
    interval at 9/45 vs 2/44 reproduces it. The claim shows that interval, not an empty cell that a
    report would read as "inputs not published"."""
    claims = audit(load("zang2022")).set_index("claim_id")
    for cid in ("abs.primary.w48.ci", "res.primary.w48.ci"):
        claim = claims.loc[cid]
        assert claim.verdict == "reproduced"
        assert claim.recomputed.startswith("2.25 to 28.66 (wald; n = 45/44")


def test_a_kept_audit_is_the_audit_of_the_package_as_it_is_now():
    """audit() keeps its results by the package's content: an edit made after an audit (in place,
    as a notebook or an exercise may do) gets the edited package's audit, and changing a returned
    table changes nothing later calls see."""
    from reanalysis.audit import Settings, _audit

    paper = load("zang2022")
    first = audit(paper)
    pd.testing.assert_frame_equal(first, _audit(paper, Settings(alpha=float(paper.meta.get("alpha", 0.05)))))
    first.loc[:, "verdict"] = "reproduced"  # the caller's copy
    again = audit(paper)
    assert (again.verdict.astype(str) != "reproduced").any()
    pd.testing.assert_frame_equal(again, _audit(paper, Settings(alpha=float(paper.meta.get("alpha", 0.05)))))

    row = paper.inferences.index[paper.inferences.kind.eq("p_value")][0]
    paper.inferences.loc[row, "value"] = "0.999"  # edited in place after the first audit
    edited = audit(paper)
    claim = paper.inferences.loc[row, "id"]
    assert edited.loc[edited.claim_id.str.startswith(claim), "reported"].eq("0.999").any()
    pd.testing.assert_frame_equal(edited, _audit(paper, Settings(alpha=float(paper.meta.get("alpha", 0.05)))))
    other = audit(paper, Settings(two_by_two_test="fisher"))
    pd.testing.assert_frame_equal(other, _audit(paper, Settings(two_by_two_test="fisher")))


def test_a_kept_audit_follows_the_modules_limits_and_can_be_forgotten(monkeypatch):
    """The limits that change an audit (exact tests tried, tables, counts) are part of what it is
    kept by; forget_audits() drops every kept audit (after replacing a function the audit calls)."""
    import reanalysis.audit as audit_module
    from reanalysis.audit import Settings, _audit, forget_audits

    paper = load("lu2021")
    settings = Settings(alpha=float(paper.meta.get("alpha", 0.05)))
    before = audit(paper)
    monkeypatch.setattr(audit_module, "EXACT_TABLES_MAX", 0)
    fresh = _audit(paper, settings)
    assert not fresh.equals(before)  # the limit matters for this package...
    pd.testing.assert_frame_equal(audit(paper), fresh)  # ...and the kept audit follows it
    monkeypatch.undo()
    pd.testing.assert_frame_equal(audit(paper), before)
    forget_audits()
    assert not audit_module._AUDITS
    pd.testing.assert_frame_equal(audit(paper), before)


def test_an_audit_of_a_package_edited_meanwhile_is_not_kept(monkeypatch):
    """A package changed while it was being audited (another thread) leaves nothing kept: the result
    belongs to neither its old nor its new content."""
    import reanalysis.audit as audit_module
    from reanalysis.audit import forget_audits

    paper = load("zang2022")
    forget_audits()
    real = audit_module._audit
    row = paper.inferences.index[0]

    def edited_meanwhile(p, settings):
        out = real(p, settings)
        p.inferences.loc[row, "value"] = "0.999"
        return out

    monkeypatch.setattr(audit_module, "_audit", edited_meanwhile)
    audit(paper)
    assert not audit_module._AUDITS


def test_forget_drops_every_kept_result():
    """reanalysis.forget(), for timings from cold: no kept audit and no cached p remain."""
    import reanalysis
    import reanalysis.audit as audit_module
    from reanalysis import closedform

    audit(load("lu2021"))
    closedform.p_value(3, 10, 7, 10, "fisher")
    closedform.p_value(3, 10, 7, 10, "barnard")
    reanalysis.forget()
    assert not audit_module._AUDITS
    assert closedform.p_fisher.cache_info().currsize == 0 and closedform._exact_p.cache_info().currsize == 0
