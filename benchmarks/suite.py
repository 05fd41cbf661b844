"""How long `make test` takes, and what it covers: ``.venv/bin/python benchmarks/suite.py``.

Prints the machine's load before each run (1-minute average from ``os.getloadavg``), the wall time
of ``make test`` (ruff, then pytest with the repository's addopts: ``-n auto --dist loadscope``),
best of ``--repeat``, and what the suite covers, from ``pytest --collect-only``: the number of
tests, of parameter-sweep cases (notebook x parameter x value) and of nbval cells, with a digest
of the sorted test ids so that two runs (or two branches) can be seen to run the same tests.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONHASHSEED": "0"}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min)"


def coverage() -> dict:
    """What pytest collects: every test id, sorted, as the repository's `make test` sees them."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = sorted(line for line in out.splitlines() if "::" in line)
    return {
        "tests": len(ids),
        "sweep cases": sum("test_notebook_runs_with_every_choice[" in i for i in ids),
        "nbval cells": sum(".ipynb::" in i for i in ids),
        "digest": hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12],
    }


def children_cpu() -> float:
    """CPU seconds (user + system) of every process waited for so far (kernels included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_test(repeat: int, make: list[str] | None = None, log=print) -> tuple[float, int]:
    """Best wall time of ``make test`` over ``repeat`` runs, and the number of tests that passed
    (each run's CPU time, user + system of every process, is logged: the load changes it less)."""
    times, passed = [], 0
    for i in range(repeat):
        log(f"  make test, run {i + 1}/{repeat}: {load()}")
        t, cpu = time.perf_counter(), children_cpu()
        done = subprocess.run([*(make or ["make"]), "test"], cwd=ROOT, env=ENV, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        log(f"    CPU {children_cpu() - cpu:.1f} s")
        summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        if done.returncode != 0:
            raise SystemExit(f"make test failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        passed = int(re.search(r"(\d+) passed", summary).group(1))
        log(f"    {times[-1]:.1f} s: {summary.strip('= ')}")
    return min(times), passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of make test; the best counts (default 1)")
    parser.add_argument("--make-arg", action="append", default=[], help="an argument for make (repeatable)")
    args = parser.parse_args()
    make = ["make", *args.make_arg]
    subprocess.run([*make, "venv"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    cov = coverage()
    best, passed = make_test(args.repeat, make)
    print(f"cores: {os.cpu_count()}; {load()}")
    print("coverage: " + ", ".join(f"{k} {v}" for k, v in cov.items()))
    print(f"make test: {best:.1f} s (best of {args.repeat}; target <= 90 s), {passed} passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
