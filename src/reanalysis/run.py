"""Execute the notebooks with papermill into ``build/``, render them to HTML, index them.

``python -m reanalysis.run`` (what ``make reproduce`` calls) executes every notebook in
``notebooks/`` in parallel (one kernel per core, a progress bar each), writes the
executed copies to ``build/notebooks/``, the HTML pages to ``build/site/`` with an
``index.html``, and each notebook's machine-readable results to ``build/<name>/``.

Nothing is written over ``notebooks/``. Everything is produced in a staging folder beside
``build/`` (``.build.staging-*``) and swapped into place only when every notebook succeeded,
so a failed or interrupted run leaves the previous ``build/`` as it was, says which notebook
and cell failed, and exits non-zero.

Reliability (what ``tests/test_run.py`` and ``tests/test_hostile_run.py`` check):

- One run at a time per ``build/``: a run holds ``fcntl.flock`` on ``.build.lock`` beside
  ``build/`` (beside, not inside, so that the lock survives the swap) from its start to its
  end. A second run waits, saying once which pid it waits for (``--no-wait``: it stops with
  one line and exit code 3 instead).
- The swap never leaves a mix of two runs: the old ``build/`` is renamed aside, the staging
  folder (already holding everything the new ``build/`` keeps) renamed into its place, and the
  old one deleted. If a rename fails (``EXDEV`` across file systems, or any ``OSError``) the
  staging folder is copied instead and checked (same files, same sizes); if anything fails
  the old ``build/`` is put back and the run ends with one line and exit code 1.
- Staging and set-aside folders left by a killed run (the lock is free, so nobody owns them)
  are removed when the next run starts; a ``build/`` lost between the two renames is put back.
- Parameters are all checked before any kernel starts, combinations included; ``results_dir``
  is the runner's (``build/<notebook>/``) and refused on the command line.
- Each kernel starts in its own notebook's folder (its ``matplotlibrc``, its relative paths),
  notebooks of several folders run at once included; the runner's own directory never changes
  (``tests/test_isolation.py``).

The kernels inherit the runner's environment, with what :func:`kernel_environment` adds where
the user has not set it: ``PYTHONHASHSEED=0`` and one thread for each numeric library's pool (the
kernels already share the cores among themselves).

Run ``python -m reanalysis.run --help`` for the options; ``-p NAME VALUE`` sets a
parameter the way papermill does (``-r`` keeps the value as raw text).
"""

from __future__ import annotations

import argparse
import errno
import functools
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import _no_iri_grammar  # noqa: F401 - before nbformat: jsonschema compiles no IRI grammar
from .params import ParameterError, check_notebook, check_parameters
from .zygote import held

# The site (nbconvert, Jinja, mistune: about 1 s of imports) is imported where it is used, so that a
# run starts its kernels' zygote first and imports the rest while the zygote imports too.
if TYPE_CHECKING:
    from .site import Page

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: runs are not locked against each other
    fcntl = None  # type: ignore[assignment]


__all__ = [
    "BuildBusy",
    "NotebookFailure",
    "PlanError",
    "RunResult",
    "SwapError",
    "find_notebooks",
    "kernel_environment",
    "reproduce",
    "refresh",
    "main",
    "ROOT",
]

#: The repository (the project is installed editable; see ``data.data_root``).
ROOT = Path(__file__).resolve().parents[2]

#: Names a notebook may not have: its page or results would land on the runner's own files
#: (``site/index.html`` is the site index; ``notebooks/``, ``site/``, ``failed/`` are folders of build/).
RESERVED = ("index", "notebooks", "site", "failed", "workshop")

