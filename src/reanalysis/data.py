"""Load and validate a paper's data package (``data/<paper_id>/``).

A data package is a folder with

- ``paper.toml``: citation, DOI, registration, licence, arms (with assigned and
  analysed n), time points;
- ``paper.txt``: the text the numbers were read from (for the provenance check);
- ``descriptives.csv``: one row per printed descriptive number (n, mean, SD, %, ...);
- ``inferences.csv``: one row per printed inference (p-value, CI, OR, power, a derived
  change or ratio) pointing at the descriptive rows it is about.

Every value stays the text the paper printed. The validator reads the CSV files with the
standard library (not pandas) so that each problem is reported with file, line, column
and what was expected, before any analysis runs. See ``data/README.md`` for the format.
"""

from __future__ import annotations

import csv
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .printed import is_number, parse
from .vocabulary import verbal_p

__all__ = [
    "DataError",
    "Paper",
    "DESCRIPTIVE_COLUMNS",
    "INFERENCE_COLUMNS",
    "STATISTICS",
    "KINDS",
    "data_root",
    "paper_dir",
    "available",
    "load",
    "validate",
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
    """A data package does not follow the format: says file, line, column and what was expected."""

    def __init__(self, path: Path | str, line: int | None, column: str | None, message: str):
        self.path, self.line, self.column, self.message = str(path), line, column, message
        where = self.path + (f":{line}" if line else "") + (f": column '{column}'" if column else "")
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
    """

    id: str
    path: Path
    meta: dict
    descriptives: pd.DataFrame = field(repr=False)
    inferences: pd.DataFrame = field(repr=False)

    @property
    def arms(self) -> dict:
        """Arm id -> its table in ``paper.toml`` (label, assigned, analysed, optional completed)."""
        return self.meta["arms"]

    @property
    def timepoints(self) -> list[str]:
        """Time point ids in the order the paper follows them."""
        return [t["id"] for t in self.meta["timepoints"]]

    @property
    def text(self) -> str:
        """The paper's text, as transcribed from."""
        return (self.path / self.meta.get("text", "paper.txt")).read_text(encoding="utf-8")

    def __repr__(self) -> str:
        return (
            f"Paper(id={self.id!r}, descriptives={len(self.descriptives)}, "
            f"inferences={len(self.inferences)}, arms={list(self.arms)})"
        )


def data_root() -> Path:
    """The folder holding the data packages.

    ``$REANALYSIS_DATA`` if set, else the repository's ``data/`` next to ``src/`` (the
    project is installed editable). Resolved from the package, never from the cwd.
    """
    env = os.environ.get("REANALYSIS_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "data"


def paper_dir(paper: str | os.PathLike) -> Path:
    """Resolve a paper id (``"zang2022"``) or a folder path to the package folder."""
    p = Path(paper).expanduser()
    if p.is_dir():
        return p.resolve()
    candidate = data_root() / str(paper)
    if candidate.is_dir():
        return candidate
    raise FileNotFoundError(
        f"no data package {str(paper)!r}: not a folder, and not one of {available()} in {data_root()}"
    )


def available() -> list[str]:
    """Ids of the data packages under :func:`data_root`."""
    root = data_root()
    return sorted(p.name for p in root.iterdir() if (p / "paper.toml").is_file()) if root.is_dir() else []


# --------------------------------------------------------------------------- reading


def _read_meta(folder: Path) -> dict:
    path = folder / "paper.toml"
    if not path.is_file():
        raise DataError(path, None, None, "missing: every data package needs a paper.toml")
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise DataError(path, getattr(e, "lineno", None), None, f"not valid TOML ({e})") from e
    for key in ("id", "citation", "doi", "licence", "arms", "timepoints"):
        if key not in meta:
            raise DataError(path, None, key, "missing key")
    if meta["id"] != folder.name:
        raise DataError(path, None, "id", f"expected the folder name {folder.name!r}, got {meta['id']!r}")
    if not isinstance(meta["arms"], dict) or not meta["arms"]:
        raise DataError(path, None, "arms", "expected a table [arms.<id>] for each arm")
    for arm, spec in meta["arms"].items():
        if arm == ALL_ARMS or not _SLUG.match(arm):
            raise DataError(path, None, f"arms.{arm}", "expected a lower-case slug other than 'all'")
        for key in ("label", "assigned", "analysed"):
            if key not in spec:
                raise DataError(path, None, f"arms.{arm}.{key}", "missing key")
        for key in ("assigned", "analysed"):
            if not isinstance(spec[key], int) or spec[key] < 1:
                raise DataError(path, None, f"arms.{arm}.{key}", f"expected a positive integer, got {spec[key]!r}")
    integer_valued = meta.get("integer_valued", [])
    if not isinstance(integer_valued, list) or not all(isinstance(v, str) and _SLUG.match(v) for v in integer_valued):
        raise DataError(path, None, "integer_valued", "expected a list of variable slugs (whole-number measurements)")
    if not isinstance(meta["timepoints"], list) or not all(
        isinstance(t, dict) and "id" in t for t in meta["timepoints"]
    ):
        raise DataError(path, None, "timepoints", "expected [[timepoints]] tables with an id")
    return meta


def _read_csv(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    """Rows of a CSV file as (line number, dict of strings); checks the header.

    Optional columns missing from the header read as empty strings."""
    if not path.is_file():
        raise DataError(path, None, None, "missing file")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError(path, 1, None, f"empty file; expected the header {','.join(columns)}") from None
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(path, 1, missing[0], f"missing column; the header must have {','.join(columns)}")
        unknown = [c for c in header if c not in columns + optional]
        if unknown:
            raise DataError(path, 1, unknown[0], f"unknown column; allowed: {','.join(columns + optional)}")
        absent = {c: "" for c in optional if c not in header}
        rows = []
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise DataError(path, start, None, f"expected {len(header)} fields, got {len(values)}")
            rows.append((start, {**dict(zip(header, values, strict=True)), **absent}))
    return rows


# --------------------------------------------------------------------------- checks


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
        if r["category"] and not _SLUG.match(r["category"]):
            raise DataError(path, line, "category", f"expected a lower-case slug, got {r['category']!r}")
        if r["category"] and r["statistic"] not in ("count", "percent"):
            raise DataError(path, line, "category", "only a count or percent row belongs to a category")
        if r["variable"] == TABLE_N and r["statistic"] != "n":
            raise DataError(path, line, "statistic", f"a {TABLE_N} row is a table's printed n: statistic must be n")
        if r["statistic"] not in STATISTICS:
            raise DataError(
                path, line, "statistic", f"unknown statistic {r['statistic']!r}; expected one of {list(STATISTICS)}"
            )
        if not is_number(r["value"]) or parse(r["value"]).comparator != "=":
            raise DataError(path, line, "value", f"expected a number as printed (e.g. 7.49), got {r['value']!r}")
        v = parse(r["value"])
        stat = r["statistic"]
        if stat in _NONNEGATIVE and v.value < 0:
            raise DataError(path, line, "value", f"a {stat} cannot be negative, got {r['value']!r}")
        if stat in _INTEGER and v.decimals:
            raise DataError(path, line, "value", f"a {stat} must be a whole number, got {r['value']!r}")
        if stat == "percent" and v.value > 100:
            raise DataError(path, line, "value", f"a percentage cannot exceed 100, got {r['value']!r}")
    # a count cannot exceed its n: the n row of the same arm/subgroup/time/variable, else the arm's assigned n
    key = lambda r: (r["arm"], r["subgroup"], r["timepoint"], r["variable"])  # noqa: E731
    ns = {key(r): parse(r["value"]).value for _, r in rows if r["statistic"] == "n"}
    for line, r in rows:
        if r["statistic"] != "count":
            continue
        n = ns.get(key(r))
        if n is None and r["arm"] in meta["arms"] and not r["subgroup"]:
            n = max(meta["arms"][r["arm"]]["assigned"], meta["arms"][r["arm"]]["analysed"])
        if n is None and r["arm"] == ALL_ARMS:
            n = sum(a["assigned"] for a in meta["arms"].values())
        if n is not None and parse(r["value"]).value > n:
            raise DataError(path, line, "value", f"count {r['value']} is larger than its n ({n:g})")


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
            if r[col] and not is_number(r[col]):
                raise DataError(
                    path, line, col, f"expected a number as printed (e.g. 0.0268 or < 0.05), got {r[col]!r}"
                )
        if not (r["value"] or r["ci_low"]):
            raise DataError(path, line, "value", "expected a printed value or a confidence interval")
        if bool(r["ci_low"]) != bool(r["ci_high"]):
            raise DataError(path, line, "ci_high" if r["ci_low"] else "ci_low", "a CI needs both limits")
        if r["kind"] == "p_value" and r["value"] and is_number(r["value"]):
            p = parse(r["value"]).value
            if not 0 <= p <= 1:
                raise DataError(path, line, "value", f"a p-value lies in [0, 1], got {r['value']!r}")
        if r["kind"] == "power" and r["value"] and not 0 <= parse(r["value"]).value <= 100:
            raise DataError(path, line, "value", f"power is a percentage in [0, 100], got {r['value']!r}")
        if r["recomputable"] not in ("yes", "no"):
            raise DataError(path, line, "recomputable", f"expected 'yes' or 'no', got {r['recomputable']!r}")
        if r["recomputable"] == "no" and not r["reason"].strip():
            raise DataError(path, line, "reason", "a number that cannot be recomputed needs a stated reason")
    for line, r in rows:
        for ref in _split(r["refers_to"]):
            if ref not in ids:
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


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(";") if t.strip()]


# --------------------------------------------------------------------------- public


def validate(paper: str | os.PathLike) -> Paper:
    """Validate a data package and return it loaded.

    Raises
    ------
    DataError
        At the first problem, naming file, line, column and what was expected.
    FileNotFoundError
        If the package cannot be found.
    """
    folder = paper_dir(paper)
    meta = _read_meta(folder)
    text = folder / meta.get("text", "paper.txt")
    if not text.is_file():
        raise DataError(folder / "paper.toml", None, "text", f"the paper text {text.name} is missing")
    ids: dict = {}
    drows = _read_csv(folder / "descriptives.csv", DESCRIPTIVE_COLUMNS, OPTIONAL_DESCRIPTIVE_COLUMNS)
    _check_descriptives(folder / "descriptives.csv", drows, meta, ids)
    irows = _read_csv(folder / "inferences.csv", INFERENCE_COLUMNS)
    _check_inferences(folder / "inferences.csv", irows, meta, ids)

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
        for section, row in table.iterrows():
            lines.append(f"| {paper.id} | {section} | {row.descriptives} | {row.inferences} | {row.total} |")
        tot = table.sum()
        lines.append(f"| **{paper.id}** | **all** | **{tot.descriptives}** | **{tot.inferences}** | **{tot.total}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m reanalysis.data [FOLDER ...] [--markdown]``: validate packages and count their numbers."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m reanalysis.data", description=main.__doc__)
    parser.add_argument("packages", nargs="*", help="package folders or ids (default: every package in data/)")
    parser.add_argument(
        "--markdown", action="store_true", help="print the counts as the Markdown table of data/README.md"
    )
    args = parser.parse_args(argv)
    try:
        papers = [validate(p) for p in (args.packages or available())]
    except (DataError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.markdown:
        print(counts_markdown(papers))
        return 0
    for paper in papers:
        print(
            f"{paper.id}: valid; {len(paper.descriptives)} descriptive and {len(paper.inferences)} inferential numbers"
        )
        print(count_numbers(paper).to_string(), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
