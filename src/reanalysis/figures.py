"""Presentation: figures for readers (matplotlib/seaborn; style from notebooks/matplotlibrc).

Every plot function returns a :class:`ReaderFigure`: a matplotlib Figure that a notebook shows as
``<figure>`` with its image, alt text (built from the numbers drawn) and a caption under it, so the
HTML pages need no template of their own for figures. Colours come from one place:
:data:`ARM_COLOURS` (one colour per arm role, the same in every figure) and :data:`VERDICT_COLOURS`.

How a figure is shown: the plot functions touch no pyplot state (the figure is made as
``ReaderFigure(...)``, not with ``plt.subplots``), so pyplot neither draws nor shows it and nothing
needs closing. A notebook cell shows a figure by leaving it as the cell's last expression
(``plot_verdicts(claims)``, not ``fig = plot_verdicts(claims)``, which shows nothing): IPython's
display hook calls :meth:`ReaderFigure._ipython_display_`, which renders the PNG once. Two figures
take a cell each (or ``IPython.display.display`` for the first). Outside a notebook, ``savefig``
renders one (its canvas is matplotlib's base canvas: ``fig.canvas.draw()`` does nothing).
Rendering is one layout pass (the ``tight`` layout engine, measuring each axes once, or the forest
plot's own grid, which needs none) and one draw; the image is the figure's canvas (no
``bbox_inches="tight"``, which costs a second pass), so the layout keeps everything inside it: long
titles and axis labels are wrapped to the figure's size.
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap

import pandas as pd
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from .vocabulary import VERDICTS

__all__ = [
    "ARM_COLOURS",
    "VERDICT_COLOURS",
    "ReaderFigure",
    "arm_colour",
    "plot_verdicts",
    "plot_tipping",
    "plot_proportions",
    "plot_course",
    "plot_courses",
    "plot_posterior",
    "plot_forest",
]

#: One colour per arm role, in every figure (Okabe-Ito, colour-blind safe): the first arm of a data
#: package (the treatment) is "treated", any other arm "control", whole-population rows "all".
ARM_COLOURS = {"treated": "#0072B2", "control": "#E69F00", "all": "#555555"}
#: Words in an arm's label that make it a control arm when the package's arm order is not given.
CONTROL_WORDS = ("placebo", "control", "sham", "usual care", "standard care", "insulin alone")

#: One colour per verdict, colour-blind safe (Okabe-Ito).
VERDICT_COLOURS = {
    "reproduced": "#009E73",
    "consistent": "#56B4E9",
    "inconsistent": "#D55E00",
    "not_reproducible": "#999999",
}


def arm_colour(label: str, arms: dict | None = None) -> str:
    """The colour of the arm labelled ``label`` (see :data:`ARM_COLOURS`).

    ``arms`` is a data package's ``paper.arms`` (first arm: the treatment); without it, or for a
    label none of its arms has, a label naming a control (:data:`CONTROL_WORDS`) is the control.
    A label of the whole population ("all participants") and suffixes such as " (percent)" are handled.
    """
    text = str(label).lower()
    if text.startswith("all participants"):
        return ARM_COLOURS["all"]
    if arms:
        labels = [str(spec.get("label", key)).lower() for key, spec in arms.items()]
        for position, arm in enumerate(labels):
            if text == arm or text.startswith(arm + " ("):
                return ARM_COLOURS["treated" if position == 0 else "control"]
    return ARM_COLOURS["control" if any(w in text for w in CONTROL_WORDS) else "treated"]


class ReaderFigure(Figure):
    """A Figure that shows itself in a notebook as ``<figure>``: the PNG with alt text, and a caption.

    ``alt`` says what the figure shows (its numbers, for a reader who cannot see it); ``caption``
    how to read it. Both are plain text and are HTML-escaped when shown. The text/plain form (what
    nbval compares) is the caption.
    """

    alt: str = ""
    caption: str = ""

    def describe(self, alt: str = "", caption: str = "") -> ReaderFigure:
        """Set the alt text and caption (an empty value keeps the current one); returns the figure."""
        self.alt = " ".join(alt.split()) or self.alt
        self.caption = " ".join(caption.split()) or self.caption
        return self

    def _alt_text(self) -> str:
        if self.alt:
            return self.alt
        titles = [self.get_suptitle()] + [ax.get_title() or ax.get_title(loc="left") for ax in self.axes]
        return "Figure: " + "; ".join(t for t in titles if t) if any(titles) else "Figure"

    def _png(self) -> str:
        """The PNG of the canvas, base64: one layout pass and one draw (not cropped to its contents),
        at the figure's dpi and in its colours.

        Printed by an Agg canvas rather than by ``savefig``: with a layout engine, ``savefig`` first
        draws the whole figure with rendering disabled, which constrained layout needs and the tight
        layout here does not (it runs at the start of the one draw). Without that pass the notebooks'
        figures take an eighth less time to draw (``benchmarks/figures.py``: 3.5 -> 3.1 CPU-seconds)
        and their PNGs are the same, byte for byte (``tests/test_figures.py``).
        """
        buffer, canvas = io.BytesIO(), self.canvas
        try:
            FigureCanvasAgg(self).print_png(buffer)
        finally:
            self.set_canvas(canvas)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def _repr_html_(self) -> str:
        caption = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        return (
            '<figure class="reanalysis-figure" style="margin: 0.5em 0;">'
            f'<img src="data:image/png;base64,{self._png()}" alt="{html.escape(self._alt_text(), quote=True)}"'
            ' style="max-width: 100%; height: auto;">'
            f"{caption}</figure>"
        )

    def _ipython_display_(self) -> None:
        """Shown once, as HTML with a plain-text caption (no second PNG in the notebook)."""
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": self.caption or self._alt_text()}, raw=True)


def _figure(figsize: tuple[float, float] | None = None, layout: str = "tight") -> ReaderFigure:
    """A new :class:`ReaderFigure` that pyplot does not manage (``figsize`` None: the rc's size).

    ``layout="tight"`` is matplotlib's tight layout measuring the axes once: with its engine's
    default ``rect``, (0, 0, 1, 1), it measures every axes again to fit the subplots into that
    rectangle, the whole figure, which gives the margins of the first measure. With ``rect=None``
    the PNGs are the same, byte for byte (``tests/test_figures.py``), and the notebooks' figures take
    a twelfth less time to draw (``benchmarks/figures.py``: 2.63-2.73 -> 2.44-2.49 CPU-seconds).
    """
    return ReaderFigure(figsize=figsize, layout=TightLayoutEngine(rect=None) if layout == "tight" else layout)


def _wrap(label: str, width: int = 30) -> str:
    """``label`` wrapped at ``width``, its dollar signs escaped (text from a data package is not mathtext)."""
    text = str(label).replace("$", r"\$")
    return "\n".join(textwrap.wrap(text, width)) or text


#: Where an axes title sits (axes fraction), given so that matplotlib does not measure the axes again at
#: every draw to move the title above tick labels on top or the y axis's offset text: these axes have
#: neither, or a title padded well clear of them (about a tenth of the figures' drawing time).
_TITLE_Y = 1.0


def _fit(label: str, inches: float, size: float = 10) -> str:
    """``label`` wrapped to fit ``inches`` of text at ``size`` points (about 140 / size characters an
    inch in DejaVu Sans): the image is the figure's canvas, not cropped to (or grown around) its contents."""
    return _wrap(label, max(20, int(inches * 140 / size)))


def _number(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def plot_verdicts(claims: pd.DataFrame, by: str = "section", title: str = "") -> Figure:
    """A stacked bar per ``by`` (section of the paper): how many claims got each verdict."""
    table = pd.crosstab(claims[by], claims["verdict"], dropna=False).reindex(columns=list(VERDICTS), fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig = _figure((7, 0.45 * len(table) + 1.2))
    ax = fig.subplots()
    left = pd.Series(0, index=table.index)
    for verdict in VERDICTS:
        ax.barh(table.index, table[verdict], left=left, color=VERDICT_COLOURS[verdict], label=verdict.replace("_", " "))
        left += table[verdict]
    ax.set_xlabel("printed numbers audited (count)")
    ax.set_ylabel("")
    ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=9)
    if title:
        ax.set_title(_fit(title, fig.get_figwidth() - 1.5, 11), pad=28, y=_TITLE_Y)
    rows = [
        f"{section}: " + ", ".join(f"{int(table.loc[section, v])} {v.replace('_', ' ')}" for v in VERDICTS)
        for section in table.index[::-1]
    ]
    return fig.describe(
        alt=f"Bar chart{': ' + title if title else ''}. Printed numbers audited, by verdict. " + "; ".join(rows) + ".",
        caption="Each bar is one part of the paper; its length is the number of printed numbers audited there, "
        "coloured by verdict. The tables below give each number with its quote and recomputation.",
    )


def plot_tipping(grid: pd.DataFrame, labels: tuple[str, str] = ("arm 1", "arm 2"), alpha: float = 0.05) -> Figure:
    """Heat map of the tipping-point grid: p for every split of the missing participants; cells with
    p < alpha are marked with a dot. Axes count the events among each arm's missing participants."""
    import seaborn as sns

    table = grid.pivot(index="missing_events1", columns="missing_events2", values="p").sort_index(ascending=False)
    fig = _figure((7, 0.35 * len(table) + 1.8))
    # the colour bar in a column of its own, so that the layout engine makes room for its label
    ax, bar = fig.subplots(1, 2, width_ratios=[40, 1])
    sns.heatmap(
        table,
        ax=ax,
        cbar_ax=bar,
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
    ax.set_xlabel(_fit(f"events among the missing of {labels[1]} (count)", fig.get_figwidth() - 1.5))
    ax.set_ylabel(_fit(f"events among the missing of {labels[0]} (count)", fig.get_figheight() - 0.3))
    ax.set_title(f"Every way of counting the missing participants (dot: p < {alpha:g})", y=_TITLE_Y)
    below = int((grid["p"] < alpha).sum())
    return fig.describe(
        alt=f"Heat map of recomputed p-values for every split of the missing participants: {len(table)} by "
        f"{len(table.columns)} cells (events among the missing of {labels[0]} by those of {labels[1]}); "
        f"{below} of {len(grid)} splits give p < {alpha:g}; p ranges from {_number(grid['p'].min())} to "
        f"{_number(grid['p'].max())}.",
        caption=f"Each cell counts the missing participants of each arm as events or non-events in one way and "
        f"recomputes the test on everyone assigned; darker cells have smaller p, a dot marks p < {alpha:g}. "
        "The corner cells are the best and worst cases for the treatment.",
    )


def plot_proportions(rows: pd.DataFrame, title: str = "", arms: dict | None = None) -> Figure:
    """Per-arm proportion with its 95% Wilson interval, recomputed from printed counts.

    ``rows`` has columns ``label``, ``events``, ``n``; each row is coloured as its arm
    (:func:`arm_colour`; ``arms`` is the package's ``paper.arms``).
    """
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(rows["events"], rows["n"], method="wilson")
    share = rows["events"] / rows["n"]
    fig = _figure((7, 0.5 * len(rows) + 1.55))
    ax = fig.subplots()
    y = list(range(len(rows)))[::-1]
    described = []
    for i, (label, s, lo, hi) in enumerate(zip(rows["label"], share, low, high, strict=True)):
        ax.errorbar(
            [100 * s],
            [y[i]],
            xerr=[[100 * (s - lo)], [100 * (hi - s)]],
            fmt="o",
            color=arm_colour(label, arms),
            capsize=4,
        )
        described.append(f"{label}: {100 * s:.1f}% (95% CI {100 * lo:.1f} to {100 * hi:.1f})")
    ax.set_yticks(
        y, [_wrap(f"{lab} ({e}/{n})") for lab, e, n in zip(rows["label"], rows["events"], rows["n"], strict=True)]
    )
    ax.set_xlabel(_wrap("participants with the outcome (%), 95% Wilson interval recomputed from printed counts", 60))
    ax.set_xlim(0, 100)
    if title:
        ax.set_title(_fit(title, fig.get_figwidth() - 1.5, 11), y=_TITLE_Y)
    return fig.describe(
        alt=f"Dot plot{': ' + title if title else ''}. " + "; ".join(described) + ".",
        caption="Each dot is an arm's share of participants with the outcome, from the printed counts; the bar is "
        "its 95% Wilson interval. Overlap of the bars is not a test; the tables give the tests.",
    )


def _draw_course(
    ax, course: pd.DataFrame, ylabel: str, marks: pd.DataFrame | None = None, arms: dict | None = None
) -> str:
    """Draw one course on ``ax``; returns its description for the alt text."""
    groups = list(course.groupby(["arm", course["sd"].notna()], sort=False))
    arm_names = list(dict.fromkeys(course["arm"]))
    described = []
    for (arm, has_sd), part in groups:
        part = part.sort_values("order")
        label = arm + ("" if has_sd or arm.endswith(")") else " (no SD printed)")
        position = arm_names.index(arm)
        dodge = 0.06 * (position - (len(arm_names) - 1) / 2)  # keep the arms' error bars apart
        ax.errorbar(
            part["order"] + dodge,
            part["mean"],
            yerr=part["sd"] if has_sd else None,
            fmt="o-" if has_sd else "s--",
            capsize=3,
            label=label,
            markersize=4,
            color=arm_colour(arm, arms),
        )
        points = ", ".join(
            f"{t} {_number(m)}" + (f" ± {_number(sd)}" if has_sd else "")
            for t, m, sd in zip(part["timepoint"], part["mean"], part["sd"], strict=True)
        )
        described.append(f"{label}: {points}")
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
    return f"{ylabel}: " + "; ".join(described)


_COURSE_CAPTION = (
    "Means as printed, by visit; bars are ± 1 SD as printed (dashed lines with squares: no SD printed). "
    "Above each visit: the paper's between-group p and ours. Each arm has the same colour in every figure."
)


def plot_course(
    course: pd.DataFrame, ylabel: str, title: str = "", marks: pd.DataFrame | None = None, arms: dict | None = None
) -> Figure:
    """Printed mean ± SD by time point and arm (``course``: columns arm, timepoint, order, mean, sd).

    An arm/time point without a printed SD is drawn without a bar and says so in the legend.
    ``marks`` (columns order, label) writes the paper's and our between-group p above each time point;
    ``arms`` (``paper.arms``) fixes each arm's colour (:func:`arm_colour`).
    """
    fig = _figure()
    ax = fig.subplots()
    described = _draw_course(ax, course, ylabel, marks, arms)
    title = title or "Printed mean ± SD (values as printed in the paper)"
    # without marks the title sits close to the axes: placed automatically, clear of an offset text
    pad, y = (24, _TITLE_Y) if marks is not None else (6, None)
    ax.set_title(_fit(title, fig.get_figwidth() - 1.5, 11), pad=pad, y=y)
    caption = _COURSE_CAPTION if marks is not None and len(marks) else _COURSE_CAPTION.split(" Above")[0]
    return fig.describe(alt=f"Line chart: {title}. {described}.", caption=caption)


def plot_courses(panels: list[dict], title: str = "", ncols: int = 1, arms: dict | None = None) -> Figure:
    """Several :func:`plot_course` panels in one figure; each dict has course, ylabel, title, marks."""
    nrows = -(-len(panels) // ncols)
    fig = _figure((7, 3.0 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    described = []
    for ax, panel in zip(axes.flat, panels, strict=False):
        text = _draw_course(ax, panel["course"], panel["ylabel"], panel.get("marks"), arms)
        heading = _fit(panel.get("title", ""), fig.get_figwidth() / ncols - 1)
        ax.set_title(heading, pad=26, fontsize=10, loc="left", y=_TITLE_Y)
        described.append(f"Panel {' '.join(panel.get('title', '').split())}. {text}.")
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(_fit(title, fig.get_figwidth() - 0.4, 12))
    return fig.describe(
        alt=f"{len(panels)} line charts{': ' + title if title else ''}. " + " ".join(described),
        caption=_COURSE_CAPTION,
    )


def plot_posterior(frame: pd.DataFrame, title: str = "", margin: float | None = None) -> Figure:
    """Prior (dashed) and posterior (solid) of the risk difference, together on one axis, and, when
    ``frame`` has them (the uniform and Jeffreys priors), of each arm's proportion beside it
    (``frame`` from :func:`reanalysis.bayes.prior_posterior_frame`). ``margin`` marks the
    clinically important difference with a dotted line; 0 (no effect) is always marked."""
    arms = bool(frame["quantity"].isin(["p1", "p2"]).any())
    fig = _figure((7.5 if arms else 5.5, 3.2))
    axes = fig.subplots(1, 2 if arms else 1, squeeze=False)
    axes = list(axes.flat)
    effect_ax = axes[-1]
    styles = {"prior": dict(ls="--", lw=1.2), "posterior": dict(ls="-", lw=1.8)}
    colours = {"p1": ARM_COLOURS["treated"], "p2": ARM_COLOURS["control"], "p1 - p2": "#000000"}
    modes = []
    for (quantity, distribution), part in frame.groupby(["quantity", "distribution"], sort=False):
        ax = effect_ax if quantity == "p1 - p2" else axes[0]
        ax.plot(
            part["x"], part["density"], color=colours.get(quantity), label=f"{quantity}, {distribution}",
            **styles[distribution],
        )  # fmt: skip
        if distribution == "posterior" and len(part):
            peak = part["x"].iloc[int(part["density"].to_numpy().argmax())]
            modes.append(f"{quantity} posterior peaks at {peak:.2f}")
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
        fig.suptitle(_fit(title, fig.get_figwidth() - 0.4, 12))
    panels = (
        "Left: prior (dashed) and posterior (solid) of each arm's proportion, p1 the treated arm and p2 the "
        "control. Right: the same for the risk difference p1 - p2"
        if arms
        else "Prior (dashed) and posterior (solid) of the risk difference p1 - p2, treated minus control"
    )
    marks = "a line at 0" + (f" and a dotted line at the margin {margin:g}" if margin is not None else "")
    return fig.describe(
        alt=f"{'Two density plots' if arms else 'A density plot'}{': ' + title if title else ''}. {panels}, with "
        f"{marks}. " + "; ".join(modes) + ".",
        caption="Dashed: the prior; solid: the posterior after the printed counts"
        + (". p1 is the treated arm (blue), p2 the control (orange)" if arms else "")
        + "; for the risk difference, mass to the right of 0 favours treatment.",
    )


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
    xlabels = [_wrap(part.iloc[0]["xlabel"] if "xlabel" in part else xlabel, 75) for _, part in panels]
    headings = [_wrap(name, 90) if by is not None else "" for name, _ in panels]
    shown = _fit(title, 7.8, 12 if by is not None else 10)  # the figure's title, or the one panel's
    title_lines = shown.count("\n") + 1 if title else 0
    # inches: each panel 0.22 per text line plus padding; a fixed gap between panels for the axis
    # label below one and the heading above the next, whatever the panels' sizes; above the first
    # panel its heading (or the title) and the figure's title, below the last its axis label
    # (the image is not cropped to its contents, so these margins are what the reader sees)
    heights = [0.22 * sum(max(1, w.count("\n") + 1) for w in ws) + 0.3 for ws in wrapped]
    gap = 1.0
    above = headings[0].count("\n") + 1 if by is not None else max(1, title_lines)
    top = 0.2 + 0.15 * above + (0.2 + 0.2 * title_lines if by is not None and title else 0.0)
    bottom = 0.37 + 0.13 * (xlabels[-1].count("\n") + 1 if xlabels[-1] else 0)
    inches = sum(heights) + gap * (len(panels) - 1) + top + bottom
    # the grid is laid out here, not by tight_layout
    fig = _figure((8, inches), layout="none")
    pad = ScaledTranslation(0, rcParams["axes.titlepad"] / 72, fig.dpi_scale_trans)  # as an axes title's
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
    for i, ((_, part), labels) in enumerate(zip(panels, wrapped, strict=True)):
        lines = [max(1, w.count("\n") + 1) for w in labels]
        tops = [sum(lines[:j]) for j in range(len(lines))]
        y = [-(t + n / 2) for t, n in zip(tops, lines, strict=True)]
        total = sum(lines)
        # one axes per panel (the plot); the labels' and values' columns are text placed in the
        # figure's x and the plot's y (an axes costs as much to make as the rest of the figure)
        ax = fig.add_subplot(grid[i, 1])
        ax.set_ylim(-total - 0.3, 0.3)
        left, values = grid[i, 0].get_position(fig), grid[i, 2].get_position(fig)
        rows_at = blended_transform_factory(fig.transFigure, ax.transData)
        above_at = blended_transform_factory(fig.transFigure, ax.transAxes) + pad  # where an axes title goes
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
        ax.set_xlabel(xlabels[i], fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        column = {"transform": rows_at, "ha": "left", "va": "center", "fontsize": 8, "clip_on": False}
        for yy, lab, e, lo, hi in zip(y, labels, est, low, high, strict=True):
            ax.text(left.x0, yy, lab, gid="label", **column)
            ax.text(values.x0 + 0.05 * values.width, yy, f"{_short(e)} ({_short(lo)} to {_short(hi)})", **column)
        heading = {"transform": above_at, "ha": "left", "va": "baseline", "clip_on": False}
        if headings[i]:
            ax.text(left.x0, _TITLE_Y, headings[i], fontsize=9, fontweight="bold", **heading)
        if i == 0:
            ax.text(values.x0, _TITLE_Y, "estimate (CI)", fontsize=8, **heading)
        if i == 0 and title and by is None:
            ax.text(left.x0, _TITLE_Y, shown, fontsize=10, **heading)
    if title and by is not None:
        fig.suptitle(shown, x=0.02, ha="left", y=1 - 0.12 / inches)
    described = "; ".join(
        f"{' '.join(str(label).split())}: {_number(e)} (CI {_number(lo)} to {_number(hi)})"
        for label, e, lo, hi in zip(rows["label"], rows["estimate"], rows["ci_low"], rows["ci_high"], strict=True)
    )
    return fig.describe(
        alt=f"Forest plot{': ' + title if title else ''}. {described}. Dashed line: no difference.",
        caption="Each square is a recomputed estimate with its confidence interval, printed on the right; the "
        f"dashed line marks no difference{' (0 for a difference, 1 for a ratio, on a log scale)' if by else ''}.",
    )