#: The numeric libraries' thread pools (OpenMP, OpenBLAS, MKL, Accelerate): one thread each in a
#: kernel unless the environment says otherwise. The notebooks' arrays are small, so a second thread
#: never shortens a run, while an idle OpenBLAS thread spins: the floor of ``benchmarks/reproduce.py``
#: took 5.6 CPU-seconds with the default pools and 4.7 with one thread, in the same wall time, and
#: the kernels run side by side on every core, where a spinning thread takes a core from another.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def kernel_environment(environ: MutableMapping[str, str]) -> None:
    """Set in ``environ`` (``os.environ`` for a run: kernels, and the zygote they are forked from,
    inherit it) what a kernel needs and the user has not set: ``PYTHONHASHSEED=0`` and one thread
    per numeric pool (:data:`ONE_THREAD`); and make ``PYTHONPATH``'s relative entries absolute (a
    kernel runs in its notebook's folder, where a relative entry would name another)."""
    for name, value in {"PYTHONHASHSEED": "0", **ONE_THREAD}.items():
        environ.setdefault(name, value)
    if environ.get("PYTHONPATH"):
        entries = environ["PYTHONPATH"].split(os.pathsep)
        environ["PYTHONPATH"] = os.pathsep.join(str(Path(e).resolve()) if e else e for e in entries)


def _one_line(text: str) -> str:
    """The whole of a message on one line: colours dropped, line breaks shown as `` | ``."""
    lines = [line.strip() for line in _ANSI.sub("", str(text)).splitlines()]
    return " | ".join(line for line in lines if line)


class NotebookFailure(RuntimeError):
    """A notebook stopped with an error; says which notebook and which cell, with the full message."""

    def __init__(self, notebook: Path, cell: int | None, ename: str, evalue: str, saved: Path | None = None):
        self.notebook, self.cell, self.ename, self.evalue, self.saved = notebook, cell, ename, evalue, saved
        where = f"{notebook.name}" + (f", cell [{cell}]" if cell is not None else "")
        super().__init__(f"{where}: {ename}: {_one_line(evalue)}" if evalue else f"{where}: {ename}")


class PlanError(ValueError):
    """The notebooks asked for cannot be run as asked (unreadable, or a name the site needs)."""


class BuildBusy(RuntimeError):
    """Another run holds build/ and this one was asked not to wait."""


class SwapError(RuntimeError):
    """The new build could not be put in place; the old build/ was put back."""


