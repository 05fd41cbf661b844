"""Effect sizes of every between-group comparison a paper prints, and the multiplicity of its tests.

:func:`effect_sizes` walks the paper's between-group p-values (``inferences.csv``, kind
``p_value``, comparison ``between``), one per visit (a p printed once for several visits is
split, as the audit splits it), and gives for each the effect it tests, recomputed from the
printed summaries along the route the paper states (:mod:`reanalysis.routes`):

- means with SDs (or SEMs, converted with each n): the difference of means with its t interval,
  Student's or Welch's as the paper names it (a plain "t-test" is read as Student's, the
  pooled-variance test most software runs by that name);
- counts or percentages: the risk difference (an interval method of
  :data:`~reanalysis.vocabulary.CI_METHODS`) and the risk ratio (Katz log interval; the
  Koopman score interval when a cell is zero), on the counts that fit the printed numbers;
- anything else (medians, means without an SD, a model on unpublished data, a table of several
  categories) gets a row that says why no interval can be recomputed.

The n is the stated route's: the n printed beside the number, else its table's printed n, else the
arm's analysed n; where the stated n does not fit the printed percentages, the n the table's
percentages fit (labelled). Both arms' n always come from one population.

:func:`multiplicity` gathers the family of endpoints x visits the paper tests between groups (one
member per outcome and visit, however often the paper prints it) and applies Holm's and
Benjamini-Hochberg's procedures (``statsmodels.stats.multitest.multipletests``) to the printed p and
to the recomputed p. A p printed only as a bound is taken at its least favourable value (``p < 0.05``
as 0.05, ``p > 0.05`` or "not significant" as 1), so a printed result that survives does so
whatever its exact value.

Written here: the choice of comparisons and routes (no library models a paper); the statistics come
from :mod:`reanalysis.inference` (scipy, statsmodels) and statsmodels' ``multipletests``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from . import closedform, inference
from .audit import Inputs, Settings, arm_sd, claim_refs, count_tables, per_visit, printed_p
from .data import Paper
from .markup import ReaderFrame
from .printed import is_number, parse
from .routes import pair_populations
from .sensitivity import COLUMNS
from .tables import Prose
from .vocabulary import CI_METHODS, RANK_TESTS, T_METHODS, TWO_BY_TWO_RULES, TWO_BY_TWO_TESTS, stated_methods

__all__ = [
    "EFFECT_COLUMNS",
    "FAMILY_COLUMNS",
    "ADJUSTMENTS",
    "mean_difference",
    "effect_sizes",
    "adjust",
    "multiplicity",
    "multiplicity_sentence",
    "effects_sentence",
    "forest_rows",
    "sensitivity_rows",
    "effects_table",
    "family_table",
]

#: Columns of :func:`effect_sizes`.
EFFECT_COLUMNS = [
    "comparison",
    "outcome",
    "variable",
    "timepoint",
    "location",
    "measure",
    "unit",
    "estimate",
    "ci_low",
    "ci_high",
    "level",
    "p",
    "n1",
    "n2",
    "population",
    "method",
    "printed_p",
    "claim_ids",
    "note",
]
#: Columns of :func:`multiplicity`.
FAMILY_COLUMNS = [
    "outcome",
    "variable",
    "timepoint",
    "location",
    "printed",
    "p_printed",
    "p_recomputed",
    "recomputed_from",
    "printed_significant",
    "holm_printed",
    "bh_printed",
    "holm_recomputed",
    "bh_recomputed",
    "survives_holm_printed",
    "survives_bh_printed",
    "survives_holm_recomputed",
    "survives_bh_recomputed",
    "claim_ids",
]
#: The adjustments applied, as ``multipletests`` names them.
ADJUSTMENTS = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg"}

_MEANS = ("mean", "sd", "sem")
_COUNTS = ("count", "percent", "n")


# --------------------------------------------------------------------------- one comparison


def mean_difference(
    mean1: float, sd1: float, n1: float, mean2: float, sd2: float, n2: float, method: str = "student", level=0.95
) -> tuple[inference.Interval, float]:
    """Difference of means ``mean1 - mean2`` with its t interval, and the two-sided p of the t-test.

    ``method`` is "student" (pooled variance, n1 + n2 - 2 df) or "welch" (Welch-Satterthwaite df);
    the test is :func:`reanalysis.inference.ttest_from_stats` (scipy), the interval its difference
    plus or minus the t quantile times its SE, as R's ``t.test`` gives it.
    """
    res = inference.ttest_from_stats(mean1, sd1, n1, mean2, sd2, n2, method=method)
    q = float(stats.t.ppf(0.5 + level / 2, res.df))
    d, se = res.detail["difference"], res.detail["se"]
    name = "Student t (pooled variance)" if method == "student" else "Welch t"
    return inference.Interval(d, d - q * se, d + q * se, level, name), res.pvalue


def _t_method(text: str, arms: int, default: str | None) -> tuple[str | None, str]:
    """The t-test variant a ``method_stated`` names, and how it was chosen (None: no t-test named)."""
    named = stated_methods(text)
    if arms == 2:
        named = tuple("student" if t == "anova" else t for t in named)
    for t in T_METHODS:
        if t in named:
            return t, "as stated"
    if "t_test" in named:
        return default or "student", "the paper says t-test" + ("" if default else "; Student's assumed")
    if not named:
        return default or "student", "no test named" + ("" if default else "; Student's assumed")
    return None, "the paper names " + ", ".join(named)


def _two_by_two_test(text: str, default: str | None) -> tuple[str | None, str]:
    """The 2x2 test a ``method_stated`` names (the switch rule included), and how it was chosen."""
    named = stated_methods(text)
    if "chi2" in named and "fisher" in named:  # both named, the condition not said: the usual switch rule
        return "chi2_or_fisher", "the paper names chi-squared and Fisher without saying when; the switch rule used"
    for t in TWO_BY_TWO_RULES + TWO_BY_TWO_TESTS:
        if t in named:
            return t, "as stated"
    if not named:
        return default or "chi2_or_fisher", "no test named"
    return None, "the paper names " + ", ".join(named)


def _timepoint_label(paper: Paper, timepoint: str) -> str:
    labels = {t["id"]: t.get("label", t["id"]) for t in paper.meta.get("timepoints", [])}
    return labels.get(timepoint, timepoint) if timepoint else "no visit named"


def _outcome(paper: Paper, variable: str, timepoint: str) -> str:
    if not timepoint:
        return paper.name(variable)
    return f"{paper.name(variable)}, " + " + ".join(_timepoint_label(paper, t) for t in timepoint.split("+"))


def _what(inp: Inputs, refs: list[str]) -> str:
    """What a p compares: means, proportions, another inference (a change, a model), or nothing printed."""
    kinds = []
    for r in refs:
        if r in inp.d:
            st = inp.d[r]["statistic"]
            kinds.append("means" if st in _MEANS else "proportions" if st in _COUNTS else st)
        elif r in inp.i:
            kinds.append(inp.i[r]["kind"])
    return "+".join(sorted(set(kinds))) or "nothing printed"


def _rank(printed: str, alpha: float) -> tuple:
    """Sort key of the printed p of one comparison printed several times: a number before a bound,
    a bound before words; more decimals first."""
    p = printed_p({"value": printed}, alpha)
    if p is None:
        return (3, 0)
    if printed.strip().lower() in ("ns", "n.s.", "n.s", "not significant", "significant"):
        return (2, 0)
    return (0 if p.comparator == "=" else 1, -p.decimals)


def _least_favourable(printed: str, alpha: float) -> float:
    """A printed p as a number for an adjustment: its value, or the least favourable value of a
    bound (``< x`` as x, ``> x`` as 1); words as alpha ("significant") or 1; NaN for "NA"."""
    p = printed_p({"value": printed}, alpha)
    if p is None:
        return math.nan
    return 1.0 if p.comparator in (">", ">=") else float(p.value)


def _comparisons(paper: Paper, inp: Inputs) -> list[dict]:
    """Between-group p rows, one per visit, grouped by (variable, visit, arms, what they compare):
    each group's rows in file order."""
    groups: dict[tuple, list[dict]] = {}
    for row in inp.i.values():
        if row["kind"] != "p_value" or row["comparison"] != "between":
            continue
        for v in per_visit(row, inp.d):
            key = (v["variable"], v["timepoint"], v["arms"], _what(inp, claim_refs(v)))
            groups.setdefault(key, []).append(v)
    return [{"key": k, "rows": rows} for k, rows in groups.items()]


