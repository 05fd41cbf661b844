"""Hostile data packages: every one is refused with a DataError naming file, line and column
(or key) and what was expected, never a traceback from deeper down; a few odd but valid ones load.

Each case starts from a copy of a real package (lu2021, the smaller one; zang2022 where the
case needs a row lu2021 does not have) and breaks one thing.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reanalysis import data as data_module
from reanalysis.data import DataError, data_root, load


@pytest.fixture
def make(tmp_path):
    """A copy of a package in tmp_path, to break."""

    def copy(pid: str = "lu2021") -> Path:
        folder = tmp_path / pid
        shutil.copytree(data_root() / pid, folder)
        return folder

    return copy


def edit(folder: Path, filename: str, match: dict, column: str, value: str) -> int:
    """Set ``column`` of the first row matching ``match``; returns that row's line in the file."""
    path = folder / filename
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    index = next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))
    rows[index][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return index + 2  # one line per row in these files; the header is line 1


def toml(folder: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in paper.toml; returns the line where ``new`` starts."""
    path = folder / "paper.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


def refused(folder: Path, filename: str, line: int | None, column: str | None, message: str) -> DataError:
    """Loading ``folder`` fails with a DataError at exactly file:line, column, saying ``message``."""
    with pytest.raises(DataError) as info:
        load(folder)
    err = info.value
    assert Path(err.path).name == filename, str(err)
    assert err.line == line, str(err)
    assert err.column == column, str(err)
    assert message in err.message, str(err)
    text = str(err)
    assert text.startswith(str(folder / filename) + (f":{line}" if line else "")), text
    if column:
        assert f"'{column}'" in text, text
    return err


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("name", ["/etc/passwd", "../../x", "../lu2021/paper.txt", "~/paper.txt", ""])
def test_paper_text_path_must_stay_inside_the_package(make, name):
    folder = make()
    line = toml(folder, 'text = "paper.txt"', f'text = "{name}"')
    refused(folder, "paper.toml", line, "text", "expected a file name inside the data package")


def test_paper_text_symlink_out_of_the_package_is_refused(make, tmp_path):
    folder = make()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (folder / "paper.txt").unlink()
    (folder / "paper.txt").symlink_to(outside)
    line = (folder / "paper.toml").read_text(encoding="utf-8").splitlines().index('text = "paper.txt"') + 1
    refused(folder, "paper.toml", line, "text", "resolves outside the data package")


def test_csv_symlink_out_of_the_package_is_refused(make, tmp_path):
    folder = make()
    outside = tmp_path / "elsewhere.csv"
    shutil.copy(folder / "descriptives.csv", outside)
    (folder / "descriptives.csv").unlink()
    (folder / "descriptives.csv").symlink_to(outside)
    refused(folder, "descriptives.csv", None, None, "resolves outside the data package")


# --------------------------------------------------------------------------- encodings and file structure


def test_latin1_toml_reports_line_and_character_of_the_first_bad_byte(make):
    folder = make()
    path = folder / "paper.toml"
    text = path.read_text(encoding="utf-8").replace('title = "One', 'title = "Éne', 1)
    path.write_bytes(text.encode("latin-1"))
    line = text[: text.index("Éne")].count("\n") + 1
    err = refused(folder, "paper.toml", line, None, "not UTF-8: byte 0xC9")
    assert err.position == len('title = "') + 1
    assert f"paper.toml:{line}:{err.position}:" in str(err)


def test_latin1_csv_reports_line_and_column(make):
    folder = make()
    line = edit(folder, "descriptives.csv", {"id": "flow.discontinued.control"}, "note", "café")
    path = folder / "descriptives.csv"
    path.write_bytes(path.read_bytes().replace("café".encode(), "café".encode("latin-1")))
    refused(folder, "descriptives.csv", line, "note", "not UTF-8: byte 0xE9")


def test_whole_file_in_latin1_reports_the_first_bad_byte(make):
    folder = make()
    path = folder / "descriptives.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1", errors="replace"))
    first = next(i for i, c in enumerate(text) if not c.isascii() and ord(c) < 256)  # the first Latin-1 byte
    line = text[:first].count("\n") + 1
    with pytest.raises(DataError, match="not UTF-8") as info:
        load(folder)
    assert info.value.line == line and info.value.column in data_module.DESCRIPTIVE_COLUMNS


def test_field_over_the_csv_limit_reports_line_and_column(make):
    folder = make()
    line = edit(folder, "inferences.csv", {"id": "res.remission.power"}, "note", "x" * 131_073)
    refused(folder, "inferences.csv", line, "note", "field larger than field limit")


def test_repeated_header_column_is_refused(make):
    folder = make()
    path = folder / "inferences.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line + ",x" for line in lines]
    lines[0] = lines[0].removesuffix(",x") + ",note"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(folder, "inferences.csv", 1, "note", "repeated column")


def test_control_character_in_a_field_is_refused(make):
    folder = make()
    line = edit(folder, "descriptives.csv", {"id": "flow.discontinued.control"}, "location", "Results\x00, paragraph 1")
    refused(folder, "descriptives.csv", line, "location", "control character U+0000")


def test_bidirectional_override_in_a_field_is_refused(make):
    """U+202E makes text display reversed: a quote could read other than it is."""
    folder = make()
    line = edit(folder, "inferences.csv", {"id": "res.remission.p"}, "note", "p = \u202e140.0")
    refused(folder, "inferences.csv", line, "note", "control character U+202E")


def test_csv_with_only_its_header_loads(make):
    folder = make()
    (folder / "conclusions.csv").unlink()  # its rests_on names rows of inferences.csv
    path = folder / "inferences.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    paper = load(folder)
    assert len(paper.inferences) == 0 and len(paper.descriptives) == 97


def test_empty_csv_is_refused(make):
    folder = make()
    (folder / "inferences.csv").write_text("", encoding="utf-8")
    refused(folder, "inferences.csv", 1, None, "empty file")


def test_oversized_file_is_refused_before_reading(make, monkeypatch):
    folder = make()
    monkeypatch.setattr(data_module, "MAX_FILE_BYTES", 1000)
    refused(folder, "paper.toml", None, None, "larger than")


def test_byte_order_mark_and_crlf_load(make):
    """What Excel writes (a BOM, CRLF line ends) is a valid package, with the same rows and lines."""
    folder = make()
    reference = load(data_root() / "lu2021")
    for name in ("descriptives.csv", "inferences.csv", "paper.toml"):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    paper = load(folder)
    assert paper.descriptives.drop(columns="line").equals(reference.descriptives.drop(columns="line"))
    assert list(paper.inferences["line"]) == list(reference.inferences["line"])


def test_multiline_field_keeps_later_line_numbers_right(make):
    folder = make()
    edit(folder, "descriptives.csv", {"id": "flow.discontinued.control"}, "note", "first\nsecond\nthird")
    # the note spans three lines, so every later row moves down by two
    line = edit(folder, "descriptives.csv", {"id": "res.remission.control.n"}, "value", "abc") + 2
    refused(folder, "descriptives.csv", line, "value", "expected a number")


# --------------------------------------------------------------------------- paper.toml


def test_toml_syntax_error_reports_line_and_character(make):
    folder = make()
    line = toml(folder, "alpha = 0.05", "alpha = ")
    err = refused(folder, "paper.toml", line, None, "not valid TOML")
    assert err.position == len("alpha = ") + 1


def test_deeply_nested_toml_is_refused(make):
    folder = make()
    toml(folder, "alpha = 0.05", "alpha = " + "[" * 100_000)
    with pytest.raises(DataError, match="not valid TOML"):
        load(folder)


def test_arm_that_is_not_a_table_is_refused(make):
    folder = make()
    path = folder / "paper.toml"
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("[arms.mscs]")] + "arms = {x = 5}\n\n" + text[text.index("[[timepoints]]") :]
    path.write_text(text, encoding="utf-8")
    line = text[: text.index("arms = {x")].count("\n") + 1
    refused(folder, "paper.toml", line, "arms.x", "expected a table")


def test_text_that_is_not_a_string_is_refused(make):
    folder = make()
    line = toml(folder, 'text = "paper.txt"', "text = 5")
    refused(folder, "paper.toml", line, "text", "expected a string, got int 5")


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("assigned = 32", "assigned = true", "arms.mscs.assigned", "expected a positive integer, got True"),
        ("assigned = 32", "assigned = 32.0", "arms.mscs.assigned", "expected a positive integer"),
        ("analysed = 27", "analysed = 40", "arms.mscs.analysed", "analysed (40) exceeds assigned (32)"),
        ("analysed = 27", "analysed = 27\ncompleted = 33", "arms.mscs.completed", "exceeds assigned"),
        ('label = "MSC-treated"', "label = 5", "arms.mscs.label", "expected a non-empty string"),
        ('label = "MSC-treated"', 'label = ["MSC"]', "arms.mscs.label", "expected a non-empty string"),
        ('label = "MSC-treated"', 'label = "  "', "arms.mscs.label", "expected a non-empty string"),
        ('label = "MSC-treated"', 'label = "MSC\\u0007"', "arms.mscs.label", "expected a non-empty string"),
        ('citation = "Lu J', 'citation = "\\u0000Lu J', "citation", "control character"),
        ("alpha = 0.05", 'alpha = "0.05"', "alpha", "between 0 and 1"),
        ("alpha = 0.05", "alpha = 5", "alpha", "between 0 and 1"),
        ("alpha = 0.05", "alpha = true", "alpha", "between 0 and 1"),
        ('id = "m3"', 'id = "Month 3"', "timepoints.1.id", "expected a lower-case slug"),
        ('id = "m3"', "id = 3", "timepoints.1.id", "expected a lower-case slug"),
        ('id = "m6"', 'id = "m3"', "timepoints.2.id", "defined twice"),
        ('label = "3 months"', "label = 3", "timepoints.1.label", "expected a string"),
        ("[arms.mscs]", "[arms.MSCs]", "arms.MSCs", "lower-case slug"),
        ("[arms.mscs]", "[arms.all]", "arms.all", "other than 'all'"),
    ],
)
def test_bad_meta_values_are_refused_at_their_key_and_line(make, old, new, key, message):
    folder = make()
    line = toml(folder, old, new)
    line += new[: new.index(key.split(".")[-1])].count("\n") if key.split(".")[-1] in new else 0
    refused(folder, "paper.toml", line, key, message)


def test_missing_arm_key_is_reported_at_its_table(make):
    folder = make()
    line = toml(folder, "assigned = 35\n", "")
    refused(folder, "paper.toml", line - 2, "arms.control.assigned", "missing key")


def test_timepoints_must_be_tables(make):
    folder = make()
    path = folder / "paper.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[[timepoints]]\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape("key 'timepoints.4'")):
        load(folder)


# --------------------------------------------------------------------------- rows


def test_subgroup_count_above_its_arms_n_is_refused(make):
    folder = make()
    line = edit(folder, "descriptives.csv", {"id": "flow.discontinued.control.consent.count"}, "value", "36")
    refused(folder, "descriptives.csv", line, "value", "larger than its n (35)")


def test_subgroup_n_above_its_arms_n_is_refused(make):
    folder = make()
    line = edit(folder, "descriptives.csv", {"id": "flow.discontinued.control.consent.count"}, "statistic", "n")
    edit(folder, "descriptives.csv", {"id": "flow.discontinued.control.consent.count"}, "value", "40")
    refused(folder, "descriptives.csv", line, "value", "larger than the n of arm 'control' (35)")


def test_ci_with_low_above_high_is_refused(make):
    folder = make("zang2022")
    path = folder / "inferences.csv"
    with path.open(encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["ci_low"])
    line = edit(folder, "inferences.csv", {"id": row["id"]}, "ci_low", row["ci_high"])
    edit(folder, "inferences.csv", {"id": row["id"]}, "ci_high", row["ci_low"])
    if float(row["ci_low"]) == float(row["ci_high"]):  # pragma: no cover - the data has proper intervals
        pytest.skip("degenerate interval")
    refused(folder, "inferences.csv", line, "ci_high", "is below the lower limit")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("value", "١٢", "expected a number"),  # Arabic-Indic digits: not what the audit reads
        ("value", "9" * 400, "expected a number"),  # overflows to infinity
        ("section", "Results <b>", "expected a lower-case slug"),
        ("variable", "clinical remission", "expected a lower-case slug"),
        ("subgroup", "Adult Onset", "expected a lower-case slug or empty"),
        ("location", "   ", "provenance"),
    ],
)
def test_bad_descriptive_cells_are_refused(make, column, value, message):
    folder = make()
    line = edit(folder, "descriptives.csv", {"id": "res.remission.control.count"}, column, value)
    refused(folder, "descriptives.csv", line, column, message)


def test_change_refers_to_a_row_of_another_arm(make):
    folder = make("zang2022")
    path = folder / "inferences.csv"
    with path.open(encoding="utf-8", newline="") as f:
        change = next(r for r in csv.DictReader(f) if r["kind"] == "change" and r["arms"] == "ucmsc")
    other = change["refers_to"].replace("ucmsc", "placebo")
    assert other != change["refers_to"]
    line = edit(folder, "inferences.csv", {"id": change["id"]}, "refers_to", other)
    refused(folder, "inferences.csv", line, "refers_to", "is a row of arm 'placebo', not of this row's arms")


def test_percent_change_refers_to_a_row_of_another_arm(make):
    folder = make()
    line = edit(
        folder, "inferences.csv", {"id": "disc.fcp.control.percent_change"}, "refers_to", "res.remission.mscs.n"
    )
    refused(folder, "inferences.csv", line, "refers_to", "is a row of arm 'mscs'")


def test_between_p_refers_to_a_row_of_another_time_point(make):
    folder = make()
    edit(folder, "descriptives.csv", {"id": "res.remission.mscs.n"}, "timepoint", "m6")
    line = edit(folder, "inferences.csv", {"id": "res.remission.p"}, "note", "")
    refused(folder, "inferences.csv", line, "refers_to", "is a row of time point 'm6'")


def test_between_p_refers_to_an_inference_about_other_arms(make):
    folder = make()
    line = edit(folder, "inferences.csv", {"id": "disc.fcp.control.percent_change"}, "refers_to", "res.remission.p")
    refused(folder, "inferences.csv", line, "refers_to", "not within this row's arms ['control']")


def test_row_referring_to_itself_is_refused(make):
    folder = make()
    line = edit(folder, "inferences.csv", {"id": "res.remission.p"}, "refers_to", "res.remission.p")
    refused(folder, "inferences.csv", line, "refers_to", "refers to itself")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("ci_level", "150", "confidence level"),
        ("ci_low", "0.1", "a CI needs both limits"),
        ("value", "", "expected a printed value"),
        ("comparison", "versus", "expected one of"),
        ("arms", "mscs;nobody", "unknown arm 'nobody'"),
    ],
)
def test_bad_inference_cells_are_refused(make, column, value, message):
    folder = make()
    line = edit(folder, "inferences.csv", {"id": "res.remission.p"}, column, value)
    expected_column = "ci_high" if column == "ci_low" else column
    refused(folder, "inferences.csv", line, expected_column, message)


# --------------------------------------------------------------------------- provenance


def test_quote_not_in_the_paper_is_refused(make):
    folder = make()
    line = edit(folder, "descriptives.csv", {"id": "res.remission.control.count"}, "quote", "(3/26, 99.9%)")
    refused(folder, "descriptives.csv", line, "quote", "not found in paper.txt")


def test_value_not_in_its_quote_is_refused(make):
    folder = make()
    line = edit(folder, "descriptives.csv", {"id": "res.remission.control.count"}, "value", "4")
    refused(folder, "descriptives.csv", line, "value", "'4' does not occur in the row's quote")


def test_ci_limit_not_in_its_quote_is_refused(make):
    folder = make("zang2022")
    path = folder / "inferences.csv"
    with path.open(encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["ci_low"])
    line = edit(folder, "inferences.csv", {"id": row["id"]}, "ci_low", "-987.6")
    refused(folder, "inferences.csv", line, "ci_low", "does not occur in the row's quote")


def test_verbal_p_needs_a_word_of_significance_in_its_quote(make):
    folder = make()
    line = edit(folder, "inferences.csv", {"id": "res.remission.p"}, "value", "not significant")
    refused(folder, "inferences.csv", line, "value", "'not significant' does not occur in the row's quote")


def test_verbal_p_with_its_word_loads(make):
    folder = make()
    quote = "the difference was not statistically significant"
    with (folder / "paper.txt").open("a", encoding="utf-8") as f:
        f.write("\nIn another cohort " + quote + ".\n")
    edit(folder, "inferences.csv", {"id": "res.remission.p"}, "value", "n.s.")
    edit(folder, "inferences.csv", {"id": "res.remission.p"}, "quote", quote)
    assert load(folder).inferences.set_index("id").loc["res.remission.p", "value"] == "n.s."


def test_number_written_as_a_word_loads(make):
    """ "Nine participants" holds the value 9 (as the tests always allowed)."""
    paper = load(make())
    row = paper.descriptives.set_index("id").loc["flow.discontinued.control.restated"]
    assert row["value"] == "9" and row["quote"].startswith("Nine")


# --------------------------------------------------------------------------- the command


def test_command_piped_into_head_exits_quietly():
    env = {**os.environ, "PYTHONPATH": str(Path(data_module.__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reanalysis.data"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    proc.stdout.close()  # the reader goes away before the first line, as `| head -0` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) in (0, 141)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_command_reports_a_hostile_package_without_traceback(make, capsys):
    folder = make()
    toml(folder, 'text = "paper.txt"', 'text = "/etc/passwd"')
    assert data_module.main([str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "paper.toml" in err and "Traceback" not in err


# ------------------------------------------------ registration.csv, conclusions.csv, paper.toml additions


@pytest.mark.parametrize(
    "pid, filename, match, column, value, message",
    [
        ("lu2021", "registration.csv", {"field": "dose"}, "field", "dosage", "unknown field"),
        ("lu2021", "registration.csv", {"field": "dose"}, "field", "enrolment", "repeated"),
        ("lu2021", "registration.csv", {"field": "dose"}, "registry_source", "", "must not be empty"),
        # a record that was not read has no value: nothing filled in from memory
        (
            "lu2021",
            "registration.csv",
            {"field": "dose"},
            "registry_value",
            "1 × 10^6 cells/kg",
            "not read has no value",
        ),
        ("zang2022", "registration.csv", {"field": "dose"}, "registry_value", "", "say what the record says"),
        ("zang2022", "registration.csv", {"field": "dose"}, "agrees", "maybe", "expected one of"),
        ("zang2022", "registration.csv", {"field": "dose"}, "agrees", "not_available", "a side is present"),
        ("lu2021", "registration.csv", {"field": "dose"}, "agrees", "yes", "a side is missing"),
        ("lu2021", "registration.csv", {"field": "dose"}, "paper_quote", "2.0 × 106 cells/kg", "not found in"),
        ("lu2021", "registration.csv", {"field": "dose"}, "paper_location", "", "needs its provenance"),
        ("lu2021", "conclusions.csv", {"id": "abs.safe"}, "id", "Abs Safe", "lower-case slug"),
        ("lu2021", "conclusions.csv", {"id": "abs.preservation"}, "id", "abs.safe", "duplicate id"),
        ("lu2021", "conclusions.csv", {"id": "abs.safe"}, "quote", "MSCs cure type 1 diabetes", "not found in"),
        ("lu2021", "conclusions.csv", {"id": "abs.safe"}, "location", "", "needs its provenance"),
        ("lu2021", "conclusions.csv", {"id": "abs.safe"}, "rests_on", "res.remission.p", "expected 'claim:<id>'"),
        ("lu2021", "conclusions.csv", {"id": "abs.safe"}, "rests_on", "claim:res.nothing.p", "unknown claim id"),
    ],
)
def test_bad_registration_or_conclusions_row_is_refused_at_its_line_and_column(
    make, pid, filename, match, column, value, message
):
    folder = make(pid)
    line = edit(folder, filename, match, column, value)
    refused(folder, filename, line, column, message)


def test_registration_and_conclusions_header_is_checked(make):
    folder = make()
    path = folder / "conclusions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("rests_on", "rests"), encoding="utf-8")
    refused(folder, "conclusions.csv", 1, "rests_on", "missing column")


def test_registration_and_conclusions_are_optional(make):
    folder = make()
    (folder / "registration.csv").unlink()
    (folder / "conclusions.csv").unlink()
    paper = load(folder)
    assert paper.registration is None and paper.conclusions is None


def test_stratified_on_needs_slugs_and_a_quote_from_the_paper(make):
    folder = make("zang2022")
    line = toml(folder, 'stratified_on = ["age",', 'stratified_on = ["Age",')
    refused(folder, "paper.toml", line, "stratified_on", "variable slugs")
    folder = make("lu2021")
    line = toml(folder, "\n[arms.mscs]", '\nstratified_on = ["age"]\n[arms.mscs]') + 1
    refused(folder, "paper.toml", line, "stratified_on", "stratification_quote")


def test_stratification_quote_must_be_in_the_paper(tmp_path):
    folder = tmp_path / "zang2022"
    shutil.copytree(data_root() / "zang2022", folder)
    line = toml(folder, 'stratification_quote = "The Interactive', 'stratification_quote = "Invented. The Interactive')
    refused(folder, "paper.toml", line, "stratification_quote", "not found in")


def test_a_model_needs_its_variables_and_a_population(make):
    folder = make()
    line = toml(folder, 'variables = ["treatment", "bmi", "fasting_cpeptide"]', "variables = []")
    refused(folder, "paper.toml", line, "models.0.variables", "non-empty list")


def test_a_model_population_is_an_arm_or_all(make):
    folder = make()
    line = toml(folder, 'population = "mscs"', 'population = "treated"')
    refused(folder, "paper.toml", line, "models.1.population", "an arm id")


def test_stratified_on_names_transcribed_variables(make):
    folder = make("zang2022")
    line = toml(folder, 'stratified_on = ["age",', 'stratified_on = ["age_years",')
    refused(folder, "paper.toml", line, "stratified_on", "no variable of descriptives.csv")


@pytest.mark.parametrize(
    "key, old, new",
    [
        ("outcome", 'outcome = "clinical_remission"', 'outcome = "remission"'),
        ("timepoint", 'timepoint = "m12"', 'timepoint = "m24"'),
    ],
)
def test_a_model_names_a_transcribed_outcome_and_time_point(make, key, old, new):
    folder = make()
    line = toml(folder, old, new)
    refused(folder, "paper.toml", line, f"models.0.{key}", f"unknown {key}")
