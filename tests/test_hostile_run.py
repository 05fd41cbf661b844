"""Hostile cases for the runner and its parameters: each ends with one clear line and an exit code, or a
correct build/. Kernels are started only where the behaviour is the kernel's (four tests); elsewhere
``run._execute`` is replaced by a fake that writes what a notebook would."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from test_run import _notebook  # one helper for both runner suites

from reanalysis import run, zygote
from reanalysis.run import ROOT, SwapError, main

NOTEBOOKS = ROOT / "notebooks"
SRC = ROOT / "src"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_clear_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def fake_execute(monkeypatch):
    """Replace the kernel by a fake that writes the executed copy and a results folder, tagged."""
    calls = []

    def fake(job, staging, position, progress, results):
        out = staging / "notebooks" / f"{job.name}.ipynb"
        shutil.copyfile(job.notebook, out)
        (staging / job.results).mkdir()
        (staging / job.results / "claims.csv").write_text(f"new {job.name}\n")
        calls.append(job.name)
        return out

    monkeypatch.setattr(run, "_execute", fake)
    return calls


@pytest.fixture
def previous(tmp_path):
    """A build/ with an earlier run's output, and a tiny notebook."""
    build = tmp_path / "build"
    for rel, text in {
        "site/good.html": "previous page",
        "site/index.html": "previous index",
        "notebooks/good.ipynb": "{}",
        "good/claims.csv": "previous results",
        "other/claims.csv": "another notebook's results",
    }.items():
        (build / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / rel).write_text(text)
    parameters = "alpha: float = 0.05  # significance level\nresults_dir: str = ''  # folder for results"
    return _notebook(tmp_path / "nbs" / "good.ipynb", "print(alpha)", parameters=parameters), build


# --------------------------------------------------------------------------- parameters: one line, exit 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-p", "alhpa", "0.05"], "parameter alhpa = 0.05 is not allowed: expected a parameter of the notebook(s)"),
        (["-p", "alpha", "abc"], "parameter alpha = 'abc' is not allowed: expected a number in (0, 1)"),
        (["-r", "alpha", "0.05"], "parameter alpha = '0.05' is not allowed: expected a number in (0, 1)"),
        (["-p", "alpha", "nan"], "parameter alpha = nan is not allowed"),
        (["-p", "alpha", "True"], "parameter alpha = True is not allowed"),
        (["-p", "results_dir", "/tmp/elsewhere"], "parameter results_dir = '/tmp/elsewhere' is not allowed"),
    ],
)
def test_bad_parameter_is_one_line_and_exit_2(previous, capsys, args, expected):
    nb, build = previous
    before = _snapshot(build)
    assert main([str(nb), "--build", str(build), "--no-progress", *args]) == 2
    assert _one_clear_line(capsys.readouterr().err).startswith("error: " + expected)
    assert _snapshot(build) == before


