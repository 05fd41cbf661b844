"""The data packages: schema validation, provenance of every row, counts shown in data/README.md."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from reanalysis.data import (
    DESCRIPTIVE_COLUMNS,
    INFERENCE_COLUMNS,
    DataError,
    available,
    counts_markdown,
    data_root,
    load,
    main,
    quote_in_text,
    value_in_quote,
)
from reanalysis.printed import normalise, parse

#: Every package under data/: a package added there is checked with no change here.
PAPERS = available()


@pytest.fixture(scope="module", params=PAPERS)
def paper(request):
    return load(request.param)


def test_every_package_is_found_and_validates():
    assert {"zang2022", "lu2021"} <= set(PAPERS)
    for pid in PAPERS:
        p = load(pid)
        assert len(p.descriptives) > 0 and len(p.inferences) > 0


def test_every_quote_occurs_in_the_paper(paper):
    """The validator checks this too (``data.quote_in_text``); here it is counted over the whole package."""
    text = normalise(paper.text)
    rows = list(paper.descriptives.itertuples()) + list(paper.inferences.itertuples())
    missing = [(r.id, r.quote) for r in rows if not quote_in_text(r.quote, text)]
    assert not missing, f"{len(missing)} quotes not found in {paper.id}/paper.txt, e.g. {missing[:3]}"


def test_every_value_occurs_in_its_quote(paper):
    bad = []
    for df in (paper.descriptives, paper.inferences):
        for r in df.itertuples():
            for col in ("value", "ci_low", "ci_high"):
                value = getattr(r, col, "")
                if value and not value_in_quote(value, r.quote):
                    bad.append((r.id, col, value, r.quote))
    assert not bad, f"{len(bad)} values not in their quotes, e.g. {bad[:3]}"


@pytest.mark.parametrize(
    ("value", "quote", "found"),
    [
        ("0.041", "(3/26, 11.5%, p = 0.041)", True),
        ("4", "(3/26, 11.5%, p = 0.041)", False),  # not inside a longer number
        ("9", "Nine participants in the control group", True),
        ("0", "none of the participants", True),
        ("1.81", "1.8 1 ± 0.2", True),  # a number the extraction split
        ("< 0.05", "p ˂ 0.05", True),
        ("not significant", "did not differ significantly", True),
        ("not significant", "did not differ between the groups", True),
        ("not significant", "(3/26, 11.5%)", False),
        ("n.s.", "n.s.", True),
        ("NA", "NA", True),
    ],
)
def test_value_in_quote(value, quote, found):
    assert value_in_quote(value, quote) is found


def test_meta_n_agree_with_flow_rows(paper):
    """paper.toml's per-arm n are the printed ones: each appears among the arm's n/count rows."""
    d = paper.descriptives
    for arm, spec in paper.arms.items():
        printed = {parse(v).value for v in d[(d.arm == arm) & d.statistic.isin(["n", "count"])].value}
        assert spec["assigned"] in printed, (arm, spec["assigned"])
        assert spec["analysed"] in printed, (arm, spec["analysed"])


def test_not_recomputable_rows_say_why(paper):
    no = paper.inferences[paper.inferences.recomputable == "no"]
    assert (no.reason.str.strip() != "").all()


def test_counts_in_readme_match_the_data():
    readme = (data_root() / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- counts:start -->")[1].split("<!-- counts:end -->")[0].strip()
    assert block == counts_markdown([load(p) for p in available()]), "run: make counts"


def test_command_validates_and_counts(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for pid in PAPERS:
        assert f"{pid}: valid" in out


# --------------------------------------------------------------------------- malformed packages


@pytest.fixture
def package(tmp_path):
    """A copy of the zang2022 package to break, with a helper to rewrite one cell."""
    folder = tmp_path / "zang2022"
    shutil.copytree(data_root() / "zang2022", folder)

    def edit(filename: str, row: int, column: str, value: str) -> int:
        path = folder / filename
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        rows[row][column] = value
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        return row + 2  # the header is line 1

    return folder, edit


def _row(folder: Path, filename: str, **match) -> int:
    with (folder / filename).open(encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            if all(r[k] == v for k, v in match.items()):
                return i
    raise LookupError(match)


@pytest.mark.parametrize(
    ("filename", "match", "column", "value", "message"),
    [
        ("descriptives.csv", {"statistic": "sd"}, "value", "abc", "expected a number"),
        ("descriptives.csv", {"statistic": "sd"}, "value", "-1.2", "cannot be negative"),
        ("descriptives.csv", {"statistic": "percent"}, "value", "100.5", "cannot exceed 100"),
        ("descriptives.csv", {"statistic": "count"}, "value", "999", "larger than its n"),
        ("descriptives.csv", {"statistic": "count"}, "value", "2.5", "whole number"),
        ("descriptives.csv", {"statistic": "mean"}, "arm", "stemcells", "unknown arm"),
        ("descriptives.csv", {"statistic": "mean"}, "timepoint", "w99", "unknown time point"),
        ("descriptives.csv", {"statistic": "mean"}, "statistic", "average", "unknown statistic"),
        ("descriptives.csv", {"statistic": "mean"}, "quote", "", "provenance"),
        ("inferences.csv", {"kind": "p_value"}, "value", "1.7", "lies in [0, 1]"),
        ("inferences.csv", {"kind": "p_value"}, "value", "p is small", "expected a number"),
        ("inferences.csv", {"kind": "p_value"}, "refers_to", "no.such.row", "unknown id"),
        ("inferences.csv", {"kind": "p_value"}, "kind", "vibes", "unknown kind"),
        ("inferences.csv", {"kind": "p_value"}, "recomputable", "maybe", "'yes' or 'no'"),
    ],
)
def test_malformed_cell_fails_with_file_line_column(package, filename, match, column, value, message):
    folder, edit = package
    line = edit(filename, _row(folder, filename, **match), column, value)
    with pytest.raises(DataError, match=re.escape(message)) as info:
        load(folder)
    err = info.value
    assert Path(err.path).name == filename
    assert err.line == line
    assert err.column == column
    assert f"{filename}:{line}: column '{column}'" in str(err)


def test_duplicate_id_is_refused(package):
    folder, edit = package
    first = _row(folder, "descriptives.csv", statistic="mean")
    with (folder / "descriptives.csv").open(encoding="utf-8", newline="") as f:
        first_id = list(csv.DictReader(f))[first]["id"]
    line = edit("descriptives.csv", first + 1, "id", first_id)
    with pytest.raises(DataError, match="duplicate id") as info:
        load(folder)
    assert info.value.line == line


def test_missing_column_is_refused(package):
    folder, _ = package
    path = folder / "inferences.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[0] = text[0].replace("method_stated", "method")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="column") as info:
        load(folder)
    assert info.value.line == 1


def test_bad_meta_is_refused(package):
    folder, _ = package
    toml = folder / "paper.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("assigned = 45", "assigned = -3"), encoding="utf-8")
    with pytest.raises(DataError, match="positive integer"):
        load(folder)


def test_columns_are_documented_in_readme():
    readme = (data_root() / "README.md").read_text(encoding="utf-8")
    for col in DESCRIPTIVE_COLUMNS + INFERENCE_COLUMNS:
        assert f"`{col}`" in readme, col


def test_optional_files_columns_are_documented_in_readme():
    from reanalysis.data import CONCLUSION_COLUMNS, REGISTRATION_COLUMNS

    readme = (data_root() / "README.md").read_text(encoding="utf-8")
    assert "## `registration.csv`" in readme and "## `conclusions.csv`" in readme
    for col in REGISTRATION_COLUMNS + CONCLUSION_COLUMNS:
        assert f"`{col}`" in readme, col
    for key in ("stratified_on", "stratification_quote", "[[models]]", "variables_complete"):
        assert key in readme, key


def test_make_counts_rewrites_only_the_counts_block(tmp_path):
    from reanalysis.data import with_counts

    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- counts:start -->\nold\n<!-- counts:end -->\noutro\n", encoding="utf-8")
    assert main(["lu2021", "--write-readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n<!-- counts:start -->\n| paper |") and text.endswith("<!-- counts:end -->\noutro\n")
    assert "old" not in text and "| **lu2021** | **all** |" in text
    with pytest.raises(ValueError, match="no <!-- counts:start -->"):
        with_counts("no block here", "table")


@pytest.mark.parametrize("text", ["0.041", "< 0.05", "<= 0.001", "> 0.05", ">= 0.99", "-1.5", "1000", "0.0", "12.50"])
def test_contains_each_is_contains_for_every_value(text):
    """The vectorised check the audit scans correlations with agrees with the scalar one everywhere,
    at the ends of the rounding interval and a hair either side of them included."""
    import numpy as np

    printed = parse(text)
    ends = [printed.value, printed.lower, printed.upper, printed.value - 2 * printed.half_unit]
    finite = [e for e in ends if np.isfinite(e)]
    near = [e + d for e in finite for d in (-1e-6, -1e-9, -1e-12, 0.0, 1e-12, 1e-9, 1e-6)]
    xs = np.array(near + list(np.random.default_rng(0).normal(printed.value, 1.0, 200)) + [0.0, -0.0])
    assert printed.contains_each(xs).tolist() == [printed.contains(float(x)) for x in xs]
