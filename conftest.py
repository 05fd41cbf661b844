"""pytest configuration shared by the unit tests and nbval over notebooks/."""

import functools
import gc
import os
import re
from pathlib import Path

from reanalysis.run import kernel_environment

# what the runner gives its kernels (and so the zygotes): set before this process imports numpy, so
# that the test processes, which share the cores with each other and with their kernels, get it too
kernel_environment(os.environ)


def pytest_collectstart(collector):
    """nbval compares text/plain, not pandas' HTML (which changes across pandas versions)."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "image/svg+xml")


def pytest_configure(config):
    """Resolve nbval's sanitize file from the rootdir: papermill tests change the cwd while they run.
    Fork nbval's kernels from a zygote."""
    path = getattr(config.option, "nbval_sanitize_with", None)
    if path and not os.path.isabs(path):
        config.option.nbval_sanitize_with = str(config.rootpath / path)
    if getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False):
        _fork_nbval_kernels(config)


def _fork_nbval_kernels(config) -> None:
    """nbval starts each notebook's kernel with ``nbval.kernel.KernelManager`` (in ``start_new_kernel``,
    in the notebook's folder); in its place, the same manager whose kernel is forked from a zygote for
    that folder (``reanalysis.zygote``: one process per folder imports the stack once, each kernel is a
    fresh fork of it, as the runner's are; ``REANALYSIS_ZYGOTE=0`` starts kernels the usual way).
    Nothing else of nbval changes: how it talks to the kernel, compares outputs, stops the kernel."""
    import nbval.kernel
    import pytest

    from reanalysis.zygote import HoldsZygote, stop_all

    usual = nbval.kernel.KernelManager
    if issubclass(usual, HoldsZygote):  # already in place (a pytest session inside this one)
        return

    class ForkedKernelManager(HoldsZygote, usual):
        """nbval's kernel manager, its kernel forked from a zygote (see reanalysis.zygote)."""

    patch = pytest.MonkeyPatch()
    patch.setattr(nbval.kernel, "KernelManager", ForkedKernelManager)
    patch.setattr(nbval.kernel.NbvalKernelspecManager, "get_kernel_spec", _as_the_runner(nbval.kernel))
    config.add_cleanup(patch.undo)
    config.add_cleanup(stop_all)  # end the zygotes (and reap their kernels) before this process ends


def _as_the_runner(kernel):
    """nbval's kernel of this environment (``--nbval-current-env``: this python, ``-m ipykernel_launcher``)
    with the flags of the environment's installed ``python3`` kernel, the runner's (``make venv``
    installs it with ``-Xfrozen_modules=off``), when that kernel is this same python: nbval's kernels
    then start as the runner's do and are forked from the same zygote (one per folder and worker,
    not two). Any other kernel is nbval's as it is."""
    from jupyter_client.kernelspec import KernelSpecManager

    from reanalysis.zygote import interpreter

    given = kernel.NbvalKernelspecManager.get_kernel_spec

    def get_kernel_spec(self, kernel_name):
        spec = given(self, kernel_name)
        if kernel_name != kernel.CURRENT_ENV_KERNEL_NAME:
            return spec
        try:
            installed = KernelSpecManager().get_kernel_spec("python3").argv
        except Exception:  # noqa: BLE001 - no python3 kernel installed: nbval's own
            return spec
        if interpreter(installed) and installed[0] == spec.argv[0]:  # this python, -m ipykernel_launcher
            spec.argv = list(installed)
        return spec

    return get_kernel_spec


# Property tests explore the same examples on every run (seeded from each test), so that
# `make test` is repeatable on any machine; explore at random with --hypothesis-profile=default.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None)
_hypothesis_settings.load_profile("repeatable")


# Under pytest-xdist (`-n auto --dist loadscope`, set in pyproject.toml) each notebook and each
# test module goes to one worker whole, as loadscope does (nbval runs a notebook's cells in order
# in one kernel; a module-scoped fixture such as test_site's site is built once), except the
# modules below, whose tests are independent and have no module-scoped fixture: they are sent one
# test at a time, which is what shares the long parameter sweep between the workers; the tests of a
# class in them go together (a class-scoped fixture, such as test_run's one audit run, is built once).
SPREAD = (
    "tests/test_notebooks.py",
    "tests/test_run.py",
    "tests/test_hostile_run.py",
    "tests/test_inference.py",
    "tests/test_fragility.py",
    "tests/test_bayes.py",
    "tests/test_exercises.py",
    "tests/test_hostile_numeric.py",
    "tests/test_checks.py",
)