@dataclass
class RunResult:
    """What a run produced: the pages written, and the failures (empty when it succeeded)."""

    pages: list[Path] = field(default_factory=list)
    failures: list[NotebookFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Job:
    """One execution of a notebook: ``name`` is its page and executed copy, ``results`` its folder
    under build/, ``params`` what it is given and ``declared`` the parameters it takes.

    A notebook that takes ``paper_dir`` (the general audit) runs once per data package: with no
    ``paper_dir`` given, once for every package in ``data/``, each into ``build/audit/<id>/`` with a
    page ``audit-<id>.html``, so no run overwrites another package's audit."""

    notebook: Path
    name: str
    results: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
    declared: frozenset = frozenset()


def _package_name(value: str) -> str:
    """A package's folder name (or id), for its audit's page and results folder."""
    return Path(str(value)).expanduser().name or "package"


def find_notebooks(folder: Path | None = None) -> list[Path]:
    """The notebooks ``make reproduce`` executes: ``notebooks/*.ipynb``, sorted."""
    folder = folder or ROOT / "notebooks"
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def _convert(value: str):
    """Papermill's conversion of a ``-p`` value: True/False/None, int, float, else text."""
    if value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[value]
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def _declared(notebook: Path) -> dict:
    """The parameters ``notebook`` declares (papermill's ``inspect_notebook``), read again only when the
    file changed: every run with a site asks it of every notebook in ``notebooks/`` (does it take
    ``paper_dir``?), and reading a notebook with its figures takes 10-30 ms."""
    try:
        stat = notebook.stat()
        return dict(_inspected(str(notebook), stat.st_mtime_ns, stat.st_size))
    except Exception as e:  # missing, not JSON, not a notebook, unreadable
        raise PlanError(f"cannot read notebook {notebook}: {type(e).__name__}: {_one_line(e)}") from None


@functools.lru_cache(maxsize=64)
def _inspected(path: str, mtime_ns: int, size: int) -> dict:
    """``papermill.inspect_notebook(path)`` of the file as it was at ``mtime_ns`` with ``size`` bytes."""
    import papermill

    return papermill.inspect_notebook(path)


def _default(declared: dict, name: str):
    """A declared parameter's default as a value (papermill gives its source text), or None."""
    import ast

    try:
        return ast.literal_eval(declared[name]["default"])
    except (KeyError, ValueError, SyntaxError, TypeError):
        return None


#: Parameters naming a data package folder: resolved against the directory the command runs in.
PACKAGE_PARAMETERS = ("paper_dir", "data_dir")


def _absolute_packages(parameters: dict, cwd: Path | None = None) -> tuple[dict, list[str]]:
    """Package parameters as absolute folders, with a line saying which folder each names.

    A value that is a folder (relative to ``cwd``, the directory the command runs in) becomes
    its absolute path, so a kernel running in ``notebooks/`` reads the same folder; a bare paper
    id that is not such a folder stays an id and names the project's package under ``data/``.
    """
    from .packages import data_root

    cwd = cwd or Path.cwd()
    out, said = dict(parameters), []
    for name in PACKAGE_PARAMETERS:
        value = parameters.get(name)
        if not isinstance(value, str) or not value:
            continue
        folder = cwd / Path(value).expanduser()
        if folder.is_dir():
            out[name] = str(folder.resolve())
            said.append(f"{name}: the data package in {out[name]}")
        else:
            said.append(f"{name}: the project's data package {data_root() / value}")
    return out, said


def _plan(notebooks: list[Path], parameters: dict, per_package: bool = True) -> list[Job]:
    """The jobs to run: which parameters go to which notebook (and which it declares), one job per
    data package for a notebook that takes ``paper_dir``; refuse a name no notebook takes."""
    declared = {nb: _declared(nb) for nb in notebooks}
    if "results_dir" in parameters:
        raise ParameterError(
            "results_dir",
            parameters["results_dir"],
            "no value: the runner sets results_dir to build/<notebook>/ so that results are swapped in with "
            "their page (use --build DIR to write elsewhere)",
        )
    for name in parameters:
        if not any(name in d for d in declared.values()):
            takes = sorted(set().union(*declared.values()) - {"results_dir"}) if declared else []
            raise ParameterError(name, parameters[name], "a parameter of the notebook(s): " + ", ".join(takes))
    check_parameters(**parameters)  # bad values fail here, before any kernel starts
    for nb, d in declared.items() if parameters else ():  # ... and combinations only the data can refuse
        check_notebook(nb.stem, {k: parameters[k] if k in parameters else _default(d, k) for k in d})
    from .packages import available

    jobs = []
    for nb in notebooks:
        params = {k: v for k, v in parameters.items() if k in declared[nb]}
        takes = frozenset(declared[nb])
        if "paper_dir" not in takes or not per_package:
            jobs.append(Job(nb, nb.stem, nb.stem, params, takes))
            continue
        for package in [params["paper_dir"]] if "paper_dir" in params else available():
            name = _package_name(package)
            jobs.append(Job(nb, f"{nb.stem}-{name}", f"{nb.stem}/{name}", {**params, "paper_dir": package}, takes))
    return jobs


def _kernel_manager_class():
    """A kernel manager that provisions CurveZMQ keys when the kernel supports them, and does
    not interrupt a kernel it is about to shut down.

    Without the first, ipykernel >= 7 warns on every start that it runs over TCP without
    encryption; this fixes the cause instead of hiding the warning. jupyter_client sends
    SIGINT before every shutdown request; when it lands while the kernel is still finishing
    its last message (a loaded machine, several kernels) ipykernel logs
    ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel`` on runs that succeeded. Papermill
    shuts a kernel down only after its last cell has answered (or failed, or timed out), so
    there is nothing to interrupt: the shutdown request, then SIGTERM and SIGKILL after
    ``shutdown_wait_time``, still stop a kernel that does not answer. Interrupts asked for
    at any other time are sent as before.

    A kernel for which a run holds a zygote (see :func:`reanalysis.zygote.held`) is forked from it
    instead of importing everything anew; its client is ready as soon as the kernel has answered
    (see :class:`reanalysis.zygote.Forked`).
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    from .zygote import Forked

    class EncryptedKernelManager(Forked, AsyncKernelManager):
        transport_encryption = CaselessStrEnum(["disabled", "auto", "required"], default_value="auto", config=True)

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        interrupt_kernel = _async_interrupt_kernel

    return EncryptedKernelManager


def _execute(job: Job, staging: Path, position: int, progress: bool, results: bool) -> Path:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = job.notebook
    out = staging / "notebooks" / f"{job.name}.ipynb"
    params = dict(job.params)
    if results and "results_dir" in job.declared:
        params["results_dir"] = str(staging / job.results)
    bar = {"desc": job.name[:20].ljust(12), "position": position, "leave": True} if progress else False
    try:
        papermill.execute_notebook(
            str(notebook),
            str(out),
            parameters=params,
            # the kernel starts in the notebook's folder (nbclient passes this path to the kernel
            # manager as its cwd); not papermill's cwd=, which changes the whole process's working
            # directory while the notebook runs, so that notebooks of different folders running at
            # once would start their kernels in whichever folder was set last
            resources={"metadata": {"path": str(notebook.parent)}},
            progress_bar=bar,
            request_save_on_cell_execute=False,
            kernel_manager_class=_kernel_manager_class(),
            # Stopped at once when the notebook is done: every cell has answered and every output
            # has arrived by then, and a graceful shutdown only waits (0.2-0.6 s per kernel) for
            # the kernel to save its IPython history, which nobody reads.
            shutdown_kernel="immediate",
        )
    except PapermillExecutionError as e:
        raise NotebookFailure(out, e.exec_count, e.ename, e.evalue, saved=out) from None
    except Exception as e:  # kernel died, notebook unreadable, ...
        raise NotebookFailure(out, None, type(e).__name__, str(e), saved=out if out.exists() else None) from None
    return out


def _check_names(notebooks: list[Path]) -> None:
    """Refuse a notebook whose page or results would overwrite build/'s own, or another's."""
    run: dict[str, Path] = {}
    for nb in notebooks:
        if nb.suffix != ".ipynb":
            raise PlanError(f"{nb} is not a notebook (.ipynb)")
        if nb.stem in RESERVED or nb.stem.startswith("."):
            raise PlanError(
                f"a notebook may not be named {nb.name}: its page or results would overwrite build/'s own "
                f"{'site/index.html' if nb.stem == 'index' else nb.stem + '/'}; rename it (names not allowed: "
                + ", ".join(f"{r}.ipynb" for r in RESERVED)
                + ")"
            )
        if nb.stem in run and run[nb.stem] != nb:
            raise PlanError(f"two notebooks named {nb.name} ({run[nb.stem]} and {nb}) would write the same page")
        run[nb.stem] = nb


def _pages(jobs: list[Job], per_package: bool = True) -> tuple[list[Page], dict[str, Path], dict[str, str]]:
    """The site's pages in the manifest's reading order: every notebook of ``notebooks/`` (the
    general audit once per package in ``data/``) and every job run now. Returns the pages, each
    page's notebook, and each page's results folder under build/."""
    from .packages import available

    papers = available()
    notebook_of: dict[str, Path] = {}
    results_of: dict[str, str] = {}
    for nb in find_notebooks():
        if nb.stem in RESERVED:
            continue
        if per_package and "paper_dir" in _declared(nb):
            for pid in papers:
                notebook_of[f"{nb.stem}-{pid}"], results_of[f"{nb.stem}-{pid}"] = nb, f"{nb.stem}/{pid}"
        else:
            notebook_of[nb.stem], results_of[nb.stem] = nb, nb.stem
    for job in jobs:
        notebook_of[job.name], results_of[job.name] = job.notebook, job.results
    from .site import Page, manifest, order

    site = manifest()  # the reading order and titles (src/reanalysis/site.toml); pages not in it come last
    pages = []
    for name in order(list(notebook_of)):
        entry, _ = site.entry(name)
        title = (entry.title if entry is not None and entry.stem == name else "") or _title(notebook_of[name])
        if name != notebook_of[name].stem:  # one of a notebook's runs per package
            title = f"{title}: {name.removeprefix(notebook_of[name].stem + '-')}"
        pages.append(Page(name, title, site.nav(name, title)))
    return pages, notebook_of, results_of


def _title(notebook: Path) -> str:
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                for line in "".join(cell["source"]).splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
    except (OSError, ValueError, KeyError, TypeError):
        pass  # an unreadable notebook fails with its own message when it runs
    return notebook.stem


# --------------------------------------------------------------------------- build/: lock, staging, swap


def _lock_path(build: Path) -> Path:
    return build.parent / f".{build.name}.lock"


@contextmanager
def _locked(build: Path, wait: bool = True) -> Iterator[None]:
    """Hold the lock of ``build`` (``.build.lock`` beside it) for the duration; wait for it or raise BuildBusy."""
    build.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_lock_path(build), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                who = f"pid {holder}" if holder.isdigit() else "pid unknown"
                if not wait:
                    raise BuildBusy(f"another run ({who}) is writing {build}; try again when it has finished") from None
                print(f"waiting for another run ({who}) to finish with {build} ...", file=sys.stderr, flush=True)
                fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _staging_prefix(build: Path) -> str:
    return f".{build.name}.staging-"


def _aside_prefix(build: Path) -> str:
    return f".{build.name}.old-"


def _clean_leftovers(build: Path) -> None:
    """With the lock held: remove what killed runs left behind; put back a build/ lost mid-swap."""
    asides = sorted(build.parent.glob(_aside_prefix(build) + "*"), key=lambda p: p.stat().st_mtime)
    if asides and not build.exists():
        os.rename(asides.pop(), build)  # killed between the two renames: the newest aside is the old build/
    leftovers = [*asides, *build.parent.glob(_staging_prefix(build) + "*")]
    if build.is_dir():
        leftovers += build.glob(".staging-*")  # from runs before staging moved beside build/
        leftovers += build.glob(".old-*")
    for folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)


def _files(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (relative path -> size), symlinks as links."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, folder)] = os.lstat(path).st_size
    return found


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_over(build: Path, staging: Path, replaced: set[str]) -> None:
    """Give the staging folder every entry of the old build/ that this run does not replace.

    ``replaced`` holds paths relative to build/ (files or folders) that this run owns, whether
    or not it wrote them. Files are hard-linked (no run writes into an existing file), else copied.
    """
    if not build.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(build):
        rel = os.path.relpath(dirpath, build)
        rel = "" if rel == "." else rel
        keep_dirs = []
        for d in dirnames:
            r = os.path.join(rel, d)
            if r in replaced or (not rel and d.startswith((".staging-", ".old-"))):
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                filenames.append(d)
                continue
            (staging / r).mkdir(exist_ok=True)
            keep_dirs.append(d)
        dirnames[:] = keep_dirs
        for f in filenames:
            r = os.path.join(rel, f)
            if r in replaced or (staging / r).exists() or (staging / r).is_symlink():
                continue
            _link_or_copy(os.path.join(dirpath, f), str(staging / r))


def _clear(folder: Path) -> None:
    """Empty ``folder`` but keep it (it may be a mount point)."""
    for entry in list(folder.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _copy_file(src: str, dst: str) -> str:
    return shutil.copy2(src, dst)  # looked up at each call (copytree binds its default once)


def _copy_checked(src: Path, dst: Path) -> None:
    """Copy the tree ``src`` into ``dst`` (which may exist, empty), then check same files and sizes."""
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True, copy_function=_copy_file)
    want, got = _files(src), _files(dst)
    if want != got:
        differ = sorted(set(want.items()) ^ set(got.items()))[:3]
        raise OSError(errno.EIO, f"the copy of {src} differs from it (first differences: {differ})")


def _swap(staging: Path, build: Path) -> None:
    """Replace ``build`` by ``staging`` without ever leaving a mix of the two (see the module docstring).

    Raises
    ------
    SwapError
        If the new build could not be put in place; ``build`` is then as it was before.
    KeyboardInterrupt
        Re-raised after ``build`` was put back, if it came in the middle.
    """
    aside = Path(tempfile.mkdtemp(prefix=_aside_prefix(build), dir=build.parent))
    aside.rmdir()  # only the unique name is wanted
    renamed = copied = False
    try:
        if build.exists():
            try:
                os.rename(build, aside)
                renamed = True
            except OSError:  # e.g. build/ is a mount point: keep a copy to restore from instead
                _copy_checked(build, aside)
                copied = True
        try:
            if copied:
                raise OSError(errno.EBUSY, f"{build} could not be renamed")
            os.rename(staging, build)
        except OSError:
            if build.exists():
                _clear(build)
            _copy_checked(staging, build)
    except BaseException as e:
        problem = _restore(build, aside, renamed, copied)
        if isinstance(e, KeyboardInterrupt) and not problem:
            raise
        reason = f"{type(e).__name__}: {_one_line(e)}" if not isinstance(e, OSError) else _one_line(e)
        raise SwapError(f"could not put the new build in place ({reason}){problem}") from None
    shutil.rmtree(aside, ignore_errors=True)


def _move_into_place(staging: Path, build: Path, wait: bool = True) -> None:
    """Swap a complete ``staging`` folder in as ``build``, holding ``build``'s lock (safe to call concurrently)."""
    with _locked(build, wait):
        _swap(staging, build)


def _restore(build: Path, aside: Path, renamed: bool, copied: bool) -> str:
    """Put the old build back after a failed swap; '' when done, else where the old build is."""
    try:
        if renamed:
            if build.exists() or build.is_symlink():
                shutil.rmtree(build)
            os.rename(aside, build)
        elif copied:
            _clear(build)
            _copy_checked(aside, build)
            shutil.rmtree(aside, ignore_errors=True)
        elif build.exists():  # there was no build/ before: none after
            shutil.rmtree(build)
        return ""
    except BaseException as e:  # noqa: BLE001 - the message must say where the old build is
        return f"; and putting the old build back failed ({_one_line(e)}): it is in {aside}"


def reproduce(
    notebooks: list[Path] | None = None,
    build: Path | None = None,
    parameters: dict | None = None,
    jobs: int | None = None,
    html_pages: bool = True,
    progress: bool = True,
    results: bool = True,
    wait: bool = True,
    per_package: bool = True,
    workshop: bool | None = None,
) -> RunResult:
    """Execute ``notebooks`` into ``build`` (see the module docstring); returns what happened.

    ``workshop``: put the workshop's committed notebooks on the site (default: when ``notebooks``
    is not given, i.e. a run of the whole site).

    Raises
    ------
    ParameterError
        Before anything runs, for a parameter no notebook takes or a value not allowed.
    PlanError
        Before anything runs, for a notebook that cannot be read or has a name the site needs.
    BuildBusy
        With ``wait=False``, when another run holds ``build``.
    SwapError
        When the new build could not be put in place (``build`` is then as it was).
    """
    workshop = (notebooks is None) if workshop is None else workshop
    notebooks = [Path(n).resolve() for n in (notebooks or find_notebooks())]
    build = Path(build or ROOT / "build").resolve()
    for nb in notebooks:
        if not nb.is_file():
            raise FileNotFoundError(f"no notebook {nb}")
    _check_names(notebooks)
    kernel_environment(os.environ)
    with held({nb.parent for nb in notebooks}):  # zygotes: they import while the plan is checked
        plan = _plan(notebooks, parameters or {}, per_package)
        # the site's pages only for a run that writes them: a run without (--no-html, --refresh) reads
        # neither the manifest nor every notebook of notebooks/ for its title and parameters
        pages, sources, folders = _pages(plan, per_package) if html_pages else ([], {}, {})
        if workshop and html_pages:
            from .site import workshop_page

            extra = workshop_page()
            if extra is not None:
                pages.append(extra)
        with _locked(build, wait):
            _clean_leftovers(build)
            staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(build), dir=build.parent))
            try:
                return _run(plan, build, staging, pages, sources, folders, jobs, html_pages, progress, results)
            finally:
                shutil.rmtree(staging, ignore_errors=True)