@pytest.mark.parametrize(
    ("notebook", "args", "expected"),
    [
        ("lu2021", ["-p", "margin", "1.5"], r"margin = 1.5 .* a number in \(0, 1\)"),
        ("synthesis", ["-p", "margin", "0"], r"margin = 0.* a number in \(0, 1\)"),
        ("lu2021", ["-p", "data_dir", "/etc"], "data_dir = '/etc' .* a data package folder"),
        ("lu2021", ["-p", "data_dir", "../../nope"], "data_dir = '../../nope' .* an existing folder"),
        ("audit", ["-p", "paper_dir", "../../../etc"], r"paper_dir = '../../../etc' .* one of \[[^]]*'lu2021'"),
        ("audit", ["-r", "paper_dir", 'x"\nimport os; os.system("touch PWNED")\n"'], r"paper_dir = 'x\"\\nimport os"),
    ],
)
def test_combinations_and_paths_are_refused_before_any_kernel(tmp_path, capsys, monkeypatch, notebook, args, expected):
    """The real notebooks are only inspected: a kernel start would be a call of _execute."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(run, "_execute", lambda *a: pytest.fail("a kernel was started"))
    code = main([str(NOTEBOOKS / f"{notebook}.ipynb"), "--build", str(tmp_path / "build"), "--no-progress", *args])
    line = _one_clear_line(capsys.readouterr().err)
    assert code == 2
    assert __import__("re").search(expected, line), line
    assert not (tmp_path / "build").exists() and not (tmp_path / "PWNED").exists()


def test_every_margin_the_spec_allows_builds_the_priors():
    """The priors on the effect are built on margin alone: any margin in (0, 1) works for any data."""
    from reanalysis.bayes import PRIORS, describe_prior, posterior

    for margin in (0.01, 0.5, 0.9, 0.99):
        for prior in PRIORS:
            assert 0 <= describe_prior(prior, margin).prob_at_least_effect <= 1
            assert 0 <= posterior(11, 27, 3, 26, prior=prior, margin=margin).prob_above_margin <= 1


def test_a_margin_the_data_allow_passes_the_plan():
    plan = run._plan([NOTEBOOKS / "zang2022.ipynb"], {"prior": "enthusiastic", "margin": 0.9})
    assert [(job.name, job.params) for job in plan] == [("zang2022", {"prior": "enthusiastic", "margin": 0.9})]


# --------------------------------------------------------------------------- notebooks the runner refuses


@pytest.mark.parametrize("name", ["index", "site", "notebooks", "failed"])
def test_reserved_notebook_names_are_refused(tmp_path, capsys, name):
    nb = _notebook(tmp_path / f"{name}.ipynb", "print(1)")
    assert main([str(nb), "--build", str(tmp_path / "build"), "--no-progress"]) == 2
    line = _one_clear_line(capsys.readouterr().err)
    assert f"a notebook may not be named {name}.ipynb" in line
    assert ("site/index.html" in line) == (name == "index")
    assert not (tmp_path / "build").exists()


def test_two_notebooks_with_one_name_unreadable_and_missing_notebooks(tmp_path, capsys):
    a, b = _notebook(tmp_path / "a" / "x.ipynb"), _notebook(tmp_path / "b" / "x.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    build = str(tmp_path / "build")
    cases = [
        ([str(a), str(b)], "two notebooks named x.ipynb"),
        ([str(broken)], "cannot read notebook"),
        ([str(text)], "is not a notebook (.ipynb)"),
        ([str(tmp_path / "missing.ipynb")], "no notebook"),
    ]
    for notebooks, expected in cases:
        assert main([*notebooks, "--build", build, "--no-progress"]) == 2
        assert expected in _one_clear_line(capsys.readouterr().err)
    with pytest.raises(SystemExit) as info:
        main([str(a), "--jobs", "0"])
    assert info.value.code == 2


# --------------------------------------------------------------------------- notebooks that fail (real kernels)


def test_failing_notebooks_say_notebook_cell_and_full_message(tmp_path, capsys):
    message = (
        "data/x/inferences.csv:12: claim t2.p: printed p = 0.03 but the counts give 0.31 (fisher; 9/45 vs 2/44), "
        "which is far from anything a rounding explains"
    )
    raises = _notebook(
        tmp_path / "raises.ipynb", "x = 1", f"class AuditError(ValueError): pass\nraise AuditError({message!r})"
    )
    syntax = _notebook(tmp_path / "syntax.ipynb", "x = (1,")
    lines = _notebook(tmp_path / "lines.ipynb", "raise RuntimeError('first line\\nsecond line')")
    build = tmp_path / "build"
    build.mkdir()
    (build / "keep.txt").write_text("before")
    code = main([str(raises), str(syntax), str(lines), "--build", str(build), "--no-progress", "--no-html"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    failed = err.strip().splitlines()
    assert (
        f"FAILED raises.ipynb, cell [3]: AuditError: {message} (executed copy: {build}/failed/raises.ipynb)" in failed
    )
    assert any(line.startswith("FAILED syntax.ipynb, cell [2]: SyntaxError: ") for line in failed)
    assert any(
        line.startswith("FAILED lines.ipynb, cell [2]: RuntimeError: first line | second line") for line in failed
    )
    assert failed[-1] == f"{build} was left as it was before this run."
    assert (build / "keep.txt").read_text() == "before" and not (build / "notebooks").exists()


def test_a_successful_run_prints_no_keyboardinterrupt(tmp_path):
    nb = _notebook(tmp_path / "quiet.ipynb", "import matplotlib.pyplot as plt\nplt.plot([1, 2])", "print(alpha)")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "reanalysis.run", str(nb), "--build", str(tmp_path / "build"), "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "KeyboardInterrupt" not in done.stderr and "ERROR" not in done.stderr, done.stderr


def test_kernels_are_not_sent_sigint_at_shutdown():
    """The cause of ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel``: jupyter_client sends SIGINT
    before every shutdown, which lands in whatever the kernel is still doing. Ours does not; the stock
    manager (checked too, so that the spy is known to see it) does."""
    import asyncio
    import signal

    from jupyter_client.manager import AsyncKernelManager

    async def signals(cls):
        sent = []
        km = cls(kernel_name="python3")
        real = km._async_signal_kernel

        async def spy(signum):
            sent.append(signum)
            await real(signum)

        km._async_signal_kernel = spy
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        kc.stop_channels()
        await km.shutdown_kernel()
        return sent

    with zygote.held([os.getcwd()]):  # ours forked, as the runner's (where kernels are); the stock one not
        assert asyncio.run(signals(run._kernel_manager_class())) == []
    assert asyncio.run(signals(AsyncKernelManager)) == [signal.SIGINT]


# --------------------------------------------------------------------------- the lock


def test_no_wait_stops_with_the_holder_pid(previous, capsys, fake_execute):
    nb, build = previous
    before = _snapshot(build)
    with run._locked(build):
        assert main([str(nb), "--build", str(build), "--no-progress", "--no-html", "--no-wait"]) == 3
    line = _one_clear_line(capsys.readouterr().err)
    assert line == f"error: another run (pid {os.getpid()}) is writing {build}; try again when it has finished"
    assert _snapshot(build) == before and fake_execute == []


def test_a_second_run_waits_saying_for_whom(previous, capsys, fake_execute, monkeypatch):
    """The holder lets go once the second run waits for the lock (not after a fixed time), and the
    second run goes on only then."""
    nb, build = previous
    held, waiting, released = threading.Event(), threading.Event(), []
    flock = run.fcntl.flock

    def watched(fd, operation):
        if operation == run.fcntl.LOCK_EX:  # blocking: only the second run (the holder got it at once)
            waiting.set()
        return flock(fd, operation)

    monkeypatch.setattr(run.fcntl, "flock", watched)

    def hold():
        with run._locked(build):
            held.set()
            assert waiting.wait(30)
            time.sleep(0.05)  # well inside the blocking call
            released.append(time.monotonic())

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    assert main([str(nb), "--build", str(build), "--no-progress", "--no-html"]) == 0
    done = time.monotonic()
    holder.join()
    assert waiting.is_set() and released and done > released[0]
    err = capsys.readouterr().err
    assert err.strip() == f"waiting for another run (pid {os.getpid()}) to finish with {build} ..."
    assert (build / "good" / "claims.csv").read_text() == "new good\n"


def _staging(parent: Path, tag: str, files: int = 30) -> Path:
    staging = parent / f"staging-{tag}"
    for i in range(files):
        (staging / f"sub{i % 3}").mkdir(parents=True, exist_ok=True)
        (staging / f"sub{i % 3}" / f"f{i}.txt").write_text(tag)
    return staging


def _tags(build: Path) -> set[str]:
    return {p.read_text() for p in build.rglob("*.txt")}


def test_threads_swapping_at_once_never_mix(tmp_path):
    build = tmp_path / "build"
    stagings = [_staging(tmp_path, f"run{i}") for i in range(40)]
    errors = []

    def swap(staging):
        try:
            run._move_into_place(staging, build)
            with run._locked(build):  # what any run sees: one run's output, whole
                assert len(_tags(build)) == 1 and len(list(build.rglob("*.txt"))) == 30
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=swap, args=(s,)) for s in stagings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(_tags(build)) == 1 and len(list(build.rglob("*.txt"))) == 30
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".build")) == [".build.lock"]


def test_processes_running_at_once_never_mix(tmp_path):
    """Two processes run the entry point 10 times each (fake kernels writing 20 files tagged by run),
    starting together once both have imported (so that they overlap however loaded the machine is);
    the parent checks build/ under the lock meanwhile and at the end: always one run's output."""
    nb = _notebook(tmp_path / "nbs" / "good.ipynb", "print(alpha)")
    build = tmp_path / "build"
    script = textwrap.dedent(
        f"""
        import os, shutil, sys, time
        from reanalysis import run
        import papermill  # what a run imports (after run: its IRI-grammar guard first), before the start
        def fake(job, staging, position, progress, results):
            out = staging / "notebooks" / f"{{job.name}}.ipynb"
            shutil.copyfile(job.notebook, out)
            tag = f"{{os.getpid()}}-{{time.monotonic_ns()}}"
            for i in range(20):
                (staging / "good" / f"sub{{i % 4}}").mkdir(parents=True, exist_ok=True)
                (staging / "good" / f"sub{{i % 4}}" / f"f{{i}}.txt").write_text(tag)
                time.sleep(0.005)
            return out
        run._execute = fake
        print("ready", flush=True)
        sys.stdin.readline()  # the parent's signal to start
        for _ in range(10):
            assert run.main([{str(nb)!r}, "--build", {str(build)!r}, "--no-html", "--no-progress"]) == 0
        """
    )
    env = {**os.environ, "PYTHONPATH": str(SRC), "REANALYSIS_ZYGOTE": "0"}  # no kernel starts: no zygote to import
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    assert [p.stdout.readline() for p in procs] == ["ready\n", "ready\n"], [p.stderr.read() for p in procs]
    for p in procs:
        p.stdin.write("go\n")
    for p in procs:
        p.stdin.close()  # flushes: both start now
    checks = 0
    while any(p.poll() is None for p in procs):
        if build.exists():
            with run._locked(build):
                if build.exists():
                    assert len(_tags(build)) == 1 and len(list(build.rglob("*.txt"))) == 20
                    checks += 1
        time.sleep(0.05)
    errs = [p.stderr.read() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    assert len(_tags(build)) == 1 and len(list(build.rglob("*.txt"))) == 20
    assert checks > 0
    assert any("waiting for another run (pid " in e for e in errs), errs  # they did overlap
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".build")) == [".build.lock"]