def _empty(paper: Paper, row: dict, rows: list[dict], alpha: float, note: str, measure: str = "") -> dict:
    arms = [a for a in row["arms"].split(";") if a]
    best = min(rows, key=lambda r: _rank(r["value"], alpha))
    return {
        "comparison": " vs ".join(paper.arms[a]["label"] if a in paper.arms else a for a in arms),
        "outcome": _outcome(paper, row["variable"], row["timepoint"]),
        "variable": row["variable"],
        "timepoint": row["timepoint"],
        "location": best["location"],
        "measure": measure,
        "unit": "",
        "estimate": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "level": math.nan,
        "p": math.nan,
        "n1": pd.NA,
        "n2": pd.NA,
        "population": "",
        "method": "",
        "printed_p": best["value"],
        "claim_ids": ";".join(r["id"] for r in rows),
        "note": note,
    }


def _choose_pair(pairs: list, stated: str | None, population: str | None, fallback: str | None = None):
    """The (population, source, n...) to use: the asked-for population, else the stated, else the
    fallback (the n a table's percentages fit), else the first."""
    for want in (population, stated, fallback):
        hit = next((p for p in pairs if p[0] == want), None) if want else None
        if hit:
            return hit
    return pairs[0] if pairs else None


def _pop_label(pop: str, source: str) -> str:
    if pop == "table":
        return f"table n: {source}"
    if pop == "implied":
        return "implied n: the n the arm's printed percentages fit"
    return f"{pop} n"


