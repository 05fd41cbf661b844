"""Text from a data package is shown as text, never run: a hostile copy of lu2021 (every text
field of paper.toml and both CSV files, the folder name and the notebook's file name carrying
script, attribute-breaking and table-closing strings) is audited by notebooks/audit.ipynb and
rendered with the site code, and every page is opened in Chromium.

The direct tests at the top need no kernel or browser; the page test needs Debian's chromium
(skips where it is absent) and executes the audit notebook once.
"""

from __future__ import annotations

import csv
import functools
import html
import http.server
import json
import os
import re
import shutil
import sys
import threading
import tomllib
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
from browser import in_tabs, late_requests  # the browser tests' runner (tests/browser.py)

import reanalysis
from reanalysis import site, tables
from reanalysis.audit import audit
from reanalysis.data import count_numbers, counts_markdown, data_root, load

HOSTILE = (
    "<script>window.__pwned=1</script>",
    '" onmouseover="window.__pwned=1',
    "</table>",
    "<img src=x onerror=window.__pwned=1>",
)
POISON = " ".join(HOSTILE)
#: A file or folder name cannot hold "/": the strings without one.
NAME_POISON = " ".join(h for h in HOSTILE if "/" not in h)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
#: Free-text columns of the CSV files (the others are slugs, numbers or ids, which the validator checks).
TEXT_COLUMNS = {
    "descriptives.csv": ("location", "unit", "quote", "note"),
    "inferences.csv": ("location", "method_stated", "quote", "reason", "note"),
    "registration.csv": ("registry_value", "paper_value", "registry_source", "paper_location", "paper_quote", "note"),
    "conclusions.csv": ("location", "quote", "note"),
}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _dump_toml(meta: dict) -> str:
    def tables(v) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

    lines = [f"{k} = {_toml_value(v)}" for k, v in meta.items() if k not in ("arms", "timepoints") and not tables(v)]
    for key, value in meta.items():  # other arrays of tables ([[models]])
        if key != "timepoints" and tables(value):
            for t in value:
                lines += ["", f"[[{key}]]", *(f"{k} = {_toml_value(v)}" for k, v in t.items())]
    for arm, spec in meta["arms"].items():
        lines += ["", f"[arms.{arm}]", *(f"{k} = {_toml_value(v)}" for k, v in spec.items())]
    for t in meta["timepoints"]:
        lines += ["", "[[timepoints]]", *(f"{k} = {_toml_value(v)}" for k, v in t.items())]
    return "\n".join(lines) + "\n"