# --------------------------------------------------------------------------- faults mid-swap


def _fail_rename(monkeypatch, which: str):
    real = os.rename

    def rename(src, dst, *a, **k):
        if which in str(src):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "rename", rename)


def _fail_copy_after(monkeypatch, n: int, source: str, exc: BaseException):
    real, count = shutil.copy2, [0]

    def copy2(src, dst, *a, **k):
        if source in str(src):
            count[0] += 1
            if count[0] == n:
                raise exc
        return real(src, dst, *a, **k)

    monkeypatch.setattr(shutil, "copy2", copy2)


def test_exdev_falls_back_to_a_checked_copy(tmp_path, monkeypatch):
    build = tmp_path / "build"
    run._move_into_place(_staging(tmp_path, "old"), build)
    _fail_rename(monkeypatch, "staging-new")
    run._move_into_place(_staging(tmp_path, "new"), build)
    assert _tags(build) == {"new"} and len(list(build.rglob("*.txt"))) == 30
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".build.old")] == []


@pytest.mark.parametrize("aside_fails", [False, True], ids=["build-renamed-aside", "build-is-a-mount-point"])
def test_a_fault_in_the_middle_of_the_copy_leaves_build_as_it_was(tmp_path, monkeypatch, aside_fails):
    build = tmp_path / "build"
    run._move_into_place(_staging(tmp_path, "old"), build)
    before = _snapshot(build)
    if aside_fails:  # build/ cannot be renamed either (a mount point): a copy is kept to restore from
        real = os.rename

        def rename(src, dst, *args, **kwargs):
            if str(src) in (str(build), str(tmp_path / "staging-new")):
                raise OSError(errno.EBUSY, "Device or resource busy", str(src))
            return real(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "rename", rename)
    else:
        _fail_rename(monkeypatch, "staging-new")
    _fail_copy_after(monkeypatch, 12, "staging-new", OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(SwapError, match="No space left on device"):
        run._move_into_place(_staging(tmp_path, "new"), build)
    assert _snapshot(build) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".build.old")] == []


