"""What a paper's regression claims mean: odds against risk, events per variable, regression to the mean.

Three checks a methodologist makes of "subjects treated with X were four times more likely (OR = 4.38)":

- **Odds ratio against risk ratio.** An odds ratio reads as a risk ratio only when the outcome is
  rare in both arms. At the event rates of a small trial it is not: the risk ratio of the printed
  counts, and the risk ratio an odds ratio implies at the control arm's rate by Zhang and Yu's
  conversion (JAMA 1998;280:1690), RR = OR / (1 - P0 + P0 * OR), say how much more likely an event
  is. The conversion is exact for an unadjusted OR at the observed P0 and only approximate for an
  adjusted one (McNutt et al., Am J Epidemiol 2003;157:940): it is a reading, not a re-estimate.
- **Events per variable.** A logistic model with fewer than about 10 events (the rarer outcome) per
  candidate variable gives biased coefficients and unreliable intervals (Peduzzi et al., J Clin
  Epidemiol 1996;49:1373). The variables of each model, with the quote naming them, are data
  (``paper.toml:[[models]]``); where the paper lists only some of them, the EPV is an upper bound.
- **Regression to the mean** behind "lower baseline predicts a rise": when the outcome is a rise
  from a single baseline measurement, a low baseline reading is more likely to be low by chance and
  so to rise at follow-up with no treatment at all. :func:`regression_to_the_mean` states the
  argument with the paper's own numbers.

Each returns rows of ``sensitivity.csv`` (:data:`reanalysis.sensitivity.COLUMNS`) or a sentence.
"""

from __future__ import annotations

import math

import pandas as pd

from . import inference
from .data import ALL_ARMS, Paper
from .markup import ReaderFrame
from .printed import parse
from .tables import Prose

__all__ = [
    "EPV_MINIMUM",
    "or_to_rr",
    "events_per_variable",
    "odds_against_risk",
    "epv",
    "regression_to_the_mean",
    "regression_rows",
]

#: Events per candidate variable below which a logistic model is flagged (Peduzzi et al. 1996).
EPV_MINIMUM = 10
_COLUMNS = ["analysis", "setting", "estimate", "ci_low", "ci_high", "p", "significant"]


def _row(analysis: str, setting: str, estimate=math.nan, low=math.nan, high=math.nan) -> dict:
    return dict(zip(_COLUMNS, (analysis, setting, estimate, low, high, math.nan, None), strict=True))


def or_to_rr(odds_ratio: float, control_rate: float) -> float:
    """The risk ratio an odds ratio implies at the control group's event rate (Zhang & Yu, JAMA 1998).

    RR = OR / (1 - P0 + P0 * OR). Written by hand: neither scipy nor statsmodels has it.

    >>> round(or_to_rr(2.0, 0.5), 4)
    1.3333
    """
    if not odds_ratio > 0 or not math.isfinite(odds_ratio):
        raise ValueError(f"odds_ratio must be a positive number, got {odds_ratio!r}")
    if not 0 <= control_rate < 1:
        raise ValueError(f"control_rate must lie in [0, 1), got {control_rate!r}")
    return odds_ratio / (1 - control_rate + control_rate * odds_ratio)


def events_per_variable(events: int, n: int, variables: int) -> float:
    """Events per variable: the rarer outcome (events or non-events) over the candidate variables."""
    if variables < 1 or not 0 <= events <= n:
        raise ValueError(f"need 0 <= events <= n and at least one variable, got {events}, {n}, {variables}")
    return min(events, n - events) / variables


def _counts(paper: Paper, variable: str, timepoint: str, arm: str) -> tuple[int, int] | None:
    """(events, n) printed for ``arm`` (``"all"``: summed over the arms), else None."""
    d = paper.descriptives
    arms = list(paper.arms) if arm == ALL_ARMS else [arm]
    events = n = 0
    for a in arms:
        rows = d[(d["arm"] == a) & (d["variable"] == variable) & (d["timepoint"] == timepoint) & (d["subgroup"] == "")]
        count, size = rows[rows["statistic"] == "count"], rows[rows["statistic"] == "n"]
        if count.empty:
            return None
        events += int(parse(count["value"].iloc[0]).value)
        n += int(parse(size["value"].iloc[0]).value) if len(size) else int(paper.arms[a]["analysed"])
    return events, n


def _treatment_odds_ratios(paper: Paper) -> list[pd.Series]:
    """Printed odds ratios comparing two arms (the treatment effect of a model), as inferences.csv rows."""
    i = paper.inferences
    mask = (i["kind"] == "odds_ratio") & (i["comparison"] == "between")
    return [r for _, r in i[mask].iterrows() if len([a for a in str(r["arms"]).split(";") if a]) == 2]


