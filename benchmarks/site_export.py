"""CPU time of the HTML export: :func:`reanalysis.site.render` on every executed notebook of a build
(both editions) and :func:`reanalysis.site.write_workshop`, into a temporary folder.

Run after ``make reproduce`` (or ``python -m reanalysis.run --build DIR``) from the repository:
``PYTHONHASHSEED=0 PYTHONPATH=$PWD/src .venv/bin/python benchmarks/site_export.py [--build DIR] [--repeat N]``.
It prints the CPU seconds (user + sys, this process) of the first pass, which builds the exporters
and compiles the templates, and the mean of ``--repeat`` further passes.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

from reanalysis import site
from reanalysis.run import ROOT


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    notebooks = sorted((args.build / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise SystemExit(f"no executed notebooks in {args.build / 'notebooks'}: run make reproduce first")
    pages = [site.Page(nb.stem, nb.stem) for nb in notebooks]
    if (workshop := site.workshop_page()) is not None:
        pages.append(workshop)
    with tempfile.TemporaryDirectory() as out:

        def export() -> None:
            for nb in notebooks:
                site.render(nb, Path(out), pages)
            site.write_workshop(Path(out), pages)

        start = _cpu()
        export()
        first = _cpu() - start
        start = _cpu()
        for _ in range(args.repeat):
            export()
        warm = (_cpu() - start) / max(1, args.repeat)
    print(
        f"{len(notebooks)} notebooks (two editions each) and the workshop: first pass {first:.2f} CPU-s, "
        f"then {warm:.2f} CPU-s per pass (mean of {args.repeat})"
    )


if __name__ == "__main__":
    main()
