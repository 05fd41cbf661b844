"""`make pdf`'s printing machinery on small pages: one headless Chromium prints every page (driven
over its DevTools pipe), a page that cannot load is named in the error while the others are still
printed, a browser that exits or never answers gives an error instead of a hang, and no Chromium
process outlives the call. (tests/test_site.py prints the real site's pages.)

Needs Debian's chromium; skips with a message where it is absent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from reanalysis import pdf

pytestmark = pytest.mark.skipif(pdf.chromium() is None, reason="no chromium on this machine (apt-get install chromium)")


def _page(folder: Path, stem: str, heading: str) -> Path:
    page = folder / f"{stem}.html"
    page.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{stem}</title></head>"
        f"<body><h1>{heading}</h1><p>Some text.</p><h2>{heading}, part two</h2><p>More.</p></body></html>",
        encoding="utf-8",
    )
    return page


@pytest.fixture
def launches(monkeypatch):
    """Every process started through subprocess.Popen while the test runs."""
    started: list[subprocess.Popen] = []
    original = subprocess.Popen

    def popen(*args, **kwargs):
        process = original(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", popen)
    return started


def _assert_all_stopped(launches: list[subprocess.Popen]) -> None:
    assert launches
    for process in launches:
        assert process.poll() is not None
        assert pdf._running(process.pid) == [], process.args[:4]


def test_one_browser_prints_every_page_and_names_the_one_that_cannot_load(tmp_path, launches):
    """Three pages and a missing one between them: one browser launch; each PDF holds its own page's
    headings and none of another's (a fresh tab each); the error names the missing page only, after
    the others are printed. (tests/test_site.py checks that write_pdfs prints the site this way.)"""
    headings = {stem: f"Heading of {stem}" for stem in ("alpha", "beta", "gamma")}
    pages = {stem: _page(tmp_path, stem, heading) for stem, heading in headings.items()}
    missing = tmp_path / "missing.html"
    jobs = [(pages["alpha"], tmp_path / "alpha.pdf"), (missing, tmp_path / "missing.pdf")]
    jobs += [(pages[stem], tmp_path / f"{stem}.pdf") for stem in ("beta", "gamma")]
    with pytest.raises(RuntimeError, match=rf"chromium could not print {missing}: .*ERR_FILE_NOT_FOUND") as error:
        pdf.print_pdfs(jobs)
    assert not any(f"{stem}.html" in str(error.value) for stem in headings)
    assert not (tmp_path / "missing.pdf").exists()
    for stem, heading in headings.items():
        printed = tmp_path / f"{stem}.pdf"
        assert pdf.page_count(printed) == 1
        outline = pdf.outline(printed)
        assert {heading, f"{heading}, part two"} <= set(outline), outline
        assert not any(h in outline for other, h in headings.items() if other != stem)  # nothing of another page
    assert len(launches) == 1, [p.args[:4] for p in launches]  # one browser for the four pages
    _assert_all_stopped(launches)


def _fake_browser(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_a_browser_that_exits_at_once_gives_an_error_not_a_hang(tmp_path, launches):
    page = _page(tmp_path, "page", "Page")
    browser = _fake_browser(tmp_path, "echo 'cannot start' >&2; exit 3")
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=rf"chromium could not print {page}: chromium .*exit status 3.*cannot start"):
        pdf.print_pdf(page, tmp_path / "page.pdf", browser=browser, timeout=60)
    assert time.monotonic() - started < 10
    _assert_all_stopped(launches)


def test_a_browser_that_never_answers_times_out_and_is_stopped(tmp_path, launches):
    pages = [_page(tmp_path, stem, stem) for stem in ("one", "two")]
    browser = _fake_browser(tmp_path, "exec sleep 300")  # keeps the pipe open and never reads it
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=rf"chromium could not print {pages[0]}: .*timed out") as error:
        pdf.print_pdfs([(p, tmp_path / f"{p.stem}.pdf") for p in pages], browser=browser, timeout=0.5)
    assert "two.html" not in str(error.value)  # the run stops at the first page: no tab, no browser
    assert time.monotonic() - started < 10
    _assert_all_stopped(launches)


def test_the_browser_is_stopped_when_the_caller_is_interrupted(tmp_path, launches, monkeypatch):
    page = _page(tmp_path, "page", "Page")
    real = pdf._Chromium.print_page

    def interrupted(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(pdf._Chromium, "print_page", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pdf.print_pdfs([(page, tmp_path / "page.pdf")])
    assert len(launches) == 1 and pdf.page_count(tmp_path / "page.pdf") == 1
    _assert_all_stopped(launches)
    assert not [f for f in os.listdir(tmp_path) if f.startswith("reanalysis-pdf-")]


def test_stopping_waits_for_every_process_of_the_group():
    """A process sent SIGKILL runs until it is next scheduled, so stopping the browser waits (boundedly)
    until no process of its group runs: here a group whose process is not killed, then one that is."""
    sleeper = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        assert pdf._running(sleeper.pid)
        started = time.monotonic()
        pdf._wait_until_stopped(sleeper.pid, started + 0.3)
        assert time.monotonic() - started >= 0.3  # it waited for the process that still runs
    finally:
        os.killpg(sleeper.pid, signal.SIGKILL)
        sleeper.wait()
    started = time.monotonic()
    pdf._wait_until_stopped(sleeper.pid, started + 5)
    assert not pdf._running(sleeper.pid) and time.monotonic() - started < 1


def test_a_browser_that_stops_reading_commands_cannot_block_the_writer(tmp_path, launches):
    """Commands go through a pipe that fills up (64 KiB) when Chromium stops reading it: writing
    waits no longer than the run's time."""
    browser = _fake_browser(tmp_path, "exec sleep 300")
    started = time.monotonic()
    with pdf._Chromium(browser, time.monotonic() + 0.5) as chrome:
        with pytest.raises(pdf._BrowserFailed, match="stopped reading commands"):
            for _ in range(100):
                chrome._send({"id": 1, "method": "Runtime.evaluate", "params": {"expression": "x" * 10_000}})
    assert time.monotonic() - started < 10
    _assert_all_stopped(launches)
