"""The audit's routes (issue 11): the stated route first, alternatives labelled, one population per
comparison, a table's n binding its rows, claims per visit, and what trial reports print (SEM,
categories, rank tests, significance in words, truncation, granularity).

Reference p-values come from R (tests/reference/audit_reference.R -> audit_reference.csv) or
from the papers themselves; none is a copy of our own output.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reanalysis import checks
from reanalysis.audit import _ffh, audit
from reanalysis.data import DESCRIPTIVE_COLUMNS, INFERENCE_COLUMNS, OPTIONAL_DESCRIPTIVE_COLUMNS, Paper, available, load
from reanalysis.printed import parse
from reanalysis.routes import Candidate, Route, order_tests, pair_populations, search
from reanalysis.vocabulary import stated_methods

REF = {
    r["case"]: float(r["value"])
    for r in csv.DictReader((Path(__file__).parent / "reference" / "audit_reference.csv").open(encoding="utf-8"))
}


def arms(a=(50, 50), b=(50, 50), completed=None):
    out = {
        "a": {"label": "A", "assigned": a[0], "analysed": a[1]},
        "b": {"label": "B", "assigned": b[0], "analysed": b[1]},
    }
    if completed:
        out["a"]["completed"], out["b"]["completed"] = completed
    return out


def paper(descriptives, inferences, arm_spec=None, **meta) -> Paper:
    """An in-memory package; unspecified columns are empty, provenance 'test'."""
    m = {
        "id": "mini",
        "citation": "made up",
        "arms": arm_spec or arms(),
        "timepoints": [{"id": "baseline"}, {"id": "w1"}, {"id": "w2"}],
        **meta,
    }
    base = {"section": "results", "location": "test", "quote": "test", "timepoint": "w1"}
    cols = list(DESCRIPTIVE_COLUMNS + OPTIONAL_DESCRIPTIVE_COLUMNS)
    d = pd.DataFrame([{**base, **r} for r in descriptives]).reindex(columns=cols)
    i = pd.DataFrame(
        [{**base, "comparison": "between", "arms": "a;b", "recomputable": "yes", **r} for r in inferences]
    ).reindex(columns=list(INFERENCE_COLUMNS))
    return Paper("mini", Path("."), m, d.astype(object).fillna(""), i.astype(object).fillna(""))


def means(values: dict, timepoint="w1", sd="sd", section="results"):
    """Rows of mean and SD (or SEM) per arm: {"a": ("5.2", "1.1"), ...}."""
    rows = []
    for arm, (m, s) in values.items():
        rows += [
            {
                "id": f"{arm}.{timepoint}.mean",
                "arm": arm,
                "variable": "x",
                "statistic": "mean",
                "value": m,
                "timepoint": timepoint,
                "section": section,
            },
            {
                "id": f"{arm}.{timepoint}.{sd}",
                "arm": arm,
                "variable": "x",
                "statistic": sd,
                "value": s,
                "timepoint": timepoint,
                "section": section,
            },
        ]
    return rows


def refs(rows):
    return ";".join(r["id"] for r in rows)


def one(claims: pd.DataFrame, claim_id: str) -> pd.Series:
    return claims.set_index("claim_id").loc[claim_id]


# --------------------------------------------------------------------------- vocabulary and routes


@pytest.mark.parametrize(
    "text, expected",
    [
        ("t-test", ("t_test",)),
        ("Student's t test or Mann-Whitney U test", ("student", "mann_whitney")),
        ("chi-squared or Fisher", ("chi2", "fisher")),
        ("chi-squared, or Fisher's exact test where an expected count was below 5", ("chi2_or_fisher",)),
        ("chi-squared or Fisher's exact test, as appropriate", ("chi2_or_fisher",)),
        ("Wilcoxon rank-sum test", ("mann_whitney",)),
        ("paired t-test or Wilcoxon", ("paired_t", "wilcoxon_signed_rank")),
        ("chi-squared test with Yates' correction", ("chi2_yates",)),
        ("Fisher-Freeman-Halton", ("fisher_freeman_halton",)),
        ("", ()),
    ],
)
def test_stated_methods_reads_the_papers_words(text, expected):
    assert stated_methods(text) == expected


def test_order_tests_states_the_rule_and_both_t_tests():
    assert order_tests("t-test", ("student", "welch"))[:2] == (["student", "welch"], [])
    assert order_tests("Welch's t-test", ("student", "welch"))[:2] == (["welch"], ["student"])
    rule = "chi-squared, or Fisher's exact test where an expected count was below 5"
    stated, alternatives, _ = order_tests(rule, ("chi2", "fisher", "chi2_or_fisher"))
    assert stated == ["chi2_or_fisher"] and set(alternatives) == {"chi2", "fisher"}
    stated, alternatives, _ = order_tests("chi-squared or Fisher", ("chi2", "fisher", "chi2_or_fisher"))
    assert stated == ["chi2", "fisher"] and alternatives == []


def test_pair_populations_never_mixes_arms():
    a = [("analysed", "analysed n", 40), ("assigned", "assigned n", 50)]
    b = [("assigned", "assigned n", 50), ("completed", "completed n", 38)]
    assert pair_populations([a, b]) == [("assigned", "assigned n", (50, 50))]


def test_search_tries_every_route_for_reproduced_before_any_for_consistent():
    """The verdicts' definitions: reproduced needs the inputs as printed (by any route, the
    alternatives labelled), consistent only inputs within rounding."""
    printed = parse("0.05")
    stated = Candidate(Route("student", as_stated=True), 0.0612, 0.047, 0.064)
    other = Candidate(Route("welch", as_stated=False, why="w"), 0.0500)
    verdict, hit, _ = search([stated, other], printed)
    assert verdict == "reproduced" and hit is other
    verdict, hit, _ = search([stated], printed)
    assert verdict == "consistent" and hit is stated
    both = Candidate(Route("welch", as_stated=True), 0.0501)
    assert search([other, both], printed)[1] is both  # the stated route first


def test_truncation_is_a_labelled_rounding_rule():
    assert parse("68.4").contains_truncated(68.48) and not parse("68.4").contains(68.48)
    assert not parse("68.4").contains_truncated(68.5)
    verdict, hit, _ = search([Candidate(Route("power"), 68.48)], parse("68.4"))  # lu2021's printed power
    assert verdict == "reproduced" and hit.route.rounding == "truncate"


def test_thousands_separators_keep_their_precision():
    p = parse("2,500")
    assert (p.value, p.decimals) == (2500.0, 0)
    assert parse("1,234.56").value == 1234.56


# --------------------------------------------------------------------------- route discipline


def test_one_population_per_comparison():
    """20/50 vs 10/40 gives the printed p (R), but 50 is arm a's assigned n and 40 arm b's analysed
    n: no route may combine them, and at 40/40 or 50/50 no test gives it."""
    d = [
        {"id": "a.k", "arm": "a", "variable": "y", "statistic": "count", "value": "20"},
        {"id": "b.k", "arm": "b", "variable": "y", "statistic": "count", "value": "10"},
    ]
    p = f"{REF['mixed_chi2']:.4f}"
    same = [REF[f"same_{n}_{t}"] for n in (40, 50) for t in ("chi2", "yates", "fisher")]
    assert all(not parse(p).contains(x) for x in same)
    claims = audit(
        paper(d, [{"id": "y.p", "kind": "p_value", "value": p, "refers_to": "a.k;b.k"}], arms((50, 40), (50, 40)))
    )
    claim = one(claims, "y.p")
    assert claim.verdict == "inconsistent"
    assert "n=50/40" not in claim.route and "n=40/50" not in claim.route


def test_stated_test_first_and_another_test_is_labelled():
    """The paper names Fisher's test; 9/45 vs 2/44 gives p = 0.0268 only with the chi-squared test (R)."""
    d = [
        {"id": "a.k", "arm": "a", "variable": "y", "statistic": "count", "value": "9"},
        {"id": "b.k", "arm": "b", "variable": "y", "statistic": "count", "value": "2"},
    ]
    printed = f"{REF['named_fisher_chi2']:.4f}"
    assert not parse(printed).contains(REF["named_fisher_fisher"])
    inf = [
        {
            "id": "y.p",
            "kind": "p_value",
            "value": printed,
            "refers_to": "a.k;b.k",
            "method_stated": "Fisher's exact test",
        }
    ]
    claim = one(audit(paper(d, inf, arms((45, 45), (44, 44)))), "y.p")
    assert claim.verdict == "reproduced" and claim.as_stated == False  # noqa: E712
    assert claim.route.startswith("test=chi2;n=45/44")
    assert "chi2 instead of the stated fisher" in claim.note
    # named as the chi-squared test, the same route is the stated one
    inf[0]["method_stated"] = "chi-squared"
    claim = one(audit(paper(d, inf, arms((45, 45), (44, 44)))), "y.p")
    assert claim.verdict == "reproduced" and claim.as_stated == True  # noqa: E712