def hostile_package(parent: Path) -> Path:
    """A copy of lu2021 with the hostile strings in every text field (and its folder name)."""
    source = data_root() / "lu2021"
    folder = parent / f"lu2021 {NAME_POISON}"
    shutil.copytree(source, folder)
    meta = tomllib.loads((source / "paper.toml").read_text(encoding="utf-8"))
    meta["id"] = folder.name
    for key, value in meta.items():
        if isinstance(value, str) and key not in ("id", "text"):
            meta[key] = f"{value} {POISON}"
    for spec in meta["arms"].values():
        spec["label"] = f"{spec['label']} {POISON}"
    for t in meta["timepoints"]:
        t["label"] = f"{t.get('label', t['id'])} {POISON}"
    meta["variables"] = {k: f"{v} {POISON}" for k, v in meta.get("variables", {}).items()}
    (folder / "paper.toml").write_text(_dump_toml(meta), encoding="utf-8")
    quotes = []
    curated = tomllib.loads((source / "findings.toml").read_text(encoding="utf-8"))
    curated["concluded"] = f"{POISON} {curated['concluded']}"
    quotes.append(curated["concluded"])
    curated["concluded_location"] += f" {POISON}"
    for entry in curated["finding"]:
        entry["statement"] += " " + POISON.replace("{", "{{").replace("}", "}}")
        entry["explanations"] = [f"{x} {POISON}" for x in entry["explanations"]]
    lines = [f"{k} = {_toml_value(v)}" for k, v in curated.items() if k != "finding"]
    for entry in curated["finding"]:
        lines += ["", "[[finding]]", *(f"{k} = {_toml_value(v)}" for k, v in entry.items())]
    (folder / "findings.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, columns in TEXT_COLUMNS.items():
        with (folder / name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            for col in columns:
                if col.endswith("quote"):
                    r[col] = f"{POISON} {r[col]}"
                    quotes.append(r[col])
                elif r[col] or col in ("location", "note"):
                    r[col] = f"{r[col]} {POISON}".strip()
        with (folder / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    with (folder / "paper.txt").open("a", encoding="utf-8") as f:  # the poisoned quotes stay findable
        f.write("\n\n" + "\n".join(quotes) + "\n")
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return hostile_package(tmp_path_factory.mktemp("hostile"))


# --------------------------------------------------------------------------- direct tests, no kernel


def test_hostile_package_validates_and_keeps_its_text(hostile):
    paper = load(hostile)
    assert paper.meta["citation"].endswith(POISON)
    assert all(q.startswith(POISON) for q in paper.descriptives["quote"])


def _no_raw_html(markdown: str) -> None:
    for h in HOSTILE:
        assert h not in markdown
    assert "<" not in markdown and ">" not in markdown.replace("&gt;", "")


def test_markdown_from_the_data_is_escaped(hostile):
    paper = load(hostile)
    claims = audit(paper)
    for prose in (tables.headline(paper, claims), tables.flow_sentence(paper)):
        _no_raw_html(prose._repr_markdown_())
        assert POISON in prose.plain  # the plain-text edition shows the text as written
    _no_raw_html(counts_markdown([paper]))


def test_registration_and_conclusions_from_the_data_are_escaped(hostile):
    import pandas as pd

    from reanalysis import conclusions, registration, regression
    from reanalysis.audit import account

    paper = load(hostile)
    prose = registration.summary(paper)
    _no_raw_html(prose._repr_markdown_())
    assert "2021" in prose.plain  # only the date read from the poisoned field reaches the sentence
    assert "&lt;script" in registration.record(paper).to_html()  # the table: pandas escapes it
    for prose in (regression.odds_sentence(paper), regression.epv_sentence(paper)):
        _no_raw_html(prose._repr_markdown_())
    claims = account(paper, audit(paper))
    sensitivity = pd.DataFrame(
        [
            {"analysis": a, "setting": "s", "estimate": 0.0, "p": 0.5, "significant": False}
            for a in (
                "per protocol, each 2x2 test",
                "worst case for the missing",
                "no events among the missing",
                "events per variable",
            )
        ]
    )
    table = conclusions.table(conclusions.assess(paper, claims, sensitivity))
    _no_raw_html(table._repr_markdown_())
    assert POISON in table.plain


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("Lu J, Shen SM, Ling Q, et al. Stem Cell Res Ther. 2021;12:340.", None),  # unchanged
        ("UC-MSCs", None),
        ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("![i](x)", "!\\[i\\](x)"),
        ("*a* _b_ `c` ~~d~~ $e$ |f|", "\\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~ \\$e\\$ \\|f\\|"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. item", "1\\. item"),
        ("line\n\n# two", "line # two"),  # one line: a # inside it is no heading
        ("<http://x>", "&lt;http://x&gt;"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_escape_markdown(text, markdown):
    assert tables.escape_markdown(text) == (text if markdown is None else markdown)


def test_markdown_renders_as_the_literal_text():
    """Through nbconvert's own Markdown renderer, the escaped text comes back as written."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    for text in [*HOSTILE, POISON, "*a* [b](c) `d` $e$ # f", "1. x", "a & b < c"]:
        rendered = markdown2html_mistune(tables.escape_markdown(text))
        assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
        plain = re.sub(r"<[^>]+>", "", rendered)
        import html

        assert html.unescape(plain).strip() == " ".join(text.split())


def test_tables_of_data_text_are_escaped_by_pandas(hostile):
    paper = load(hostile)
    claims = audit(paper)
    frames = [
        tables.claims_table(claims, columns=["quote", "reported", "note"]),
        tables.losses(paper),
        count_numbers(paper),
        paper.descriptives.head(),
    ]
    for frame in frames:
        rendered = frame._repr_html_()
        assert rendered.count("<table") == rendered.count("</table>") == 1  # the data's "</table>" is text
        for h in ("<script>", "<img"):  # a quote in element text is only text: pandas leaves it
            assert h not in rendered


def test_navigation_hrefs_are_quoted():
    stem = 'a" onmouseover="x <img src=x onerror=y> #?%'
    pages = [site.Page(stem, "<t>"), site.Page("ok", "ok")]
    for analyst in (False, True):
        nav = site._nav(pages, "ok", analyst)
        assert "onmouseover=" not in nav.replace("onmouseover=&quot;", "")  # only inside a quoted attribute
        assert "<img" not in nav
        assert quote(f"{stem}.html", safe="") in nav
        assert re.fullmatch(r'(?:[^"]*"[^"<>]*")*[^"]*', nav), "every attribute value closes where it should"


# --------------------------------------------------------------------------- the audit notebook in Chromium


@pytest.fixture(scope="module")
def built(hostile, tmp_path_factory):
    """The hostile package audited by notebooks/audit.ipynb under a hostile file name, rendered to
    the site (both editions and the index), plus a page of the other data-driven outputs."""
    from jupyter_client.kernelspec import KernelSpecManager

    from reanalysis.run import ROOT, reproduce

    build = tmp_path_factory.mktemp("build")
    nbdir = tmp_path_factory.mktemp("notebooks")
    notebook = nbdir / f"audit {NAME_POISON}.ipynb"
    shutil.copy(ROOT / "notebooks" / "audit.ipynb", notebook)
    src = str(Path(reanalysis.__file__).resolve().parents[1])
    kernel = KernelSpecManager().get_kernel_spec("python3").argv[0]
    with pytest.MonkeyPatch.context() as mp:  # the kernel imports this checkout's reanalysis: as this
        if os.path.abspath(kernel) != os.path.abspath(sys.executable):  # process does if it runs this python
            mp.setenv("PYTHONPATH", src + os.pathsep + os.environ.get("PYTHONPATH", ""))  # (no new zygote)
        result = reproduce([notebook], build=build, parameters={"paper_dir": str(hostile)}, jobs=1, progress=False)
    assert result.ok, result.failures
    audited = Path(result.pages[0]).stem  # the audit's page: the notebook's name and the package's
    # a second page, rendered by the site code from outputs of the other functions that show data text
    paper = load(hostile)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Other outputs")]
    for obj in (
        tables.flow_sentence(paper),
        tables.headline(paper, audit(paper)),
        tables.losses(paper),
        tables.arm_counts(paper, "clinical_remission", "m12"),
    ):
        cell = nbformat.v4.new_code_cell("x")
        data = {"text/plain": getattr(obj, "plain", None) or obj.to_string()}
        data["text/markdown" if hasattr(obj, "_repr_markdown_") else "text/html"] = (
            obj._repr_markdown_() if hasattr(obj, "_repr_markdown_") else obj._repr_html_()
        )
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        nb.cells.append(cell)
    other = build / "notebooks" / f"other {NAME_POISON}.ipynb"
    nbformat.write(nb, other)
    pages = [site.Page(audited, "Audit"), site.Page(other.stem, "Other")]
    site.render(other, build / "site", pages)
    site.write_index(build / "site", pages, {audited: notebook, other.stem: other}, build)
    return build, audited, other.stem


def _expected_tables(executed: Path, analyst: bool = False) -> list[int]:
    """Rows of each table the notebook's outputs hold (what the page must show, table by table), in
    the reader edition or the analyst's (whose claim tables keep their ids)."""
    nb = nbformat.read(executed, as_version=4)
    nb = tables.analyst_edition(nb) if analyst else tables.reader_edition(nb)
    counts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = "".join(out.get("data", {}).get("text/html", ""))
            if "<table" in html:
                assert html.count("<table") == html.count("</table>") == 1
                counts.append(html.count("<tr"))
    return counts


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)")
def test_hostile_pages_run_no_script_and_keep_their_tables(built):
    build, audit_stem, other_stem = built
    folder = build / "site"
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    assert len(pages) == 5, pages  # index and two pages in two editions
    expected = {
        (stem, analyst): _expected_tables(build / "notebooks" / f"{stem}.ipynb", analyst)
        for stem in (audit_stem, other_stem)
        for analyst in (False, True)
    }
    # as many tables as the unpoisoned reference run of the notebook (notebooks/audit.ipynb, on zang2022)
    from reanalysis.run import ROOT

    assert len(expected[audit_stem, False]) == len(_expected_tables(ROOT / "notebooks" / "audit.ipynb")) >= 3
    assert len(expected[other_stem, False]) == 2
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    problems: list[str] = []
    checked: list[str] = []

    async def check(page, name):
        response = await page.goto(f"{base}/{quote(name)}", wait_until="load")
        assert response is not None and response.ok, name
        # nothing that could request after the load event (so waiting for it is enough): no script,
        # nothing loaded lazily, no refresh, whatever the package's text tried
        assert await late_requests(page) == 0, name
        # move the mouse over every element: an injected onmouseover would fire
        await page.evaluate(
            "document.querySelectorAll('*').forEach(e => e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))"
        )
        assert await page.evaluate("typeof window.__pwned") == "undefined", f"{name}: injected script ran"
        assert await page.evaluate("document.querySelectorAll('[onerror],[onmouseover]').length") == 0, name
        assert await page.evaluate("document.querySelectorAll('img[src=x]').length") == 0, name
        scripts = await page.evaluate("Array.from(document.scripts).map(s => s.textContent)")
        assert not any("__pwned" in s for s in scripts), name
        stem = Path(name).stem
        if (stem, False) in expected:
            want = expected[stem, name.startswith("code/")]
            rows = await page.evaluate("Array.from(document.querySelectorAll('table')).map(t => t.rows.length)")
            assert rows == want, f"{name}: tables {rows}, expected {want}"
            text = await page.inner_text("body")
            for h in HOSTILE:  # shown as the text it is
                assert h in text, f"{name}: {h!r} not shown as text"
        else:  # the index links to both pages in both editions, and the links work
            hrefs = await page.evaluate("Array.from(document.links).map(a => a.href)")
            for stem in (audit_stem, other_stem):
                for edition in ("", "code/"):
                    target = f"{base}/{edition}{quote(stem + '.html', safe='')}"
                    assert target in hrefs, (target, hrefs)
                    assert (await page.request.get(target)).ok, target
        checked.append(name)

    async def tab(browser, queue):
        page = await browser.new_page()  # each navigation starts a fresh document and window
        at = {"name": ""}  # the page being checked in this tab, for the listeners
        page.on("console", lambda m: m.type == "error" and problems.append(f"{at['name']}: console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"{at['name']}: page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"{at['name']}: failed request {r.url}"))
        while not queue.empty():
            at["name"] = queue.get_nowait()
            await check(page, at["name"])
        await page.close()

    try:
        in_tabs(pages, tab, 2, CHROMIUM, FLAGS)  # two tabs at once
    finally:
        server.shutdown()
    assert not problems, "\n".join(problems)
    assert sorted(checked) == pages


def test_findings_text_is_escaped(hostile, tmp_path):
    """The verdict, the findings report and the index entry show the package's text as text."""
    from reanalysis import findings

    paper = load(hostile)
    found = findings.findings(paper, audit(paper))
    assert any(POISON in f["statement"] for f in found["findings"])  # curated wording is data too
    verdict = findings.verdict(found)
    _no_raw_html(verdict._repr_markdown_())
    assert POISON in verdict.plain
    _no_raw_html(findings.report(found))
    findings.write_findings(tmp_path, found)
    entry = findings.index_entry(tmp_path)
    for h in HOSTILE:
        assert h not in entry
    assert html.escape(POISON) in entry
