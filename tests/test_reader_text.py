"""The reader edition of the paper pages, read as the site shows it (the committed, executed
notebooks' outputs, through :func:`reanalysis.tables.reader_edition`): no internal claim id, no
NaN and no None in its text; the analyst edition keeps the ids."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from reanalysis import tables
from reanalysis.audit import account, audit
from reanalysis.data import load

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Each paper page and the package its text is about (the audit notebook's default is zang2022).
PAGES = {"zang2022": "zang2022", "lu2021": "lu2021", "audit": "zang2022"}
#: The output a rendered page shows, in nbconvert's order of preference.
PRIORITY = ("text/html", "text/markdown", "text/plain")


def _ids(package: str) -> set[str]:
    paper = load(package)
    every = account(paper, audit(paper))
    ids = set(every["claim_id"]) | set(paper.descriptives["id"]) | set(paper.inferences["id"])
    return ids | {i.split("@")[0] for i in ids}


def _text(nb) -> list[tuple[str, str]]:
    """(cell id, the text a reader sees) for every cell: Markdown, and each output as shown."""
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out.append((cell.id, cell.source))
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                out.append((cell.id, output.get("text", "")))
            data = output.get("data", {})
            shown = next((m for m in PRIORITY if m in data), None)
            if shown:
                text = data[shown]
                if shown == "text/html":
                    text = html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", text, flags=re.S))
                out.append((cell.id, text))
    return out


@pytest.mark.parametrize("stem", [*sorted(PAGES), "synthesis"])
def test_reader_edition_shows_no_claim_id_nan_or_none(stem):
    nb = tables.reader_edition(nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4))
    ids = _ids(PAGES[stem]) if stem in PAGES else _ids("zang2022") | _ids("lu2021")  # synthesis: both
    problems = []
    for cell, text in _text(nb):
        words = set(re.findall(r"[\w.@\-]+", text))
        found = sorted(w for w in words if w in ids or w.rstrip(".") in ids)
        marks = re.findall(r"\b(NaN|None|nan|<NA>)\b", text)
        if found or marks:
            problems.append((cell, found[:3], marks[:3]))
    assert not problems, f"{stem}: reader text shows claim ids or missing-value marks: {problems}"


def test_analyst_edition_keeps_the_ids():
    nb = tables.analyst_edition(nbformat.read(NOTEBOOKS / "zang2022.ipynb", as_version=4))
    text = " ".join(t for _, t in _text(nb))
    assert "t2.primary.w48.placebo.percent" in text  # the inconsistent percentages, by id
    assert "claim_id" in text


def test_claims_table_editions():
    paper = load("zang2022")
    claims = audit(paper)
    table = tables.claims_table(claims, kind="percent", verdict="inconsistent", columns=["reported", "note"])
    bundle = table._repr_mimebundle_()
    assert "t2.primary.w48.placebo.percent" in bundle[tables.ANALYST_MIME]
    assert "t2.primary.w48.placebo.percent" not in bundle["text/html"] + bundle["text/plain"]
    assert 'Table 2, row "48 weeks"' in bundle["text/plain"]  # where in the paper
    shown = claims[(claims["kind"] == "percent") & (claims["verdict"] == "inconsistent")]
    longest = max(shown["note"], key=len)
    assert len(longest) > 60
    with pd.option_context("display.max_colwidth", 60):  # as the notebooks set it
        bundle = table._repr_mimebundle_()
    assert longest in html.unescape(bundle["text/html"])  # notes whole, not cut at 60 characters
    assert longest in bundle["text/plain"]


def _parameter_names() -> set[str]:
    from reanalysis.params import SPEC
    from reanalysis.vocabulary import SETTING_WORDS

    return set(SPEC) | set(SETTING_WORDS)


@pytest.mark.parametrize("stem", [*sorted(PAGES), "synthesis"])
def test_reader_edition_shows_no_parameter_names(stem):
    """Readers see the analysis choices in words ("the 2×2 test chosen for this run"), never a
    parameter's identifier: no snake_case parameter name anywhere in the reader text, and no
    parameter name set as code (`alpha`). A fenced command a reader is told to type is not prose."""
    nb = tables.reader_edition(nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4))
    names = _parameter_names()
    snake_names = sorted((n for n in names if "_" in n), key=len, reverse=True)
    snake = re.compile(r"(?<![\w.])(" + "|".join(snake_names) + r")\b")
    coded = re.compile(r"`(" + "|".join(sorted(names, key=len, reverse=True)) + r")`")
    problems = []
    for cell, text in _text(nb):
        prose = re.sub(r"```.*?```", " ", text, flags=re.S)
        found = snake.findall(prose) + coded.findall(prose)
        if found:
            problems.append((cell, sorted(set(found))))
    assert not problems, f"{stem}: reader text shows parameter names: {problems}"


def test_parameter_names_rule_catches_them():
    """The rule above fails on the old wording (so it is not vacuous)."""
    names = _parameter_names()
    snake = re.compile(r"(?<![\w.])(" + "|".join(n for n in names if "_" in n) + r")\b")
    assert snake.findall("`recomputed` uses this run's `two_by_two_test` and `ci_method`")
    assert snake.findall("<td>two_by_two_test</td>")  # a table cell, as the settings table showed it
    assert not snake.findall("the 2×2 test chosen for this run")


@pytest.mark.parametrize("stem", sorted(PAGES))
def test_verdict_comes_before_the_claim_counts(stem):
    """Issue 13: the one-screen verdict opens the page; the claim counts follow it."""
    text = [t for _, t in _text(tables.reader_edition(nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)))]
    verdict = next(i for i, t in enumerate(text) if "What the paper concluded." in t)
    counts = next(i for i, t in enumerate(text) if "We audited" in t)
    assert verdict < counts
    glance = next(i for i, t in enumerate(text) if t.startswith(("## The verdicts at a glance", "## Verdicts by kind")))
    assert glance < counts


@pytest.mark.parametrize("stem", sorted(PAGES))
def test_reader_edition_names_variables_in_words(stem):
    """A variable's slug with an underscore (``fasting_cpeptide``) is an identifier of the data
    package; readers see its name (paper.toml's [variables]) instead."""
    paper = load(PAGES[stem])
    slugs = {v for v in set(paper.descriptives["variable"]) | set(paper.inferences["variable"]) if "_" in str(v)}
    pattern = re.compile(r"(?<![\w.@])(" + "|".join(sorted(map(re.escape, slugs), key=len, reverse=True)) + r")\b")
    nb = tables.reader_edition(nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4))
    problems = [(cell, sorted(set(found))) for cell, text in _text(nb) if (found := pattern.findall(text))]
    assert not problems, f"{stem}: reader text shows variable slugs: {problems}"
