"""How long `make reproduce` takes, against its floor and against the usual nbconvert loop.

Run from the repository with the project's venv: ``.venv/bin/python benchmarks/reproduce.py``.
It measures, side by side in one run (best of ``--repeat`` runs each):

a. ``make reproduce`` on a warm venv (papermill, in parallel, HTML site, results);
b. the floor: one Python process that imports the same libraries once and runs the
   notebooks' code cells (default parameters) one after another, without Jupyter;
c. the conventional way: ``jupyter nbconvert --execute --to html`` on each notebook in turn.

It prints the three times and the ratios a/b and a/c (targets: a/b <= 1.5, a/c <= 0.6).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

FLOOR = r"""
import json, sys, time
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
start = time.perf_counter()
for path in sys.argv[1:]:
    nb = json.loads(Path(path).read_text())
    namespace = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), path, "exec"), namespace)
    plt.close("all")
"""


def best(command: list[str], repeat: int, cwd: Path) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            command,
            cwd=cwd,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts (default 3)")
    args = parser.parse_args()
    notebooks = sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    subprocess.run(["make", "venv"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    a = best(["make", "reproduce"], args.repeat, ROOT)
    b = best([sys.executable, "-c", FLOOR, *notebooks], args.repeat, ROOT / "notebooks")
    with tempfile.TemporaryDirectory() as out:
        c = best(
            [
                "sh",
                "-c",
                " && ".join(
                    f"{BIN / 'jupyter'} nbconvert --execute --to html --output-dir {out} {nb}" for nb in notebooks
                ),
            ],
            args.repeat,
            ROOT / "notebooks",
        )
    print(f"notebooks: {len(notebooks)}; cores: {os.cpu_count()}; best of {args.repeat}")
    print(f"(a) make reproduce          {a:6.2f} s")
    print(f"(b) floor, one process      {b:6.2f} s")
    print(f"(c) nbconvert, one by one   {c:6.2f} s")
    print(f"a/b = {a / b:.2f}  (target <= 1.5)")
    print(f"a/c = {a / c:.2f}  (target <= 0.6)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