def test_switch_rule_is_one_stated_route():
    """ "chi-squared or Fisher": 4/45 vs 1/44 has an expected count below 5 (2.47), so the rule
    applies Fisher (R); the chi-squared p is then an alternative. With 9/45 vs 2/44 (smallest
    expected count 5.44) the rule applies the chi-squared test, and Fisher's p is the alternative."""
    for (k1, k2), rule, other in (
        ((4, 1), "rule_fisher", "rule_chi2"),
        ((9, 2), "named_fisher_chi2", "named_fisher_fisher"),
    ):
        d = [
            {"id": "a.k", "arm": "a", "variable": "y", "statistic": "count", "value": str(k1)},
            {"id": "b.k", "arm": "b", "variable": "y", "statistic": "count", "value": str(k2)},
        ]
        for ref, stated in ((rule, True), (other, False)):
            inf = [
                {
                    "id": "y.p",
                    "kind": "p_value",
                    "value": f"{REF[ref]:.4f}",
                    "refers_to": "a.k;b.k",
                    "method_stated": "chi-squared, or Fisher's exact test where an expected count was below 5",
                }
            ]
            claim = one(audit(paper(d, inf, arms((45, 45), (44, 44)))), "y.p")
            assert claim.verdict == "reproduced" and bool(claim.as_stated) is stated, ref


