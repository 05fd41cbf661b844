"""How robust is a binary primary endpoint? One tidy table of the standard answers.

For two arms' printed counts (and how many each arm lost), :func:`robustness` gathers the
per-protocol estimate, the fragility index and what it means next to the losses, the worst and
best case for the missing participants, the Bayesian posterior under every named prior, and the
power and sample-size arithmetic. Each row: analysis, setting, estimate, ci_low, ci_high, p,
significant (the columns of ``build/<paper_id>/sensitivity.csv``).
"""

from __future__ import annotations

import math
import operator
from dataclasses import replace

import pandas as pd

from . import bayes, closedform, inference
from .balance import BalanceResult, stouffer
from .data import Paper
from .exact import TableTooLarge
from .fragility import fragility_index, fragility_vs_loss
from .markup import ReaderFrame
from .printed import parse
from .tables import Prose
from .tipping import tipping_grid
from .vocabulary import TWO_BY_TWO_RULES, TWO_BY_TWO_TESTS, is_randomised

__all__ = [
    "COLUMNS",
    "robustness",
    "posteriors",
    "prior_prose",
    "posterior_sentence",
    "baseline_balance",
    "baseline_balance_rows",
    "primary_effects",
    "fragility_table",
]

COLUMNS = ["analysis", "setting", "estimate", "ci_low", "ci_high", "p", "significant"]


def _row(analysis: str, setting: str, estimate=math.nan, low=math.nan, high=math.nan, p=math.nan, significant=None):
    return dict(zip(COLUMNS, (analysis, setting, estimate, low, high, p, significant), strict=True))


def posteriors(events1: int, n1: int, events2: int, n2: int, margin: float = 0.1) -> pd.DataFrame:
    """The posterior under each named prior: P(benefit), P(benefit > margin), risk difference and ratio.

    ``margin`` is also the hypothesised benefit the sceptical and enthusiastic priors are built on
    (neither paper states the effect its sample size was planned for): see :func:`prior_prose`.
    The ratio is not computed under those two priors (NaN; :mod:`reanalysis.bayes`).
    """
    rows = []
    for prior in bayes.PRIORS:
        r = bayes.posterior(events1, n1, events2, n2, prior=prior, margin=margin)
        rows.append(
            {
                "prior": prior,
                "P(benefit)": r.prob_greater,
                f"P(benefit > {margin:g})": r.prob_above_margin,
                "rd_mean": r.rd_mean,
                "rd_low": r.rd_low,
                "rd_high": r.rd_high,
                "rr_low": r.rr_low,
                "rr_high": r.rr_high,
            }
        )
    return ReaderFrame(rows).set_index("prior")  # readers see no NaN where a ratio is not computed


def prior_prose(margin: float = 0.1) -> Prose:
    """The four priors in words and numbers, every number computed (:func:`reanalysis.bayes.describe_prior`).

    ``margin`` is the clinically important risk difference; neither paper states the effect its
    sample size was planned for (zang2022 prints no sample-size calculation, lu2021 only a post hoc
    power), so it stands in for the hypothesised benefit, and the text says so.
    """
    d = {p: bayes.describe_prior(p, margin) for p in bayes.PRIORS}
    sc, en = d["sceptical"], d["enthusiastic"]
    lines = [
        f"**The priors.** Neither paper states the effect its sample size was planned for (zang2022 prints no "
        f"sample-size calculation, lu2021 only a post hoc power), so the hypothesised benefit is this run's "
        f"clinically important difference, {margin:g}, a risk difference. Each prior in words and "
        "in the numbers it implies for the risk difference (treated minus control rate):",
        "",
    ]
    for p in bayes.PRIORS:
        r = d[p]
        lines.append(
            f"- **{p}**: {r.words}; mean {r.mean:.3f}, SD {r.sd:.3f}, 95% of it between {r.low:.3f} and "
            f"{r.high:.3f}; P(benefit) = {r.prob_benefit:.3f}, "
            f"P(benefit ≥ {margin:g}) = {r.prob_at_least_effect:.3f}, P(no benefit or harm) = {r.prob_no_benefit:.3f}."
        )
    lines += [
        "",
        f"The sceptical prior (Spiegelhalter, Freedman & Parmar 1994) expresses doubt: centred on no effect, it "
        f"gives only {sc.prob_at_least_effect:.0%} to a benefit of {margin:g} or more; the enthusiastic prior is its "
        f"mirror, centred on {margin:g} and giving {en.prob_no_benefit:.0%} to no benefit or harm. Neither depends "
        "on the trial's data. The uniform and Jeffreys priors are vague priors on each arm's rate; the wide "
        "spread they imply for the difference lets the data speak almost alone.",
    ]
    return Prose("\n".join(lines))


