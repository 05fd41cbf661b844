"""The rendered site in a real browser: every page opens with no console error, no failed or
external request and no broken image; a screenshot of each goes to build/screenshots/.

Needs Debian's chromium (``.ci/run`` installs it); skips with a message where it is absent.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import shutil
import threading
from urllib.parse import urlparse

import pytest

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


def test_every_page_loads_cleanly_offline(site):
    from playwright.sync_api import sync_playwright

    folder, base = site
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    assert "index.html" in pages and "zang2022.html" in pages and "code/lu2021.html" in pages
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for name in pages:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m, n=name: m.type == "error" and problems.append(f"{n}: console: {m.text}"))
            page.on("requestfailed", lambda r, n=name: problems.append(f"{n}: failed request {r.url}"))
            page.on(
                "request",
                lambda r, n=name: (
                    urlparse(r.url).hostname not in ("127.0.0.1", None)
                    and not r.url.startswith("data:")
                    and problems.append(f"{n}: external request {r.url}")
                ),
            )
            response = page.goto(f"{base}/{name}", wait_until="networkidle")
            assert response is not None and response.ok, name
            broken = page.evaluate(
                "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length"
            )
            if broken:
                problems.append(f"{name}: {broken} broken image(s)")
            if name != "index.html":
                assert page.locator("nav.site a[href$='index.html']").count() == 1, f"{name}: no link to the overview"
            page.screenshot(path=str(shots / (name.replace("/", "_") + ".png")), full_page=False)
            page.close()
        browser.close()
    assert not problems, "\n".join(problems)


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
