"""Presentation: figures for readers (matplotlib/seaborn; style from notebooks/matplotlibrc)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

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


def plot_posterior(frame: pd.DataFrame, title: str = "") -> Figure:
    """Prior and posterior of each arm's proportion and of the risk difference
    (``frame`` from :func:`reanalysis.bayes.prior_posterior_frame`)."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.2))
    styles = {"prior": dict(ls="--", lw=1.2), "posterior": dict(ls="-", lw=1.8)}
    for (quantity, distribution), part in frame.groupby(["quantity", "distribution"], sort=False):
        ax = axes[1] if quantity == "p1 - p2" else axes[0]
        ax.plot(part["x"], part["density"], label=f"{quantity}, {distribution}", **styles[distribution])
    axes[0].set_xlabel("proportion with the outcome")
    axes[1].set_xlabel("risk difference p1 - p2")
    axes[1].axvline(0, color="#999999", lw=0.8)
    for ax in axes:
        ax.set_ylabel("density")
        ax.legend(frameon=False, fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped at ``width``, its dollar signs escaped (a label from a data package is text, not mathtext)."""
    text = str(text).replace("$", r"\$")
    return "\n".join(textwrap.wrap(text, width)) or text


def _short(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def plot_forest(
    rows: pd.DataFrame,
    xlabel: str = "",
    null: float = 0.0,
    log: bool = False,
    title: str = "",
    by: str | None = None,
    label_width: int = 40,
) -> Figure:
    """A forest plot: one row per ``label`` with ``estimate``, ``ci_low``, ``ci_high`` (recomputed).

    Labels sit in a column of their own, wrapped at ``label_width`` characters, and each row's
    estimate and interval are printed in a column on the right. ``by`` names a column that splits
    the rows into panels (one per measure and unit); a panel takes its axis label, null value and
    scale from the columns ``xlabel``, ``null`` and ``log`` where the rows have them, else from the
    arguments. The null line (no difference) is drawn dashed in every panel.
    """
    panels = [(title if by is None else "", rows)] if by is None else list(rows.groupby(by, sort=False))
    wrapped = [[_wrap(lab, label_width) for lab in part["label"]] for _, part in panels]
    # inches: each panel 0.22 per text line plus padding; a fixed gap between panels for the axis
    # label below one and the heading above the next, whatever the panels' sizes
    heights = [0.22 * sum(max(1, w.count("\n") + 1) for w in ws) + 0.3 for ws in wrapped]
    gap, top, bottom = 1.0, 0.75, 0.65
    inches = sum(heights) + gap * (len(panels) - 1) + top + bottom
    fig = plt.figure(figsize=(8, inches), layout="none")  # the grid is laid out here, not by tight_layout
    grid = fig.add_gridspec(
        len(panels),
        3,
        width_ratios=[1.3, 1.5, 0.7],
        height_ratios=heights,
        hspace=gap / (sum(heights) / len(panels)),
        wspace=0.05,
        left=0.02,
        right=0.98,
        top=1 - top / inches,
        bottom=bottom / inches,
    )
    for i, ((name, part), labels) in enumerate(zip(panels, wrapped, strict=True)):
        lines = [max(1, w.count("\n") + 1) for w in labels]
        tops = [sum(lines[:j]) for j in range(len(lines))]
        y = [-(t + n / 2) for t, n in zip(tops, lines, strict=True)]
        total = sum(lines)
        text_ax, ax, value_ax = (fig.add_subplot(grid[i, j]) for j in range(3))
        for a in (text_ax, ax, value_ax):
            a.set_ylim(-total - 0.3, 0.3)
        for a in (text_ax, value_ax):
            a.set_xlim(0, 1)
            a.axis("off")
        first = part.iloc[0]
        panel_null = float(first["null"]) if "null" in part else null
        panel_log = bool(first["log"]) if "log" in part else log
        est, low, high = (part[c].astype(float).to_numpy() for c in ("estimate", "ci_low", "ci_high"))
        ax.errorbar(est, y, xerr=[est - low, high - est], fmt="s", color="#0072B2", capsize=3, markersize=4)
        ax.axvline(panel_null, color="#666666", lw=0.9, ls="--")
        if panel_log:
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_yticks([])
        ax.set_xlabel(_wrap(first["xlabel"] if "xlabel" in part else xlabel, 75), fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        for yy, lab, e, lo, hi in zip(y, labels, est, low, high, strict=True):
            text_ax.text(0, yy, lab, ha="left", va="center", fontsize=8)
            value_ax.text(0.05, yy, f"{_short(e)} ({_short(lo)} to {_short(hi)})", ha="left", va="center", fontsize=8)
        heading = _wrap(name, 90) if by is not None else ""
        if heading:
            text_ax.set_title(heading, loc="left", fontsize=9, fontweight="bold")
        if i == 0:
            value_ax.set_title("estimate (CI)", loc="left", fontsize=8)
    if title and by is not None:
        fig.suptitle(title, x=0.02, ha="left", y=1 - 0.12 / inches)
    elif title:
        fig.axes[0].set_title(title, loc="left", fontsize=10)
    return fig
