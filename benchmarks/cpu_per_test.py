"""A pytest plugin: the CPU time each test costs, its subprocesses, zygotes and kernels included.

pytest's ``--durations`` gives wall time, which on a shared or loaded machine says little, and the
CPU of a test that starts processes is mostly theirs. This plugin reads, before and after each test
(setup, call and teardown), the CPU time of the pytest process and of every process below it
(``/proc/<pid>/stat``: user + system, with that of their reaped children), and writes one line per
test, most expensive first. Linux only.

Usage, from the repository (``-n 0``: one process; under xdist each worker writes its own file)::

    PYTHONPATH=$PWD/src:$PWD/benchmarks .venv/bin/python -m pytest -n 0 -p cpu_per_test tests/test_run.py

The lines go to ``build/cpu-per-test.txt`` (or ``$CPU_PER_TEST``). A process a test leaves running
(a zygote kept for the next test) is counted in the tests that run while it works: compare totals
rather than single lines when tests share such a process.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_SEEN: list[tuple[float, float, str]] = []


def _stat(text: str) -> tuple[int, int]:
    """(parent pid, utime + stime + cutime + cstime in ticks) of one ``/proc/<pid>/stat`` line."""
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), sum(int(x) for x in fields[11:15])


def tree_cpu(root: int | None = None) -> float:
    """CPU seconds of process ``root`` (default: this one) and every live process below it."""
    root = os.getpid() if root is None else root
    children: dict[int, list[tuple[int, int]]] = {}
    own = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parent, ticks = _stat(Path(f"/proc/{entry}/stat").read_text())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if int(entry) == root:
            own = ticks
        children.setdefault(parent, []).append((int(entry), ticks))
    total, stack = own, [root]
    while stack:
        for pid, ticks in children.get(stack.pop(), []):
            total += ticks
            stack.append(pid)
    return total / _TICK


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = tree_cpu(), time.monotonic()
    yield
    _SEEN.append((tree_cpu() - cpu, time.monotonic() - wall, item.nodeid))


def pytest_sessionfinish(session):
    if not _SEEN:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    default = session.config.rootpath / "build" / f"cpu-per-test{'-' + worker if worker else ''}.txt"
    out = Path(os.environ.get("CPU_PER_TEST") or default)
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{cpu:7.2f} s CPU {wall:7.2f} s wall  {nodeid}" for cpu, wall, nodeid in sorted(_SEEN, reverse=True)]
    lines.append(f"{sum(s[0] for s in _SEEN):7.2f} s CPU {sum(s[1] for s in _SEEN):7.2f} s wall  {len(_SEEN)} tests")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