def odds_against_risk(paper: Paper, level: float = 0.95) -> pd.DataFrame:
    """Each printed treatment odds ratio beside the risk ratio: of the printed counts (Katz log CI),
    the odds ratio of the same counts (Woolf CI), and the risk ratio the printed OR implies at the
    control arm's rate (Zhang & Yu), over the printed OR's rounding interval (``ci_low``/``ci_high``)."""
    rows = []
    for r in _treatment_odds_ratios(paper):
        treated, control = [a for a in str(r["arms"]).split(";") if a]
        timepoint = str(r["timepoint"]).split(";")[-1]
        a, b = _counts(paper, r["variable"], timepoint, treated), _counts(paper, r["variable"], timepoint, control)
        if a is None or b is None:
            continue
        (k1, n1), (k0, n0) = a, b
        counts = f"{k1}/{n1} vs {k0}/{n0}"
        rr = inference.ratio_ci(k1, n1, k0, n0, measure="rr", method="log", level=level)
        orc = inference.ratio_ci(k1, n1, k0, n0, measure="or", method="log", level=level)
        printed = parse(r["value"])
        p0 = k0 / n0
        low, high = printed.interval
        rows.append(_row("odds ratio as printed", f"{r['location']}: {r['method_stated']}", printed.value))
        rows.append(_row("risk ratio of the printed counts", f"{counts}; Katz log CI", rr.estimate, rr.low, rr.high))
        rows.append(_row("odds ratio of the printed counts", f"{counts}; Woolf CI", orc.estimate, orc.low, orc.high))
        rows.append(
            _row(
                "risk ratio implied by the printed odds ratio (Zhang & Yu 1998)",
                f"OR {r['value']} (rounding interval) at the control rate {k0}/{n0} = {p0:.3f}",
                or_to_rr(printed.value, p0),
                or_to_rr(max(low, 1e-12), p0),
                or_to_rr(high, p0),
            )
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


def epv(paper: Paper) -> pd.DataFrame:
    """Events per variable of each logistic model the package describes (``paper.toml:[[models]]``):
    one row each, ``estimate`` the EPV (an upper bound when the paper names only some variables),
    the setting saying events, variables, and whether it is below :data:`EPV_MINIMUM`."""
    rows = []
    for m in paper.meta.get("models", []):
        counts = _counts(paper, m["outcome"], m["timepoint"], m["population"])
        if counts is None:
            continue
        events, n = counts
        k = len(m["variables"])
        value = events_per_variable(events, n, k)
        bound = "" if m["variables_complete"] else "at most "
        flag = f"below {EPV_MINIMUM} (Peduzzi 1996)" if value < EPV_MINIMUM else f"at least {EPV_MINIMUM}"
        at_least = "" if m["variables_complete"] else "at least "
        variables = ", ".join(map(paper.name, m["variables"]))  # their names for readers
        setting = (
            f"{m['label']}: {min(events, n - events)} of {n} with the rarer outcome / {at_least}{k} variables "
            f"({variables}) = {bound}{value:.2f}, {flag}"
        )
        rows.append(
            _row("events per variable", setting, value, high=value if not m["variables_complete"] else math.nan)
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


def regression_rows(paper: Paper, level: float = 0.95) -> pd.DataFrame:
    """:func:`odds_against_risk` and :func:`epv` together: the rows for ``sensitivity.csv``."""
    parts = [t for t in (odds_against_risk(paper, level), epv(paper)) if not t.empty]
    return ReaderFrame(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_COLUMNS))


def odds_sentence(paper: Paper) -> Prose:
    """The printed treatment odds ratio in words beside the risk ratios (from :func:`odds_against_risk`)."""
    t = odds_against_risk(paper)
    if t.empty:
        return Prose.fill("{pid} prints no treatment odds ratio with counts to compare it with.", pid=paper.id)
    printed = t[t["analysis"] == "odds ratio as printed"].iloc[0]
    rr = t[t["analysis"] == "risk ratio of the printed counts"].iloc[0]
    implied = t[t["analysis"].str.startswith("risk ratio implied")].iloc[0]
    template = (
        "An odds ratio of **{or_}** is not a risk ratio: at these event rates ({counts}) odds and risks differ. "
        "The risk ratio of the printed counts is **{rr}** (95% CI {rr_low} to {rr_high}); the printed odds "
        "ratio implies a risk ratio of **{implied}** at the control arm's rate ({rate}). In words: remission "
        "was about {times} times as likely (about {rr_words} by the printed counts); reading the odds ratio as "
        '"times more likely" overstates it. The conversion is exact for an unadjusted odds ratio and '
        "approximate for an adjusted one."
    )
    return Prose.fill(
        template,
        or_=f"{printed.estimate:g}",
        counts=rr.setting.split(";")[0],
        rr=f"{rr.estimate:.2f}",
        rr_low=f"{rr.ci_low:.2f}",
        rr_high=f"{rr.ci_high:.2f}",
        implied=f"{implied.estimate:.2f}",
        rate=implied.setting.split("control rate ")[-1],
        times=f"{implied.estimate:.1f}",
        rr_words=f"{rr.estimate:.1f}",
    )


def epv_sentence(paper: Paper) -> Prose:
    """The events per variable of each model in words (from :func:`epv`), with the paper's quote."""
    t = epv(paper)
    if t.empty:
        return Prose.fill("{pid} describes no logistic model with events to count.", pid=paper.id)
    parts, fields = [], {}
    for i, (m, (_, row)) in enumerate(zip(paper.meta.get("models", []), t.iterrows(), strict=False)):
        label, rest = m["label"], row.setting.removeprefix(f"{m['label']}: ")  # the setting opens with the label
        parts.append(f"**{{label{i}}}**: {{setting{i}}} (the paper: “{{quote{i}}}”).")
        fields[f"label{i}"], fields[f"setting{i}"], fields[f"quote{i}"] = label, rest, m["quote"]
    text = (
        f"Events per variable, against the usual minimum of {EPV_MINIMUM}: "
        + " ".join(parts)
        + " With so few events per variable the odds ratios are biased away from 1 and their intervals "
        "unreliable; step-wise selection on such data picks variables by chance as easily as by effect."
    )
    return Prose.fill(text, **fields)


def regression_to_the_mean(paper: Paper) -> Prose:
    """Why "lower baseline C-peptide predicts remission" is what regression to the mean predicts, in
    words with the paper's printed numbers (the individual baseline and follow-up values are not
    published, so nothing is simulated).

    Written for an outcome defined as a rise from a single baseline measurement; the numbers are
    read from the package: the control arm's remissions, the counts whose C-peptide rose in each
    arm, the control arm's mean decline, and the printed odds ratios for baseline C-peptide.
    """
    d, i = paper.descriptives, paper.inferences

    def value(table: pd.DataFrame, id_: str) -> str:
        row = table[table["id"] == id_]
        if row.empty:
            raise ValueError(f"{paper.id} has no row {id_!r}: the argument is written for lu2021's numbers")
        return str(row["value"].iloc[0])

    fields = {
        "ctrl_rem": value(d, "res.remission.control.count"),
        "ctrl_n": value(d, "res.remission.control.n"),
        "ctrl_fcp": value(d, "res.fcp_increased.control.count"),
        "ctrl_pcp": value(d, "res.pcp_increased.control.count"),
        "msc_fcp": value(d, "res.fcp_increased.mscs.count"),
        "msc_pcp": value(d, "res.pcp_increased.mscs.count"),
        "msc_n": value(d, "res.fcp_increased.mscs.n"),
        "decline": value(i, "disc.fcp.control.percent_change"),
        "or_all": value(i, "res.fcp.or"),
        "or_msc": value(i, "res.fcp.stepwise.or"),
    }
    template = (
        "Remission is a rise of at least 10% in fasting *or* postprandial C-peptide over one baseline "
        "measurement. C-peptide varies from one measurement to the next, so a reading that happens to be low "
        "is likely to be higher next time with no treatment at all: regression to the mean. Participants "
        "whose baseline reading was low are therefore more likely to cross a +10% line, and a model will find "
        "that lower baseline C-peptide predicts remission (here OR {or_all} per unit in the whole population, "
        "{or_msc} in the MSC-treated group) whether or not the treatment works. The paper's own numbers show "
        "such rises without treatment: in the control arm, whose fasting C-peptide fell by a mean {decline}, "
        "{ctrl_fcp} of {ctrl_n} still had a higher fasting and {ctrl_pcp} a higher postprandial C-peptide at one "
        "year, and {ctrl_rem} of {ctrl_n} met the definition of remission (MSC-treated: {msc_fcp} of {msc_n} "
        "had a higher fasting C-peptide, “and {msc_pcp} of them” a higher postprandial one, in the paper's "
        "words). Two chances (fasting or postprandial) to cross the line add to it. The individual values "
        "are not published, so the size of the effect cannot be computed; the association is what regression "
        "to the mean predicts, so on its own it cannot show that MSCs work better in people with less "
        "residual β-cell function (it may also be true). A rise measured against the mean of two baseline "
        "readings, or an analysis of follow-up adjusted for baseline (ANCOVA), would separate the two."
    )
    return Prose.fill(template, **fields)
