"""Figures for readers: one colour per arm in every figure, alt text and a caption on every figure
(escaped when shown as HTML), forest-plot labels wrapped rather than squeezed; figures that pyplot
does not manage, shown once (one image, one draw) when left as a cell's last expression."""

from __future__ import annotations

import base64
import io
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import _tight_layout  # noqa: E402
from matplotlib.layout_engine import TightLayoutEngine  # noqa: E402

from reanalysis import figures  # noqa: E402

ARMS = {"ucmsc": {"label": "UC-MSCs"}, "placebo": {"label": "Placebo"}}
HOSTILE = '<img src=x onerror=window.__pwned=1> " onmouseover="x'


def _course(arm: str, sds: list[float]) -> pd.DataFrame:
    """An arm printed with an SD at baseline and without one later, as Fig. 3D of zang2022."""
    return pd.DataFrame(
        {
            "arm": arm,
            "timepoint": ["Baseline", "9 weeks", "48 weeks"][: len(sds)],
            "order": range(len(sds)),
            "mean": [3.0 + i for i in range(len(sds))],
            "sd": sds,
        }
    )


def _colours_by_arm(fig) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for ax in fig.axes:
        handles, labels = ax.get_legend_handles_labels()
        for handle, label in zip(handles, labels, strict=True):
            line = handle[0] if isinstance(handle, tuple) else getattr(handle, "lines", [handle])[0]
            arm = label.removesuffix(" (no SD printed)")
            seen.setdefault(arm, set()).add(mcolors.to_hex(line.get_color()))
    return seen


def test_each_arm_has_one_colour_in_every_panel_even_without_sds():
    gir = pd.concat([_course("Placebo", [1.2, math.nan, math.nan]), _course("UC-MSCs", [1.1, math.nan, math.nan])])
    other = pd.concat([_course("UC-MSCs", [0.5, 0.5, 0.5]), _course("Placebo", [0.4, 0.4, 0.4])])
    panels = [dict(course=other, ylabel="y", title="A"), dict(course=gir, ylabel="GIR", title="D")]
    fig = figures.plot_courses(panels, arms=ARMS)
    seen = _colours_by_arm(fig)
    treated, control = (figures.ARM_COLOURS[r].lower() for r in ("treated", "control"))
    assert seen == {"UC-MSCs": {treated}, "Placebo": {control}}


def test_arm_colour_follows_the_package_then_the_label():
    assert figures.arm_colour("UC-MSCs", ARMS) == figures.ARM_COLOURS["treated"]
    assert figures.arm_colour("Placebo (percent)", ARMS) == figures.ARM_COLOURS["control"]
    assert figures.arm_colour("Control") == figures.ARM_COLOURS["control"]
    assert figures.arm_colour("MSC-treated") == figures.ARM_COLOURS["treated"]
    assert figures.arm_colour("all participants") == figures.ARM_COLOURS["all"]


def _every_figure(index: int | None = None) -> list:
    """One figure of each plot function (all of them, or only the ``index``-th)."""
    rows = pd.DataFrame({"label": ["MSC-treated", "Control"], "events": [11, 3], "n": [27, 26]})
    forest = pd.DataFrame(
        {
            "label": [f"zang2022, T2D, RCT: HbA1c < 7% and insulin -50%, 48 weeks {HOSTILE}", "lu2021"],
            "estimate": [0.155, 0.292],
            "ci_low": [0.015, 0.054],
            "ci_high": [0.297, 0.492],
        }
    )
    claims = pd.DataFrame({"section": ["table1", "results"], "verdict": ["reproduced", "inconsistent"]})
    grid = pd.DataFrame(
        [(i, j, 0.01 * (1 + i + j)) for i in range(3) for j in range(3)],
        columns=["missing_events1", "missing_events2", "p"],
    )
    posterior = pd.DataFrame(
        [(q, d, x / 10, 1.0 + x) for q in ("p1", "p2", "p1 - p2") for d in ("prior", "posterior") for x in range(5)],
        columns=["quantity", "distribution", "x", "density"],
    )
    makers = [
        lambda: figures.plot_proportions(rows, title=HOSTILE),
        lambda: figures.plot_forest(forest, xlabel="risk difference"),
        lambda: figures.plot_verdicts(claims, title=f"{HOSTILE}: a title long enough to take two lines in the figure"),
        lambda: figures.plot_tipping(grid, labels=("MSC-treated", "Control")),
        lambda: figures.plot_posterior(posterior),
        lambda: figures.plot_course(_course("UC-MSCs", [0.5, 0.5, math.nan]), ylabel="HbA1c (%)", arms=ARMS),
    ]
    return [make() for make in (makers if index is None else makers[index : index + 1])]


