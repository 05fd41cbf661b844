"""The rendered site in a real browser: every page opens with no console error, no failed or
external request, no broken image and no image without alt text, at laptop and phone width,
without scrolling sideways; a screenshot of each goes to build/screenshots/. The site's
navigation follows site.toml, the workshop is on it, and `make pdf` prints its pages.

Needs Debian's chromium (``.ci/run`` installs it); skips with a message where it is absent.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import shutil
import threading
from html import unescape
from urllib.parse import urlparse

import pytest
from browser import LATE_REQUESTS, in_tabs, late_requests  # the browser tests' runner (tests/browser.py)

from reanalysis.run import ROOT, reproduce

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the whole site into a temporary build/ and serve it on 127.0.0.1."""
    build = tmp_path_factory.mktemp("build")
    result = reproduce(build=build, progress=False)
    assert result.ok, result.failures
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(build / "site"))
    http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield build / "site", f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


#: The widths a reader opens the site at.
VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
#: An image nbconvert shows without alt text of ours gets this one.
NO_ALT = "No description has been provided for this image"
#: The input and output areas of a notebook's page, which the keyboard can focus (tabindex="0").
FOCUSABLE = ".jp-Notebook div.jp-Cell-inputWrapper, .jp-Notebook div.jp-OutputArea-output"


def _is_reader(name: str) -> bool:
    """A page a reader opens: the reader edition of a notebook, the index, the workshop's page
    (not the analyst edition in code/ or the workshop's notebooks in workshop/)."""
    return "/" not in name


#: Pages open in this many tabs at once (more tabs cost more CPU and gained nothing on 2 cores).
TABS = 2


def test_every_page_loads_cleanly_offline(site):
    """At laptop width every page, at phone width every reader page: no console error, no failed
    or external request, nothing that could request after loading (a script, lazy content), no
    broken image, every image with alt text, every input and output area focusable, and the page
    itself never scrolls sideways (a wide table scrolls inside its own box); a screenshot of each
    at each width. Each page is opened once, at laptop width, then checked again after the window
    is narrowed to phone width; a few tabs share the pages."""

    folder, base = site
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    assert "index.html" in pages and "zang2022.html" in pages and "code/lu2021.html" in pages
    assert "workshop.html" in pages and "workshop/FACILITATOR.html" in pages
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    checked = []

    async def check(page, at, note):
        name = at["name"]
        if late := await late_requests(page):
            note(f"{late} element(s) that may request after the page has loaded ({LATE_REQUESTS})")
        images = await page.evaluate(
            "Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.alt.trim(), "
            "!!(i.closest('figure') && i.closest('figure').querySelector('figcaption'))])"
        )
        if broken := sum(not ok for ok, _, _ in images):
            note(f"{broken} broken image(s)")
        if no_alt := sum(not alt or alt == NO_ALT for _, alt, _ in images):
            note(f"{no_alt} image(s) without alt text")
        if _is_reader(name) and (bare := sum(not captioned for _, _, captioned in images)):
            note(f"{bare} image(s) without a caption")
        areas, unfocusable = await page.evaluate(
            "areas => [document.querySelectorAll(areas).length, "
            "Array.from(document.querySelectorAll(areas)).filter(e => e.tabIndex !== 0).length]",
            FOCUSABLE,
        )
        if unfocusable:
            note(f"{unfocusable} of {areas} input or output area(s) cannot be focused with the keyboard")
        if name not in ("index.html", "workshop.html", "workshop/FACILITATOR.html"):  # a notebook's page
            assert areas, f"{name}: no input or output area"
        sideways = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if _is_reader(name) and sideways > 0:
            note(f"the page scrolls sideways by {sideways}px")
        if name != "index.html":
            assert await page.locator("nav.site a[href$='index.html']").count() == 1, f"{name}: no link to the overview"
        await page.screenshot(path=str(shots / f"{name.replace('/', '_')}.{at['width']}.png"), full_page=False)
        checked.append((name, at["width"]))

    async def tab(browser, queue):
        page = await browser.new_page(viewport=VIEWPORTS["laptop"])
        at = {"name": "", "width": "laptop"}  # the page being checked in this tab and its width

        def note(text):
            problems.append(f"{at['name']} ({at['width']}): {text}")

        page.on("console", lambda m: m.type == "error" and note(f"console: {m.text}"))
        page.on("pageerror", lambda e: note(f"page error: {e}"))
        page.on("requestfailed", lambda r: note(f"failed request {r.url}"))
        page.on(
            "request",
            lambda r: (
                urlparse(r.url).hostname not in ("127.0.0.1", None)
                and not r.url.startswith("data:")
                and note(f"external request {r.url}")
            ),
        )
        while not queue.empty():
            name = queue.get_nowait()
            if at["width"] != "laptop":
                await page.set_viewport_size(VIEWPORTS["laptop"])
            at.update(name=name, width="laptop")
            response = await page.goto(f"{base}/{name}", wait_until="load")
            assert response is not None and response.ok, name
            await check(page, at, note)
            if _is_reader(name):
                at["width"] = "phone"
                await page.set_viewport_size(VIEWPORTS["phone"])
                await check(page, at, note)
        await page.close()

    in_tabs(pages, tab, TABS, CHROMIUM, FLAGS)
    assert not problems, "\n".join(problems)
    readers = [n for n in pages if _is_reader(n)]
    assert sorted(checked) == sorted([(n, "laptop") for n in pages] + [(n, "phone") for n in readers])