def test_swap_failure_through_the_command_line_is_one_line(previous, capsys, monkeypatch, fake_execute):
    nb, build = previous
    before = _snapshot(build)
    _fail_rename(monkeypatch, ".build.staging-")
    _fail_copy_after(monkeypatch, 2, ".build.staging-", OSError(errno.EIO, "Input/output error"))
    assert main([str(nb), "--build", str(build), "--no-progress", "--no-html"]) == 1
    line = _one_clear_line(capsys.readouterr().err)
    assert line.startswith("error: could not put the new build in place (")
    assert "Input/output error" in line and line.endswith(f"{build} was left as it was before this run.")
    assert _snapshot(build) == before
    assert sorted(p.name for p in build.parent.iterdir() if p.name.startswith(".build")) == [".build.lock"]


def test_ctrl_c_mid_swap_puts_the_old_build_back(previous, capsys, monkeypatch, fake_execute):
    nb, build = previous
    before = _snapshot(build)
    _fail_rename(monkeypatch, ".build.staging-")
    _fail_copy_after(monkeypatch, 3, ".build.staging-", KeyboardInterrupt())
    assert main([str(nb), "--build", str(build), "--no-progress", "--no-html"]) == 130
    assert _one_clear_line(capsys.readouterr().err) == f"interrupted; {build} was left as it was before this run."
    assert _snapshot(build) == before