def test_a_printed_count_is_the_datum_for_a_test_but_its_percentage_must_fit():
    """30 (68.18%) under a header n = 46: the test uses 30/46 (the stated route), but the
    percentage is not 30/46 = 65.22% and must not pass as reproduced at that n."""
    d = [
        {
            "id": "t1.n.a",
            "arm": "a",
            "variable": "table_n",
            "statistic": "n",
            "value": "45",
            "section": "table1",
            "timepoint": "",
        },
        {
            "id": "t1.n.b",
            "arm": "b",
            "variable": "table_n",
            "statistic": "n",
            "value": "46",
            "section": "table1",
            "timepoint": "",
        },
        {"id": "a.k", "arm": "a", "variable": "male", "statistic": "count", "value": "28", "section": "table1"},
        {"id": "a.pc", "arm": "a", "variable": "male", "statistic": "percent", "value": "62.22", "section": "table1"},
        {"id": "b.k", "arm": "b", "variable": "male", "statistic": "count", "value": "30", "section": "table1"},
        {"id": "b.pc", "arm": "b", "variable": "male", "statistic": "percent", "value": "68.18", "section": "table1"},
    ]
    claims = audit(paper(d, [], arms((45, 45), (46, 46)))).set_index("claim_id")
    assert claims.loc["a.pc", "verdict"] == "reproduced"
    assert claims.loc["b.pc", "verdict"] == "inconsistent"