def posterior_sentence(events1: int, n1: int, events2: int, n2: int, margin: float = 0.1) -> Prose:
    """P(benefit) and P(benefit > margin) under each prior, in one computed sentence."""
    table = posteriors(events1, n1, events2, n2, margin)
    parts = [
        f"the {p} prior gives P(benefit) = **{r['P(benefit)']:.3f}** and P(benefit > {margin:g}) = "
        f"**{r[f'P(benefit > {margin:g})']:.3f}**"
        for p, r in table.iterrows()
    ]
    sc, un = table.loc["sceptical"], table.loc["uniform"]
    lower = "below" if sc["P(benefit)"] < un["P(benefit)"] else "not below"
    return Prose(
        f"For {events1}/{n1} against {events2}/{n2}: " + "; ".join(parts) + ". The sceptical prior pulls the "
        f"posterior towards no effect: its P(benefit) is {lower} the uniform prior's, and a benefit larger than "
        f"{margin:g} is {'less' if sc[f'P(benefit > {margin:g})'] < 0.5 else 'more'} likely than not under it."
    )


def robustness(
    events1: int,
    n1: int,
    events2: int,
    n2: int,
    lost1: int = 0,
    lost2: int = 0,
    test: str = "fisher",
    ci_method: str = "newcombe",
    alpha: float = 0.05,
    margin: float = 0.1,
    missing: str = "lost to follow-up",
) -> pd.DataFrame:
    """Every robustness analysis of a 2x2 primary endpoint, one row per analysis and setting.

    Parameters
    ----------
    events1, n1, events2, n2 : the analysed counts (arm 1 treatment, arm 2 control).
    lost1, lost2 : participants assigned but not analysed, per arm.
    missing : what ``lost1`` and ``lost2`` are, in words: "lost to follow-up" when the paper reports
        them, or e.g. "missing from the denominators the percentages fit" when they are inferred.
    test, ci_method, alpha : the 2x2 test, difference-CI method and significance level used.
    margin : the clinically relevant risk difference (for P(benefit > margin), the hypothesised
        benefit of the sceptical and enthusiastic priors, and the "modest effect" sample size, taken
        as half the observed difference when larger).
    """
    try:  # numpy integers are fine; 2.5 patients is not
        events1, n1, events2, n2, lost1, lost2 = map(operator.index, (events1, n1, events2, n2, lost1, lost2))
    except TypeError:
        raise ValueError("events, n and lost must be whole numbers") from None
    p = closedform.p_value(events1, n1, events2, n2, test)
    ci = inference.proportion_difference_ci(events1, n1, events2, n2, method=ci_method, level=1 - alpha)
    rows = [_row("per protocol", f"{test}; {ci_method} CI", ci.estimate, ci.low, ci.high, p, p < alpha)]
    for other in TWO_BY_TWO_TESTS + TWO_BY_TWO_RULES:  # the same counts under every 2x2 test, each a row
        try:
            q = closedform.p_value(events1, n1, events2, n2, other)
        except TableTooLarge:
            continue
        rows.append(_row("per protocol, each 2x2 test", other, ci.estimate, p=q, significant=q < alpha))

    fi = fragility_index(events1, n1, events2, n2, test=test, alpha=alpha)
    rows.append(
        _row(
            fi.kind + " index",
            f"{test}; {fi.direction}",
            fi.index if fi.index is not None else math.nan,
            p=fi.pvalue if fi.pvalue is not None else math.nan,
            significant=None if fi.pvalue is None else fi.pvalue < alpha,
        )
    )
    if fi.quotient is not None:
        rows.append(_row(fi.kind + " quotient", f"index / {n1 + n2}", fi.quotient))
    if lost1 or lost2:
        loss = fragility_vs_loss(fi, lost1, lost2, missing)
        rows.append(_row(missing, loss.sentence, lost1 + lost2))
        grid = tipping_grid(events1, n1, lost1, events2, n2, lost2, test=test, alpha=alpha)
        cell = grid.set_index(["missing_events1", "missing_events2"])
        cases = (
            ("worst case for the missing", (0, lost2)),
            ("best case for the missing", (lost1, 0)),
            ("no events among the missing", (0, 0)),  # drop-outs as failures (non-remission), a usual rule
        )
        for name, key in cases:
            c = cell.loc[key]
            rows.append(
                _row(
                    name,
                    f"{int(c.events1)}/{int(c.n1)} vs {int(c.events2)}/{int(c.n2)}",
                    c.risk_difference,
                    p=c.p,
                    significant=bool(c.significant),
                )
            )
        rows.append(
            _row("tipping grid", f"{len(grid)} splits of the missing", grid["significant"].mean(), significant=None)
        )

    for prior, r in bayes.prior_table(margin).iterrows():
        rows.append(_row("prior risk difference", f"{prior} prior (SD {r['SD']:.4g})", r["mean"], r["low"], r["high"]))
        rows.append(_row(f"prior P(benefit >= {margin:g})", f"{prior} prior", r[f"P(benefit >= {margin:g})"]))
    for prior, r in posteriors(events1, n1, events2, n2, margin).iterrows():
        rows.append(_row("posterior risk difference", f"{prior} prior", r.rd_mean, r.rd_low, r.rd_high))
        rows.append(_row("posterior P(benefit)", f"{prior} prior", r["P(benefit)"]))
        rows.append(_row(f"posterior P(benefit > {margin:g})", f"{prior} prior", r[f"P(benefit > {margin:g})"]))

    p1, p2 = events1 / n1, events2 / n2
    if p1 != p2 and 0 < p1 + p2 and p1 * (1 - p1) + p2 * (1 - p2) > 0:
        power = inference.power_two_proportions(p1, p2, n1, n2, alpha=alpha, method="pooled").power
        rows.append(_row("post hoc power", "pooled normal approximation", power))
        modest = min(abs(p1 - p2) / 2, margin) if margin > 0 else abs(p1 - p2) / 2
        for label, target in (("observed", p1), ("modest", p2 + math.copysign(modest, p1 - p2))):
            for want in (0.8, 0.9):
                n = inference.sample_size_two_proportions(target, p2, power=want, alpha=alpha, method="pooled").n1
                rows.append(_row("n per arm", f"{want:.0%} power, {label} effect ({target - p2:+.3f})", math.ceil(n)))
    return ReaderFrame(rows, columns=COLUMNS)  # missing values show as empty cells to readers


