"""CPU time of ``make pdf``'s printing: :func:`reanalysis.pdf.write_pdfs` on a built site, for the
pages tests/test_site.py prints (zang2022, lu2021, synthesis and the two findings reports) and for
every reader page, into temporary folders.

Run after ``make reproduce`` (or ``python -m reanalysis.run --build DIR``) from the repository:
``PYTHONHASHSEED=0 PYTHONPATH=$PWD/src .venv/bin/python benchmarks/pdf_print.py [--build DIR]
[--repeat N] [--compare OLD_PDF_PY]``. ``--compare`` also times another version of the module, e.g.
``git show 5a4f948:src/reanalysis/pdf.py > /tmp/pdf_old.py`` (one Chromium launch per page).

It prints, per run, the CPU seconds (user + sys) of every process Chromium started. Chromium's
zygotes and crash handlers outlive the browser process and are reparented, so their CPU (and that of
the renderers they reaped) never reaches this process's ``RUSAGE_CHILDREN``; this process therefore
makes itself their subreaper (Linux ``prctl(PR_SET_CHILD_SUBREAPER)``) and reaps them after each run.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from reanalysis import pdf
from reanalysis.run import ROOT

PR_SET_CHILD_SUBREAPER = 36


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _reap(seconds: float = 15) -> None:
    """Wait for every orphaned Chromium process handed to this process."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)
    print("  (some processes were still running after 15 s: not counted)")


def _module(path: Path):
    spec = importlib.util.spec_from_file_location("reanalysis._pdf_compared", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", type=Path, default=None, help="another pdf.py to time as well")
    args = parser.parse_args()
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("prctl(PR_SET_CHILD_SUBREAPER) failed: the numbers would miss Chromium's helpers")
    versions = {"this": pdf} | ({"compared": _module(args.compare)} if args.compare else {})
    sets = {"test set (3 pages + 2 reports)": ["zang2022", "lu2021", "synthesis"], "every reader page + reports": None}
    for label, pages in sets.items():
        for name, module in versions.items():
            for run in range(1, args.repeat + 1):
                with tempfile.TemporaryDirectory() as out:
                    cpu, wall = _children_cpu(), time.monotonic()
                    result = module.write_pdfs(args.build, Path(out), pages=pages)
                    _reap()
                    cpu, wall = _children_cpu() - cpu, time.monotonic() - wall
                print(f"{label}, {name} run {run}: {len(result.written)} PDFs, CPU {cpu:.2f} s, wall {wall:.2f} s")


if __name__ == "__main__":
    main()