@pytest.mark.parametrize("index", range(6))
def test_every_figure_has_alt_text_and_a_caption_escaped_in_html(index):
    (fig,) = _every_figure(index)
    assert isinstance(fig, figures.ReaderFigure)
    assert len(fig.alt) > 40 and len(fig.caption) > 40
    shown = fig._repr_html_()
    assert shown.count("<img") == 1 and "<img src=x" not in shown and 'onmouseover="x' not in shown
    alt = re.search(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', shown)
    assert alt and alt.group(1).strip()
    assert "<figcaption>" in shown and shown.index("<img") < shown.index("<figcaption>")
    # the image is the canvas (not cropped to, or grown around, its contents), and the layout keeps
    # every mark inside it: the ink stops short of all four edges
    png = base64.b64decode(re.search(r"base64,([^\"]+)", shown).group(1))
    image = plt.imread(io.BytesIO(png), format="png")
    width, height = fig.get_size_inches() * fig.dpi
    assert image.shape[:2] == (round(height), round(width))
    ink = (abs(image[..., :3] - 1).sum(axis=2) > 0.1).nonzero()
    assert ink[0].min() >= 3 and ink[1].min() >= 3
    assert ink[0].max() <= image.shape[0] - 4 and ink[1].max() <= image.shape[1] - 4
    inside = fig.get_tightbbox()  # every artist's extent (inches), titles and labels included
    assert inside.x0 >= 0 and inside.y0 >= 0 and inside.x1 <= width / fig.dpi and inside.y1 <= height / fig.dpi
    # the image is what savefig prints, byte for byte, though drawn once (without the pass with
    # rendering disabled that savefig makes first) and on a canvas the figure then gives back; the
    # same figure made again (one drawn again is laid out from where its first drawing left it)
    (again,) = _every_figure(index)
    if isinstance(again.get_layout_engine(), TightLayoutEngine):  # and laid out by matplotlib's own
        again.set_layout_engine("tight")  # tight engine, which measures the axes twice (figures._figure)
    printed = io.BytesIO()
    again.savefig(printed, format="png")
    assert png == printed.getvalue() and type(fig.canvas) is type(again.canvas)


def test_forest_labels_are_wrapped_not_squeezed():
    (fig,) = _every_figure(1)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]  # their column, left of the plot
    assert "\n" in labels[0] and max(len(line) for t in labels for line in t.split("\n")) <= 40
    width, _ = fig.get_size_inches()
    assert width >= 7  # laptop width: the plot keeps its size, the labels take lines


def test_plot_functions_leave_pyplot_alone():
    """A figure is the caller's object: pyplot does not hold it (so it never draws or shows it at the
    end of a cell, and nothing needs closing)."""
    plt.close("all")
    _every_figure()
    figures.plot_courses([dict(course=_course("UC-MSCs", [0.5, 0.5]), ylabel="y", title="A")], title="t")
    assert plt.get_fignums() == []


@pytest.fixture
def kernel_shell():
    """An IPython shell with the inline backend, as in a notebook's kernel; everything it changes
    (the backend, interactive mode, the shell instance, rcParams) is put back afterwards."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    backend = matplotlib.get_backend()
    config = Config()
    config.HistoryManager.enabled = False
    with matplotlib.rc_context():
        shell = InteractiveShell.instance(config=config)
        shell.enable_gui = lambda gui=None: None
        shell.run_line_magic("matplotlib", "inline")
        published = []
        shell.display_pub.publish = lambda data, metadata=None, **kwargs: published.append(data)
        try:
            yield shell, published
        finally:
            plt.uninstall_repl_displayhook()
            InteractiveShell.clear_instance()
            plt.switch_backend(backend)
            matplotlib.interactive(False)


def test_a_figure_left_as_a_cells_last_expression_is_shown_once_and_drawn_once(kernel_shell, monkeypatch):
    shell, published = kernel_shell
    draws = []  # whether each draw of a figure rendered (False: a pass with rendering disabled)
    draw, layout = figures.ReaderFigure.draw, TightLayoutEngine.execute
    layouts = []

    def counted(self, renderer):
        draws.append("draw_path" not in vars(renderer))  # RendererBase._draw_disabled sets no-op methods
        return draw(self, renderer)

    def laid_out(self, fig):
        layouts.append(fig)
        return layout(self, fig)

    measures = []  # each time the layout measures every axes
    measure = _tight_layout._auto_adjust_subplotpars

    def measured(*args, **kwargs):
        measures.append(kwargs.get("rect"))
        return measure(*args, **kwargs)

    monkeypatch.setattr(figures.ReaderFigure, "draw", counted)
    monkeypatch.setattr(TightLayoutEngine, "execute", laid_out)
    monkeypatch.setattr(_tight_layout, "_auto_adjust_subplotpars", measured)
    shell.user_ns["claims"] = pd.DataFrame({"section": ["table1", "results"], "verdict": ["reproduced", "consistent"]})
    assert shell.run_cell("from reanalysis.figures import plot_verdicts").success

    assert shell.run_cell("fig = plot_verdicts(claims)").success  # assigned: pyplot does not show it
    assert published == [] and draws == []

    assert shell.run_cell("plot_verdicts(claims)").success
    assert len(published) == 1 and set(published[0]) == {"text/html", "text/plain"}
    assert published[0]["text/html"].count("<img") == 1
    assert draws == [True] and len(layouts) == 1  # one layout pass, at the start of the one draw
    assert measures == [None]  # which measures the axes once
    assert plt.get_fignums() == []
