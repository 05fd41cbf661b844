"""Each notebook runs in a fresh namespace: nothing one notebook defines, imports or changes is
seen by another run in the same `make reproduce` (whatever the runner does to start kernels faster).

The runner forks kernels from a process that has imported the stack (``reanalysis.zygote``):
these tests check that the kernels were forked, that no state leaks between them, and that a
forked kernel starts with the same options, settings and environment as a kernel started the
usual way (``REANALYSIS_ZYGOTE=0``).
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from reanalysis.run import reproduce
from reanalysis.zygote import available

LEAK = """\
import sys, os, json
import numpy as np
import pandas as pd
import matplotlib
print(json.dumps({
    "global": "leaked" in globals(),
    "module": hasattr(pd, "_leaked"),
    "option": pd.get_option("display.max_rows"),
    "rc": matplotlib.rcParams["lines.linewidth"],
    "env": os.environ.get("REANALYSIS_LEAKED"),
    "imported": "json_leaked_module" in sys.modules,
    "pid": os.getpid(),
    "parent": os.getppid(),
    "random": np.random.random(),
}))
leaked = True
pd._leaked = True
pd.set_option("display.max_rows", 7)
matplotlib.rcParams["lines.linewidth"] = 9.5
os.environ["REANALYSIS_LEAKED"] = "yes"
sys.modules["json_leaked_module"] = sys
"""


def _notebook(path, code=LEAK):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {path.stem}"))
    nb.cells.append(nbformat.v4.new_code_cell('results_dir = ""', metadata={"tags": ["parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell(code))
    nbformat.write(nb, path)
    return path


def _printed(build, nb) -> dict:
    executed = nbformat.read(build / "notebooks" / nb.name, as_version=4)
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    return json.loads("".join(o.get("text", "") for o in outputs if o.get("name") == "stdout"))


def test_no_state_leaks_from_one_notebook_to_another(tmp_path):
    notebooks = [_notebook(tmp_path / f"n{i}.ipynb") for i in range(4)]
    build = tmp_path / "build"
    result = reproduce(notebooks, build, {}, jobs=2, html_pages=False, progress=False, results=False)
    assert result.ok, result.failures
    seen = [_printed(build, nb) for nb in notebooks]
    fresh = {"global": False, "module": False, "option": 60, "env": None, "imported": False}
    for state in seen:
        assert {k: state[k] for k in fresh} == fresh, state
    assert len({state["rc"] for state in seen}) == 1 and seen[0]["rc"] != 9.5
    assert len({state["pid"] for state in seen}) == len(notebooks), "each notebook has a process of its own"
    assert len({state["random"] for state in seen}) == len(notebooks), "numpy's random state is each kernel's own"
    if available():  # forked from one zygote: the same parent, not this process
        assert len({state["parent"] for state in seen}) == 1 and seen[0]["parent"] != os.getpid(), seen


WHERE = """\
import json, os
print(json.dumps({"cwd": os.getcwd(), "parent": os.getppid()}))
"""


def test_notebooks_of_two_folders_run_at_once_each_in_its_own_folder(tmp_path):
    """Two notebooks in two folders, run at once: each kernel starts in its own notebook's folder
    (papermill's cwd= would change the whole runner's directory while a notebook runs, and a kernel
    would start in whichever folder was set last). Where kernels are forked, both come from one
    zygote (neither folder has a matplotlibrc: the same imports)."""
    folders = [tmp_path / "one", tmp_path / "two"]
    for folder in folders:
        folder.mkdir()
    notebooks = [_notebook(folder / f"{folder.name}.ipynb", WHERE) for folder in folders]
    build = tmp_path / "build"
    result = reproduce(notebooks, build, {}, jobs=2, html_pages=False, progress=False, results=False)
    assert result.ok, result.failures
    seen = [_printed(build, nb) for nb in notebooks]
    assert [os.path.realpath(state["cwd"]) for state in seen] == [os.path.realpath(f) for f in folders]
    if available():
        assert seen[0]["parent"] == seen[1]["parent"] != os.getpid(), "forked from one zygote"


# What a kernel sees when it starts: options, settings, streams, environment, hooks. Printed by a
# notebook after importing what the zygote preloads, so that both kernels have imported the same.
FINGERPRINT = """\
import gc, importlib, json, locale, logging, os, signal, sys, warnings
from reanalysis.zygote import PRELOAD
for name in PRELOAD:
    importlib.import_module(name)