#: Sent to the workers first (slowest first), so that no worker is left alone with a long one at the end.
SLOW_FIRST = (
    "tests/test_site.py",
    "tests/test_notebooks.py",
    "tests/test_injection.py",
    "notebooks/",
    "tests/test_run.py",
    "tests/test_hostile_run.py",
    "tests/test_bayes.py",
)


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SpreadScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path not in SPREAD:
                return path
            if stem := _notebook_of(nodeid):  # the tests that share a notebook's default run: one worker makes it
                return f"{path}::{stem}"
            parts = nodeid.split("[", 1)[0].split("::")  # path, [class,] test (parameters may hold "::")
            return "::".join(parts[:2]) if len(parts) > 2 else nodeid

        # loadscope counts a worker's pending tests by going over every test ever sent to it, on each
        # report (quadratic in the tests: a second or two of the controller's CPU over this suite), and
        # finds each test's index in the collection by a linear search. The same counts, kept up to date.
        def _count(self, obj: dict, initial) -> list:
            """[obj, count] for a work unit or a worker's workload; holding obj keeps its id its own."""
            kept = self.__dict__.setdefault("_counts", {})
            if id(obj) not in kept:
                kept[id(obj)] = [obj, initial()]
            return kept[id(obj)]

        def _left_in(self, unit: dict[str, bool]) -> int:
            return self._count(unit, lambda: list(unit.values()).count(False))[1]

        def _pending_of(self, workload: dict[str, dict[str, bool]]) -> int:
            return self._count(workload, lambda: sum(self._left_in(u) for u in workload.values()))[1]

        def mark_test_complete(self, node, item_index: int, duration: float = 0) -> None:
            nodeid = self.registered_collections[node][item_index]
            workload = self.assigned_work[node]
            unit = workload[self._split_scope(nodeid)]
            if not unit[nodeid]:
                self._pending_of(workload)  # counted (if not yet) before the change
                self._counts[id(unit)][1] -= 1
                self._counts[id(workload)][1] -= 1
                unit[nodeid] = True
            self._reschedule(node)

        def _assign_work_unit(self, node) -> None:
            scope, unit = self.workqueue.popitem(last=False)
            workload = self.assigned_work.setdefault(node, {})
            self._pending_of(workload)  # counted (if not yet) before the change
            workload[scope] = unit
            self._counts[id(workload)][1] += self._left_in(unit)
            if "_index" not in self.__dict__:  # node id -> index, the same in every worker's collection
                self._index = {nodeid: i for i, nodeid in enumerate(self.collection)}
            node.send_runtest_some([self._index[nodeid] for nodeid, done in unit.items() if not done])

    return SpreadScheduling(config, log)


@functools.cache
def _notebook_stems() -> frozenset[str]:
    return frozenset(p.stem for p in Path(__file__).parent.joinpath("notebooks").glob("*.ipynb"))


def _notebook_of(nodeid: str) -> str | None:
    """The notebook a test of tests/test_notebooks.py is about, from its parameters ("[zang2022-alpha=0.01]",
    "[lu2021]") or its name ("test_zang2022_..."): the tests of one notebook share its default run
    (made once per worker), so they go to one worker."""
    if not nodeid.startswith("tests/test_notebooks.py::"):
        return None
    name, _, given = nodeid.split("::", 1)[1].partition("[")
    stems = _notebook_stems()
    first = re.split(r"[-\]]", given, maxsplit=1)[0] if given else ""
    named = re.match(r"test_([a-z0-9]+)_", name)
    return first if first in stems else named.group(1) if named and named.group(1) in stems else None


def _rank(item) -> int:
    path = item.path.relative_to(item.config.rootpath).as_posix()
    return next((i for i, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)), len(SLOW_FIRST))


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # an xdist worker: the controller sends work in this order
        items.sort(key=_rank)  # stable: a notebook's cells and a module's tests keep their order


def pytest_collection_finish(session):
    """What collection made (the test modules, every test item and its parameters) lives until the
    session ends: frozen for the garbage collector (``gc.freeze``), a full collection during the
    tests walks only what the tests made since. Each worker's full collections took 2.3-3.0 s of a
    ``make test``, now 1.1-1.4 s (measured with ``gc.callbacks``): some 250,000 objects frozen."""
    gc.freeze()
