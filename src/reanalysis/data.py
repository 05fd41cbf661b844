"""Load and validate a paper's data package (``data/<paper_id>/``).

A data package is a folder with

- ``paper.toml``: citation, DOI, registration, licence, arms (with assigned and
  analysed n), time points;
- ``paper.txt``: the text the numbers were read from (for the provenance check);
- ``descriptives.csv``: one row per printed descriptive number (n, mean, SD, %, ...);
- ``inferences.csv``: one row per printed inference (p-value, CI, OR, power, a derived
  change or ratio) pointing at the descriptive rows it is about;
- optional ``registration.csv``: the registry record field by field against the paper;
- optional ``conclusions.csv``: the paper's own conclusions, verbatim, with what each rests on.

Every value stays the text the paper printed. The validator reads the CSV files with the
standard library (not pandas) so that each problem is reported with file, line, column
and what was expected, before any analysis runs. See ``data/README.md`` for the format.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .markup import escape_markdown  # a paper id is a folder name: any text
from .packages import available, data_root, paper_dir
from .printed import is_number, normalise, number_from_words, parse
from .vocabulary import (
    CONSEQUENCES,
    FINDING_CAUSES,
    NOT_AVAILABLE,
    REGISTRATION_AGREEMENT,
    REGISTRATION_FIELDS,
    verbal_p,
)

__all__ = [
    "DataError",
    "Paper",
    "DESCRIPTIVE_COLUMNS",
    "INFERENCE_COLUMNS",
    "REGISTRATION_COLUMNS",
    "CONCLUSION_COLUMNS",
    "STATISTICS",
    "KINDS",
    "data_root",
    "paper_dir",
    "available",
    "load",
    "validate",
    "quote_in_text",
    "value_in_quote",
    "count_numbers",
    "counts_markdown",
]

DESCRIPTIVE_COLUMNS = (
    "id",
    "section",
    "location",
    "arm",
    "subgroup",
    "timepoint",
    "variable",
    "unit",
    "statistic",
    "value",
    "quote",
    "note",
)
#: Columns a descriptives.csv may have besides :data:`DESCRIPTIVE_COLUMNS` (empty when absent):
#: ``category`` names one category of a categorical variable (a row of a 2xk table).
OPTIONAL_DESCRIPTIVE_COLUMNS = ("category",)
#: ``descriptives.csv:variable`` of the n printed in a table's header or column ("n = 41"):
#: it binds every row of the same ``section`` (and time point, if it has one).
TABLE_N = "table_n"
INFERENCE_COLUMNS = (
    "id",
    "section",
    "location",
    "kind",
    "variable",
    "timepoint",
    "comparison",
    "arms",
    "value",
    "ci_low",
    "ci_high",
    "ci_level",
    "refers_to",
    "method_stated",
    "quote",
    "recomputable",
    "reason",
    "note",
)
#: Columns of the optional ``registration.csv``: one row per field of the registry record
#: (:data:`reanalysis.vocabulary.REGISTRATION_FIELDS`), the registry's value beside the paper's.
REGISTRATION_COLUMNS = (
    "field",
    "registry_value",
    "paper_value",
    "registry_source",
    "paper_location",
    "paper_quote",
    "agrees",
    "note",
)
#: Columns of the optional ``conclusions.csv``: one row per conclusion the paper draws (abstract,
#: discussion), verbatim, and what it rests on: ``;``-separated ``claim:<inference id>`` (an id of
#: inferences.csv, optionally ``@<time point>`` as the audit splits it) and
#: ``sensitivity:<analysis>`` or ``sensitivity:<analysis>|<setting>`` (rows of sensitivity.csv).
CONCLUSION_COLUMNS = ("id", "location", "quote", "rests_on", "note")
_REST = re.compile(r"^(claim|sensitivity):(.+)$")

#: Allowed values of ``descriptives.csv:statistic``.
STATISTICS = (
    "n",
    "count",
    "percent",
    "mean",
    "sd",
    "sem",
    "median",
    "q1",
    "q3",
    "min",
    "max",
    "value",
)
#: Allowed values of ``inferences.csv:kind``.
KINDS = (
    "p_value",
    "ci",
    "difference",
    "change",
    "percent_change",
    "ratio",
    "odds_ratio",
    "power",
)
COMPARISONS = ("between", "within", "none")
_NONNEGATIVE = {"n", "count", "percent", "sd", "sem"}
_INTEGER = {"n", "count"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
#: Arm id meaning "the whole analysed population", allowed besides the paper's arms.
ALL_ARMS = "all"
#: A p-value cell that prints no number ("NA", "-"): kept, audited as not reproducible.
_NOT_PRINTED = ("na", "n/a", "-", "nr")


class DataError(ValueError):
    """A data package does not follow the format: says file, line, column and what was expected.

    ``column`` is a CSV column, or for ``paper.toml`` the dotted key (shown as ``key '...'``);
    ``position`` is the character in the line where that is known (a TOML syntax error, a
    byte that is not UTF-8), shown as ``file:line:position``.
    """

    def __init__(
        self, path: Path | str, line: int | None, column: str | None, message: str, position: int | None = None
    ):
        self.path, self.line, self.column, self.message = str(path), line, column, message
        self.position = position
        what = "key" if self.path.endswith(".toml") else "column"
        where = (
            self.path
            + (f":{line}" if line else "")
            + (f":{position}" if line and position else "")
            + (f": {what} '{column}'" if column else "")
        )
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Paper:
    """A loaded, validated data package.

    Attributes
    ----------
    id : the paper id (folder name), e.g. ``"zang2022"``.
    path : the package folder.
    meta : the parsed ``paper.toml``.
    descriptives, inferences : the CSV files as DataFrames of strings (as printed).
    registration, conclusions : the optional ``registration.csv`` and ``conclusions.csv`` (None when absent).
    curated : the optional ``findings.toml``: wording for the package's findings (see
        :func:`read_curated`); empty when the package has none.
    """

    id: str
    path: Path
    meta: dict
    descriptives: pd.DataFrame = field(repr=False)
    inferences: pd.DataFrame = field(repr=False)
    registration: pd.DataFrame | None = field(default=None, repr=False)
    conclusions: pd.DataFrame | None = field(default=None, repr=False)
    curated: dict = field(default_factory=dict, repr=False)

    @property
    def arms(self) -> dict:
        """Arm id -> its table in ``paper.toml`` (label, assigned, analysed, optional completed)."""
        return self.meta["arms"]

    @property
    def timepoints(self) -> list[str]:
        """Time point ids in the order the paper follows them."""
        return [t["id"] for t in self.meta["timepoints"]]

    def name(self, variable: str) -> str:
        """A variable's name for readers: ``[variables]`` in ``paper.toml``, else its slug in words."""
        return self.meta.get("variables", {}).get(variable) or str(variable).replace("_", " ")

    @property
    def text(self) -> str:
        """The paper's text, as transcribed from."""
        return (self.path / self.meta.get("text", "paper.txt")).read_text(encoding="utf-8")

    def __repr__(self) -> str:
        return (
            f"Paper(id={self.id!r}, descriptives={len(self.descriptives)}, "
            f"inferences={len(self.inferences)}, arms={list(self.arms)})"
        )


