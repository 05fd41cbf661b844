"""The workshop's exercise notebooks are generated from their solutions (reanalysis.workshop):
the committed exercises are what generation gives, and a solution cell never leaks into them.
(Their outputs are checked by nbval, which runs every committed notebook.)"""

from __future__ import annotations

import shutil

import nbformat
import pytest

from reanalysis import workshop


def test_committed_exercises_are_generated_from_their_solutions():
    assert len(workshop.pairs()) == 3
    assert workshop.differences() == [], "run: make workshop"


@pytest.mark.parametrize(("solution", "exercise"), workshop.pairs(), ids=lambda p: p.stem)
def test_no_solution_cell_reaches_the_exercise(solution, exercise):
    sol = nbformat.read(solution, as_version=4)
    ex = nbformat.read(exercise, as_version=4)
    own = [c for c in sol.cells if workshop.TAG in c.metadata.get("tags", [])]
    tasks = [c.metadata["task"] for c in own if "task" in c.metadata]
    assert own and tasks, "the solution marks its own cells"
    sources = ["".join(c.source) for c in ex.cells]
    for cell in own:
        assert "".join(cell.source) not in sources
    assert [s for s in sources if s in tasks] == tasks  # every task, once, in order
    assert all(t.rstrip().endswith("= ...") for t in tasks)
    assert all(workshop.TAG not in c.metadata.get("tags", []) and "task" not in c.metadata for c in ex.cells)


def test_a_changed_solution_is_caught_and_regenerated(tmp_path):
    folder = tmp_path / "workshop"
    shutil.copytree(workshop.FOLDER, folder)
    solution, exercise = workshop.pairs(folder)[0]
    nb = nbformat.read(solution, as_version=4)
    shared = next(c for c in nb.cells if c.cell_type == "markdown" and workshop.TAG not in c.metadata.get("tags", []))
    shared.source += "\n\nA sentence added to the solution only."
    task = next(c for c in nb.cells if "task" in c.metadata)
    task.metadata["task"] = "# A new task text.\nanswer = ..."
    nbformat.write(nb, solution)
    assert [p.split(":")[0] for p in workshop.differences(folder)] == [exercise.name]
    workshop.generate(folder, execute=False)
    assert workshop.differences(folder) == []
    text = exercise.read_text(encoding="utf-8")
    assert "A sentence added to the solution only." in text and "# A new task text." in text
