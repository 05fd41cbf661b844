"""Execute the notebooks with papermill into ``build/``, render them to HTML, index them.

``python -m reanalysis.run`` (what ``make reproduce`` calls) executes every notebook in
``notebooks/`` in parallel (one kernel per core, a progress bar each), writes the
executed copies to ``build/notebooks/``, the HTML pages to ``build/site/`` with an
``index.html``, and each notebook's machine-readable results to ``build/<name>/``.

Nothing is written over ``notebooks/``. Everything is produced in a staging folder first
and moved into place only when every notebook succeeded, so a failed run leaves the
previous ``build/`` as it was, says which notebook and cell failed, and exits non-zero.

Run ``python -m reanalysis.run --help`` for the options; ``-p NAME VALUE`` sets a
parameter the way papermill does (``-r`` keeps the value as raw text).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .params import ParameterError, check_parameters
from .site import Page, render, write_index

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed (jupyterlab pulls it
# in), which compiles a grammar for 1.6 s at every start, to check IRI formats that notebook
# validation never uses. Marking it absent makes jsonschema skip that one format checker.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

__all__ = ["NotebookFailure", "RunResult", "find_notebooks", "reproduce", "refresh", "main", "ROOT"]

#: The repository (the project is installed editable; see ``data.data_root``).
ROOT = Path(__file__).resolve().parents[2]


class NotebookFailure(RuntimeError):
    """A notebook stopped with an error; says which notebook and which cell."""

    def __init__(self, notebook: Path, cell: int | None, ename: str, evalue: str, saved: Path | None = None):
        self.notebook, self.cell, self.ename, self.evalue, self.saved = notebook, cell, ename, evalue, saved
        where = f"{notebook.name}" + (f", cell [{cell}]" if cell is not None else "")
        super().__init__(f"{where}: {ename}: {evalue}")


@dataclass
class RunResult:
    """What a run produced: the pages written, and the failures (empty when it succeeded)."""

    pages: list[Path] = field(default_factory=list)
    failures: list[NotebookFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


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
    import papermill

    return papermill.inspect_notebook(str(notebook))


def _plan(notebooks: list[Path], parameters: dict) -> dict[Path, tuple[dict, set[str]]]:
    """Which parameters go to which notebook (and which it declares); refuse a name no notebook takes."""
    declared = {nb: _declared(nb) for nb in notebooks}
    for name in parameters:
        if not any(name in d for d in declared.values()):
            takes = sorted(set().union(*declared.values())) if declared else []
            raise ParameterError(name, parameters[name], "a parameter of the notebook(s): " + ", ".join(takes))
    checkable = {k: v for k, v in parameters.items() if k != "results_dir"}
    check_parameters(**checkable)  # bad values fail here, before any kernel starts
    return {nb: ({k: v for k, v in parameters.items() if k in declared[nb]}, set(declared[nb])) for nb in notebooks}


def _kernel_manager_class():
    """A kernel manager that provisions CurveZMQ keys when the kernel supports them.

    Without it, ipykernel >= 7 warns on every start that it runs over TCP without
    encryption; this fixes the cause instead of hiding the warning.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    class EncryptedKernelManager(AsyncKernelManager):
        transport_encryption = CaselessStrEnum(["disabled", "auto", "required"], default_value="auto", config=True)

    return EncryptedKernelManager


def _execute(
    notebook: Path, staging: Path, plan: tuple[dict, set[str]], position: int, progress: bool, results: bool
) -> Path:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out = staging / "notebooks" / notebook.name
    params, declared = dict(plan[0]), plan[1]
    if results and "results_dir" in declared:
        params["results_dir"] = str(staging / notebook.stem)
    bar = {"desc": notebook.stem.ljust(12), "position": position, "leave": True} if progress else False
    try:
        papermill.execute_notebook(
            str(notebook),
            str(out),
            parameters=params,
            cwd=str(notebook.parent),
            progress_bar=bar,
            request_save_on_cell_execute=False,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as e:
        raise NotebookFailure(notebook, e.exec_count, e.ename, e.evalue, saved=out) from None
    except Exception as e:  # kernel died, notebook unreadable, ...
        raise NotebookFailure(notebook, None, type(e).__name__, str(e), saved=out if out.exists() else None) from None
    return out


def _pages(notebooks: list[Path]) -> tuple[list[Page], dict[str, Path]]:
    """The site's pages: every notebook of ``notebooks/`` and any other run now, in that order."""
    from .data import available

    sources = {nb.stem: nb for nb in [*find_notebooks(), *notebooks]}
    papers = available()
    order = sorted(sources, key=lambda stem: (stem not in papers, stem != "synthesis", stem))  # papers first
    return [Page(stem, _title(sources[stem])) for stem in order], sources


def _title(notebook: Path) -> str:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def _move_into_place(staging: Path, build: Path) -> None:
    for sub in ("notebooks", "site"):
        for f in sorted(p for p in (staging / sub).rglob("*") if p.is_file()):
            target = build / f.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, target)
    for results in sorted(p for p in staging.iterdir() if p.is_dir() and p.name not in ("notebooks", "site")):
        target = build / results.name
        old = build / f".old-{results.name}"
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(results, target)
        shutil.rmtree(old, ignore_errors=True)


