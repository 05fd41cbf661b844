"""conftest.py's scheduler for pytest-xdist: the scopes it sends whole, and its pending counts, which
must be the counts pytest-xdist's loadscope computes (it decides when a worker gets more work and
when the session is over)."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
from xdist.scheduler import LoadScopeScheduling

import conftest


class Worker:
    """What a scheduler sees of a worker: the tests it is sent, and whether it was told to stop."""

    def __init__(self, name: str):
        self.name, self.sent, self.shutting_down = name, [], False
        self.gateway = SimpleNamespace(id=name)

    def send_runtest_some(self, indices):
        self.sent.extend(indices)

    def shutdown(self):
        self.shutting_down = True


def _config():
    options = {"dist": "loadscope", "tx": ["2*popen"], "loadscopereorder": True}
    return SimpleNamespace(getoption=options.get, getvalue=options.get, option=SimpleNamespace(loadscopereorder=True))


COLLECTION = [
    *(f"tests/test_inference.py::test_matches_r[{i}]" for i in range(40)),  # spread: one test a scope
    *(f"tests/test_audit.py::test_{i}" for i in range(15)),  # one scope
    *(f"tests/test_run.py::TestTheAudit::test_{i}" for i in range(3)),  # a class: one scope
    *(f"tests/test_notebooks.py::test_notebook_runs_with_every_choice[zang2022-alpha={i}]" for i in range(5)),
    *(f"notebooks/zang2022.ipynb::Cell {i}" for i in range(6)),
]


def _run(scheduler, seed: int) -> list[tuple]:
    """Drive ``scheduler`` through a session (two workers reporting in a random order); what it does
    and what it says at each step."""
    rng = random.Random(seed)
    workers = [Worker("gw0"), Worker("gw1")]
    for w in workers:
        scheduler.add_node(w)
        scheduler.add_node_collection(w, COLLECTION)
    scheduler.schedule()
    done = {w: 0 for w in workers}
    steps = []
    while any(done[w] < len(w.sent) for w in workers):
        w = rng.choice([w for w in workers if done[w] < len(w.sent)])
        scheduler.mark_test_complete(w, w.sent[done[w]])
        done[w] += 1
        pending = [scheduler._pending_of(scheduler.assigned_work[x]) for x in workers]
        steps.append((w.name, tuple(x.sent for x in workers), pending, scheduler.tests_finished))
    return steps


@pytest.mark.parametrize("seed", range(5))
def test_pending_counts_are_loadscopes(seed):
    ours = conftest.pytest_xdist_make_scheduler(_config(), None)
    theirs = type("Theirs", (LoadScopeScheduling,), {"_split_scope": ours._split_scope.__func__})(_config())
    assert type(ours).__name__ == "SpreadScheduling"
    steps = _run(ours, seed)
    assert steps == _run(theirs, seed)
    assert steps[-1][-1] is True  # every test sent once, then the session is over
    sent = sorted(i for w in steps[-1][1] for i in w)
    assert sent == list(range(len(COLLECTION)))


def test_spread_modules_go_one_test_at_a_time_and_notebooks_tests_by_notebook():
    split = conftest.pytest_xdist_make_scheduler(_config(), None)._split_scope
    assert split("tests/test_audit.py::test_1") == "tests/test_audit.py"
    assert split("tests/test_inference.py::test_matches_r[a::b]") == "tests/test_inference.py::test_matches_r[a::b]"
    assert split("tests/test_run.py::TestTheAudit::test_0") == "tests/test_run.py::TestTheAudit"
    zang = "tests/test_notebooks.py::zang2022"
    assert split("tests/test_notebooks.py::test_notebook_runs_with_every_choice[zang2022-alpha=0.1]") == zang
    assert split("tests/test_notebooks.py::test_zang2022_conclusion_numbers_match_the_audit") == zang
    assert split("notebooks/zang2022.ipynb::Cell 3") == "notebooks/zang2022.ipynb"
