"""Run a notebook's code in this process, and rerun it with other parameters executing only what they change.

A notebook's code cells are split into top-level statements. For each statement the names it reads
and the names it binds are found from its syntax tree (``ast``): assignment targets, imports, and
the objects it may change in place (the root name of an assigned attribute or item, or of a method
call's receiver). A rerun starts from a full run with the default parameters, sets the changed
parameters after the parameters cell, and then goes through the statements in order: one that reads
a changed name is executed (and what it binds is changed in turn); any other is replayed, its
bindings taken from the full run as they were right after it ran there (so a name bound twice has
the right value at each point). The statements replayed read exactly what they read in the full
run, so they would compute the same; what a parameter can change is executed. A name whose object a
later statement changed in place in the full run (its content at the end differs from its content
when bound) is always bound afresh, so that no executed statement reads an object in a later state.

The analysis over-approximates (a name read anywhere in a statement, nested scopes included, counts
as read), and rests on the package's rule that its functions do not change their arguments;
``tests/test_notebooks.py`` checks, for one parameter of each notebook, that a rerun ends with the
same namespace as a full run.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from types import BuiltinFunctionType, CodeType, FunctionType, ModuleType, SimpleNamespace

import pandas as pd


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a code cell, compiled, with the names it reads and binds."""

    code: CodeType
    reads: frozenset[str]
    binds: frozenset[str]
    parameters: bool  # in the cell tagged "parameters"


@dataclass
class Run:
    """A run's namespace, what each statement bound (right after it ran) and how many were executed."""

    notebook: Path
    namespace: dict
    bound: list[dict] = field(repr=False)
    executed: int
    changed_in_place: frozenset[str] = frozenset()


def _root(node: ast.AST) -> str | None:
    """The name an attribute or item chain starts from (``a`` in ``a.b[c].d``), if any."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _names(tree: ast.AST) -> tuple[frozenset[str], frozenset[str]]:
    reads, binds = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (reads if isinstance(node.ctx, ast.Load) else binds).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if any(alias.name == "*" for alias in node.names):
                raise ValueError("a star import hides what it binds")
            binds.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            binds.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            binds.update(node.names)
        elif isinstance(node, ast.Attribute | ast.Subscript) and not isinstance(node.ctx, ast.Load):
            binds.add(_root(node))  # changed in place: a.b = ..., a[k] = ..., del a[k]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            binds.add(_root(node.func.value))  # a method may change its object: a.sort(), a.b.append()
    binds.discard(None)
    return frozenset(reads), frozenset(binds)


@functools.cache
def statements(notebook: Path) -> tuple[Statement, ...]:
    """The notebook's code as top-level statements, in order."""
    out = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        parameters = "parameters" in cell["metadata"].get("tags", [])
        for node in ast.parse("".join(cell["source"]), str(notebook)).body:
            code = compile(ast.Module([node], type_ignores=[]), str(notebook), "exec")
            out.append(Statement(code, *_names(node), parameters))
    return tuple(out)


def run(notebook: Path, **overrides) -> Run:
    """Execute every statement, with ``overrides`` set after the parameters cell (as papermill would).

    What each statement bound is kept, and so is which names held an object that a later statement
    changed in place (its content at the end differs from its content when bound): a rerun executes
    the statement that binds such a name, so that it never reads an object in a later state."""
    namespace: dict = {}
    bound, digests, parameters = [], [], False
    for statement in statements(notebook):
        if parameters and not statement.parameters:
            namespace.update(overrides)
        parameters = statement.parameters
        exec(statement.code, namespace)  # noqa: S102
        bound.append({name: namespace[name] for name in statement.binds if name in namespace})
        digests.append({name: _digest(value) for name, value in bound[-1].items()})
    _close_figures()
    changed = frozenset(
        name
        for then, now in zip(digests, bound, strict=True)
        for name, value in now.items()
        if _digest(value) != then[name]
    )
    return Run(notebook, namespace, bound, len(bound), changed)


def _digest(value) -> bytes | None:
    """The content of a value, for telling whether it changed (None for modules, functions and
    classes, which no statement changes). By content, not by pickle: pickling the same frame
    after pandas has shared or copied an object inside it gives other bytes."""
    if isinstance(value, ModuleType | type | FunctionType | BuiltinFunctionType):
        return None
    h = hashlib.blake2b(digest_size=16)
    _feed(h, value)
    return h.digest()


def _feed(h, value) -> None:
    h.update(type(value).__qualname__.encode())
    if isinstance(value, pd.DataFrame | pd.Series | pd.Index):
        try:
            h.update(pd.util.hash_pandas_object(value, index=not isinstance(value, pd.Index)).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists, dicts): their pickle
            h.update(pickle.dumps(value))
        for part in ("columns", "dtypes", "name", "attrs", *getattr(value, "_metadata", ())):
            if hasattr(value, part):
                _feed(h, getattr(value, part) if part != "dtypes" else list(map(str, value.dtypes)))
    elif isinstance(value, dict):
        for key, item in value.items():
            _feed(h, key)
            _feed(h, item)
    elif isinstance(value, list | tuple):
        h.update(str(len(value)).encode())
        for item in value:
            _feed(h, item)
    elif dataclasses.is_dataclass(value) or isinstance(value, SimpleNamespace):
        _feed(h, vars(value))
    elif isinstance(value, str | bytes | int | float | complex | bool | type(None) | Path):
        h.update(repr(value).encode())
    else:
        try:
            h.update(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 (a value pickle refuses: assume it changed)
            h.update(os.urandom(16))


def rerun(base: Run, **overrides) -> Run:
    """``base`` (a full run) with ``overrides``: only the statements that read a changed name are executed."""
    namespace: dict = {}
    bound, changed, executed, parameters = [], set(), 0, False
    for statement, before in zip(statements(base.notebook), base.bound, strict=True):
        if parameters and not statement.parameters:
            namespace.update(overrides)
            changed.update(overrides)
        parameters = statement.parameters
        if statement.reads & changed or statement.binds & base.changed_in_place:
            exec(statement.code, namespace)  # noqa: S102
            executed += 1
            binds = {name for name in statement.binds if not isinstance(namespace.get(name), ModuleType)}
            changed |= binds
            bound.append({name: namespace[name] for name in statement.binds if name in namespace})
        else:
            namespace.update(before)
            changed -= statement.binds  # bound again from unchanged inputs: as in the full run
            bound.append(before)
    _close_figures()
    return Run(base.notebook, namespace, bound, executed, base.changed_in_place)


def _close_figures() -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


def reached(notebook: Path, name: str) -> int:
    """How many statements read ``name`` or, in turn, what those bind (without running anything)."""
    changed, count = {name}, 0
    for statement in statements(notebook):
        if not statement.parameters and statement.reads & changed:
            changed |= statement.binds
            count += 1
    return count
