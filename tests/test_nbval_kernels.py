"""nbval's kernels (``pytest --nbval``, run over notebooks/ by ``make test``) are forked from a zygote
(``reanalysis.zygote``, hooked in by conftest.py), and nbval still runs every cell and catches every
changed output: a pytest session over small notebooks in a folder of their own checks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from reanalysis import zygote
from reanalysis.zygote import HoldsZygote, available, held

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, *cells: tuple[str, str | None]) -> Path:
    """A notebook whose code cells carry the committed ``text/plain`` output given (None: no output)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, (source, shown) in enumerate(cells, 1):
        cell = nbformat.v4.new_code_cell(source, execution_count=i)
        if shown is not None:
            cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": shown}, execution_count=i)]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


# The kernel's parent is the zygote (not pytest); matplotlib read the folder's matplotlibrc.
FORKED = "import os\n'reanalysis.zygote' in open(f'/proc/{os.getppid()}/cmdline').read()"
RC = "import matplotlib\nmatplotlib.rcParams['lines.linewidth']"


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``pytest --nbval`` over ``folder`` with the project's conftest.py, as ``make test`` runs it."""
    shutil.copy(ROOT / "conftest.py", folder / "conftest.py")
    environ = dict(os.environ)
    environ.pop("PYTEST_XDIST_WORKER", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "reanalysis._no_iri_grammar", "-n", "0"]
    command += ["--nbval", "--nbval-current-env"]
    command += ["-q", "-rA", "--rootdir", str(folder), *args]
    return subprocess.run(command, cwd=folder, env=environ, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not available(), reason="kernels are not forked here")
def test_nbval_kernels_are_forked_fresh_and_still_checked(tmp_path):
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 7.25\n")
    _notebook(tmp_path / "a_forked.ipynb", (FORKED, "True"), (RC, "7.25"), ("leaked = 1\nleaked", "1"))
    _notebook(tmp_path / "b_fresh.ipynb", ("'leaked' in globals()", "False"), (FORKED, "True"))
    _notebook(tmp_path / "c_changed.ipynb", ("1 + 1", "2"), ("6 * 7", "41"), ("print('after')", None))
    done = _pytest(tmp_path)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "2 failed, 6 passed" in out, out
    failed = [line.split(" - ")[0].removeprefix("FAILED ") for line in out.splitlines() if line.startswith("FAILED")]
    assert failed == ["c_changed.ipynb::Cell 1", "c_changed.ipynb::Cell 2"], out  # a changed output, a new one
    assert "'41' == '42'" in out and "Unexpected output fields from running code: {'stdout'}" in out, out


def test_the_hook_is_in_place_and_reanalysis_zygote_0_turns_it_off(pytestconfig, tmp_path, monkeypatch):
    """This session runs with --nbval (pyproject's addopts): nbval's kernel manager is conftest's; with
    ``REANALYSIS_ZYGOTE=0`` it starts the kernel the usual way (``python -m ipykernel_launcher``), and
    holding zygotes for the folder starts none."""
    import jupyter_client.manager
    import nbval.kernel
    from jupyter_client.blocking.client import BlockingKernelClient

    if not pytestconfig.getoption("nbval"):
        pytest.skip("this session runs without --nbval")
    manager = nbval.kernel.KernelManager
    assert issubclass(manager, HoldsZygote) and issubclass(manager, jupyter_client.manager.KernelManager)
    # its blocking client is ready when the kernel answers (zygote.ready_client; nbval, too, reads
    # only the messages of the cell it runs)
    assert manager().client_factory is zygote.ready_client(BlockingKernelClient)
    monkeypatch.setenv("REANALYSIS_ZYGOTE", "0")  # off: the usual command, and no zygote held
    km = manager(
        kernel_name=nbval.kernel.CURRENT_ENV_KERNEL_NAME, kernel_spec_manager=nbval.kernel.NbvalKernelspecManager()
    )
    km._launch_args = {"cwd": str(tmp_path)}
    cmd = km.format_kernel_cmd()
    assert cmd[cmd.index("-m") + 1] == "ipykernel_launcher", cmd
    pool = dict(zygote._POOL)
    with held([tmp_path]):
        assert km.format_kernel_cmd() == cmd and zygote._POOL == pool


def test_pytest_starts_without_compiling_the_iri_grammar():
    """pyproject's addopts load ``reanalysis._no_iri_grammar`` before nbval's plugin imports nbformat,
    so that jsonschema does not import rfc3987_syntax (2 s of CPU in every pytest process)."""
    assert "jsonschema" in sys.modules, "nbval's plugin imported nbformat, and with it jsonschema"
    assert sys.modules.get("rfc3987_syntax", "not marked") is None