def test_ctrl_c_while_notebooks_run_leaves_build_and_no_staging(previous, capsys, monkeypatch):
    nb, build = previous
    before = _snapshot(build)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "_execute", interrupted)
    assert main([str(nb), "--build", str(build), "--no-progress", "--no-html"]) == 130
    assert _one_clear_line(capsys.readouterr().err) == f"interrupted; {build} was left as it was before this run."
    assert _snapshot(build) == before
    assert sorted(p.name for p in build.parent.iterdir() if p.name.startswith(".build")) == [".build.lock"]


# --------------------------------------------------------------------------- leftovers of killed runs


def test_leftovers_of_killed_runs_are_removed(previous, fake_execute):
    nb, build = previous
    for stale in (build.parent / ".build.staging-dead1", build / ".staging-dead2", build.parent / ".build.old-dead3"):
        (stale / "notebooks").mkdir(parents=True)
        (stale / "notebooks" / "x.ipynb").write_text("half-written")
    assert main([str(nb), "--build", str(build), "--no-progress", "--no-html"]) == 0
    assert sorted(p.name for p in build.parent.iterdir() if p.name.startswith(".build")) == [".build.lock"]
    assert not list(build.glob(".staging-*"))


def test_a_build_lost_between_the_two_renames_is_put_back(previous, fake_execute):
    """A run killed after renaming build/ aside and before renaming staging in: the next run restores it."""
    nb, build = previous
    os.rename(build, build.parent / ".build.old-killed")
    assert main([str(nb), "--build", str(build), "--no-progress", "--no-html"]) == 0
    assert (build / "other" / "claims.csv").read_text() == "another notebook's results"  # carried over
    assert (build / "good" / "claims.csv").read_text() == "new good\n"