# --------------------------------------------------------------------------- reading

#: A file larger than this is refused before it is read (a paper's text is well under 1 MB).
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Text keys of ``paper.toml`` (each a string when present).
_META_TEXT = (
    "id",
    "title",
    "citation",
    "doi",
    "registration",
    "licence",
    "text",
    "design",
    "primary_endpoint",
    "stratification_location",
    "stratification_quote",
)
#: The provenance ``stratified_on`` needs (its quote is checked against the paper's text).
_STRATIFICATION_PROVENANCE = ("stratification_location", "stratification_quote")
#: Characters no field may hold: C0 controls but tab and line breaks, DEL, the bidirectional
#: overrides and isolates (which make text display other than it reads), and the lone
#: surrogates that stand for bytes that are not UTF-8.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _inside(folder: Path, path: Path, toml: Path | None = None, key: str | None = None) -> Path:
    """``path`` resolved, refused unless it lies inside the package ``folder`` (symbolic links followed)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        line = _toml_line(_read_text(toml), (key,)) if toml and key else None
        raise DataError(toml or path, line, key, f"{path.name!r} resolves outside the data package ({resolved})")
    return resolved


def _read_text(path: Path) -> str:
    """A file's text, UTF-8 (a byte-order mark is dropped); refused with the line and character
    of the first byte that is not UTF-8."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DataError(path, None, None, f"larger than {MAX_FILE_BYTES // 2**20} MiB; not a data package file")
    data = path.read_bytes()
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        start = data.rfind(b"\n", 0, e.start) + 1
        position = len(data[start : e.start].decode("utf-8", "replace")) + 1
        raise DataError(
            path, line, None, f"not UTF-8: byte 0x{data[e.start]:02X}; save the file as UTF-8", position=position
        ) from None


def _toml_line(text: str, key: tuple) -> int | None:
    """The line of ``paper.toml`` that defines ``key`` (``("arms", "x", "label")``,
    ``("timepoints", 2, "id")``): the line of the key itself, else of the nearest enclosing
    table or inline table. Best effort: None when it cannot tell."""
    table: tuple = ()
    seen: dict[tuple, int] = {}
    best, depth = None, 0

    def parts(name: str) -> tuple:
        return tuple(p.strip().strip("\"'") for p in name.split("."))

    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if s.startswith("[["):
            name = parts(s[2 : s.find("]]")])
            seen[name] = seen.get(name, -1) + 1
            full = table = (*name, seen[name])
        elif s.startswith("["):
            full = table = parts(s[1 : s.find("]")])
        elif "=" in s and not s.startswith("#"):
            full = table + parts(s.split("=", 1)[0])
        else:
            continue
        if full == key[: len(full)] and len(full) > depth:
            best, depth = n, len(full)
            if len(full) == len(key):
                return n
    return best


def _meta_error(path: Path, text: str, key: tuple, message: str) -> DataError:
    return DataError(path, _toml_line(text, key), ".".join(map(str, key)), message)


def _is_int(value) -> bool:
    """An integer that is not a bool (``True`` is an ``int`` in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_toml(path: Path, text: str) -> dict:
    """``text`` (the file ``path``) as TOML, or a DataError naming its line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        at = re.search(r"at line (\d+), column (\d+)", str(e))
        line, position = (int(at[1]), int(at[2])) if at else (getattr(e, "lineno", None), getattr(e, "colno", None))
        raise DataError(path, line, None, f"not valid TOML ({e})", position=position) from None
    except RecursionError:
        raise DataError(path, None, None, "not valid TOML (nested too deeply)") from None


def _read_meta(folder: Path) -> dict:
    path = folder / "paper.toml"
    if not path.is_file():
        raise DataError(path, None, None, "missing: every data package needs a paper.toml")
    _inside(folder, path)
    text = _read_text(path)
    meta = _parse_toml(path, text)

    def fail(key: tuple, message: str) -> DataError:
        return _meta_error(path, text, key, message)

    for key in ("id", "citation", "doi", "licence", "arms", "timepoints"):
        if key not in meta:
            raise DataError(path, None, key, "missing key")
    for key in _META_TEXT:
        if key in meta and not isinstance(meta[key], str):
            raise fail((key,), f"expected a string, got {type(meta[key]).__name__} {meta[key]!r}")
        if key in meta and _FORBIDDEN.search(meta[key]):
            raise fail((key,), "contains a control character")
    if meta["id"] != folder.name:
        raise fail(("id",), f"expected the folder name {folder.name!r}, got {meta['id']!r}")
    if not meta["citation"].strip():
        raise fail(("citation",), "must not be empty")
    if "alpha" in meta and not (
        isinstance(meta["alpha"], (int, float)) and not isinstance(meta["alpha"], bool) and 0 < meta["alpha"] < 1
    ):
        raise fail(("alpha",), f"expected a significance level between 0 and 1, got {meta['alpha']!r}")
    if not isinstance(meta["arms"], dict) or not meta["arms"]:
        raise fail(("arms",), "expected a table [arms.<id>] for each arm")
    for arm, spec in meta["arms"].items():
        if arm == ALL_ARMS or not _SLUG.match(arm):
            raise fail(("arms", arm), "expected a lower-case slug other than 'all'")
        if not isinstance(spec, dict):
            raise fail(("arms", arm), f"expected a table [arms.{arm}] with label, assigned, analysed; got {spec!r}")
        for key in ("label", "assigned", "analysed"):
            if key not in spec:
                raise fail(("arms", arm, key), "missing key")  # at the line of [arms.<id>]
        if not isinstance(spec["label"], str) or not spec["label"].strip() or _FORBIDDEN.search(spec["label"]):
            raise fail(("arms", arm, "label"), f"expected a non-empty string, got {spec['label']!r}")
        for key in ("assigned", "analysed", "completed"):
            if key in spec and (not _is_int(spec[key]) or spec[key] < (0 if key == "completed" else 1)):
                kind = "a whole number" if key == "completed" else "a positive integer"
                raise fail(("arms", arm, key), f"expected {kind}, got {spec[key]!r}")
        for key in ("analysed", "completed"):
            if key in spec and spec[key] > spec["assigned"]:
                raise fail(("arms", arm, key), f"{key} ({spec[key]}) exceeds assigned ({spec['assigned']})")
    for key, what in (("integer_valued", "whole-number measurements"), ("binary_valued", "0/1 measurements")):
        listed = meta.get(key, [])
        if not isinstance(listed, list) or not all(isinstance(v, str) and _SLUG.match(v) for v in listed):
            raise fail((key,), f"expected a list of variable slugs ({what})")
    listed = meta.get("stratified_on", [])
    if not isinstance(listed, list) or not all(isinstance(v, str) and _SLUG.match(v) for v in listed):
        raise fail(
            ("stratified_on",), "expected a list of variable slugs (the variables randomisation was stratified on)"
        )
    if listed and not all(isinstance(meta.get(k), str) and meta[k].strip() for k in _STRATIFICATION_PROVENANCE):
        raise fail(("stratified_on",), "stratified_on needs stratification_location and stratification_quote (strings)")
    models = meta.get("models", [])
    if not isinstance(models, list):
        raise fail(("models",), "expected [[models]] tables")
    for i, m in enumerate(models):
        if not isinstance(m, dict):
            raise fail(("models", i), "expected a [[models]] table")
        for key in ("id", "label", "population", "outcome", "timepoint", "location", "quote"):
            if not isinstance(m.get(key), str) or not m[key].strip() or _FORBIDDEN.search(m[key]):
                raise fail(("models", i, key), f"expected a non-empty string, got {m.get(key)!r}")
        if m["population"] != ALL_ARMS and m["population"] not in meta["arms"]:
            raise fail(("models", i, "population"), f"expected 'all' or an arm id, got {m['population']!r}")
        vs = m.get("variables")
        if not isinstance(vs, list) or not vs or not all(isinstance(v, str) and _SLUG.match(v) for v in vs):
            raise fail(("models", i, "variables"), "expected a non-empty list of variable slugs")
        if not isinstance(m.get("variables_complete"), bool):
            raise fail(("models", i, "variables_complete"), "expected true (the paper lists every candidate) or false")
    labels = meta.get("variables", {})
    if not isinstance(labels, dict):
        raise fail(("variables",), "expected a table [variables] of variable slug = label")
    for var, label in labels.items():
        if not _SLUG.match(var):
            raise fail(("variables", var), f"expected a variable slug, got {var!r}")
        if not isinstance(label, str) or not label.strip() or _FORBIDDEN.search(label):
            raise fail(
                ("variables", var), f"expected a non-empty string (the variable's name for readers), got {label!r}"
            )
    if not isinstance(meta["timepoints"], list) or not meta["timepoints"]:
        raise fail(("timepoints",), "expected [[timepoints]] tables with an id")
    ids: set[str] = set()
    for i, t in enumerate(meta["timepoints"]):
        if not isinstance(t, dict) or "id" not in t:
            raise fail(("timepoints", i), "expected [[timepoints]] tables with an id")
        if not isinstance(t["id"], str) or not _SLUG.match(t["id"]) or t["id"] == ALL_ARMS:
            raise fail(("timepoints", i, "id"), f"expected a lower-case slug (a-z, 0-9, _ . -), got {t['id']!r}")
        if t["id"] in ids:
            raise fail(("timepoints", i, "id"), f"time point {t['id']!r} is defined twice")
        ids.add(t["id"])
        if "label" in t and (not isinstance(t["label"], str) or _FORBIDDEN.search(t["label"])):
            raise fail(("timepoints", i, "label"), f"expected a string, got {t['label']!r}")
    name = meta.get("text", "paper.txt")
    relative = Path(name)
    if not name.strip() or relative.is_absolute() or ".." in relative.parts or name.startswith("~"):
        raise fail(("text",), f"expected a file name inside the data package, got {name!r}")
    return meta


def _over_limit(text: str, limit: int) -> int:
    """The index of the first field of a CSV record (``text`` from its start) longer than ``limit``."""
    field, length, quoted = 0, 0, False
    i = 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == '"' and text[i + 1 : i + 2] == '"':
                i += 1
            elif c == '"':
                quoted = False
                i += 1
                continue
        elif c == '"':
            quoted = True
            i += 1
            continue
        elif c == ",":
            field, length = field + 1, 0
            i += 1
            continue
        elif c in "\r\n":
            break
        length += 1
        if length > limit:
            return field
        i += 1
    return field


def _read_csv(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    """Rows of a CSV file as (line number, dict of strings); checks the header.

    Optional columns missing from the header read as empty strings."""
    if not path.is_file():
        raise DataError(path, None, None, "missing file")
    data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else _read_text(path).encode()
    # bytes that are not UTF-8 become lone surrogates, reported below with their row and column
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    line = 0

    def fail(message: str) -> DataError:
        start = line + 1
        record = "".join(text.splitlines(keepends=True)[start - 1 :])
        index = _over_limit(record, csv.field_size_limit())
        name = header[index] if "larger than field limit" in message and index < len(header) else None
        return DataError(path, start, name, f"not a readable CSV file ({message})")

    try:
        header = next(reader)
    except StopIteration:
        raise DataError(path, 1, None, f"empty file; expected the header {','.join(columns)}") from None
    except csv.Error as e:
        raise fail(str(e)) from None
    for i, name in enumerate(header):
        if _FORBIDDEN.search(name):
            bad = _FORBIDDEN.search(name)[0]
            raise DataError(path, 1, None, _bad_character(bad), position=len(",".join(header[:i])) + bool(i) + 1)
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataError(path, 1, missing[0], f"missing column; the header must have {','.join(columns)}")
    unknown = [c for c in header if c not in columns + optional]
    if unknown:
        raise DataError(path, 1, unknown[0], f"unknown column; allowed: {','.join(columns + optional)}")
    repeated = [c for i, c in enumerate(header) if c in header[:i]]
    if repeated:
        raise DataError(path, 1, repeated[0], "repeated column: each column appears once in the header")
    absent = {c: "" for c in optional if c not in header}
    rows = []
    line = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise fail(str(e)) from None
        start, line = line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DataError(path, start, None, f"expected {len(header)} fields, got {len(values)}")
        for i, v in enumerate(values):
            bad = _FORBIDDEN.search(v)
            if bad:
                before = "".join(values[:i]) + v[: bad.start()]
                raise DataError(path, start + before.count("\n"), header[i], _bad_character(bad[0]))
        rows.append((start, {**dict(zip(header, values, strict=True)), **absent}))
    return rows


def _bad_character(c: str) -> str:
    if "\udc80" <= c <= "\udcff":
        return f"not UTF-8: byte 0x{ord(c) - 0xDC00:02X}; save the file as UTF-8"
    return f"contains the control character U+{ord(c):04X}"


# --------------------------------------------------------------------------- checks


def _number(text: str) -> bool:
    """A printed number the audit can use: ASCII digits, finite."""
    if not is_number(text) or any(c.isdigit() and not c.isascii() for c in text):
        return False
    return math.isfinite(parse(text).value)


def _check_descriptives(path: Path, rows, meta, ids: dict) -> None:
    arms = set(meta["arms"]) | {ALL_ARMS}
    timepoints = {t["id"] for t in meta["timepoints"]}
    for line, r in rows:
        _check_common(path, line, r, ids)
        if r["arm"] not in arms:
            raise DataError(path, line, "arm", f"unknown arm {r['arm']!r}; expected one of {sorted(arms)}")
        if r["timepoint"] and r["timepoint"] not in timepoints:
            raise DataError(
                path,
                line,
                "timepoint",
                f"unknown time point {r['timepoint']!r}; expected one of {sorted(timepoints)} or empty",
            )
        for col in ("subgroup", "category"):
            if r[col] and not _SLUG.match(r[col]):
                raise DataError(path, line, col, f"expected a lower-case slug or empty, got {r[col]!r}")
        if r["category"] and r["statistic"] not in ("count", "percent"):
            raise DataError(path, line, "category", "only a count or percent row belongs to a category")
        if r["variable"] == TABLE_N and r["statistic"] != "n":
            raise DataError(path, line, "statistic", f"a {TABLE_N} row is a table's printed n: statistic must be n")
        if r["statistic"] not in STATISTICS:
            raise DataError(
                path, line, "statistic", f"unknown statistic {r['statistic']!r}; expected one of {list(STATISTICS)}"
            )
        if not _number(r["value"]) or parse(r["value"]).comparator != "=":
            raise DataError(path, line, "value", f"expected a number as printed (e.g. 7.49), got {r['value']!r}")
        v = parse(r["value"])
        stat = r["statistic"]
        if stat in _NONNEGATIVE and v.value < 0:
            raise DataError(path, line, "value", f"a {stat} cannot be negative, got {r['value']!r}")
        if stat in _INTEGER and v.decimals:
            raise DataError(path, line, "value", f"a {stat} must be a whole number, got {r['value']!r}")
        if stat == "percent" and v.value > 100:
            raise DataError(path, line, "value", f"a percentage cannot exceed 100, got {r['value']!r}")
    # A count cannot exceed its n: the n row of the same arm/subgroup/time/variable, else the
    # arm's n (a subgroup is part of its arm). A subgroup's n cannot exceed its arm's n either.
    key = lambda r: (r["arm"], r["subgroup"], r["timepoint"], r["variable"])  # noqa: E731
    ns = {key(r): parse(r["value"]).value for _, r in rows if r["statistic"] == "n"}
    for line, r in rows:
        if r["statistic"] not in ("count", "n") or (r["statistic"] == "n" and not r["subgroup"]):
            continue
        n = ns.get(key(r)) if r["statistic"] == "count" else None
        if n is None and r["arm"] in meta["arms"]:
            n = max(meta["arms"][r["arm"]]["assigned"], meta["arms"][r["arm"]]["analysed"])
        if n is None and r["arm"] == ALL_ARMS and r["statistic"] == "count":
            n = sum(a["assigned"] for a in meta["arms"].values())
        if n is not None and parse(r["value"]).value > n:
            whose = "its n" if r["statistic"] == "count" else f"the n of arm {r['arm']!r}"
            raise DataError(path, line, "value", f"{r['statistic']} {r['value']} is larger than {whose} ({n:g})")


def _check_inferences(path: Path, rows, meta, ids: dict) -> None:
    arms = set(meta["arms"]) | {ALL_ARMS}
    timepoints = {t["id"] for t in meta["timepoints"]}
    for line, r in rows:
        _check_common(path, line, r, ids)
        if r["kind"] not in KINDS:
            raise DataError(path, line, "kind", f"unknown kind {r['kind']!r}; expected one of {list(KINDS)}")
        if r["comparison"] not in COMPARISONS:
            raise DataError(path, line, "comparison", f"expected one of {list(COMPARISONS)}, got {r['comparison']!r}")
        for arm in _split(r["arms"]):
            if arm not in arms:
                raise DataError(
                    path, line, "arms", f"unknown arm {arm!r}; expected ';'-separated ids from {sorted(arms)}"
                )
        for tp in _split(r["timepoint"]):
            if tp not in timepoints:
                raise DataError(
                    path,
                    line,
                    "timepoint",
                    f"unknown time point {tp!r}; expected ';'-separated ids from {sorted(timepoints)}",
                )
        for col in ("value", "ci_low", "ci_high", "ci_level"):
            words = verbal_p(r[col]) or r[col].strip().lower() in _NOT_PRINTED
            if col == "value" and r["kind"] == "p_value" and words:
                continue  # "not significant", "n.s.", "NA": significance in words, or no number printed
            if r[col] and not _number(r[col]):
                raise DataError(
                    path, line, col, f"expected a number as printed (e.g. 0.0268 or < 0.05), got {r[col]!r}"
                )
        if not (r["value"] or r["ci_low"]):
            raise DataError(path, line, "value", "expected a printed value or a confidence interval")
        if bool(r["ci_low"]) != bool(r["ci_high"]):
            raise DataError(path, line, "ci_high" if r["ci_low"] else "ci_low", "a CI needs both limits")
        if r["ci_low"] and parse(r["ci_low"]).value > parse(r["ci_high"]).value:
            raise DataError(
                path, line, "ci_high", f"the upper limit {r['ci_high']!r} is below the lower limit {r['ci_low']!r}"
            )
        if r["ci_level"] and not 0 < parse(r["ci_level"]).value < 100:
            raise DataError(path, line, "ci_level", f"a confidence level in (0, 100), got {r['ci_level']!r}")
        if r["kind"] == "p_value" and r["value"] and _number(r["value"]):
            p = parse(r["value"]).value
            if not 0 <= p <= 1:
                raise DataError(path, line, "value", f"a p-value lies in [0, 1], got {r['value']!r}")
        if r["kind"] == "power" and r["value"] and not 0 <= parse(r["value"]).value <= 100:
            raise DataError(path, line, "value", f"power is a percentage in [0, 100], got {r['value']!r}")
        if r["recomputable"] not in ("yes", "no"):
            raise DataError(path, line, "recomputable", f"expected 'yes' or 'no', got {r['recomputable']!r}")
        if r["recomputable"] == "no" and not r["reason"].strip():
            raise DataError(path, line, "reason", "a number that cannot be recomputed needs a stated reason")


def _check_references(path: Path, rows, descriptives: dict, inferences: dict) -> None:
    """``refers_to`` names known rows of the right arms (and, for a between-arm p-value, time points).

    Every row referred to belongs to one of the row's ``arms`` (a ``change`` to its own arm);
    a p-value comparing two or more arms refers to rows of its time points (or of none, a flow n).
    A p-value between subgroups of one arm may refer to the rows that define the subgroups.
    """
    for line, r in rows:
        own = set(_split(r["arms"]))
        tps = set(_split(r["timepoint"]))
        between = r["kind"] == "p_value" and r["comparison"] == "between" and len(own - {ALL_ARMS}) >= 2
        for ref in _split(r["refers_to"]):
            if ref == r["id"]:
                raise DataError(path, line, "refers_to", f"row {ref!r} refers to itself")
            if ref in descriptives:
                d = descriptives[ref]
                if own and d["arm"] not in own:
                    raise DataError(
                        path,
                        line,
                        "refers_to",
                        f"{ref!r} is a row of arm {d['arm']!r}, not of this row's arms {sorted(own)}",
                    )
                if between and tps and d["timepoint"] and d["timepoint"] not in tps:
                    raise DataError(
                        path,
                        line,
                        "refers_to",
                        f"{ref!r} is a row of time point {d['timepoint']!r}, not of this p-value's {sorted(tps)}",
                    )
            elif ref in inferences:
                theirs = set(_split(inferences[ref]["arms"]))
                if own and not theirs <= own:
                    raise DataError(
                        path,
                        line,
                        "refers_to",
                        f"{ref!r} is about arms {sorted(theirs)}, not within this row's arms {sorted(own)}",
                    )
            else:
                raise DataError(path, line, "refers_to", f"unknown id {ref!r}")


def _check_common(path: Path, line: int, r: dict, ids: dict) -> None:
    if not _SLUG.match(r["id"]):
        raise DataError(path, line, "id", f"expected a lower-case slug (a-z, 0-9, _ . -), got {r['id']!r}")
    if r["id"] in ids:
        first = ids[r["id"]]
        raise DataError(path, line, "id", f"duplicate id {r['id']!r} (first at {first[0].name}:{first[1]})")
    ids[r["id"]] = (path, line)
    for col in ("section", "location", "quote"):
        if not r[col].strip():
            raise DataError(path, line, col, "must not be empty: every number needs its provenance")
    for col in ("section", "variable"):
        if not _SLUG.match(r[col]):
            raise DataError(path, line, col, f"expected a lower-case slug (a-z, 0-9, _ . -), got {r[col]!r}")


def _check_registration(path: Path, rows, text: str, name: str) -> None:
    """Each field once, from the named list; a registry value needs its source, a missing one says so."""
    seen: dict[str, int] = {}
    for line, r in rows:
        if r["field"] not in REGISTRATION_FIELDS:
            raise DataError(
                path, line, "field", f"unknown field {r['field']!r}; expected one of {list(REGISTRATION_FIELDS)}"
            )
        if r["field"] in seen:
            raise DataError(path, line, "field", f"field {r['field']!r} repeated (first at line {seen[r['field']]})")
        seen[r["field"]] = line
        if not r["registry_source"].strip():
            raise DataError(
                path,
                line,
                "registry_source",
                f"must not be empty: a URL with its snapshot date, or '{NOT_AVAILABLE}: why'",
            )
        unread = r["registry_source"].strip().lower().startswith(NOT_AVAILABLE)
        if unread and r["registry_value"].strip():
            raise DataError(path, line, "registry_value", "a record that was not read has no value: leave it empty")
        if not unread and not r["registry_value"].strip():
            raise DataError(
                path,
                line,
                "registry_value",
                f"empty, but the source is not '{NOT_AVAILABLE}': say what the record says",
            )
        if r["agrees"] not in REGISTRATION_AGREEMENT:
            raise DataError(
                path, line, "agrees", f"expected one of {list(REGISTRATION_AGREEMENT)}, got {r['agrees']!r}"
            )
        missing = not r["registry_value"].strip() or not r["paper_value"].strip()
        if missing != (r["agrees"] == "not_available"):
            want = "not_available" if missing else "yes, partly or no"
            raise DataError(path, line, "agrees", f"expected {want}: a side is {'missing' if missing else 'present'}")
        if r["paper_value"].strip() or r["paper_quote"].strip():
            for col in ("paper_location", "paper_quote"):
                if not r[col].strip():
                    raise DataError(path, line, col, "must not be empty: the paper's value needs its provenance")
            if not quote_in_text(r["paper_quote"], text):
                raise DataError(
                    path, line, "paper_quote", f"not found in {name} (whitespace and line breaks may differ)"
                )


def _check_conclusions(path: Path, rows, text: str, name: str, known: set[str]) -> None:
    """Each conclusion quoted verbatim with its location; what it rests on names known rows."""
    ids: dict[str, int] = {}
    for line, r in rows:
        if not _SLUG.match(r["id"]):
            raise DataError(path, line, "id", f"expected a lower-case slug (a-z, 0-9, _ . -), got {r['id']!r}")
        if r["id"] in ids:
            raise DataError(path, line, "id", f"duplicate id {r['id']!r} (first at line {ids[r['id']]})")
        ids[r["id"]] = line
        for col in ("location", "quote"):
            if not r[col].strip():
                raise DataError(path, line, col, "must not be empty: every conclusion needs its provenance")
        if not quote_in_text(r["quote"], text):
            raise DataError(path, line, "quote", f"not found in {name} (whitespace and line breaks may differ)")
        for item in _split(r["rests_on"]):
            m = _REST.match(item)
            if not m:
                raise DataError(
                    path,
                    line,
                    "rests_on",
                    f"expected 'claim:<id>' or 'sensitivity:<analysis>[|<setting>]', got {item!r}",
                )
            if m[1] == "claim" and m[2].split("@")[0] not in known:
                raise DataError(path, line, "rests_on", f"unknown claim id {m[2]!r} (not in inferences.csv)")


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(";") if t.strip()]


# --------------------------------------------------------------------------- provenance


def quote_in_text(quote: str, text: str) -> bool:
    """Whether ``quote`` occurs in ``text`` once both are normalised (whitespace and line breaks
    collapsed, extraction comparators and minus signs mapped to ASCII; see
    :func:`reanalysis.printed.normalise`). Pass ``text`` normalised already to save the work."""
    return normalise(quote) in text


#: What the quote of a verbal p-value must say: a word of significance ("not significant",
#: "n.s.", "NS"), or a statement of (no) difference or change ("did not differ", "no changes
#: were observed"), which the transcriber reads as significance in words.
_SIGNIFICANCE_WORDS = re.compile(r"signific|\bn\.\s?s\b|\bns\b|differ|chang")


def value_in_quote(value: str, quote: str) -> bool:
    """Whether the printed ``value`` occurs in its ``quote``: its digits (without comparator, "p"
    or "%"), or a number word standing for it ("Nine participants"; "no" and "none" are 0).

    A verbal p-value ("not significant", "n.s.") needs a word of significance in the quote
    ("signific", "n.s.", or "differ"/"change" as in "did not differ"); a cell that prints no
    number ("NA", "-") needs that text.
    """
    if verbal_p(value):
        return _SIGNIFICANCE_WORDS.search(normalise(quote).lower()) is not None
    if value.strip().lower() in _NOT_PRINTED:
        return value.strip().lower() in normalise(quote).lower()
    q = normalise(quote).replace(" ", "")
    v = parse(value)
    digits = re.sub(r"^[<>=]+", "", normalise(value).replace(" ", "").removeprefix("p").removeprefix("P"))
    digits = digits.rstrip("%")
    # the digits as a whole number, not inside a longer one ("4" is not in "0.041"); a number the
    # extraction split ("1.8 1" for 1.81) is found with the spaces removed
    whole = re.compile(r"(?<![\d.])" + re.escape(digits) + r"(?!\d)")
    if whole.search(normalise(quote)) or whole.search(q):
        return True
    words = re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", normalise(quote))
    return any(number_from_words(w) == v.value for w in words)


def _check_provenance(path: Path, rows, text: str, name: str) -> None:
    """Every quote occurs in the paper's text, and every value in its quote."""
    for line, r in rows:
        if not quote_in_text(r["quote"], text):
            raise DataError(path, line, "quote", f"not found in {name} (whitespace and line breaks may differ)")
        for col in ("value", "ci_low", "ci_high"):
            if r.get(col) and not value_in_quote(r[col], r["quote"]):
                raise DataError(path, line, col, f"{r[col]!r} does not occur in the row's quote {r['quote']!r}")


# --------------------------------------------------------------------------- public


def validate(paper: str | os.PathLike) -> Paper:
    """Validate a data package and return it loaded.

    Everything in a package is untrusted input: besides the format, the validator refuses
    paths that leave the package, text that is not UTF-8, control characters, and quotes
    not found in the paper's text (or values not in their quotes).

    Raises
    ------
    DataError
        At the first problem, naming file, line, column and what was expected.
    FileNotFoundError
        If the package cannot be found.
    """
    folder = paper_dir(paper)
    meta = _read_meta(folder)
    toml = folder / "paper.toml"
    name = meta.get("text", "paper.txt")
    text_path = _inside(folder, folder / name, toml, "text")
    if not text_path.is_file():
        raise DataError(toml, _toml_line(_read_text(toml), ("text",)), "text", f"the paper text {name} is missing")
    text = normalise(_read_text(text_path))
    ids: dict = {}
    dpath, ipath = folder / "descriptives.csv", folder / "inferences.csv"
    for p in (dpath, ipath):
        _inside(folder, p)
    drows = _read_csv(dpath, DESCRIPTIVE_COLUMNS, OPTIONAL_DESCRIPTIVE_COLUMNS)
    _check_descriptives(dpath, drows, meta, ids)
    irows = _read_csv(ipath, INFERENCE_COLUMNS)
    _check_inferences(ipath, irows, meta, ids)
    _check_references(ipath, irows, {r["id"]: r for _, r in drows}, {r["id"]: r for _, r in irows})
    _check_provenance(dpath, drows, text, name)
    _check_provenance(ipath, irows, text, name)
    if meta.get("stratified_on") and not quote_in_text(meta["stratification_quote"], text):
        raise DataError(
            toml,
            _toml_line(_read_text(toml), ("stratification_quote",)),
            "stratification_quote",
            f"not found in {name}",
        )
    variables = {r["variable"] for _, r in drows} | {r["variable"] for _, r in irows}
    for v in meta.get("stratified_on", []):
        if v not in variables:
            raise DataError(
                toml,
                _toml_line(_read_text(toml), ("stratified_on",)),
                "stratified_on",
                f"{v!r} is no variable of descriptives.csv or inferences.csv",
            )
    for i, m in enumerate(meta.get("models", [])):
        for key, known in (("outcome", variables), ("timepoint", {t["id"] for t in meta["timepoints"]})):
            if m[key] not in known:
                line = _toml_line(_read_text(toml), ("models", i, key))
                raise DataError(toml, line, f"models.{i}.{key}", f"unknown {key} {m[key]!r}")
        if not quote_in_text(m["quote"], text):
            raise DataError(
                toml, _toml_line(_read_text(toml), ("models", i, "quote")), f"models.{i}.quote", f"not found in {name}"
            )
    optional = {}
    for file, columns in (("registration.csv", REGISTRATION_COLUMNS), ("conclusions.csv", CONCLUSION_COLUMNS)):
        p = folder / file
        if p.exists():
            _inside(folder, p)
            optional[file] = _read_csv(p, columns)
    if "registration.csv" in optional:
        _check_registration(folder / "registration.csv", optional["registration.csv"], text, name)
    if "conclusions.csv" in optional:
        known = {r["id"] for _, r in irows} | {r["id"] for _, r in drows}
        _check_conclusions(folder / "conclusions.csv", optional["conclusions.csv"], text, name, known)

    def frame(rows, columns):
        df = pd.DataFrame([r for _, r in rows], columns=list(columns), dtype="string")
        df.insert(0, "line", pd.array([line for line, _ in rows], dtype="Int64"))
        return df

    return Paper(
        id=meta["id"],
        path=folder,
        meta=meta,
        descriptives=frame(drows, DESCRIPTIVE_COLUMNS + OPTIONAL_DESCRIPTIVE_COLUMNS),
        inferences=frame(irows, INFERENCE_COLUMNS),
        registration=frame(optional["registration.csv"], REGISTRATION_COLUMNS)
        if "registration.csv" in optional
        else None,
        conclusions=frame(optional["conclusions.csv"], CONCLUSION_COLUMNS) if "conclusions.csv" in optional else None,
        curated=read_curated(folder, text, name),
    )


#: Keys of a ``[[finding]]`` table in ``findings.toml``, and of the file's top level.
CURATED_FINDING_KEYS = ("cause", "claims", "statement", "consequence", "explanations")
CURATED_KEYS = ("concluded", "concluded_location", "finding", "conclusion", "conclusion_endpoint")
#: The values a ``[[conclusion]]`` paragraph may name, as ``name[key]`` (filled by
#: :func:`reanalysis.conclude.conclusion`, whose docstring defines each).
CONCLUSION_FIELDS = (
    "printed",
    "recomputed",
    "route_n",
    "stated_p",
    "assigned",
    "analysed",
    "completed",
    "implied",
    "lost",
    "events",
    "n",
    "p",
    "fragility",
    "sensitivity_p",
    "labels",
    "count",
    "timepoint",
    "alpha",
)
#: The fields a curated ``statement`` may use, each filled from the computation
#: (:func:`reanalysis.findings.findings`).
STATEMENT_FIELDS = ("count", "arms", "stated_n", "implied_n", "route_n", "paper_n", "stated_p")


def read_curated(folder: Path, paper_text: str | None = None, name: str = "paper.txt") -> dict:
    """The optional ``findings.toml`` of a package folder, validated: ``{}`` when there is none.

    It words a package's findings for readers (see data/README.md): ``concluded`` (the paper's
    conclusion, verbatim) with ``concluded_location``, and ``[[finding]]`` tables, each with
    ``claims`` (shell-style patterns over claim ids), an optional ``statement`` (a template whose
    fields, :data:`STATEMENT_FIELDS`, are filled from the computation),
    ``consequence`` (one of :data:`reanalysis.vocabulary.CONSEQUENCES`) and ``explanations``.
    With the paper's normalised text (``paper_text``), ``concluded`` must occur in it, as a CSV quote must.
    Errors name the file, line and key.
    """
    path = folder / "findings.toml"
    if not path.is_file():
        return {}
    _inside(folder, path)
    text = _read_text(path)
    data = _parse_toml(path, text)

    def fail(key: tuple, message: str) -> DataError:
        return _meta_error(path, text, key, message)

    def is_text(value) -> bool:
        return isinstance(value, str) and bool(value.strip()) and not _FORBIDDEN.search(value)

    for key in data:
        if key not in CURATED_KEYS:
            raise fail((key,), f"unknown key; allowed: {', '.join(CURATED_KEYS)}")
    for key in ("concluded", "concluded_location"):
        if key in data and not is_text(data[key]):
            raise fail((key,), f"expected a non-empty string, got {data[key]!r}")
    if "concluded" in data and paper_text is not None and not quote_in_text(data["concluded"], paper_text):
        raise fail(("concluded",), f"not found in {name} (whitespace and line breaks may differ)")
    entries = data.get("finding", [])
    if not isinstance(entries, list):
        raise fail(("finding",), "expected [[finding]] tables")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise fail(("finding", i), "expected a [[finding]] table")
        for key in entry:
            if key not in CURATED_FINDING_KEYS:
                raise fail(("finding", i, key), f"unknown key; allowed: {', '.join(CURATED_FINDING_KEYS)}")
        if entry.get("cause") not in FINDING_CAUSES:
            raise fail(("finding", i, "cause"), f"expected one of {', '.join(FINDING_CAUSES)}")
        claims = entry.get("claims")
        if not isinstance(claims, list) or not claims or not all(is_text(c) for c in claims):
            raise fail(("finding", i, "claims"), "expected a non-empty list of claim-id patterns")
        if "statement" in entry:
            if not is_text(entry["statement"]):
                raise fail(("finding", i, "statement"), "expected a non-empty string")
            try:
                entry["statement"].format(**dict.fromkeys(STATEMENT_FIELDS, ""))
            except (KeyError, IndexError, ValueError) as e:
                raise fail(
                    ("finding", i, "statement"),
                    f"unknown field or stray brace ({e}); allowed fields: "
                    + ", ".join(f"{{{f}}}" for f in STATEMENT_FIELDS),
                ) from None
        if "consequence" in entry and entry["consequence"] not in CONSEQUENCES:
            raise fail(("finding", i, "consequence"), f"expected one of {', '.join(CONSEQUENCES)}")
        explanations = entry.get("explanations", [])
        if not isinstance(explanations, list) or not all(is_text(x) for x in explanations):
            raise fail(("finding", i, "explanations"), "expected a list of non-empty strings")
    _check_conclusion(data, fail, is_text)
    return data


#: A typed number: a digit not inside a word (HbA1c, T1D and χ² are words).
TYPED_NUMBER = re.compile(r"(?<![^\W\d_])\d")


def _check_conclusion(data: dict, fail, is_text) -> None:
    """``[[conclusion]]`` paragraphs (``title``, ``text``: a template whose fields are
    ``name[key]`` with a name of :data:`CONCLUSION_FIELDS`, and whose literal text and title hold
    no digit: every number comes from the computation) and ``[conclusion_endpoint]`` (``endpoint``,
    optional ``timepoint``)."""
    endpoint = data.get("conclusion_endpoint")
    if endpoint is not None:
        if not isinstance(endpoint, dict) or not is_text(endpoint.get("endpoint")):
            raise fail(("conclusion_endpoint",), "expected a table with an endpoint (a variable of the package)")
        for key in endpoint:
            if key not in ("endpoint", "timepoint") or not is_text(endpoint[key]):
                raise fail(("conclusion_endpoint", key), "expected endpoint and timepoint, each a non-empty string")
    paragraphs = data.get("conclusion", [])
    if not isinstance(paragraphs, list):
        raise fail(("conclusion",), "expected [[conclusion]] tables")
    for i, paragraph in enumerate(paragraphs):
        if not isinstance(paragraph, dict) or set(paragraph) != {"title", "text"}:
            raise fail(("conclusion", i), "expected a [[conclusion]] table with a title and a text")
        for key in ("title", "text"):
            if not is_text(paragraph[key]):
                raise fail(("conclusion", i, key), "expected a non-empty string")
        if TYPED_NUMBER.search(paragraph["title"]):
            raise fail(("conclusion", i, "title"), "a digit in the title: numbers come from the computation")
        try:
            parts = list(string.Formatter().parse(paragraph["text"]))
        except ValueError as e:
            raise fail(("conclusion", i, "text"), f"stray brace ({e})") from None
        for literal, name, spec, conversion in parts:
            if TYPED_NUMBER.search(literal):
                number = re.search(r"\S*" + TYPED_NUMBER.pattern + r"\S*", literal)[0]
                raise fail(
                    ("conclusion", i, "text"),
                    f"a typed number ({number!r}): every number comes from a field, e.g. {{printed[<claim id>]}}",
                )
            if name is None:
                continue
            named = re.fullmatch(r"(\w+)\[([^\]]+)\]", name)
            if not named or named[1] not in CONCLUSION_FIELDS or spec or conversion:
                raise fail(
                    ("conclusion", i, "text"),
                    f"unknown field {{{name}}}; expected name[key] with a name of: {', '.join(CONCLUSION_FIELDS)}",
                )


def load(paper: str | os.PathLike) -> Paper:
    """Load a data package by id or folder (validated; see :func:`validate`)."""
    return validate(paper)


def count_numbers(paper: Paper) -> pd.DataFrame:
    """How many numbers were transcribed, per section and file (a tidy table)."""
    d = paper.descriptives.assign(file="descriptives")
    i = paper.inferences.assign(file="inferences")
    both = pd.concat([d[["section", "file"]], i[["section", "file"]]])
    table = both.value_counts().unstack("file", fill_value=0)
    for col in ("descriptives", "inferences"):
        if col not in table:
            table[col] = 0
    table = table[["descriptives", "inferences"]]
    table["total"] = table.sum(axis=1)
    table.index = table.index.astype(str)
    return table.sort_index()


def counts_markdown(papers: list[Paper]) -> str:
    """The per-paper, per-section counts as a Markdown table (shown in ``data/README.md``)."""

    lines = ["| paper | section | descriptives | inferences | total |", "|---|---|---:|---:|---:|"]
    for paper in papers:
        table = count_numbers(paper)
        pid = escape_markdown(paper.id)
        for section, row in table.iterrows():
            name = escape_markdown(section)
            lines.append(f"| {pid} | {name} | {row.descriptives} | {row.inferences} | {row.total} |")
        tot = table.sum()
        lines.append(f"| **{pid}** | **all** | **{tot.descriptives}** | **{tot.inferences}** | **{tot.total}** |")
    return "\n".join(lines)


def with_counts(readme: str, table: str) -> str:
    """``readme`` with the text between ``<!-- counts:start -->`` and ``<!-- counts:end -->`` replaced by ``table``."""
    start, end = "<!-- counts:start -->", "<!-- counts:end -->"
    if start not in readme or end not in readme:
        raise ValueError(f"the README has no {start} ... {end} block for the counts table")
    head, rest = readme.split(start, 1)
    return f"{head}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"


def main(argv: list[str] | None = None) -> int:
    """``python -m reanalysis.data [FOLDER ...] [--markdown | --write-readme FILE]``: validate packages and
    count their numbers."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m reanalysis.data", description=main.__doc__)
    parser.add_argument("packages", nargs="*", help="package folders or ids (default: every package in data/)")
    parser.add_argument(
        "--markdown", action="store_true", help="print the counts as the Markdown table of data/README.md"
    )
    parser.add_argument("--write-readme", metavar="FILE", help="rewrite the counts table in FILE (data/README.md)")
    args = parser.parse_args(argv)
    try:
        papers = [validate(p) for p in (args.packages or available())]
    except (DataError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    try:
        if args.write_readme:
            path = Path(args.write_readme)
            path.write_text(with_counts(path.read_text(encoding="utf-8"), counts_markdown(papers)), encoding="utf-8")
            print(f"wrote the counts of {len(papers)} package(s) to {path}")
        elif args.markdown:
            print(counts_markdown(papers))
        else:
            for paper in papers:
                draft = (
                    " (a draft: every row needs a person's review before it is audited)"
                    if paper.meta.get("draft")
                    else ""
                )
                print(
                    f"{paper.id}: valid; {len(paper.descriptives)} descriptive and "
                    f"{len(paper.inferences)} inferential numbers{draft}"
                )
                print(count_numbers(paper).to_string(), end="\n\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, as a command killed by SIGPIPE does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
