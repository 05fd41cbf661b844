"""How long drawing the notebooks' figures takes, the largest part of ``make reproduce`` beyond its floor.

Run from the repository with the project's venv: ``.venv/bin/python benchmarks/figures.py``
(one core). Each notebook's code cells run in this process with the default parameters (as the
floor of ``benchmarks/reproduce.py`` runs them), keeping every figure the package makes; then each
figure is drawn once, as its notebook shows it (``ReaderFigure._png``: one layout pass, one draw,
the PNG). That is done ``--repeat`` times, on figures made afresh each time (a figure drawn again
is laid out from where the first drawing left it), and the best CPU time of the drawing alone is
printed per notebook, with the matplotlib version: what a kernel spends on its figures, most of
it drawing text. ``--format svg`` draws SVG instead (``svg.fonttype`` of the matplotlibrc), for
comparison only: the notebooks show PNG.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ("zang2022", "lu2021", "synthesis", "audit")


def figures_of(notebook: Path) -> list:
    """Run the notebook's code cells (default parameters) in a namespace of their own, in its
    folder's matplotlibrc, and return the figures the package made (in order)."""
    from reanalysis import figures

    made, make = [], figures._figure

    def keep(*args, **kwargs):
        figure = make(*args, **kwargs)
        made.append(figure)
        return figure

    figures._figure = keep
    try:
        namespace: dict = {}
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), str(notebook), "exec"), namespace)  # noqa: S102
    finally:
        figures._figure = make
    return made


def draw_seconds(notebook: Path, repeat: int, fmt: str) -> tuple[int, float]:
    """How many figures the notebook makes, and the best CPU time, over ``repeat`` runs of its
    code, to draw each of them once."""
    import matplotlib.pyplot as plt

    best, count = float("inf"), 0
    for _ in range(repeat):
        made = figures_of(notebook)
        start = time.process_time()
        for figure in made:
            if fmt == "png":
                figure._png()
            else:
                figure.savefig(io.BytesIO(), format=fmt)
        best, count = min(best, time.process_time() - start), len(made)
        plt.close("all")
    return count, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each notebook (the best counts)")
    parser.add_argument("--format", choices=["png", "svg"], default="png")
    args = parser.parse_args()
    os.chdir(ROOT / "notebooks")  # the matplotlibrc the kernels read, before matplotlib is imported
    import matplotlib

    matplotlib.use("Agg")
    print(f"matplotlib {matplotlib.__version__}, {args.format}, best of {args.repeat}, one core")
    total = 0.0
    for name in NOTEBOOKS:
        count, seconds = draw_seconds(ROOT / "notebooks" / f"{name}.ipynb", args.repeat, args.format)
        total += seconds
        print(f"{name:10s} {count:2d} figures  {seconds:5.2f} s CPU")
    print(f"{'all':10s}             {total:5.2f} s CPU")


if __name__ == "__main__":
    main()