def _means_rows(paper, inp, row, rows, arms, means, sds, sems, population, t_method, level, alpha) -> list[dict]:
    method, how = _t_method(row["method_stated"], len(arms), t_method)
    base = _empty(paper, row, rows, alpha, "", "mean difference")
    if method is None:
        return [{**base, "note": f"{how}: no t interval applies"}]
    pairs = pair_populations([inp.populations(means[a]) for a in arms])
    stated = inp.stated_population([means[a] for a in arms])
    pick = _choose_pair(pairs, stated, population)
    if pick is None:
        return [{**base, "note": "no n printed for these means, and no arm n applies"}]
    pop, source, (n1, n2) = pick
    spread = [arm_sd(sds.get(a), sems.get(a), n) for a, n in zip(arms, (n1, n2), strict=True)]
    m = [parse(means[a]["value"]).value for a in arms]
    ci, p = mean_difference(m[0], spread[0][0].value, n1, m[1], spread[1][0].value, n2, method=method, level=level)
    notes = [how] if how != "as stated" else []
    notes += [s[1] for s in spread if s[1]][:1]
    if pop != stated:
        notes.append(f"the {pop} n instead of the {stated or 'stated'} n")
    elif row["timepoint"] not in ("", "baseline") and pop not in ("printed", "table"):
        notes.append("the n at this visit is not printed: the arm's n assumed")
    return [
        {
            **base,
            "unit": means[arms[0]]["unit"],
            "estimate": ci.estimate,
            "ci_low": ci.low,
            "ci_high": ci.high,
            "level": level,
            "p": p,
            "n1": n1,
            "n2": n2,
            "population": _pop_label(pop, source),
            "method": ci.method,
            "note": "; ".join(notes),
        }
    ]