def _baseline_pvalues(paper: Paper) -> list[tuple[str, float]]:
    """(variable, p) for each exact printed baseline p-value comparing two arms' means."""
    means = set(paper.descriptives.loc[paper.descriptives["statistic"] == "mean", "id"])
    out = []
    for _, r in paper.inferences.iterrows():
        refs = [x for x in str(r["refers_to"]).split(";") if x]
        if (
            r["kind"] == "p_value"
            and r["comparison"] == "between"
            and r["timepoint"] == "baseline"
            and any(x in means for x in refs)
        ):
            printed = parse(r["value"])
            if printed.comparator == "=":
                out.append((str(r["variable"]), printed.value))
    return out


def baseline_balance(paper: Paper, alpha: float = 0.05, leave_out_stratified: bool = True) -> BalanceResult:
    """Carlisle's check of the printed baseline p-values of continuous variables (those comparing
    two arms' baseline means), combined by Stouffer's method (:func:`reanalysis.balance.stouffer`).

    The variables randomisation was stratified on (``paper.toml:stratified_on``) are left out: they
    are balanced by design, so their p-values are not uniform under randomisation but pushed towards
    1, and keeping them biases the check towards "too alike" (Carlisle, Anaesthesia 2017;72:944).
    A design that is not randomised (read from ``paper.toml:design`` by
    :func:`reanalysis.vocabulary.is_randomised`) gets no combined p: the check does not apply, and the
    result says so (``applies`` False, ``k`` 0).

    The returned sentence carries the caveats a reader needs: how many variables, that they are
    correlated and printed rounded, and that categorical variables are not in it.

    Raises
    ------
    ValueError
        If a randomised paper prints no such p-value with an exact value (a "p < 0.05" cannot be used).
    """
    design = str(paper.meta.get("design", ""))
    if is_randomised(design) is False:
        sentence = (
            f"{paper.id} is not randomised (design: {design}). Carlisle's check asks whether baseline "
            "p-values look like those random allocation produces; without random allocation they need not, "
            "so the check does not apply as a check of randomisation or of the data. Baseline differences in "
            "such a study are expected from how participants were allocated: they are confounding to adjust "
            "for, not a sign about the data."
        )
        nan = math.nan
        return BalanceResult(0, nan, nan, nan, nan, alpha, sentence, applies=False)
    stratified = set(paper.meta.get("stratified_on", [])) if leave_out_stratified else set()
    found = _baseline_pvalues(paper)
    kept = [(v, p) for v, p in found if v not in stratified]
    left_out = tuple(v for v, _ in found if v in stratified)
    if not kept:
        raise ValueError(f"{paper.id} prints no exact baseline p-value of a continuous variable")
    res = stouffer([p for _, p in kept], alpha=alpha)
    sentence = res.sentence
    if left_out:
        sentence += (
            f" Left out: {', '.join(map(paper.name, left_out))}, on which randomisation was stratified: they are "
            "balanced by "
            "design, so their p-values are not uniform and would push the check towards 'too alike' "
            "(Carlisle 2017)."
        )
        every = stouffer([p for _, p in found], alpha=alpha)
        sentence += f" With them, Z = {every.statistic:.2f} (P = {every.p_similar:.2g} for too alike)."
    if is_randomised(design) is None:
        sentence += f" The design ({design}) does not say it was randomised; the check assumes it was."
    sentence += (
        f" A screen, not a verdict: {res.k} correlated variables (which spreads Z both ways), p-values printed "
        "rounded, categorical variables not included."
    )
    return replace(res, sentence=sentence, variables=tuple(v for v, _ in kept), excluded=left_out)