def test_navigation_follows_the_manifest(site):
    """Every page's navigation bar lists the pages in the reading order of site.toml (zang2022,
    lu2021, synthesis, the audits, the workshop), as does the index."""
    import re

    from reanalysis.site import manifest

    folder, _ = site
    listed = [e.stem for e in manifest().entries]
    assert listed[:3] == ["zang2022", "lu2021", "synthesis"] and listed[-1] == "workshop"

    def rank(stem):
        return next(i for i, e in enumerate(listed) if stem == e or stem.startswith(e + "-"))

    for name, current in (
        ("zang2022.html", "zang2022"),
        ("code/synthesis.html", "synthesis"),
        ("workshop.html", "workshop"),
        ("workshop/FACILITATOR.html", "workshop"),
    ):
        text = (folder / name).read_text(encoding="utf-8")
        nav = text[text.index('<nav class="site">') : text.index("</nav>")]
        nav = nav[: nav.index('<span class="edition">')] if "edition" in nav else nav
        linked = [s for s in re.findall(r'href="(?:\.\./)?([^"/]+)\.html"', nav) if s != "index"]
        assert current not in linked and nav.count('aria-current="page"') == 1, name  # the page itself: no link
        assert [rank(s) for s in linked] == sorted(rank(s) for s in linked), (name, linked)
        assert {"zang2022", "lu2021", "synthesis", "audit-zang2022", "workshop"} - {current} <= set(linked), name
    index = (folder / "index.html").read_text(encoding="utf-8")
    order = [index.index(f'href="{s}.html"') for s in ("zang2022", "lu2021", "synthesis", "audit-zang2022", "workshop")]
    assert order == sorted(order)


def test_workshop_pages_show_each_notebook_and_the_guide(site):
    from reanalysis import workshop

    folder, _ = site
    text = (folder / "workshop.html").read_text(encoding="utf-8")
    for solution, exercise in workshop.pairs():
        for nb in (solution, exercise):
            assert f'href="workshop/{nb.stem}.html"' in text and (folder / "workshop" / nb.name).is_file()
            assert (folder / "workshop" / f"{nb.stem}.html").is_file()
    guide = (folder / "workshop" / "FACILITATOR.html").read_text(encoding="utf-8")
    assert "<h1" in guide and "<script" not in guide