def _size(notebook: Path) -> int:
    try:
        return notebook.stat().st_size
    except OSError:
        return 0


def _run(plan, build, staging, pages, sources, folders, jobs, html_pages, progress, results) -> RunResult:
    if html_pages:
        from .site import prepare, render, write_index, write_workshop

    (staging / "notebooks").mkdir()
    (staging / "site").mkdir()
    result = RunResult()
    # one more than the cores: a kernel spends part of its run waiting (starting, sending outputs),
    # and a third notebook fills that time (measured on 2 cores: 12.3 s -> 11.4 s for make reproduce)
    jobs = max(1, min(jobs or (os.cpu_count() or 1) + 1, len(plan)))

    def page(executed: Path) -> Path:
        try:
            return render(executed, staging / "site", pages)[0]
        except Exception as e:  # nbconvert: the notebook ran; its page could not be written
            raise NotebookFailure(
                executed, None, f"rendering HTML failed: {type(e).__name__}", str(e), executed
            ) from None

    # The pages are written in one thread of their own (the workshop's first, while the kernels
    # start, then the templates are compiled; then each notebook's page as it finishes): rendering
    # is Python under one lock, and the process's two exporters export one page at a time, so more
    # threads would not write faster. That thread never outlives the run (an interrupted run waits
    # for it before its staging folder goes).
    aside = ThreadPoolExecutor(max_workers=1)

    def one(item):
        position, job = item
        executed = _execute(job, staging, position, progress, results)
        return aside.submit(page, executed) if html_pages else None, executed

    # Longest first, so that no worker is left alone with the longest notebook at the end. A
    # notebook's committed size (its outputs: figures, tables) is the estimate of its run time.
    longest_first = sorted(range(len(plan)), key=lambda i: -_size(plan[i].notebook))
    workshop = aside.submit(write_workshop, staging / "site", pages) if html_pages else None
    if html_pages:
        aside.submit(prepare)  # an error here would be render's too, and reported from there
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            submitted = {i: pool.submit(one, (i, plan[i])) for i in longest_first}
            for fut in (submitted[i] for i in range(len(plan))):  # results in the plan's order
                try:
                    written, executed = fut.result()
                    result.pages.append(written.result() if written else executed)
                except NotebookFailure as failure:
                    result.failures.append(failure)
    finally:
        aside.shutdown(wait=True)
    if workshop is not None and not result.failures:
        workshop.result()  # its error, if any, is the run's (a failed notebook is reported first)
    if result.failures:
        failed = build / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        for f in result.failures:
            if f.saved and f.saved.exists():
                f.saved = Path(shutil.move(f.saved, failed / f.saved.name))
        return result
    replaced = {"site/index.html"} if html_pages else set()
    for job in plan:
        name = job.name
        replaced |= {f"notebooks/{name}.ipynb", f"failed/{name}.ipynb", f"site/{name}.html", f"site/code/{name}.html"}
        if results and "results_dir" in job.declared:
            replaced.add(job.results)
    if any(p.kind == "workshop" for p in pages):
        replaced |= {"site/workshop", *(f"site/{p.stem}.html" for p in pages if p.kind == "workshop")}
    _carry_over(build, staging, replaced)
    if html_pages:
        write_index(staging / "site", pages, sources, staging, folders)
    _swap(staging, build)
    result.pages = [build / "site" / p.name for p in result.pages] if html_pages else result.pages
    return result