def test_a_tables_n_binds_its_rows():
    """Table 1 prints n = 50 per arm; a p that only the completers' 40/40 give is an alternative."""
    rows = means({"a": ("5.20", "1.10"), "b": ("5.80", "1.30")}, timepoint="baseline", section="table1")
    header = [
        {
            "id": f"t1.n.{arm}",
            "arm": arm,
            "variable": "table_n",
            "statistic": "n",
            "value": "50",
            "section": "table1",
            "timepoint": "baseline",
            "location": "Table 1, header",
        }
        for arm in "ab"
    ]
    spec = arms((50, 50), (50, 50), completed=(40, 40))
    for printed, stated, pop in ((REF["table_n_50"], True, "table"), (REF["table_n_40"], False, "completed")):
        inf = [
            {
                "id": "x.p",
                "kind": "p_value",
                "value": f"{printed:.4f}",
                "refers_to": refs(rows),
                "method_stated": "t-test",
                "timepoint": "baseline",
                "section": "table1",
            }
        ]
        claim = one(audit(paper(rows + header, inf, spec)), "x.p")
        assert claim.verdict == "reproduced"
        assert bool(claim.as_stated) is stated and f"population={pop}" in claim.route


def test_claim_printed_for_several_visits_is_audited_per_visit():
    w1 = means({"a": ("7.0", "1.0"), "b": ("8.0", "1.0")}, "w1")
    w2 = means({"a": ("7.0", "1.0"), "b": ("7.2", "1.0")}, "w2")
    assert REF["visit_w1"] < 0.05 < REF["visit_w2"]
    inf = [{"id": "x.p", "kind": "p_value", "value": "< 0.05", "timepoint": "w1;w2", "refers_to": refs(w1 + w2)}]
    claims = audit(paper(w1 + w2, inf)).set_index("claim_id")
    assert "x.p" not in claims.index
    assert claims.loc["x.p@w1", "verdict"] == "reproduced"
    assert claims.loc["x.p@w2", "verdict"] == "inconsistent"
    assert math.isclose(claims.loc["x.p@w2", "recomputed_p"], REF["visit_w2"], rel_tol=1e-9)


def test_a_within_arm_interval_never_implies_a_between_group_p():
    d = means({"a": ("7.0", "1.0"), "b": ("8.0", "1.0")})
    inf = [
        {
            "id": "a.ci",
            "kind": "difference",
            "value": "-1.2",
            "ci_low": "-2.28",
            "ci_high": "-0.12",
            "comparison": "within",
            "arms": "a",
            "recomputable": "no",
            "reason": "individual changes",
        },
        {
            "id": "x.p",
            "kind": "p_value",
            "value": "0.03",
            "refers_to": "a.ci",
            "recomputable": "no",
            "reason": "ANCOVA on individual data",
        },
    ]
    claim = one(audit(paper(d, inf)), "x.p")
    assert claim.verdict == "not_reproducible"
    assert "not the interval of this comparison" in claim.note
    # the between-group interval of the same comparison does imply it
    inf[0].update(comparison="between", arms="a;b")
    claim = one(audit(paper(d, inf)), "x.p")  # -1.2 (-2.28 to -0.12): z = 2.18, p = 0.029
    assert claim.verdict == "reproduced" and "p implied by the printed CI" in claim.route


# --------------------------------------------------------------------------- what trial reports print


def test_mean_sem_is_converted_with_its_n():
    rows = means({"a": ("10.0", "0.50"), "b": ("11.6", "0.60")}, sd="sem")
    n = [{"id": f"{arm}.n", "arm": arm, "variable": "x", "statistic": "n", "value": "25"} for arm in "ab"]
    printed = f"{REF['sem_student']:.3f}"
    inf = [
        {"id": "x.p", "kind": "p_value", "value": printed, "refers_to": refs(rows), "method_stated": "Student's t-test"}
    ]
    claim = one(audit(paper(rows + n, inf)), "x.p")
    assert claim.verdict == "reproduced" and claim.as_stated == True  # noqa: E712
    assert "SD = SEM x sqrt(n)" in claim.route
    # read as SDs, the same numbers give a p of about 1e-13 (R): that would be no match
    assert not parse(printed).contains(REF["sem_as_sd_student"])


def test_rank_test_is_not_reproducible_never_a_t_verdict():
    d = [
        {"id": f"{arm}.{s}", "arm": arm, "variable": "x", "statistic": s, "value": v}
        for arm, vals in (("a", ("4", "2", "7")), ("b", ("6", "3", "9")))
        for s, v in zip(("median", "q1", "q3"), vals, strict=True)
    ] + means({"a": ("4.1", "2.0"), "b": ("6.2", "2.5")})
    inf = [
        {
            "id": "x.p",
            "kind": "p_value",
            "value": "0.21",
            "refers_to": "a.median;b.median;a.w1.mean;b.w1.mean;a.w1.sd;b.w1.sd",
            "method_stated": "Mann-Whitney U test",
        }
    ]
    claim = one(audit(paper(d, inf)), "x.p")
    assert claim.verdict == "not_reproducible" and claim.cause == "needs_unpublished_data"
    assert "rank test: needs individual data" in claim.note


