"""The site's notebook pages are nbconvert's HTMLExporter pages: the same elements, attributes and
text, with the same accessibility attributes (alt text on every image, keyboard focus on every
input and output area), added without nbconvert's BeautifulSoup re-parse. No kernel or browser."""

from __future__ import annotations

import base64
import copy
import functools
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from bs4 import BeautifulSoup

from reanalysis import site, tables
from reanalysis.run import ROOT

#: A 1x1 PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082"
    )
).decode()


#: What the runner passes with a notebook: its navigation bar and its title.
RESOURCES = {"site_nav": "<a href='index.html'>Overview</a>", "metadata": {"name": "t"}}


def _tree(page: str):
    """Every element (name and attributes, in document order) and every string of ``page``, as
    BeautifulSoup with html.parser reads them (what nbconvert's own pass works on)."""
    soup = BeautifulSoup(page, features="html.parser")
    elements = [
        (t.name, sorted((k, " ".join(v) if isinstance(v, list) else v) for k, v in t.attrs.items()))
        for t in soup.find_all(True)
    ]
    return elements, list(soup.strings)


@functools.cache
def _nbconvert(analyst: bool):
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="reanalysis",
        extra_template_basedirs=[str(site.TEMPLATES)],
        exclude_input=not analyst,
        exclude_input_prompt=not analyst,
        exclude_output_prompt=not analyst,
    )


def _awkward() -> nbformat.NotebookNode:
    """Images without alt text where nbconvert adds it (an image output, Markdown, raw HTML) and
    text that only looks like an image or a focusable div (in a script, a comment, an attribute,
    a code cell)."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    html = (
        '<div class="jp-OutputArea-output">nested</div><img src="data:image/png;base64,' + PNG + '">'
        '<IMG SRC="data:image/png;base64,' + PNG + '"/><img alt="" src="x.png"><img alt="a figure" src="y.png">'
        "<!-- <img src=c.png> --><script>var s = '<img src=d.png>';</script>"
        '<p title="<img src=e.png>">t</p><div class="jp-Cell-inputWrapper" tabindex="-1">kept</div>'
        "<br><br/><p>unclosed<div class='jp-OutputArea-output other'>x</div></span>"
    )
    nb.cells = [
        v4.new_markdown_cell(
            "# Awkward\n\n![](data:image/png;base64," + PNG + ')\n\n<img src="m.png">\n\ntext & <b>more</b>'
        ),
        v4.new_code_cell(
            "print('<img src=x>')",
            outputs=[
                v4.new_output("stream", name="stdout", text="<img src=x>\n"),
                v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
                v4.new_output("display_data", data={"text/html": html, "text/plain": "html"}),
                v4.new_output("error", ename="E", evalue="<img>", traceback=["E: <img src=x>"]),
            ],
            execution_count=1,
        ),
        v4.new_code_cell("x = 1", execution_count=2),
    ]
    return nb


@pytest.mark.parametrize(
    ("notebook", "analyst"), [("awkward", False), ("awkward", True), ("audit", True)], ids=lambda v: str(v)
)
def test_pages_are_nbconverts_pages(notebook, analyst):
    """Element by element and string by string what nbconvert's HTMLExporter writes: for a
    notebook of awkward cases in each edition, and for the committed audit notebook with its code
    (the reader edition holds the same outputs; the awkward notebook covers its template paths)."""
    if notebook == "awkward":
        nb = _awkward()
    else:
        nb = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
        nb = tables.analyst_edition(nb) if analyst else tables.reader_edition(nb)
    ours = site._export(nb, analyst, dict(RESOURCES))
    theirs, _ = _nbconvert(analyst).from_notebook_node(nb, resources=dict(RESOURCES))
    assert _tree(ours) == _tree(theirs)
    soup = BeautifulSoup(ours, features="html.parser")
    assert soup.select("img") and not soup.select("img:not([alt])")
    focusable = soup.select(".jp-Notebook div.jp-Cell-inputWrapper, .jp-Notebook div.jp-OutputArea-output")
    assert focusable and all(e.get("tabindex") for e in focusable)
    if notebook == "awkward":
        # the image output, the raw <img> in Markdown (![]() gets alt="") and two in the HTML output
        assert len(soup.select(f'img[alt="{site.NO_ALT}"]')) == 4
        assert "<img src=d.png>" in ours and "<!-- <img src=c.png> -->" in ours  # script and comment as written
        assert '<div class="jp-Cell-inputWrapper" tabindex="0">kept' in ours  # "-1" replaced, as by nbconvert


def test_prepared_exporters_write_the_same_pages(monkeypatch):
    """``site.prepare`` (the runner's warm-up while the kernels start: each edition's exporter made
    and its templates compiled on an empty notebook) changes no page: the awkward notebook in both
    editions, written by exporters made for it and by prepared ones."""
    nb = _awkward()  # once: its cells' ids are random

    def pages() -> list[str]:
        return [site._export(copy.deepcopy(nb), analyst, dict(RESOURCES)) for analyst in (False, True)]

    monkeypatch.setattr(site, "_EXPORTERS", {})  # none made yet in this process
    fresh = pages()
    monkeypatch.setattr(site, "_EXPORTERS", {})
    site.prepare()
    assert set(site._EXPORTERS) == {False, True}
    assert pages() == fresh


def test_exporters_are_made_once_and_used_by_one_thread_at_a_time():
    """Every run of a process shares the two exporters (their templates compiled once), and pages
    exported from several threads at once are each the page exported alone."""
    nb = _awkward()
    alone = [site._export(copy.deepcopy(nb), analyst, dict(RESOURCES)) for analyst in (False, True)]
    made = dict(site._EXPORTERS)
    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda a: site._export(copy.deepcopy(nb), a, dict(RESOURCES)), [False, True] * 4))
    assert pages == alone * 4
    assert site._EXPORTERS == made  # the same objects: none made again


def test_accessible_inserts_into_the_text_only():
    """Attributes go right after the tag's name; nothing else of the page changes."""
    page = (
        '<html><body class="jp-Notebook"><div class="a jp-OutputArea-output"\n'
        "data-x='<img>'><img\nsrc=x></div></body></html><div class=\"jp-OutputArea-output\"><img alt=y>"
    )
    text, missing = site.accessible(page)
    assert missing == 1
    assert text == page.replace('<div class="a', '<div tabindex="0" class="a').replace(
        "<img\nsrc", f'<img alt="{site.NO_ALT}"\nsrc'
    )
    assert site.accessible("<p>nothing</p>") == ("<p>nothing</p>", 0)


def test_code_is_highlighted_as_text():
    """A code cell's source (not passed through a sanitiser) reaches the analyst page as text."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    source = 'paper_dir = "</div><script>window.__pwned=1</script><img src=x onerror=y>"  # "&amp;\''
    nb.cells = [v4.new_code_cell(source, execution_count=1)]
    page = site._export(nb, True, {"metadata": {"name": "t"}})
    soup = BeautifulSoup(page, features="html.parser")
    assert not soup.select("main script") and not soup.select("main img")
    code = soup.select_one(".jp-InputArea-editor")
    assert " ".join(code.get_text().split()) == " ".join(source.split())