def reproduce(
    notebooks: list[Path] | None = None,
    build: Path | None = None,
    parameters: dict | None = None,
    jobs: int | None = None,
    html_pages: bool = True,
    progress: bool = True,
    results: bool = True,
) -> RunResult:
    """Execute ``notebooks`` into ``build`` (see the module docstring); returns what happened.

    Raises
    ------
    ParameterError
        Before anything runs, for a parameter no notebook takes or a value not allowed.
    """
    notebooks = [Path(n).resolve() for n in (notebooks or find_notebooks())]
    build = Path(build or ROOT / "build").resolve()
    for nb in notebooks:
        if not nb.is_file():
            raise FileNotFoundError(f"no notebook {nb}")
    plan = _plan(notebooks, parameters or {})
    os.environ.setdefault("PYTHONHASHSEED", "0")  # kernels inherit it
    build.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=build))
    (staging / "notebooks").mkdir()
    (staging / "site").mkdir()
    result = RunResult()
    pages, sources = _pages(notebooks)
    try:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(notebooks)))

        def one(item):
            position, nb = item
            executed = _execute(nb, staging, plan[nb], position, progress, results)
            return render(executed, staging / "site", pages)[0] if html_pages else executed

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(one, item) for item in enumerate(notebooks)]
            for fut in futures:
                try:
                    result.pages.append(fut.result())
                except NotebookFailure as failure:
                    result.failures.append(failure)
        if result.failures:
            failed = build / "failed"
            failed.mkdir(exist_ok=True)
            for f in result.failures:
                if f.saved and f.saved.exists():
                    f.saved = Path(shutil.move(f.saved, failed / f.saved.name))
            return result
        _move_into_place(staging, build)
        if html_pages:
            write_index(build / "site", pages, sources, build)
        result.pages = [build / "site" / p.name for p in result.pages] if html_pages else result.pages
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    with tempfile.TemporaryDirectory() as tmp:
        result = reproduce(notebooks, Path(tmp), {}, html_pages=False, progress=True, results=False)
        if not result.ok:
            return result
        for nb in notebooks:
            executed = nbformat.read(Path(tmp) / "notebooks" / nb.name, as_version=4)
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
    parser.add_argument("-j", "--jobs", type=int, default=None, help="notebooks at once (default: one per core)")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML site")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="(maintainers) re-execute notebooks/ in place with the default parameters",
    )
    args = parser.parse_args(argv)
    if args.refresh:
        if args.parameter or args.raw:
            parser.error("--refresh runs the default parameters only; reruns with parameters go to build/")
        result = refresh(args.notebooks or None)
        for f in result.failures:
            print(f"FAILED {f}", file=sys.stderr)
        return 0 if result.ok else 1
    parameters = {name: _convert(value) for name, value in args.parameter}
    parameters.update({name: value for name, value in args.raw})
    try:
        result = reproduce(
            args.notebooks or None, args.build, parameters, args.jobs, not args.no_html, not args.no_progress
        )
    except (ParameterError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not result.ok:
        for f in result.failures:
            saved = f" (executed copy: {f.saved})" if f.saved else ""
            print(f"FAILED {f}{saved}", file=sys.stderr)
        print("build/ was left as it was before this run.", file=sys.stderr)
        return 1
    print(f"wrote {len(result.pages)} page(s) to {args.build / 'site'}; open {args.build / 'site' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