def refresh(notebooks: list[Path] | None = None) -> RunResult:
    """Re-execute the reference notebooks in place with their default parameters (maintainers only).

    They are executed into a temporary folder first and copied over ``notebooks/`` only if
    every one succeeded; papermill's timing metadata is dropped so diffs show content only.
    """
    import nbformat

    notebooks = [Path(n).resolve() for n in (notebooks or find_notebooks())]
    for nb in notebooks:  # a reference notebook carries its defaults, never injected values
        source = nbformat.read(nb, as_version=4)
        kept = [c for c in source.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        if len(kept) != len(source.cells):
            source.cells = kept
            nbformat.write(source, nb)
    with tempfile.TemporaryDirectory() as tmp:  # its lock and staging folder go inside tmp too
        build = Path(tmp) / "build"
        result = reproduce(notebooks, build, {}, html_pages=False, progress=True, results=False, per_package=False)
        if not result.ok:
            return result
        for nb in notebooks:
            executed = nbformat.read(build / "notebooks" / nb.name, as_version=4)
            executed.metadata.pop("papermill", None)
            for cell in executed.cells:
                cell.metadata.pop("papermill", None)
                cell.metadata.pop("execution", None)
            nbformat.write(executed, nb)
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m reanalysis.run [NOTEBOOK ...] [-p NAME VALUE ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m reanalysis.run",
        description="Execute the reanalysis notebooks into build/ (never over notebooks/).",
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: notebooks/*.ipynb)")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter (True/False/None, numbers converted as papermill does)",
    )
    parser.add_argument(
        "-r",
        "--raw",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter to the raw text VALUE",
    )
    parser.add_argument("--build", type=Path, default=ROOT / "build", help="output folder (default: build/)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=None, help="notebooks at once (default: one more than the cores)"
    )
    parser.add_argument("--no-html", action="store_true", help="skip the HTML site")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="if another run is writing the same build folder, stop (exit code 3) instead of waiting for it",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="(maintainers) re-execute notebooks/ in place with the default parameters",
    )
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, not {args.jobs}")
    shown = "build/" if args.build.resolve() == (ROOT / "build").resolve() else str(args.build)
    left = f"{shown} was left as it was before this run."
    try:
        if args.refresh:
            if args.parameter or args.raw:
                parser.error("--refresh runs the default parameters only; reruns with parameters go to build/")
            result = refresh(args.notebooks or None)
            for f in result.failures:
                print(f"FAILED {f}", file=sys.stderr)
            return 0 if result.ok else 1
        parameters = {name: _convert(value) for name, value in args.parameter}
        parameters.update({name: value for name, value in args.raw})
        parameters, said = _absolute_packages(parameters)
        for line in said:
            print(line)
        result = reproduce(
            args.notebooks or None,
            args.build,
            parameters,
            args.jobs,
            not args.no_html,
            not args.no_progress,
            wait=not args.no_wait,
        )
    except (ParameterError, PlanError, FileNotFoundError) as e:
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return 2
    except BuildBusy as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except SwapError as e:
        print(f"error: {e}; {left}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted; {left}", file=sys.stderr)
        return 130
    except OSError as e:  # the build folder cannot be created, locked or written
        print(f"error: {type(e).__name__}: {_one_line(e)}; {left}", file=sys.stderr)
        return 1
    if not result.ok:
        for f in result.failures:
            saved = f" (executed copy: {f.saved})" if f.saved else ""
            print(f"FAILED {f}{saved}", file=sys.stderr)
        print(left, file=sys.stderr)
        return 1
    if args.no_html:
        print(f"wrote {len(result.pages)} executed notebook(s) to {args.build / 'notebooks'}")
    else:
        print(f"wrote {len(result.pages)} page(s) to {args.build / 'site'}; open {args.build / 'site' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