def _count_rows(paper, inp, row, rows, arms, cells, population, test, ci_method, level, alpha) -> list[dict]:
    chosen, how = _two_by_two_test(row["method_stated"], test)
    base = _empty(paper, row, rows, alpha, "")
    tables = count_tables(inp, cells[arms[0]], cells[arms[1]])
    if not tables:
        return [{**base, "measure": "risk difference", "note": "no counts fit the printed numbers with any n"}]
    stated = inp.stated_population([cells[a] for a in arms])
    fits = {t[0] for t in tables}
    table_pop = next((p for p in (inp.table_population(cells[a]) for a in arms) if p in fits), None)
    if population is None:  # the stated route: prefer the tables whose counts fit every printed percentage
        fit = [{(p, n, k) for p, _, n, k in inp.counts(cells[a], strict=True)} for a in arms]
        fitting = [t for t in tables if all((t[0], t[2][j], t[3][j]) in fit[j] for j in (0, 1))]
        tables = fitting or tables
    pop, source, (n1, n2), (k1, k2) = _choose_pair(tables, stated, population, table_pop)
    p = closedform.p_value(k1, n1, k2, n2, chosen) if chosen else math.nan
    notes = [] if how == "as stated" else [how]
    if pop != stated:
        notes.append(f"the {pop} n: the printed numbers do not fit the {stated or 'stated'} n")
    if k1 in (0, n1) and k2 in (0, n2):
        notes.append("every participant in each arm has the same outcome: the Wald interval is degenerate")
    counts = f"{k1}/{n1} vs {k2}/{n2}"
    rd = inference.proportion_difference_ci(k1, n1, k2, n2, method=ci_method, level=level)
    out = [
        {
            **base,
            "measure": "risk difference",
            "unit": "percentage points",
            "estimate": 100 * rd.estimate,
            "ci_low": 100 * rd.low,
            "ci_high": 100 * rd.high,
            "level": level,
            "p": p,
            "n1": n1,
            "n2": n2,
            "population": _pop_label(pop, source),
            "method": f"{rd.method} CI; {chosen or 'no 2x2 test'} p; {counts}",
            "note": "; ".join(notes),
        }
    ]
    if k1 + k2 == 0:
        return out + [
            {
                **out[0],
                "measure": "risk ratio",
                "unit": "ratio",
                "estimate": math.nan,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "method": "",
                "note": "no events in either arm: no risk ratio",
            }
        ]
    zero = k2 == 0 or k1 == 0
    rr = inference.ratio_ci(k1, n1, k2, n2, measure="rr", method="score" if zero else "log", level=level)
    est = k1 / n1 / (k2 / n2) if k2 else math.inf
    out.append(
        {
            **out[0],
            "measure": "risk ratio",
            "unit": "ratio",
            "estimate": est,
            "ci_low": rr.low,
            "ci_high": rr.high,
            "method": f"{rr.method} CI; {chosen or 'no 2x2 test'} p; {counts}",
            "note": "; ".join(notes + (["a zero cell: the score interval"] if zero else [])),
        }
    )
    return out


def _comparison_rows(
    paper, inp, rows, population, t_method, two_by_two_test, ci_method, level, alpha, include_baseline
):
    """The rows of :func:`effect_sizes` for one comparison (its printed p rows)."""
    out: list[dict] = []
    row = next((r for r in rows if r["recomputable"] != "no"), rows[0])
    if row["timepoint"] == "baseline" and not include_baseline:
        return out
    arms = [a for a in row["arms"].split(";") if a]
    refs = claim_refs(row)
    means, sds, sems = inp.by_arm(refs, "mean"), inp.by_arm(refs, "sd"), inp.by_arm(refs, "sem")
    cells = inp.by_arm(refs, ("percent", "count"))
    categorical = any(inp.d[r].get("category") for r in refs if r in inp.d)
    printed = [inp.i[r] for r in refs if r in inp.i and inp.i[r]["kind"] in ("difference", "ratio", "odds_ratio")]
    named = stated_methods(row["method_stated"])
    if len(arms) != 2:
        out.append(_empty(paper, row, rows, alpha, "a comparison within one arm's subgroups: arms not printed"))
    elif categorical:
        out.append(_empty(paper, row, rows, alpha, "a table of several categories: no single effect size"))
    elif all(a in means and (a in sds or a in sems) for a in arms):
        out += _means_rows(paper, inp, row, rows, arms, means, sds, sems, population, t_method, level, alpha)
    elif all(a in cells for a in arms):
        out += _count_rows(paper, inp, row, rows, arms, cells, population, two_by_two_test, ci_method, level, alpha)
    elif printed and printed[0]["ci_low"]:
        est = printed[0]
        base = _empty(paper, row, rows, alpha, "as printed (needs the unpublished data to recompute)")
        kind = {"difference": "mean difference", "odds_ratio": "odds ratio"}.get(est["kind"], est["kind"])
        value = parse(est["value"]).value if is_number(est["value"]) else math.nan
        level_p = float(est["ci_level"] or 95) / 100
        out.append(
            {
                **base,
                "measure": f"{kind} (printed)",
                "estimate": value,
                "ci_low": parse(est["ci_low"]).value,
                "ci_high": parse(est["ci_high"]).value,
                "level": level_p,
                "method": est["method_stated"] or "as printed",
            }
        )
    elif any(t in RANK_TESTS for t in named) or any(
        inp.d[r]["statistic"] in ("median", "q1", "q3") for r in refs if r in inp.d
    ):
        out.append(_empty(paper, row, rows, alpha, "medians or a rank test: needs the individual data"))
    elif all(a in means for a in arms):
        diff = parse(means[arms[0]]["value"]).value - parse(means[arms[1]]["value"]).value
        out.append(
            {
                **_empty(paper, row, rows, alpha, "no SD printed: no interval", "mean difference"),
                "unit": means[arms[0]]["unit"],
                "estimate": diff,
            }
        )
    else:
        why = row["reason"] if row["recomputable"] == "no" and row["reason"] else "no summaries printed for it"
        out.append(_empty(paper, row, rows, alpha, why))
    return out


