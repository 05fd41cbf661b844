"""How long `make reproduce` takes, against its floor and against the usual nbconvert loop.

Run from the repository with the project's venv: ``.venv/bin/python benchmarks/reproduce.py``.
It measures, side by side in one run (best of ``--repeat`` runs each):

a. ``make reproduce`` on a warm venv (papermill, in parallel, HTML site, results);
b. the floor: one Python process that imports the same libraries once and runs the
   notebooks' code cells one after another, without Jupyter: the same runs as (a), each notebook
   with its default parameters and the general audit once per data package;
b+. the floor with what the notebooks show: the same runs in one IPython shell (no kernel), every
   object a cell shows formatted as a kernel formats it (the figures drawn to PNG, the tables to
   HTML), nothing sent or written; it must show as many outputs of each mime type as (a)'s
   executed notebooks hold. No target: it is the work behind (a)'s outputs, on one core and
   without Jupyter, papermill or pages;
c. the conventional way: ``jupyter nbconvert --execute --to html`` on each notebook in turn;
d. ``make test`` (see ``benchmarks/suite.py``), with what it covers.

It prints the load before each measurement, the times (wall, and the CPU time of every process
each waited for, kernels included: on a loaded machine compare those), the ratios a/b, a/b+ and
a/c (targets: a/b <= 1.5, a/c <= 0.6; a/b+ has none) and the test-suite time (target <= 90 s).
(a0) is (a) with every kernel started the usual way (``REANALYSIS_ZYGOTE=0``), to show what
forking saves.
``--make-arg`` passes arguments to make, e.g. to use another checkout's venv without reinstalling into it:
``--make-arg VENV=../main/.venv --make-arg=--assume-old=../main/.venv/.installed-<cksum>``.
"""

from __future__ import annotations

import argparse
import collections
import json
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


#: (b+): the floor's runs in one IPython shell, every object a cell shows formatted as a kernel
#: formats it (each figure drawn to its PNG, each table to HTML), nothing sent or written; the
#: number of outputs of each mime type goes to the file named first, to be compared with (a)'s.
FLOOR_SHOWN = r"""
import collections, json, sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
shown = collections.Counter()
class Formatted(DisplayHook):
    def write_output_prompt(self):
        pass
    def write_format_data(self, format_dict, md_dict=None):
        shown.update(format_dict.keys())
class Shell(InteractiveShell):
    displayhook_class = Formatted
    display_pub_class = CapturingDisplayPublisher
shell = Shell.instance(cache_size=0)
for arg in sys.argv[2:]:
    path, _, package = arg.partition("=")
    shell.reset(new_session=False)
    for cell in json.loads(Path(path).read_text())["cells"]:
        if cell["cell_type"] == "code":
            result = shell.run_cell("".join(cell["source"]), store_history=False)
            result.raise_error()
            if package and "parameters" in cell["metadata"].get("tags", []):
                shell.user_ns["paper_dir"] = package
    for output in shell.display_pub.outputs:
        shown.update(output["data"].keys())
    shell.display_pub.outputs.clear()
    plt.close("all")
Path(sys.argv[1]).write_text(json.dumps(shown))
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


def shown_by_a(runs: list[str]) -> collections.Counter:
    """The number of outputs of each mime type in the notebooks (a) executed into build/notebooks/
    for ``runs`` (an audit run's copy is ``audit-<id>.ipynb``)."""
    shown: collections.Counter = collections.Counter()
    for run in runs:
        path, _, package = run.partition("=")
        name = f"{Path(path).stem}-{package}.ipynb" if package else Path(path).name
        for cell in json.loads((ROOT / "build" / "notebooks" / name).read_text())["cells"]:
            for output in cell.get("outputs", []):
                shown.update(output.get("data", {}).keys())
    return shown


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
        counts = Path(out) / "shown.json"
        command = [sys.executable, "-c", FLOOR_SHOWN, counts, *runs]
        b_shown = best(command, args.repeat, ROOT / "notebooks", "(b+) floor, shown")
        if (shown := collections.Counter(json.loads(counts.read_text()))) != (by_a := shown_by_a(runs)):
            raise SystemExit(f"(b+) showed {dict(shown)}, not what (a) showed: {dict(by_a)}")
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
    outputs = sum(shown.values())
    print(f"(b+) floor, shown           {b_shown:6.2f} s   CPU {cpu['(b+)']:6.2f} s ({outputs} outputs, as (a))")
    print(f"(c) nbconvert, one by one   {c:6.2f} s   CPU {cpu['(c)']:6.2f} s")
    print(f"a/b = {a / b:.2f}  (target <= 1.5)")
    print(f"a/b+ = {a / b_shown:.2f}  (no target: the floor with every output computed)")
    print(f"a/c = {a / c:.2f}  (target <= 0.6)")
    if args.suite_repeat:
        print("(d) coverage: " + ", ".join(f"{k} {v}" for k, v in cov.items()))
        print(f"(d) make test               {d:6.1f} s  (best of {args.suite_repeat}; target <= 90 s), {passed} passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