def test_make_pdf_prints_reader_pages_and_findings_reports(site, tmp_path, monkeypatch):
    """The paper pages and each paper's findings report (where the notebook wrote one) as PDFs,
    printed by one browser: each has pages and, as its outline, the headings of what was printed."""
    import re
    import subprocess

    from reanalysis import pdf

    folder, _ = site
    build = folder.parent
    papers = ["zang2022", "lu2021"]
    launched, popen = [], subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: launched.append(a) or popen(*a, **k))
    result = pdf.write_pdfs(build, tmp_path / "pdf", pages=[*papers, "synthesis"])
    assert len(launched) == 1, launched  # one Chromium for the five PDFs
    written = {p.name for p in result.written}
    assert {"zang2022.pdf", "lu2021.pdf", "synthesis.pdf"} <= written
    for stem in (*papers, "synthesis"):
        printed = tmp_path / "pdf" / f"{stem}.pdf"
        page = (folder / f"{stem}.html").read_text(encoding="utf-8")
        headings = [" ".join(h.split()) for h in re.findall(r"<h2[^>]*>([^<]+)", page)]
        assert headings, stem
        assert pdf.page_count(printed) >= 2, stem
        outline = [" ".join(t.split()) for t in pdf.outline(printed)]
        assert all(h in outline for h in headings), (stem, set(headings) - set(outline))
    for pid in papers:
        source = build / pid / "findings.md"
        if not source.is_file():  # written by the notebook once reanalysis.findings is in place
            assert any(m.startswith(f"{pid}: no findings report") for m in result.skipped), result.skipped
            continue
        printed = tmp_path / "pdf" / f"{pid}-findings.pdf"
        assert printed.name in written and pdf.page_count(printed) >= 1
        # Chromium's outline drops the spaces where a long heading wraps: compare without spaces
        outline = ["".join(t.split()) for t in pdf.outline(printed)]
        assert not any("&lt;" in t or "&amp;" in t for t in outline), outline  # escaped once, not twice
        for heading in re.findall(r"^#{1,3} (.+)$", source.read_text(encoding="utf-8"), flags=re.M):
            plain = "".join(unescape(re.sub(r"[*_`\\]", "", heading)).split())
            assert plain in outline, (pid, plain, outline)


def test_reader_pages_hide_code_and_analyst_pages_show_it(site):
    folder, _ = site
    reader = (folder / "lu2021.html").read_text(encoding="utf-8")
    analyst = (folder / "code" / "lu2021.html").read_text(encoding="utf-8")
    assert "check_parameters" not in reader and "check_parameters" in analyst
    assert reader.count("<img") == analyst.count("<img") > 0


def test_index_summarises_each_reanalysis(site):
    folder, _ = site
    index = (folder / "index.html").read_text(encoding="utf-8")
    for stem in ("zang2022", "lu2021"):  # each paper's summary comes from its findings.json
        found = json.loads((folder.parent / stem / "findings.json").read_text(encoding="utf-8"))
        assert f"{found['counts']['claims']} printed numbers audited" in index
        for finding in found["findings"]:
            assert html.escape(finding["statement"]) in index
    assert "What stands" not in index  # nothing scraped from a notebook's conclusion
    assert index.index("zang2022.html") < index.index("audit-zang2022.html")


def test_findings_report_is_escaped_and_printed_with_its_headings(tmp_path):
    """A findings report from Markdown: raw HTML in it (a quote from a data package) stays text,
    and the PDF's outline holds its headings as written."""
    from reanalysis import pdf

    markdown = (
        "# Findings: zang2022\n\n## The placebo percentages fit 44, not 46\n\n"
        '> "30 (68.18%)" <script>window.__pwned=1</script>\n\n## Second <img src=x onerror=y>\n\ntext\n'
    )
    page = tmp_path / "report.html"
    page.write_text(pdf.findings_html(markdown, "Findings: zang2022"), encoding="utf-8")
    html = page.read_text(encoding="utf-8")
    assert "<script>window" not in html and "<img" not in html and "&lt;script&gt;" in html
    printed = pdf.print_pdf(page, tmp_path / "report.pdf")
    assert pdf.page_count(printed) == 1
    outline = pdf.outline(printed)
    for heading in ("Findings: zang2022", "The placebo percentages fit 44, not 46", "Second <img src=x onerror=y>"):
        assert heading in outline, outline
