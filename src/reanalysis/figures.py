"""Presentation: figures for readers (matplotlib/seaborn; style from notebooks/matplotlibrc)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .audit import VERDICTS

__all__ = ["VERDICT_COLOURS", "plot_verdicts", "plot_tipping", "plot_proportions", "plot_course"]

#: One colour per verdict, colour-blind safe (Okabe-Ito).
VERDICT_COLOURS = {
    "reproduced": "#009E73",
    "consistent": "#56B4E9",
    "inconsistent": "#D55E00",
    "not_reproducible": "#999999",
}


def plot_verdicts(claims: pd.DataFrame, by: str = "section", title: str = "") -> Figure:
    """A stacked bar per ``by`` (section of the paper): how many claims got each verdict."""
    table = pd.crosstab(claims[by], claims["verdict"], dropna=False).reindex(columns=list(VERDICTS), fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1.2))
    left = pd.Series(0, index=table.index)
    for verdict in VERDICTS:
        ax.barh(table.index, table[verdict], left=left, color=VERDICT_COLOURS[verdict], label=verdict.replace("_", " "))
        left += table[verdict]
    ax.set_xlabel("printed numbers audited (count)")
    ax.set_ylabel("")
    ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=9)
    if title:
        ax.set_title(title, pad=28)
    return fig


def plot_tipping(grid: pd.DataFrame, labels: tuple[str, str] = ("arm 1", "arm 2"), alpha: float = 0.05) -> Figure:
    """Heat map of the tipping-point grid: p for every split of the missing participants; cells with
    p < alpha are marked with a dot. Axes count the events among each arm's missing participants."""
    import seaborn as sns

    table = grid.pivot(index="missing_events1", columns="missing_events2", values="p").sort_index(ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(table) + 1.8))
    sns.heatmap(
        table,
        ax=ax,
        cmap="viridis_r",
        vmin=0,
        vmax=1,
        cbar_kws={"label": "p-value (recomputed)"},
        linewidths=0.5,
        linecolor="white",
    )
    for y, i in enumerate(table.index):
        for x, j in enumerate(table.columns):
            if table.loc[i, j] < alpha:
                ax.plot(x + 0.5, y + 0.5, "o", color="white", markersize=4)
    ax.set_xlabel(f"events among the missing of {labels[1]} (count)")
    ax.set_ylabel(f"events among the missing of {labels[0]} (count)")
    ax.set_title(f"Every way of counting the missing participants (dot: p < {alpha:g})")
    return fig


def plot_proportions(rows: pd.DataFrame, title: str = "") -> Figure:
    """Per-arm proportion with its 95% Wilson interval, recomputed from printed counts.

    ``rows`` has columns ``label``, ``events``, ``n`` (and optionally ``group`` for colour).
    """
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(rows["events"], rows["n"], method="wilson")
    share = rows["events"] / rows["n"]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.4))
    y = range(len(rows))[::-1]
    ax.errorbar(100 * share, y, xerr=[100 * (share - low), 100 * (high - share)], fmt="o", color="#0072B2", capsize=4)
    ax.set_yticks(
        list(y), [f"{lab} ({e}/{n})" for lab, e, n in zip(rows["label"], rows["events"], rows["n"], strict=True)]
    )
    ax.set_xlabel("participants with the outcome (%), 95% Wilson interval recomputed from printed counts")
    ax.set_xlim(0, 100)
    if title:
        ax.set_title(title)
    return fig


def plot_course(course: pd.DataFrame, ylabel: str, title: str = "") -> Figure:
    """Printed mean ± SD by time point and arm (``course``: columns arm, timepoint, order, mean, sd).

    An arm/time point without a printed SD is drawn without a bar and says so in the legend.
    """
    fig, ax = plt.subplots()
    for (arm, has_sd), part in course.groupby(["arm", course["sd"].notna()], sort=False):
        part = part.sort_values("order")
        label = arm + ("" if has_sd else " (no SD printed)")
        ax.errorbar(
            part["order"],
            part["mean"],
            yerr=part["sd"] if has_sd else None,
            fmt="o-" if has_sd else "s--",
            capsize=4,
            label=label,
        )
    ticks = course.drop_duplicates("order").sort_values("order")
    ax.set_xticks(ticks["order"], ticks["timepoint"])
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=9)
    ax.set_title(title or "Printed mean ± SD (values as printed in the paper)")
    return fig