def test_significance_in_words():
    rows = means({"a": ("7.0", "1.0"), "b": ("7.2", "1.0")})  # p = 0.32 (R)
    for value, verdict in (("not significant", "reproduced"), ("significant", "inconsistent"), ("n.s.", "reproduced")):
        inf = [{"id": "x.p", "kind": "p_value", "value": value, "refers_to": refs(rows)}]
        assert one(audit(paper(rows, inf)), "x.p").verdict == verdict, value
    inf = [{"id": "x.p", "kind": "p_value", "value": "NA", "refers_to": refs(rows)}]
    assert one(audit(paper(rows, inf)), "x.p").verdict == "not_reproducible"


def cat_rows(counts: dict[str, list[int]]):
    return [
        {
            "id": f"{arm}.c{i}",
            "arm": arm,
            "variable": "grade",
            "statistic": "count",
            "value": str(k),
            "category": f"g{i}",
        }
        for arm, ks in counts.items()
        for i, k in enumerate(ks)
    ]


@pytest.mark.parametrize("stated, ref", [("chi-squared", "rxk_chi2"), ("Fisher's exact test", "rxk_fisher")])
def test_row_of_several_categories(stated, ref):
    d = cat_rows({"a": [10, 20, 15], "b": [18, 12, 16]})
    inf = [{"id": "g.p", "kind": "p_value", "value": f"{REF[ref]:.3f}", "refers_to": refs(d), "method_stated": stated}]
    claim = one(audit(paper(d, inf, arms((45, 45), (46, 46)))), "g.p")
    assert claim.verdict == "reproduced" and claim.as_stated == True, claim.note  # noqa: E712
    assert "n=45/46" in claim.route


@pytest.mark.parametrize(
    "table, ref",
    [
        ([[10, 20, 15], [18, 12, 16]], "rxk_fisher"),
        ([[3, 5, 7], [6, 2, 1]], "rxk_small_fisher"),
        ([[1, 0, 4, 2], [0, 3, 1, 5]], "rxk_2x4_fisher"),
    ],
)
def test_fisher_freeman_halton_matches_r(table, ref):
    assert math.isclose(_ffh(np.array(table)), REF[ref], rel_tol=1e-9)


def test_change_direction_is_checked():
    d = [
        {"id": "pre", "arm": "a", "variable": "h", "statistic": "mean", "value": "9.02", "timepoint": "baseline"},
        {"id": "post", "arm": "a", "variable": "h", "statistic": "mean", "value": "7.52", "timepoint": "w1"},
    ]

    def verdict(value, quote, rows=d):
        inf = [
            {
                "id": "c",
                "kind": "change",
                "value": value,
                "comparison": "within",
                "arms": "a",
                "refers_to": "pre;post",
                "quote": quote,
            }
        ]
        return one(audit(paper(rows, inf)), "c").verdict

    assert verdict("1.50", "HbA1c decreased by 1.50%") == "reproduced"
    assert verdict("-1.50", "HbA1c changed by -1.50%") == "reproduced"
    assert verdict("1.50", "HbA1c increased by 1.50%") == "inconsistent"
    rising = [{**d[0], "value": "7.52"}, {**d[1], "value": "9.02"}]
    assert verdict("1.50", "HbA1c decreased by 1.50%", rising) == "inconsistent"
    assert verdict("1.50", "HbA1c increased by 1.50%", rising) == "reproduced"


# --------------------------------------------------------------------------- granularity on the papers