def baseline_balance_rows(paper: Paper, alpha: float = 0.05) -> pd.DataFrame:
    """Carlisle's check as rows of ``sensitivity.csv``: the combined Z (``estimate``) and its p for
    "too different" and "too alike", without and with the stratified variables; one row saying it
    does not apply for a design that is not randomised."""
    res = baseline_balance(paper, alpha)
    if not res.applies:
        return ReaderFrame([_row("baseline balance (Carlisle)", "does not apply: not randomised")], columns=COLUMNS)
    rows = []
    settings = [("stratified variables left out", res)]
    if res.excluded:
        settings.append(("all, stratified included (for comparison)", baseline_balance(paper, alpha, False)))
    for label, r in settings:
        what = f"{label}; {r.k} variables: {', '.join(map(paper.name, r.variables))}"
        rows.append(_row("baseline balance (Carlisle), too different", what, r.statistic, p=r.p_dissimilar))
        rows.append(_row("baseline balance (Carlisle), too alike", what, r.statistic, p=r.p_similar))
    return ReaderFrame(rows, columns=COLUMNS)  # readers see no NaN or None


def primary_effects(
    endpoints: dict[str, pd.DataFrame], ci_method: str = "newcombe", level: float = 0.95
) -> pd.DataFrame:
    """Risk difference and risk ratio with their CIs for several papers' two-arm primary endpoints
    (the synthesis' forest plot); every between-group comparison of one paper is
    :func:`reanalysis.effects.effect_sizes`.

    ``endpoints`` maps a label to a table with ``events`` and ``n`` for treatment then control
    (as :func:`reanalysis.audit.endpoint_counts` gives). The ratio uses the Katz log interval.
    """
    rows = []
    for label, counts in endpoints.items():
        (k1, k2), (n1, n2) = (int(x) for x in counts["events"]), (int(x) for x in counts["n"])
        rd = inference.proportion_difference_ci(k1, n1, k2, n2, method=ci_method, level=level)
        rr = inference.ratio_ci(k1, n1, k2, n2, measure="rr", method="log", level=level)
        rows.append(
            {
                "label": label,
                "measure": "risk difference",
                "estimate": rd.estimate,
                "ci_low": rd.low,
                "ci_high": rd.high,
                "method": rd.method,
                "counts": f"{k1}/{n1} vs {k2}/{n2}",
            }
        )
        rows.append(
            {
                "label": label,
                "measure": "risk ratio",
                "estimate": rr.estimate,
                "ci_low": rr.low,
                "ci_high": rr.high,
                "method": rr.method,
                "counts": f"{k1}/{n1} vs {k2}/{n2}",
            }
        )
    return pd.DataFrame(rows)


def fragility_table(endpoints: dict[str, pd.DataFrame], test: str = "fisher", alpha: float = 0.05) -> pd.DataFrame:
    """The fragility index of several endpoints beside how many of those assigned are not in the n
    that reproduces each printed result (reported losses, or a gap inferred from the percentages)."""
    rows = {}
    for label, counts in endpoints.items():
        (k1, k2), (n1, n2) = (int(x) for x in counts["events"]), (int(x) for x in counts["n"])
        fi = fragility_index(k1, n1, k2, n2, test=test, alpha=alpha)
        rows[label] = {
            "index": fi.index,
            "kind": fi.kind,
            "quotient": fi.quotient,
            "direction": fi.direction,
            "assigned, not in the analysed n": int(counts["lost"].sum()),
        }
    return pd.DataFrame(rows).T
