"""The runner and the project set-up: build/ only, failures reported and harmless, env files agree."""

from __future__ import annotations

import io
import os
import re
import sys
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml
from papermill.exceptions import PapermillExecutionError

from reanalysis import zygote
from reanalysis.data import available
from reanalysis.params import ParameterError
from reanalysis.run import ONE_THREAD, ROOT, _kernel_manager_class, find_notebooks, kernel_environment, main, reproduce
from reanalysis.zygote import held

#: The package the audit tests audit: not the audit notebook's default (zang2022).
PACKAGE = "lu2021"


def _notebook(path: Path, *cells: str, parameters: str = "alpha: float = 0.05  # significance level") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {path.stem} title"))
    nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    nb.cells.extend(nbformat.v4.new_code_cell(c) for c in cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def tiny(tmp_path):
    """Two small notebooks (one good, one that fails in its third cell) and a build/ with earlier results."""
    src = tmp_path / "nbs"
    src.mkdir()
    good = _notebook(
        src / "good.ipynb",
        "from reanalysis.params import check_parameters\ncheck_parameters(alpha=alpha)",
        "print(alpha)",
    )
    bad = _notebook(src / "bad.ipynb", "x = 1", "raise ValueError('the data disagree')")
    build = tmp_path / "build"
    (build / "site").mkdir(parents=True)
    (build / "site" / "good.html").write_text("previous page")
    (build / "good").mkdir()
    (build / "good" / "claims.csv").write_text("previous results")
    return good, bad, build


def test_failed_run_leaves_build_intact_and_names_notebook_and_cell(tiny, capsys):
    good, bad, build = tiny
    code = main([str(good), str(bad), "--build", str(build), "--no-progress"])
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(r"FAILED bad\.ipynb, cell \[3\]: ValueError: the data disagree", err)
    assert (build / "site" / "good.html").read_text() == "previous page"
    assert (build / "good" / "claims.csv").read_text() == "previous results"
    assert (build / "failed" / "bad.ipynb").exists()
    assert not list(build.glob(".staging-*"))


def test_successful_run_writes_site_index_and_never_touches_sources(tiny):
    good, _, build = tiny
    before = good.read_bytes()
    result = reproduce([good], build, {"alpha": 0.01}, progress=False)
    assert result.ok
    assert good.read_bytes() == before
    executed = nbformat.read(build / "notebooks" / "good.ipynb", as_version=4)
    assert "0.01" in "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    index = (build / "site" / "index.html").read_text()
    assert 'href="good.html"' in index and "good title" in index
    assert "previous page" not in (build / "site" / "good.html").read_text()


def test_bad_parameter_fails_before_any_kernel_starts(tiny, capsys):
    good, _, build = tiny
    with pytest.raises(ParameterError, match="alpha = 1.5"):
        reproduce([good], build, {"alpha": 1.5}, progress=False)
    assert main([str(good), "--build", str(build), "-p", "alpha", "1.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: parameter alpha = 1.5 is not allowed: expected a number in (0, 1)"]


@pytest.mark.skipif(not zygote.available(), reason="kernels are not forked here")
def test_a_run_refused_before_any_kernel_keeps_no_zygote_it_started(tiny, monkeypatch):
    """The runner starts its zygote while it checks the plan; a run refused by that check ends the
    zygote it started (which would import for 2 s for nobody), and keeps one that was kept before."""
    good, _, build = tiny
    rc = good.parent / "matplotlibrc"  # a folder of its own, for which no zygote is kept (see zygote.key)
    rc.write_text("lines.linewidth: 3\n")
    started, start = [], zygote.Zygote.__init__
    monkeypatch.setattr(zygote.Zygote, "__init__", lambda z, cwd, i: started.append(cwd) or start(z, cwd, i))

    def kept() -> list:
        return [k for k in zygote._POOL if k[1] == str(rc.resolve())]

    with pytest.raises(ParameterError, match="alpha = 1.5"):
        reproduce([good], build, {"alpha": 1.5}, progress=False)
    assert started == [good.parent] and kept() == []  # started, then ended
    with held([good.parent]):  # one kept from an earlier run ...
        pass
    with pytest.raises(ParameterError, match="alpha = 1.5"):
        reproduce([good], build, {"alpha": 1.5}, progress=False)
    assert len(started) == 2 and len(kept()) == 1  # ... stays
    zygote._POOL.pop(kept()[0]).stop()


def _own_folder(tmp_path: Path) -> Path:
    """A folder for which no zygote is kept: one of its own (its matplotlibrc is in the key)."""
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 3\n")
    return tmp_path


def _zygotes_of(folder: Path) -> dict:
    return {k: z for k, z in zygote._POOL.items() if k[1] == str((folder / "matplotlibrc").resolve())}


@pytest.mark.skipif(not zygote.available(), reason="kernels are not forked here")
def test_the_zygote_imports_while_jupyter_client_looks_the_kernel_up(tmp_path, monkeypatch):
    """The zygote starts with the interpreter of the kernel `make venv` installs before jupyter_client
    is asked for the python3 kernel, and, in this environment, that is the kernel it finds."""
    folder = _own_folder(tmp_path)
    seen, look_up = [], zygote._python3_interpreter
    monkeypatch.setattr(zygote, "_python3_interpreter", lambda: seen.append(dict(_zygotes_of(folder))) or look_up())
    with held([folder]):
        held_now = _zygotes_of(folder)
    assert len(seen) == 1 and seen[0] == held_now, "started before the look-up, and kept"
    ((held_key, z),) = held_now.items()
    assert list(held_key[0]) == look_up() == zygote._guessed_interpreter() == z.interpreter
    zygote._POOL.pop(held_key).stop()


@pytest.mark.skipif(not zygote.available(), reason="kernels are not forked here")
@pytest.mark.parametrize("found", ["another", "none"])
def test_a_zygote_started_for_a_wrong_guess_is_ended(tmp_path, monkeypatch, found):
    """Where jupyter_client finds another python3 kernel than the environment's (one installed for
    the user, say), the zygote started for the guess is ended and one for the kernel found is held;
    where it finds none, none is held (the kernels start the usual way, or fail to, as without us)."""
    folder = _own_folder(tmp_path)
    guess = [sys.executable, "-X", "utf8"]  # not the kernel's flags
    monkeypatch.setattr(zygote, "_guessed_interpreter", lambda: guess)
    if found == "none":
        monkeypatch.setattr(zygote, "_python3_interpreter", lambda: None)
    started, start = [], zygote.Zygote.__init__
    monkeypatch.setattr(zygote.Zygote, "__init__", lambda z, cwd, i: started.append(z) or start(z, cwd, i))
    with held([folder]):
        held_now = _zygotes_of(folder)
        assert started[0].interpreter == guess and started[0].process.poll() is not None, "ended at once"
        if found == "none":
            assert len(started) == 1 and held_now == {}
        else:
            assert len(started) == 2 and list(held_now.values()) == [started[1]]
            assert started[1].interpreter == zygote._python3_interpreter() != guess
    for k in _zygotes_of(folder):
        zygote._POOL.pop(k).stop()


def test_parameter_no_notebook_takes_is_refused(tiny):
    good, _, build = tiny
    with pytest.raises(ParameterError, match="alhpa"):
        reproduce([good], build, {"alhpa": 0.05}, progress=False)


@pytest.mark.parametrize("value", ['"; open("PWNED", "w"); "', "x\nopen('PWNED', 'w')\n", "\\\"; open('PWNED','w') #"])
def test_parameter_values_are_injected_as_data(tmp_path, value):
    """Papermill writes values as literals; our check then refuses them. Nothing is executed."""
    nb = _notebook(
        tmp_path / "inject.ipynb",
        "from reanalysis.params import check_parameters\ncheck_parameters(data_dir=data_dir)",
        parameters='data_dir: str = ""  # a data package folder',
    )
    with pytest.raises(PapermillExecutionError) as info, held([tmp_path]):  # the kernel forked, as the runner's
        papermill.execute_notebook(
            str(nb),
            str(tmp_path / "out.ipynb"),
            parameters={"data_dir": value},
            cwd=str(tmp_path),
            progress_bar=False,
            kernel_manager_class=_kernel_manager_class(),
        )
    assert info.value.ename == "ParameterError"
    assert not (tmp_path / "PWNED").exists()


def test_environment_yml_installs_only_python_and_this_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = sorted(d.split("=")[0] for d in deps if isinstance(d, str))
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert conda == ["pip", "python"], "conda packages would drift from pyproject.toml"
    assert pip == ["-e .[dev]"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "dev" in project["optional-dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    assert project["requires-python"] == ">=" + python.split("=")[1]


def test_pyproject_lists_the_promised_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {
        re.split(r"[<>=\[ ]", d)[0].lower() for d in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    for dep in (
        "pandas",
        "scipy",
        "statsmodels",
        "seaborn",
        "matplotlib",
        "papermill",
        "nbval",
        "jupyterlab",
        "ipykernel",
        "pytest",
    ):
        assert dep in names, dep


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()


def test_reference_notebooks_are_executed_and_clean():
    """nbval only compares executed cells: every committed code cell has run, without errors."""
    for path in find_notebooks():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.strip():
                assert cell.execution_count is not None, f"{path.name}: unexecuted cell {cell.source[:60]!r}"
                assert not [o for o in cell.outputs if o.output_type == "error"], path.name
                assert not [o for o in cell.outputs if o.get("name") == "stderr"], f"{path.name}: stderr output"


def test_help_notebook_lists_parameters(monkeypatch):
    """What the README's `papermill --help-notebook notebooks/<nb>.ipynb` prints: papermill's own command
    (its click entry point, run in this process: a process of its own adds 2 s of imports, nothing tested)."""
    import logging

    from click.testing import CliRunner
    from papermill.cli import papermill as papermill_command

    nb = find_notebooks()[0]
    # what the command changes in its process, put back afterwards: one variable, the root logger
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", os.environ.get("PYDEVD_DISABLE_FILE_VALIDATION", "1"))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    done = CliRunner().invoke(papermill_command, ["--help-notebook", str(nb)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    out = done.stdout
    for name in papermill.inspect_notebook(str(nb)):
        assert re.search(rf"^\s+{name}: \S+ \(default .+\)\s+\S", out, re.MULTILINE), (name, out)


def test_kernel_environment_sets_only_what_the_user_has_not():
    """PYTHONHASHSEED and each pool's thread count where unset; PYTHONPATH's relative entries made absolute."""
    environ = {"OMP_NUM_THREADS": "4", "PYTHONHASHSEED": "7", "PYTHONPATH": os.pathsep.join(["src", "", "/abs"])}
    kernel_environment(environ)
    assert environ["OMP_NUM_THREADS"] == "4" and environ["PYTHONHASHSEED"] == "7"
    assert {name: environ[name] for name in ONE_THREAD if name != "OMP_NUM_THREADS"} == {
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
    }
    assert environ["PYTHONPATH"].split(os.pathsep) == [str(Path("src").resolve()), "", "/abs"]
    environ = {}
    kernel_environment(environ)
    assert environ == {"PYTHONHASHSEED": "0", **ONE_THREAD}


def test_a_runs_kernels_get_one_thread_per_numeric_pool(tmp_path, monkeypatch):
    """Unless the user set them, the kernels (and the zygote they are forked from, which imports
    numpy) run each numeric library's pool with one thread: the notebooks' arrays are small, and
    an idle OpenBLAS thread spins on a core another kernel needs. (A value the user set is kept: the
    test above. Here the run's variables end as the session's, so the session's zygote serves it.)"""
    for name in ONE_THREAD:
        monkeypatch.delenv(name, raising=False)  # as in a shell that never set them
    show = f"import os\nprint(', '.join(f'{{n}}={{os.environ.get(n)}}' for n in {tuple(ONE_THREAD)!r}))"
    nb = _notebook(tmp_path / "nbs" / "threads.ipynb", show)
    result = reproduce([nb], tmp_path / "build", {}, html_pages=False, progress=False, results=False)
    assert result.ok, result.failures
    executed = nbformat.read(tmp_path / "build" / "notebooks" / "threads.ipynb", as_version=4)
    printed = executed.cells[-1].outputs[0].text.strip()
    assert printed == ", ".join(f"{name}=1" for name in ONE_THREAD)


def test_real_notebook_reruns_with_other_parameters_into_build(tmp_path):
    """A paper notebook with non-default choices writes its page and claims.csv under build/ only."""
    nb = ROOT / "notebooks" / "lu2021.ipynb"
    before = nb.read_bytes()
    params = {"two_by_two_test": "fisher", "population": "assigned", "ci_method": "newcombe", "alpha": 0.01}
    result = reproduce([nb], tmp_path, params, progress=False)
    assert result.ok, result.failures
    assert nb.read_bytes() == before
    claims = (tmp_path / "lu2021" / "claims.csv").read_text(encoding="utf-8")
    assert "res.remission.p" in claims and "fisher; 11/27 vs 3/26" in claims
    assert (tmp_path / "site" / "lu2021.html").exists() and (tmp_path / "site" / "index.html").exists()


def test_package_paths_resolve_against_the_working_directory(tmp_path):
    """A folder resolves against where the command runs; a bare id that is no such folder is the project's."""
    import shutil

    from reanalysis.run import _absolute_packages

    shutil.copytree(ROOT / "data" / "lu2021", tmp_path / "mine")
    out, said = _absolute_packages({"paper_dir": "mine", "alpha": 0.05}, cwd=tmp_path)
    assert out == {"paper_dir": str((tmp_path / "mine").resolve()), "alpha": 0.05}
    assert said == [f"paper_dir: the data package in {(tmp_path / 'mine').resolve()}"]
    out, said = _absolute_packages({"paper_dir": "lu2021"}, cwd=tmp_path)
    assert out["paper_dir"] == "lu2021" and "the project's data package" in said[0]


@pytest.fixture(scope="class")
def audited(tmp_path_factory):
    """`python -m reanalysis.run notebooks/audit.ipynb -p paper_dir data/lu2021`, run once from the
    repository root, for the tests of TestTheAuditOfAnotherPackage: exit code, stdout, stderr, build."""
    build = tmp_path_factory.mktemp("audit") / "b"
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.chdir(ROOT)
        code = main(["notebooks/audit.ipynb", "-p", "paper_dir", f"data/{PACKAGE}", "--build", str(build)])
    return code, out.getvalue(), err.getvalue(), build


class TestTheAuditOfAnotherPackage:
    """The audit of a package other than its default (zang2022), run once (``audited``): each test
    checks another property of that one run. (A class: xdist sends its tests to one worker, see conftest.py.)"""

    def test_audit_notebook_audits_another_package_and_refuses_an_unknown_one(self, audited, tmp_path):
        code, _, err, build = audited
        assert code == 0, err
        assert "res.remission.p" in (build / "audit" / PACKAGE / "claims.csv").read_text(encoding="utf-8")
        nb = ROOT / "notebooks" / "audit.ipynb"
        listed = re.escape(str(available()))  # every package under data/, whatever they are
        with pytest.raises(ParameterError, match=rf"paper_dir = 'nosuchpaper' .* one of {listed}"):
            reproduce([nb], tmp_path, {"paper_dir": "nosuchpaper"}, progress=False)

    def test_readme_audit_command_works_verbatim_from_the_repository_root(self, audited):
        """`python -m reanalysis.run notebooks/audit.ipynb -p paper_dir data/<id>` from the root (issue 14)."""
        code, out, err, build = audited
        assert code == 0, err
        assert f"paper_dir: the data package in {ROOT / 'data' / PACKAGE}" in out
        assert (build / "audit" / PACKAGE / "claims.csv").is_file()
        assert (build / "site" / f"audit-{PACKAGE}.html").is_file()


def test_the_audit_runs_once_per_package_each_into_its_own_folder():
    """With no paper_dir, the general audit runs for every package in data/ (issue 14)."""
    from reanalysis.run import _pages, _plan

    jobs = _plan([ROOT / "notebooks" / "audit.ipynb"], {})
    assert [(j.name, j.results, j.params["paper_dir"]) for j in jobs] == [
        (f"audit-{p}", f"audit/{p}", p) for p in available()
    ]
    pages, _, results = _pages(jobs)
    names = [p.stem for p in pages]
    from reanalysis.site import manifest

    listed = [e.stem for e in manifest().entries]
    assert names == sorted(names, key=manifest().rank)  # the reading order of site.toml
    assert names[:2] == [s for s in listed if s in available()][:2]  # the papers' own pages first, as listed
    assert all(f"audit-{p}" in names and results[f"audit-{p}"] == f"audit/{p}" for p in available())


def test_what_a_kernel_says_while_starting_is_in_no_cell(tmp_path, monkeypatch):
    """The runner's kernel client is ready as soon as the kernel answers, without waiting for IOPub
    to fall silent (zygote.ready_client): what the kernel prints while it starts must still end
    up in no cell's outputs, and every cell's own output in its cell."""
    from jupyter_client.asynchronous.client import AsyncKernelClient

    from reanalysis.zygote import ready_client

    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-say.py").write_text("started = 'it ran'\nprint('said while starting')\n", encoding="utf-8")
    assert _kernel_manager_class()().client_factory is ready_client(AsyncKernelClient)
    nb = _notebook(tmp_path / "nb" / "talk.ipynb", "print('first cell')", "print(started)")
    # the kernel is forked (where kernels are) from a zygote started before IPYTHONDIR was set (the one
    # this process keeps, if any): IPython reads its folder when the kernel starts, not when imported
    with held([nb.parent]):
        monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
        result = reproduce([nb], tmp_path / "build", html_pages=False, progress=False, results=False)
    assert result.ok
    cells = nbformat.read(tmp_path / "build" / "notebooks" / "talk.ipynb", as_version=4).cells
    said = ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in cells if c.cell_type == "code"]
    assert "said while starting" not in "".join(said)
    assert said[-2:] == ["first cell\n", "it ran\n"]  # the startup file did run, in this kernel
