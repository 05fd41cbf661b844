"""Presentation: figures for readers (matplotlib/seaborn; style from notebooks/matplotlibrc)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .vocabulary import VERDICTS

__all__ = [
    "VERDICT_COLOURS",
    "plot_verdicts",
    "plot_tipping",
    "plot_proportions",
    "plot_course",
    "plot_courses",
    "plot_posterior",
    "plot_forest",
]

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


def _draw_course(ax, course: pd.DataFrame, ylabel: str, marks: pd.DataFrame | None = None) -> None:
    groups = list(course.groupby(["arm", course["sd"].notna()], sort=False))
    for i, ((arm, has_sd), part) in enumerate(groups):
        part = part.sort_values("order")
        label = arm + ("" if has_sd or arm.endswith(")") else " (no SD printed)")
        dodge = 0.06 * (i - (len(groups) - 1) / 2)  # keep the arms' error bars apart
        ax.errorbar(
            part["order"] + dodge,
            part["mean"],
            yerr=part["sd"] if has_sd else None,
            fmt="o-" if has_sd else "s--",
            capsize=3,
            label=label,
            markersize=4,
        )
    ticks = course.drop_duplicates("order").sort_values("order")
    ax.set_xticks(ticks["order"], ticks["timepoint"])
    ax.set_ylabel(ylabel)
    if marks is not None and len(marks):
        for _, m in marks.iterrows():
            ax.annotate(
                m["label"],
                (m["order"], 1.0),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="bottom",
                fontsize=7,
                color="#444444",
            )
    ax.legend(frameon=False, fontsize=7)


def plot_course(course: pd.DataFrame, ylabel: str, title: str = "", marks: pd.DataFrame | None = None) -> Figure:
    """Printed mean ± SD by time point and arm (``course``: columns arm, timepoint, order, mean, sd).

    An arm/time point without a printed SD is drawn without a bar and says so in the legend.
    ``marks`` (columns order, label) writes the paper's and our between-group p above each time point.
    """
    fig, ax = plt.subplots()
    _draw_course(ax, course, ylabel, marks)
    ax.set_title(title or "Printed mean ± SD (values as printed in the paper)", pad=24 if marks is not None else 6)
    return fig


def plot_courses(panels: list[dict], title: str = "", ncols: int = 1) -> Figure:
    """Several :func:`plot_course` panels in one figure; each dict has course, ylabel, title, marks."""
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(7, 3.0 * nrows), squeeze=False)
    for ax, panel in zip(axes.flat, panels, strict=False):
        _draw_course(ax, panel["course"], panel["ylabel"], panel.get("marks"))
        ax.set_title(panel.get("title", ""), pad=26, fontsize=10, loc="left")
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def plot_posterior(frame: pd.DataFrame, title: str = "", margin: float | None = None) -> Figure:
    """Prior (dashed) and posterior (solid) of the risk difference, together on one axis, and, when
    ``frame`` has them (the uniform and Jeffreys priors), of each arm's proportion beside it
    (``frame`` from :func:`reanalysis.bayes.prior_posterior_frame`). ``margin`` marks the
    clinically important difference with a dotted line; 0 (no effect) is always marked."""
    arms = bool(frame["quantity"].isin(["p1", "p2"]).any())
    fig, axes = plt.subplots(1, 2 if arms else 1, figsize=(7.5 if arms else 5.5, 3.2), squeeze=False)
    axes = list(axes.flat)
    effect_ax = axes[-1]
    styles = {"prior": dict(ls="--", lw=1.2), "posterior": dict(ls="-", lw=1.8)}
    colours = {"p1": "#0072B2", "p2": "#D55E00", "p1 - p2": "#000000"}
    for (quantity, distribution), part in frame.groupby(["quantity", "distribution"], sort=False):
        ax = effect_ax if quantity == "p1 - p2" else axes[0]
        ax.plot(
            part["x"], part["density"], color=colours.get(quantity), label=f"{quantity}, {distribution}",
            **styles[distribution],
        )  # fmt: skip
    if arms:
        axes[0].set_xlabel("proportion with the outcome")
    effect_ax.set_xlabel("risk difference p1 - p2 (treated minus control)")
    effect_ax.axvline(0, color="#999999", lw=0.8)
    if margin is not None:
        effect_ax.axvline(margin, color="#999999", lw=0.8, ls=":", label=f"margin {margin:g}")
    effect = frame[frame["quantity"] == "p1 - p2"]
    inside = effect[effect["density"] > 1e-3 * effect["density"].max()]["x"]
    if len(inside):
        effect_ax.set_xlim(max(-1.0, inside.min() - 0.05), min(1.0, inside.max() + 0.05))
    for ax in axes:
        ax.set_ylabel("density")
        ax.legend(frameon=False, fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


def plot_forest(rows: pd.DataFrame, xlabel: str, null: float = 0.0, log: bool = False, title: str = "") -> Figure:
    """A forest plot: one row per ``label`` with ``estimate``, ``ci_low``, ``ci_high`` (recomputed)."""
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(rows) + 1.4))
    y = list(range(len(rows)))[::-1]
    ax.errorbar(
        rows["estimate"],
        y,
        xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
        fmt="s",
        color="#0072B2",
        capsize=4,
    )
    ax.axvline(null, color="#999999", lw=0.8)
    ax.set_yticks(y, rows["label"])
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return fig
