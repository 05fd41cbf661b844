"""How long `make reproduce` takes, against its floor and against the usual nbconvert loop.

Run from the repository with the project's venv: ``.venv/bin/python benchmarks/reproduce.py``.
It measures, side by side in one run (best of ``--repeat`` runs each):

a. ``make reproduce`` on a warm venv (papermill, in parallel, HTML site, results);
b. the floor: one Python process that imports the same libraries once and runs the
   notebooks' code cells one after another, without Jupyter: the same runs as (a), each notebook
   with its default parameters and the general audit once per data package;
c. the conventional way: ``jupyter nbconvert --execute --to html`` on each notebook in turn;
d. ``make test`` (see ``benchmarks/suite.py``), with what it covers.

It prints the load before each measurement, the times (wall, and the CPU time of every process
each waited for, kernels included: on a loaded machine compare those), the ratios a/b and a/c
(targets: a/b <= 1.5, a/c <= 0.6) and the test-suite time (target <= 90 s). (a0) is (a) with
every kernel started the usual way (``REANALYSIS_ZYGOTE=0``), to show what forking saves.
``--make-arg`` passes arguments to make, e.g. to use another checkout's venv without reinstalling into it:
``--make-arg VENV=../main/.venv --make-arg=--assume-old=../main/.venv/.installed-<cksum>``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suite  # noqa: E402  (benchmarks/suite.py)
from suite import load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

FLOOR = r"""
import json, sys, time
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
start = time.perf_counter()
for arg in sys.argv[1:]:
    path, _, package = arg.partition("=")
    nb = json.loads(Path(path).read_text())
    namespace = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), path, "exec"), namespace)
            if package and "parameters" in cell["metadata"].get("tags", []):
                namespace["paper_dir"] = package
    plt.close("all")
"""


#: CPU seconds (user + system) of each measurement's best run, by label: what the load does not change much.
CPU: dict[str, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best(command: list[str], repeat: int, cwd: Path, label: str, env: dict | None = None) -> float:
    """Best wall time of ``repeat`` runs; the CPU time (user + system, every process the command
    waited for, kernels included) of that run goes to ``CPU[label]``."""
    times = []
    for i in range(repeat):
        print(f"  {label}, run {i + 1}/{repeat}: {load()}", flush=True)
        t, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(
            command,
            cwd=cwd,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONHASHSEED": "0", **(env or {})},
        )
        times.append(time.perf_counter() - t)
        cpu = _children_cpu() - cpu
        if times[-1] == min(times):
            CPU[label] = cpu
        print(f"    {times[-1]:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    return min(times)


def floor_runs(notebooks: list[str]) -> list[str]:
    """What (a) runs, as arguments of FLOOR: the general audit once per data package."""
    import papermill

    sys.path.insert(0, str(ROOT / "src"))
    from reanalysis.data import available

    runs = []
    for nb in notebooks:
        if "paper_dir" in papermill.inspect_notebook(nb):
            runs += [f"{nb}={package}" for package in available()]
        else:
            runs.append(nb)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts (default 3)")
    parser.add_argument("--suite-repeat", type=int, default=1, help="runs of make test (default 1; 0 skips it)")
    parser.add_argument("--make-arg", action="append", default=[], help="an argument for make (repeatable)")
    parser.add_argument(
        "--no-plain",
        dest="plain",
        action="store_false",
        help="skip (a0): make reproduce with every kernel started the usual way (REANALYSIS_ZYGOTE=0)",
    )
    args = parser.parse_args()
    make = ["make", *args.make_arg]
    notebooks = sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    runs = floor_runs(notebooks)
    subprocess.run([*make, "venv"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    a = best([*make, "reproduce"], args.repeat, ROOT, "(a) make reproduce")
    if args.plain:
        plain = best([*make, "reproduce"], args.repeat, ROOT, "(a0) kernels not forked", {"REANALYSIS_ZYGOTE": "0"})
    b = best([sys.executable, "-c", FLOOR, *runs], args.repeat, ROOT / "notebooks", "(b) floor")
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
            "(c) nbconvert",
        )
    if args.suite_repeat:
        cov = suite.coverage()
        d, passed = suite.make_test(args.suite_repeat, make, log=lambda line: print(line, flush=True))
    print(f"notebooks: {len(notebooks)} ({len(runs)} runs); cores: {os.cpu_count()}; best of {args.repeat}; {load()}")
    cpu = {label[: label.index(")") + 1]: seconds for label, seconds in CPU.items()}
    print(f"(a) make reproduce          {a:6.2f} s   CPU {cpu['(a)']:6.2f} s (kernels forked from a zygote)")
    if args.plain:
        print(f"(a0) the same, not forked   {plain:6.2f} s   CPU {cpu['(a0)']:6.2f} s (REANALYSIS_ZYGOTE=0)")
    print(f"(b) floor, one process      {b:6.2f} s   CPU {cpu['(b)']:6.2f} s")
    print(f"(c) nbconvert, one by one   {c:6.2f} s   CPU {cpu['(c)']:6.2f} s")
    print(f"a/b = {a / b:.2f}  (target <= 1.5)")
    print(f"a/c = {a / c:.2f}  (target <= 0.6)")
    if args.suite_repeat:
        print("(d) coverage: " + ", ".join(f"{k} {v}" for k, v in cov.items()))
        print(f"(d) make test               {d:6.1f} s  (best of {args.suite_repeat}; target <= 90 s), {passed} passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