def test_grim_on_zang2022_placebo_age_points_to_44():
    """Table 1 prints the placebo arm's mean age as 50.45 years: impossible for 46 whole-year
    ages (any sum / 46 rounds elsewhere), possible for 44 (2220 / 44 = 50.4545...)."""
    claims = audit(load("zang2022")).set_index("claim_id")
    assert parse(claims.loc["t1.age.placebo.mean.grim", "reported"]).text == "50.45"
    assert claims.loc["t1.age.placebo.mean.grim", "verdict"] == "inconsistent"
    assert "possible for n = 44" in claims.loc["t1.age.placebo.mean.grim", "note"]
    assert not checks.grim("50.45", 46).consistent and checks.grim("50.45", 44).consistent


def test_sd_larger_than_a_range_allows():
    """'12 ± 7.6' weeks over a printed range 8-24 with n = 5: the most spread five whole-week
    values with mean 12 are 8, 8, 8, 12, 24 (SD 6.93)."""
    assert math.isclose(checks.max_sd(5, 8, 24, 12, 12), float(np.std([8, 8, 8, 12, 24], ddof=1)))
    d = [
        {"id": f"d.{s}", "arm": "a", "variable": "weeks", "statistic": s, "value": v, "timepoint": "baseline"}
        for s, v in (("mean", "12"), ("sd", "7.6"), ("min", "8"), ("max", "24"), ("n", "5"))
    ]
    claims = audit(paper(d, [], integer_valued=["weeks"])).set_index("claim_id")
    assert claims.loc["d.sd.sd_bound", "verdict"] == "inconsistent"
    d[1]["value"] = "6.9"
    claims = audit(paper(d, [], integer_valued=["weeks"])).set_index("claim_id")
    assert claims.loc["d.sd.sd_bound", "verdict"] == "reproduced"


def test_every_claim_has_route_and_as_stated_columns():
    for pid in available():
        claims = audit(load(pid))
        assert {"route", "as_stated", "cause"} <= set(claims.columns)
        decided = claims[claims.verdict.isin(["reproduced", "consistent"])]
        assert (decided.route != "").all(), decided[decided.route == ""].claim_id.tolist()
        nr = claims[claims.verdict == "not_reproducible"]
        assert set(nr.cause) <= {"needs_unpublished_data", "method_not_implemented"}


def test_debit_on_a_binary_mean_and_sd():
    """A 0/1 variable with mean 0.50 over 100 has SD 0.5025 at most (p = 1/2): 0.50 holds, 0.51 cannot."""
    for sd, verdict in (("0.50", "reproduced"), ("0.51", "inconsistent")):
        d = [
            {"id": f"s.{s}", "arm": "a", "variable": "smoker", "statistic": s, "value": v, "timepoint": "baseline"}
            for s, v in (("mean", "0.50"), ("sd", sd), ("n", "100"))
        ]
        claims = audit(paper(d, [], binary_valued=["smoker"])).set_index("claim_id")
        assert claims.loc["s.sd.debit", "verdict"] == verdict, sd


def test_figures_mark_each_visit_with_its_own_p():
    """zang2022 prints one "p > 0.05" for fasting C-peptide at weeks 9, 20 and 48 (Fig. 3A); per visit
    the printed means and SDs give 0.202, 0.084 and 0.128, and HbA1c at week 48 gives 0.003 (Fig. 2D),
    as an independent review recomputed (issue 11)."""
    from reanalysis.tables import marks

    p = load("zang2022")
    claims = audit(p)
    labels = " ".join(marks(p, claims, "fasting_cpeptide").label)
    assert all(f"ours {x}" in labels for x in ("0.202", "0.084", "0.128"))
    assert "ours 0.003" in " ".join(marks(p, claims, "hba1c").label)


def test_a_change_printed_without_a_direction_is_checked_by_its_size_only():
    d = [
        {"id": "pre", "arm": "a", "variable": "h", "statistic": "mean", "value": "9.02", "timepoint": "baseline"},
        {"id": "post", "arm": "a", "variable": "h", "statistic": "mean", "value": "7.52", "timepoint": "w1"},
    ]
    inf = [{"id": "c", "kind": "change", "value": "1.50", "comparison": "within", "arms": "a", "refers_to": "pre;post"}]
    assert one(audit(paper(d, inf)), "c").verdict == "reproduced"
