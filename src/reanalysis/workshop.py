"""The workshop's exercise notebooks, generated from their solutions so that the two cannot drift.

``notebooks/workshop/0N_<name>_solution.ipynb`` is the one source. A cell of it tagged
``solution`` (cell metadata ``tags``) is the solution's own: if its metadata has a ``task`` (the
code a participant starts from, e.g. ``"# Compute the p-value, then put it in answer_1a.\\nanswer_1a = ..."``)
the exercise shows that task in its place; if not (a worked step, a take-away), the exercise
leaves it out. Every other cell is copied as it is. Cell ids are numbered ``c00``, ``c01``, ... in
the exercise as in the solution; the exercise is then executed, so its committed outputs are the
ones a participant sees before answering (what nbval checks).

Maintainers: ``python -m reanalysis.workshop`` (``make workshop``) regenerates every exercise
notebook; ``--check`` only says which differ (``tests/test_workshop.py`` runs the same check).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

__all__ = ["TAG", "FOLDER", "exercise_from_solution", "pairs", "differences", "generate"]

#: The tag of a solution's own cells.
TAG = "solution"
#: The workshop's notebooks.
FOLDER = Path(__file__).resolve().parents[2] / "notebooks" / "workshop"
SUFFIX = "_solution"


def pairs(folder: Path | None = None) -> list[tuple[Path, Path]]:
    """Each solution notebook of ``folder`` with the exercise notebook generated from it."""
    folder = Path(folder or FOLDER)
    return [(s, s.with_name(s.stem.removesuffix(SUFFIX) + s.suffix)) for s in sorted(folder.glob(f"*{SUFFIX}.ipynb"))]


def exercise_from_solution(solution):
    """The exercise notebook (no outputs) of a solution notebook (an ``nbformat`` node)."""
    import nbformat

    exercise = copy.deepcopy(solution)
    cells = []
    for cell in solution.cells:
        metadata = dict(cell.get("metadata", {}))
        tags = list(metadata.get("tags", []))
        if TAG not in tags:
            cells.append(_clean(copy.deepcopy(cell)))
            continue
        task = metadata.get("task")
        if task is None:
            continue
        task_cell = nbformat.v4.new_code_cell("".join(task) if isinstance(task, list) else task)
        cells.append(task_cell)
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i:02d}"
    exercise.cells = cells
    return exercise


def _clean(cell):
    """A cell without outputs or run metadata (the exercise is executed afresh)."""
    cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k not in ("execution", "papermill")}
    if cell["cell_type"] == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def _sources(nb) -> list[tuple[str, str, dict]]:
    """What a participant reads and runs: each cell's type, source and metadata (no outputs)."""
    out = []
    for cell in nb.cells:
        metadata = {k: v for k, v in cell.get("metadata", {}).items() if k not in ("execution", "papermill")}
        if metadata.get("tags") == []:
            metadata.pop("tags")
        out.append((cell["cell_type"], "".join(cell["source"]), metadata, cell.get("id")))
    return out


def differences(folder: Path | None = None) -> list[str]:
    """The exercise notebooks whose cells are not what their solution generates (empty: all agree)."""
    import nbformat

    problems = []
    for solution, exercise in pairs(folder):
        if not exercise.is_file():
            problems.append(f"{exercise.name}: missing (generate it from {solution.name})")
            continue
        want = _sources(exercise_from_solution(nbformat.read(solution, as_version=4)))
        have = _sources(nbformat.read(exercise, as_version=4))
        if want != have:
            first = next(
                (i for i, (a, b) in enumerate(zip(want, have, strict=False)) if a != b), min(len(want), len(have))
            )
            problems.append(f"{exercise.name}: differs from {solution.name}'s exercise from cell {first} on")
    return problems


def generate(folder: Path | None = None, execute: bool = True, timeout: int = 600) -> list[Path]:
    """Write every exercise notebook of ``folder`` from its solution, executed (``execute``) in the
    folder with the ``python3`` kernel, as the committed notebooks are; returns the files written."""
    import nbformat

    written = []
    for solution, exercise in pairs(folder):
        nb = exercise_from_solution(nbformat.read(solution, as_version=4))
        if execute:
            from nbclient import NotebookClient

            NotebookClient(
                nb,
                timeout=timeout,
                kernel_name="python3",
                record_timing=False,
                resources={"metadata": {"path": str(solution.parent)}},
            ).execute()
        nbformat.write(nb, exercise)
        written.append(exercise)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m reanalysis.workshop [--check] [--folder F]``."""
    parser = argparse.ArgumentParser(prog="python -m reanalysis.workshop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=FOLDER, help="the workshop's notebooks (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only report exercises that differ from their solution's")
    parser.add_argument("--no-execute", action="store_true", help="write the exercises without outputs")
    args = parser.parse_args(argv)
    if args.check:
        problems = differences(args.folder)
        for p in problems:
            print(p)
        print("every exercise is generated from its solution" if not problems else "run: make workshop")
        return 1 if problems else 0
    for path in generate(args.folder, execute=not args.no_execute):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