def test_a_run_replaces_its_own_files_and_keeps_the_others(previous, fake_execute):
    nb, build = previous
    (build / "good" / "stale.csv").write_text("from a run with other parameters")
    (build / "failed").mkdir()
    (build / "failed" / "good.ipynb").write_text("{}")
    assert main([str(nb), "--build", str(build), "--no-progress", "--no-html"]) == 0
    assert not (build / "good" / "stale.csv").exists()  # results and page come from the same run
    assert not (build / "failed" / "good.ipynb").exists()
    assert (build / "other" / "claims.csv").read_text() == "another notebook's results"
    assert json.loads((build / "notebooks" / "good.ipynb").read_text())["cells"]


def test_a_failed_first_swap_leaves_no_build(tmp_path, monkeypatch):
    build = tmp_path / "build"
    _fail_rename(monkeypatch, "staging-new")
    _fail_copy_after(monkeypatch, 5, "staging-new", OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(SwapError, match="No space left on device"):
        run._move_into_place(_staging(tmp_path, "new"), build)
    assert not build.exists()


# --------------------------------------------------------------------------- the workshop's pages, written aside
def test_a_failed_notebook_is_reported_even_when_the_workshop_pages_fail(tmp_path, monkeypatch):
    """The workshop's pages are written in a thread of their own while notebooks run: a notebook's
    failure is still the run's news (returned, its notebook in build/failed), not the workshop's error."""
    from reanalysis import site

    good = _notebook(tmp_path / "nbs" / "good.ipynb", "print(1)")
    bad = _notebook(tmp_path / "nbs" / "bad.ipynb", "print(2)")

    def execute(job, staging, position, progress, results):
        out = staging / "notebooks" / f"{job.name}.ipynb"
        shutil.copyfile(job.notebook, out)
        if job.name == "bad":
            raise run.NotebookFailure(out, 3, "ValueError", "the data disagree", saved=out)
        return out

    def broken_workshop(site_folder, pages, folder=None):
        raise OSError("a workshop notebook is unreadable")

    monkeypatch.setattr(run, "_execute", execute)
    monkeypatch.setattr(site, "render", lambda executed, folder, pages: [folder / f"{executed.stem}.html"])
    monkeypatch.setattr(site, "write_workshop", broken_workshop)
    result = run.reproduce([good, bad], tmp_path / "build", {}, jobs=1, workshop=True, progress=False)
    assert [f.notebook.name for f in result.failures] == ["bad.ipynb"]
    assert (tmp_path / "build" / "failed" / "bad.ipynb").is_file()
    with pytest.raises(OSError, match="workshop notebook is unreadable"):  # alone, it is the run's error
        run.reproduce([good], tmp_path / "build", {}, jobs=1, workshop=True, progress=False)


def test_an_interrupted_run_leaves_no_staging_while_the_workshop_pages_are_written(tmp_path, monkeypatch):
    """Ctrl-C while the workshop's pages are still being written: the run waits for that thread before
    removing its staging folder, so nothing writes into a folder that is gone (or recreates it)."""
    from reanalysis import site

    nb = _notebook(tmp_path / "nbs" / "one.ipynb", "print(1)")
    writing, written = threading.Event(), threading.Event()

    def slow_workshop(site_folder, pages, folder=None):
        writing.set()
        time.sleep(0.5)
        (site_folder / "workshop").mkdir(parents=True, exist_ok=True)
        (site_folder / "workshop" / "page.html").write_text("x", encoding="utf-8")
        written.set()
        return []

    def interrupted(job, staging, position, progress, results):
        writing.wait(5)
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "_execute", interrupted)
    monkeypatch.setattr(site, "write_workshop", slow_workshop)
    with pytest.raises(KeyboardInterrupt):
        run.reproduce([nb], tmp_path / "build", {}, jobs=1, workshop=True, progress=False)
    assert written.is_set()  # the run waited for the thread to finish before it returned
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".build.staging")]
