"""Each notebook runs in a fresh namespace: nothing one notebook defines, imports or changes is
seen by another run in the same `make reproduce` (whatever the runner does to start kernels faster)."""

from __future__ import annotations

import nbformat

from reanalysis.run import reproduce

LEAK = """\
import sys, os, json
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
}))
leaked = True
pd._leaked = True
pd.set_option("display.max_rows", 7)
matplotlib.rcParams["lines.linewidth"] = 9.5
os.environ["REANALYSIS_LEAKED"] = "yes"
sys.modules["json_leaked_module"] = sys
"""


def _notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {path.stem}"))
    nb.cells.append(nbformat.v4.new_code_cell('results_dir = ""', metadata={"tags": ["parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell(LEAK))
    nbformat.write(nb, path)
    return path


def test_no_state_leaks_from_one_notebook_to_another(tmp_path):
    import json

    notebooks = [_notebook(tmp_path / f"n{i}.ipynb") for i in range(4)]
    build = tmp_path / "build"
    result = reproduce(notebooks, build, {}, jobs=2, html_pages=False, progress=False, results=False)
    assert result.ok, result.failures
    seen = []
    for nb in notebooks:
        executed = nbformat.read(build / "notebooks" / nb.name, as_version=4)
        text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
        seen.append(json.loads(text))
    fresh = {"global": False, "module": False, "option": 60, "env": None, "imported": False}
    for state in seen:
        assert {k: state[k] for k in fresh} == fresh, state
    assert len({state["rc"] for state in seen}) == 1 and seen[0]["rc"] != 9.5
    assert len({state["pid"] for state in seen}) == len(notebooks), "each notebook has a process of its own"
