"""tests/downstream.py, the sweep's reruns: on a small notebook that binds names twice, changes
objects in place and reads through nested scopes, a rerun ends as a full run does."""

from __future__ import annotations

import json

import pytest
from downstream import rerun, run, statements

CELLS = [
    ("n = 3\nk = 2", ["parameters"]),
    ("import math\nfrom collections import Counter", []),
    ("xs = list(range(n))\nys = [0] * k", []),
    ("xs.append(k)  # changed in place by a method", []),
    ("ys[0] = n  # changed in place by an item", []),
    ("total = sum(xs)\ntotal = total + 1  # bound twice", []),
    ("squares = [x * x for x in xs if x < n]  # read in a nested scope", []),
    ("label = f'{math.floor(total)} from {k}'\nfixed = Counter('abc')", []),
    ("total = 0  # bound again from nothing that changes", []),
]


@pytest.fixture
def notebook(tmp_path):
    path = tmp_path / "small.ipynb"
    cells = [{"cell_type": "code", "metadata": {"tags": t}, "source": s} for s, t in CELLS]
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    return path


@pytest.mark.parametrize("overrides", [{"n": 5}, {"k": 7}, {"n": 1, "k": 1}])
def test_a_rerun_ends_as_a_full_run(notebook, overrides):
    full, changed = run(notebook, **overrides), rerun(run(notebook), **overrides)
    assert {k: v for k, v in changed.namespace.items() if k != "__builtins__"} == {
        k: v for k, v in full.namespace.items() if k != "__builtins__"
    }
    assert 0 < changed.executed < full.executed == len(statements(notebook))


def test_what_a_parameter_cannot_change_is_replayed(notebook):
    base = run(notebook)
    assert base.changed_in_place == {"xs", "ys"}  # by the append and the item assignment
    changed = rerun(base, n=5)
    # executed: xs and ys (changed in place later, so made afresh), the append, ys[0], both totals,
    # squares and label; replayed: the parameters, the imports, fixed and the last total
    assert changed.executed == 8
    assert changed.namespace["fixed"] is base.namespace["fixed"]
    assert changed.namespace["xs"] is not base.namespace["xs"] and base.namespace["xs"] == [0, 1, 2, 2]


def test_a_star_import_is_refused(tmp_path):
    path = tmp_path / "star.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "source": "from math import *"}]
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    with pytest.raises(ValueError, match="star import"):
        statements(path)