def effect_sizes(
    paper: Paper,
    population: str | None = None,
    t_method: str | None = None,
    two_by_two_test: str | None = None,
    ci_method: str = "wald",
    level: float = 0.95,
    include_baseline: bool = True,
) -> pd.DataFrame:
    """The effect behind every between-group p-value ``paper`` prints, with its confidence interval.

    Parameters
    ----------
    paper : a loaded data package (:func:`reanalysis.data.load`).
    population : the n to use where the paper's arms have it (``analysed``, ``assigned``,
        ``completed``, ``implied``); None (default): the stated route's n.
    t_method : "student" or "welch" for a comparison printed as a plain "t-test" (or with no test
        named); a test the paper names by name is kept. None: Student's.
    two_by_two_test : the 2x2 test where the paper names none (default the switch rule
        ``chi2_or_fisher``); a test the paper names is kept.
    ci_method : the interval of a risk difference (:data:`~reanalysis.vocabulary.CI_METHODS`).
    level : the confidence level.
    include_baseline : keep comparisons at the ``baseline`` visit (balance, not effects).

    Returns
    -------
    DataFrame with the columns of :data:`EFFECT_COLUMNS`, one row per comparison and measure
    (a binary outcome has a risk difference and a risk ratio). ``estimate`` is arm 1 minus (or
    over) arm 2 in the order of ``comparison``; a risk difference is in percentage points; ``p``
    is the recomputed p of the stated test at that n; ``note`` says why a row has no interval.
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"unknown ci_method {ci_method!r}; choose one of: {', '.join(CI_METHODS)}")
    if t_method is not None and t_method not in T_METHODS:
        raise ValueError(f"unknown t_method {t_method!r}; choose one of: {', '.join(T_METHODS)}")
    alpha = float(paper.meta.get("alpha", 0.05))
    inp = Inputs(paper, Settings(alpha=alpha))
    out: list[dict] = []
    for group in _comparisons(paper, inp):
        try:
            out += _comparison_rows(
                paper,
                inp,
                group["rows"],
                population,
                t_method,
                two_by_two_test,
                ci_method,
                level,
                alpha,
                include_baseline,
            )
        except (ValueError, ArithmeticError) as e:  # impossible printed inputs (an SD of 0): say so, go on
            out.append(_empty(paper, group["rows"][0], group["rows"], alpha, f"cannot be computed: {e}"))
    df = _in_order(paper, pd.DataFrame(out, columns=EFFECT_COLUMNS))
    for c in ("n1", "n2"):
        df[c] = df[c].astype("Int64")
    return df


def _in_order(paper: Paper, df: pd.DataFrame) -> pd.DataFrame:
    """Rows by outcome (in the order the paper first prints them), then by visit (the paper's order)."""
    visits = {t: i for i, t in enumerate(paper.timepoints)}
    first = {v: i for i, v in enumerate(dict.fromkeys(df["variable"]))}
    key = [
        (first[v], min((visits.get(t, len(visits)) for t in str(tp).split("+")), default=-1) if tp else -1)
        for v, tp in zip(df["variable"], df["timepoint"], strict=True)
    ]
    order = sorted(range(len(df)), key=lambda i: key[i])
    return df.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- multiplicity


def adjust(pvalues, method: str, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """(survives, adjusted p) of ``statsmodels.stats.multitest.multipletests`` (``holm`` or ``fdr_bh``)."""
    if method not in ADJUSTMENTS:
        raise ValueError(f"unknown adjustment {method!r}; choose one of: {', '.join(ADJUSTMENTS)}")
    p = np.asarray(pvalues, dtype=float)
    if p.size == 0:
        return np.zeros(0, bool), np.zeros(0)
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("every p must be a number in [0, 1]")
    if method == "holm":
        return _holm(p, alpha)
    reject, adjusted, _, _ = multipletests(p, alpha=alpha, method=method)
    return reject, adjusted


def _holm(p: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down adjustment, as ``multipletests(method="holm")`` computes it.

    Written here because statsmodels' Holm branch calls ``gc.collect()`` on every call: a full
    garbage collection, 0.1-0.2 s in a notebook's process, paid twice per run of each paper's
    notebook. The same numbers (tests/test_effects.py checks them against statsmodels and R's
    ``p.adjust(method = "holm")``): the k-th smallest p times (m - k + 1), made non-decreasing,
    capped at 1; a test survives when its adjusted p is at most ``alpha``.
    """
    order = np.argsort(p, kind="mergesort")
    m = p.size
    stepped = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted <= alpha, adjusted


def multiplicity(
    paper: Paper, effects: pd.DataFrame | None = None, alpha: float | None = None, include_baseline: bool = False
) -> pd.DataFrame:
    """The family of between-group tests ``paper`` prints (endpoints x visits), adjusted by Holm and BH.

    One member per outcome and visit (``variable``, ``timepoint``, arms): a comparison printed in the
    abstract, a table and the text counts once, with its most precise printed p; two tests of the
    same outcome at the same visit (its level and its change) count once as well. Baseline
    comparisons (balance, not effects) are left out unless ``include_baseline``.

    ``p_printed`` is the printed p at its least favourable value (see the module docstring);
    ``p_recomputed`` that of :func:`effect_sizes` (``effects``, computed with its defaults if not
    given), else the printed one where nothing can be recomputed (``recomputed_from`` says which).
    A p printed as "NA" is left out of the family.
    """
    alpha = float(paper.meta.get("alpha", 0.05)) if alpha is None else alpha
    effects = effect_sizes(paper, include_baseline=include_baseline) if effects is None else effects
    recomputed = {}
    for _, e in effects.dropna(subset=["p"]).iterrows():
        for cid in e["claim_ids"].split(";"):
            recomputed.setdefault(cid, e["p"])
    inp = Inputs(paper, Settings(alpha=alpha))
    members: dict[tuple, list[dict]] = {}
    for group in _comparisons(paper, inp):
        variable, timepoint, arms, _ = group["key"]
        if timepoint == "baseline" and not include_baseline:
            continue
        for r in group["rows"]:
            base = inp.i.get(r["id"].split("@")[0], r)
            printed = printed_p(r, alpha)
            # one exact p printed for several visits is one test (of all visits), not one per visit
            visits = base["timepoint"] if printed is not None and printed.comparator == "=" else timepoint
            members.setdefault((variable, visits, arms), []).append(r)
    rows = []
    for (variable, visits, _arms), group in members.items():
        group = [r for r in group if printed_p(r, alpha) is not None]
        if not group:
            continue
        timepoint = visits
        if ";" in visits:  # the whole printed claim, not one of its visits
            group = [{**r, "id": r["id"].split("@")[0]} for r in group[:1]]
            timepoint = visits.replace(";", "+")
        best = min(group, key=lambda r: _rank(r["value"], alpha))
        p_printed = _least_favourable(best["value"], alpha)
        source = next((r for r in [best, *group] if r["id"] in recomputed), None)
        printed = printed_p(best, alpha)
        rows.append(
            {
                "outcome": _outcome(paper, variable, timepoint),
                "variable": variable,
                "timepoint": timepoint,
                "location": best["location"],
                "printed": best["value"],
                "p_printed": p_printed,
                "p_recomputed": recomputed[source["id"]] if source else p_printed,
                "recomputed_from": source["id"] if source else "printed: nothing to recompute",
                "printed_significant": printed.comparator in ("<", "<=")
                and printed.value <= alpha
                or printed.comparator == "="
                and printed.value < alpha,
                "claim_ids": ";".join(r["id"] for r in group),
            }
        )
    df = _in_order(paper, pd.DataFrame(rows, columns=FAMILY_COLUMNS))
    if df.empty:
        return df
    for which in ("printed", "recomputed"):
        for method, short in (("holm", "holm"), ("fdr_bh", "bh")):
            reject, adjusted = adjust(df[f"p_{which}"], method, alpha)
            df[f"{short}_{which}"] = adjusted
            df[f"survives_{short}_{which}"] = reject
    return df


def multiplicity_sentence(family: pd.DataFrame, alpha: float = 0.05) -> Prose:
    """How many printed significant results survive each adjustment, in words (computed)."""
    m = len(family)
    if m == 0:
        return Prose("The paper prints no between-group p-value after baseline: there is no family to adjust.")
    sig = family[family["printed_significant"].astype(bool)]
    recomputed_sig = family["p_recomputed"] < alpha
    parts = [
        f"The family holds **{m}** between-group test(s) (outcomes × visits, each counted once); "
        f"the paper calls **{len(sig)}** of them significant at {alpha:g}."
    ]
    if len(sig):
        holm, bh = int(sig["survives_holm_printed"].sum()), int(sig["survives_bh_printed"].sum())
        parts.append(
            f"On the printed p (a bound taken at its least favourable value), **{holm}** of these survive "
            f"Holm's adjustment and **{bh}** survive Benjamini–Hochberg's."
        )
    parts.append(
        f"On the recomputed p, **{int(recomputed_sig.sum())}** test(s) fall below {alpha:g} unadjusted, "
        f"**{int(family['survives_holm_recomputed'].sum())}** survive Holm and "
        f"**{int(family['survives_bh_recomputed'].sum())}** survive Benjamini–Hochberg."
    )
    if m == 1:
        parts.append("With a single test, neither adjustment changes anything.")
    return Prose(" ".join(parts))


def effects_sentence(effects: pd.DataFrame) -> Prose:
    """How many comparisons have a recomputed interval, in how many every interval leaves out the value
    of no difference (0 for a difference, 1 for a ratio: a binary outcome counts only when its risk
    difference and its risk ratio both do), and how many of those rest on an assumed n per visit."""
    with_ci = effects.dropna(subset=["ci_low", "ci_high"])
    with_ci = with_ci[~with_ci["measure"].str.endswith("(printed)")]
    null = np.where(with_ci["measure"].eq("risk ratio"), 1.0, 0.0)
    key = ["variable", "timepoint", "claim_ids"]
    excludes = pd.Series((with_ci["ci_low"] > null) | (with_ci["ci_high"] < null), index=with_ci.index)
    every = excludes.groupby([with_ci[k] for k in key]).all()
    assumed = with_ci["note"].fillna("").str.contains("the arm's n assumed").groupby([with_ci[k] for k in key]).any()
    comparisons = effects.drop_duplicates(key)
    recomputed = with_ci.drop_duplicates(key)
    n_ex, n_assumed = int(every.sum()), int((every & assumed).sum())
    text = (
        f"The paper prints **{len(comparisons)}** distinct between-group comparison(s); **{len(recomputed)}** "
        f"of them have an effect size with a confidence interval recomputed from the printed summaries, and "
        f"in **{n_ex}** of those the interval leaves out the value of no difference (0 for a difference, 1 "
        "for a ratio; for a binary outcome, both its risk difference and its risk ratio)."
    )
    if n_assumed:
        text += (
            f" **{n_assumed}** of these rest on an n the paper does not print for that visit (the arm's n "
            "assumed: with fewer patients measured, an interval widens)."
        )
    text += " The rest need data the paper does not print (their `note` says which)."
    return Prose(text)


# --------------------------------------------------------------------------- presentation rows


def effects_table(effects: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """The reader's view of :func:`effect_sizes`: one row per outcome and measure, rounded."""
    columns = ["unit", "estimate", "ci_low", "ci_high", "p", "n1", "n2", "population", "printed_p", "note"]
    return ReaderFrame(effects.set_index(["outcome", "measure"])[columns].round(digits))  # no NaN for readers


def family_table(family: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """The reader's view of :func:`multiplicity`: printed and recomputed p, adjusted, and who survives."""
    columns = ["printed", "p_printed", "holm_printed", "bh_printed", "survives_holm_printed", "survives_bh_printed"]
    columns += ["p_recomputed", "holm_recomputed", "bh_recomputed", "survives_holm_recomputed"]
    columns += ["survives_bh_recomputed"]
    return ReaderFrame(family.set_index("outcome")[columns].round(digits))


def forest_rows(effects: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`reanalysis.figures.plot_forest` with one panel per measure and unit: ``label``
    (outcome, visit and n), ``panel``, ``xlabel`` (the unit), ``null`` and ``log`` (ratios)."""
    df = effects.dropna(subset=["estimate", "ci_low", "ci_high"]).copy()
    finite = np.isfinite(df[["estimate", "ci_low", "ci_high"]].astype(float)).all(axis=1)
    df = df[finite & (df["ci_high"] > df["ci_low"])]  # an infinite or degenerate interval cannot be drawn
    df["label"] = [
        f"{o} (n {n1}/{n2})" if pd.notna(n1) else o for o, n1, n2 in zip(df["outcome"], df["n1"], df["n2"], strict=True)
    ]
    ratio = df["measure"].str.contains("ratio")
    df, ratio = df[~ratio | (df["ci_low"] > 0)], ratio[~ratio | (df["ci_low"] > 0)]  # a log axis needs > 0
    unit = df["unit"].replace("", np.nan).fillna(df["measure"])
    df["panel"] = np.where(
        df["measure"].str.startswith("mean difference"),
        df["outcome"].str.rsplit(", ", n=1).str[0].where(df["timepoint"].astype(bool), df["outcome"])
        + " ("
        + unit
        + ")",
        df["measure"],
    )
    level = (100 * df["level"]).round().astype(int).astype(str)
    df["xlabel"] = np.where(
        ratio,
        df["measure"] + ", " + level + "% CI, log scale (dashed: 1, no difference)",
        df["measure"] + " (" + unit + "), " + level + "% CI (dashed: 0)",
    )
    df["null"] = np.where(ratio, 1.0, 0.0)
    df["log"] = ratio
    return df


def _num(x) -> float:
    return float(x) if x is not None and pd.notna(x) else math.nan


def sensitivity_rows(effects: pd.DataFrame, family: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Rows for ``sensitivity.csv`` (columns of :data:`reanalysis.sensitivity.COLUMNS`): every effect
    size with an estimate, and every member of the family with its Holm and BH adjusted p."""
    rows = []
    for _, e in effects.dropna(subset=["estimate"]).iterrows():
        n = f"n {e['n1']}/{e['n2']} ({e['population']})" if pd.notna(e["n1"]) else e["note"]
        setting = "; ".join(x for x in (e["method"], n) if x)
        p = _num(e["p"])
        rows.append(
            dict(
                zip(
                    COLUMNS,
                    (
                        f"{e['measure']}: {e['outcome']}",
                        setting,
                        _num(e["estimate"]),
                        _num(e["ci_low"]),
                        _num(e["ci_high"]),
                        p,
                        None if math.isnan(p) else bool(p < alpha),
                    ),
                    strict=True,
                )
            )
        )
    m = len(family)
    if m:
        sig = family["printed_significant"].astype(bool)
        below = family["p_recomputed"] < alpha
        rows.append(
            dict(
                zip(
                    COLUMNS,
                    (
                        "multiplicity: family size",
                        "between-group tests after baseline, each outcome and visit once",
                        m,
                        math.nan,
                        math.nan,
                        math.nan,
                        None,
                    ),
                    strict=True,
                )
            )
        )
        for short, name in (("holm", "Holm"), ("bh", "Benjamini-Hochberg")):
            for which, among, n in (
                ("printed", "printed significant", int(sig.sum())),
                ("recomputed", f"recomputed p < {alpha:g}", int(below.sum())),
            ):
                kept = int((family[f"survives_{short}_{which}"] & (sig if which == "printed" else below)).sum())
                rows.append(
                    dict(
                        zip(
                            COLUMNS,
                            (
                                f"{name}: survivors, {which} p",
                                f"of {n} {among}; family of {m}",
                                kept,
                                math.nan,
                                math.nan,
                                math.nan,
                                None,
                            ),
                            strict=True,
                        )
                    )
                )
    for _, f in family.iterrows():
        for short, name in (("holm", "Holm"), ("bh", "Benjamini-Hochberg")):
            for which in ("printed", "recomputed"):
                raw = f[f"p_{which}"]
                what = f"printed p {f['printed']}" if which == "printed" else f"recomputed p ({f['recomputed_from']})"
                rows.append(
                    dict(
                        zip(
                            COLUMNS,
                            (
                                f"{name}: {f['outcome']}",
                                f"{what}; family of {m}",
                                float(f[f"{short}_{which}"]),
                                math.nan,
                                math.nan,
                                float(raw),
                                bool(f[f"survives_{short}_{which}"]),
                            ),
                            strict=True,
                        )
                    )
                )
    return pd.DataFrame(rows, columns=COLUMNS)