import matplotlib, numpy as np, pandas as pd
from pandas._config.config import _registered_options
ip = get_ipython()
print(json.dumps({
    "pandas": {k: repr(pd.get_option(k)) for k in sorted(_registered_options)},
    "rc": {k: repr(v) for k, v in sorted(matplotlib.rcParams.items()) if k != "backend"},
    "rc_default": {k: repr(v) for k, v in sorted(matplotlib.rcParamsDefault.items()) if k != "backend"},
    "backend": matplotlib.get_backend(),
    "interactive": matplotlib.is_interactive(),
    "numpy": repr(np.get_printoptions()) + repr(np.geterr()),
    "warnings": sorted(repr(f) for f in warnings.filters),
    "path": sys.path,
    "argv": [os.path.basename(sys.argv[0]), sys.argv[1]],
    "flags": repr(sys.flags),
    "cwd": os.path.basename(os.getcwd()),
    "env": sorted(k for k in os.environ if k != "REANALYSIS_ZYGOTE"),
    "streams": [type(s).__name__ for s in (sys.stdout, sys.stderr)] + [sys.stdout.encoding],
    "hooks": [type(sys.displayhook).__name__, repr(sys.excepthook)[:40]],
    "logging": [logging.getLogger().level, len(logging.getLogger().handlers)],
    "locale": repr(locale.getlocale()),
    "formatters": sorted(k for k, f in ip.display_formatter.formatters.items() if f.enabled),
    "post_execute": sorted(getattr(f, "__qualname__", repr(f)) for f in ip.events.callbacks["post_execute"]),
    "user_ns": sorted(k for k in ip.user_ns if not k.startswith("_")),
    "signals": [repr(signal.getsignal(getattr(signal, s))) for s in ("SIGINT", "SIGTERM", "SIGCHLD", "SIGHUP")],
    "hash": hash("reanalysis"),
    "gc": [gc.isenabled(), gc.get_threshold()],
    "frozen": gc.get_freeze_count(),
    "parent": os.getppid(),
}))
"""


@pytest.mark.skipif(not available(), reason="kernels are not forked here")
def test_a_forked_kernel_starts_as_a_kernel_started_the_usual_way(tmp_path, monkeypatch):
    """Libraries fix some defaults when imported (pandas: display.max_columns 20 in a kernel, 0 in
    a terminal); the zygote imports them before any kernel exists, and must end up the same."""
    states = {}
    for fork in ("1", "0"):
        if fork == "0":  # the first in the environment as it is (forked, see skipif: by a zygote this
            monkeypatch.setenv("REANALYSIS_ZYGOTE", fork)  # process may keep already), the second not
        folder = tmp_path / f"fork{fork}"
        folder.mkdir()
        nb = _notebook(folder / "fingerprint.ipynb", FINGERPRINT)
        result = reproduce([nb], folder / "build", {}, jobs=1, html_pages=False, progress=False, results=False)
        assert result.ok, result.failures
        states[fork] = _printed(folder / "build", nb)
    forked, usual = states["1"], states["0"]
    assert usual.pop("parent") == os.getpid() != forked.pop("parent"), "the first kernel was forked, the second not"
    # by design: what the zygote imported is frozen (reanalysis.zygote._preload), so that the
    # kernel's full collections skip it; the collector itself is on, with the same thresholds
    assert forked.pop("frozen") > 0 == usual.pop("frozen")
    assert forked["cwd"] == "fork1" and usual["cwd"] == "fork0"
    forked["cwd"] = usual["cwd"]
    assert forked == usual
