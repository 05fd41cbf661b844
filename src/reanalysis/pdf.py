"""PDFs to send: each reader page of ``build/site/`` and each paper's findings report, printed by
the machine's headless Chromium (the browser the site tests use) into ``build/pdf/``.

One Chromium prints them all: it is driven over its DevTools pipe (``--remote-debugging-pipe``,
standard library only) and prints each page in a fresh tab with the same ``Page.printToPDF``
parameters as Chromium's own ``--print-to-pdf`` (:data:`PRINT_PARAMS`), so a run pays for one
browser start rather than one per page.

A findings report is ``build/<paper id>/findings.md`` (written by the paper's notebook), turned
into HTML with mistune (raw HTML in it is escaped, not kept) and printed with the site's page
template. A paper without one is skipped with a message. Every PDF carries a document outline
made of its headings, which is what :func:`outline` reads back (and the tests check).

``python -m reanalysis.pdf`` (``make pdf``) after ``make reproduce``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "chromium",
    "print_pdf",
    "print_pdfs",
    "findings_html",
    "reader_pages",
    "write_pdfs",
    "page_count",
    "outline",
]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",  # DevTools protocol on fds 3 (commands in) and 4 (replies out)
]
#: Page.printToPDF's parameters: the ones Chromium's own ``--print-to-pdf`` passes with
#: ``--no-pdf-header-footer --generate-pdf-document-outline`` (what this module ran before), from
#: Chromium's components/headless/command_handler/headless_command_handler.cc (switches -> params)
#: and headless_command.js (``printToPDF``: displayHeaderFooter = !noHeaderFooter,
#: generateTaggedPDF = !disablePDFTagging, generateDocumentOutline, printBackground: true,
#: preferCSSPageSize: true). Paper size and margins are not set there either: the protocol's
#: defaults (Letter, 1 cm margins) apply, or the page's CSS @page size.
PRINT_PARAMS = {
    "displayHeaderFooter": False,
    "generateTaggedPDF": True,
    "generateDocumentOutline": True,
    "printBackground": True,
    "preferCSSPageSize": True,
}
#: Site pages that are not printed: the index and the workshop's list of notebooks.
NOT_PRINTED = ("index", "workshop")


def chromium() -> str | None:
    """The machine's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browser(browser: str | None = None) -> str:
    """``browser``, else the machine's Chromium; FileNotFoundError if there is none."""
    browser = browser or chromium()
    if browser is None:
        raise FileNotFoundError("no chromium on this machine (apt-get install chromium)")
    return browser


class _PageFailed(Exception):
    """One page could not be printed; the browser is still usable."""


class _PageTimedOut(_PageFailed):
    """A page's own time ran out."""


class _BrowserFailed(Exception):
    """The browser is gone or stuck (exited, broken pipe, no tab, the whole run's time is up)."""


#: How the child becomes Chromium with the DevTools pipe on fds 3 and 4: ``sh -c _EXEC browser args``.
_EXEC = 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null'


class _Chromium:
    """One headless Chromium, with a fresh profile, driven over ``--remote-debugging-pipe``.

    Chromium reads DevTools commands (JSON, each ended by a NUL byte) from its fd 3 and writes
    replies and events the same way to its fd 4. ``subprocess`` keeps inherited fds at their own
    numbers, so the child is started as ``/bin/sh -c _EXEC`` with the pipe ends as its stdin and
    stdout; the shell moves them onto 3 and 4 and then becomes Chromium (same pid; no
    ``preexec_fn``, which is unsafe with threads). Chromium runs in a session (process group) of
    its own so that :meth:`close` can reach every process it started; should this process die
    without closing it, Chromium exits by itself when its command pipe closes (EOF on fd 3).
    """

    def __init__(self, browser: str, deadline: float):
        self.deadline = deadline
        self._profile = tempfile.TemporaryDirectory(prefix="reanalysis-pdf-", ignore_cleanup_errors=True)
        self._stderr = tempfile.TemporaryFile()
        self._buffer = bytearray()
        self._scanned = 0
        self._events: list[dict] = []
        self._id = 0
        self.process: subprocess.Popen | None = None
        #: False once the browser has failed (see print_pdfs), when it is not asked to close itself
        self.healthy = True
        commands_in, self._commands = os.pipe()
        self._replies, replies_out = os.pipe()
        os.set_blocking(self._commands, False)
        try:
            # the pipe ends go in as the shell's stdin and stdout, which it moves onto 3 and 4
            # (POSIX sh only names fds 0-9, so the ends' own numbers cannot be used)
            self.process = subprocess.Popen(
                ["/bin/sh", "-c", _EXEC, browser, *FLAGS, f"--user-data-dir={self._profile.name}"],
                stdin=commands_in,
                stdout=replies_out,
                stderr=self._stderr,
                start_new_session=True,
            )
        except BaseException:
            self.close()
            raise
        finally:
            os.close(commands_in)
            os.close(replies_out)

    # ------------------------------------------------------------------ the pipe

    def _gone(self, what: str) -> _BrowserFailed:
        code = None
        if self.process is not None:
            try:  # at EOF the browser is exiting: give it a moment to report its status
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self._stderr.seek(0)
        tail = self._stderr.read().decode("utf-8", errors="replace").strip()[-500:]
        status = f" (exit status {code})" if code is not None else ""
        return _BrowserFailed(f"{what}{status}" + (f": {tail}" if tail else ""))

    def _send(self, message: dict, deadline: float | None = None) -> None:
        """Write one command; a browser that stops reading them fails at ``deadline`` (or the run's)."""
        data = memoryview(json.dumps(message).encode("utf-8") + b"\0")
        deadline = self.deadline if deadline is None else min(deadline, self.deadline)
        with selectors.DefaultSelector() as selector:
            selector.register(self._commands, selectors.EVENT_WRITE)
            while data:
                try:
                    data = data[os.write(self._commands, data) :]
                except BlockingIOError:  # the pipe is full: Chromium is not reading
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise _BrowserFailed("chromium stopped reading commands") from None
                    selector.select(min(left, 1.0))
                except OSError as e:  # EPIPE: Chromium has exited
                    raise self._gone(f"chromium stopped reading commands ({e.strerror})") from None

    def _receive(self, deadline: float) -> dict:
        """The next message from Chromium; raises when none comes before ``deadline`` or at EOF."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._replies, selectors.EVENT_READ)
            while True:
                end = self._buffer.find(b"\0", self._scanned)
                if end >= 0:
                    message = json.loads(bytes(self._buffer[:end]))
                    del self._buffer[: end + 1]
                    self._scanned = 0
                    return message
                self._scanned = len(self._buffer)
                left = min(deadline, self.deadline) - time.monotonic()
                if left <= 0:
                    if deadline < self.deadline:
                        raise _PageTimedOut("timed out")
                    raise _BrowserFailed("the run's time limit was reached")
                if not selector.select(min(left, 1.0)):
                    if self.process.poll() is not None:  # exited, though a child may hold fd 4 open
                        raise self._gone("chromium exited")
                    continue
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise self._gone("chromium exited")
                self._buffer += chunk

    def call(self, method: str, params: dict | None = None, session: str | None = None, *, deadline: float) -> dict:
        """Send one command and wait for its reply; the events that arrive meanwhile are kept."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise _PageFailed(f"{method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def event(self, matches, *, deadline: float) -> dict:
        """The first event (kept or to come) for which ``matches(event)`` holds."""
        for i, event in enumerate(self._events):
            if matches(event):
                return self._events.pop(i)
        while True:
            message = self._receive(deadline)
            if "method" not in message:
                continue  # a late reply to a command given up on
            if matches(message):
                return message
            self._events.append(message)

    # ------------------------------------------------------------------ printing

    def print_page(self, page: Path, pdf: Path, timeout: float) -> Path:
        """Print ``page`` to ``pdf`` in a tab of its own (closed afterwards)."""
        deadline = min(time.monotonic() + timeout, self.deadline)
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)["targetId"]
        except _PageFailed as e:  # no tab at all: the browser, not the page, is at fault
            raise _BrowserFailed(f"chromium could not open a tab ({e})") from None
        session = None
        try:
            session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, deadline=deadline)[
                "sessionId"
            ]
            self.call("Page.enable", session=session, deadline=deadline)
            # as Chromium's --print-to-pdf does: the page is printed at its frame's "load" event
            self.call("Page.setLifecycleEventsEnabled", {"enabled": True}, session, deadline=deadline)
            navigated = self.call("Page.navigate", {"url": Path(page).resolve().as_uri()}, session, deadline=deadline)
            if navigated.get("errorText"):
                raise _PageFailed(f"page load failed: {navigated['errorText']}")
            self.event(
                lambda e: (
                    e.get("sessionId") == session
                    and e["method"] == "Page.lifecycleEvent"
                    and e["params"].get("name") == "load"
                    and e["params"].get("frameId") == navigated.get("frameId")
                    and e["params"].get("loaderId") == navigated.get("loaderId", e["params"].get("loaderId"))
                ),
                deadline=deadline,
            )
            data = base64.b64decode(self.call("Page.printToPDF", PRINT_PARAMS, session, deadline=deadline)["data"])
            if not data.startswith(b"%PDF"):
                raise _PageFailed("Page.printToPDF returned no PDF")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            pdf.write_bytes(data)
        except _BrowserFailed:
            raise  # no tab to close: the browser is stopped by close()
        except Exception:
            self._close_tab(target, session)
            raise
        self._close_tab(target, session)
        return pdf

    def _close_tab(self, target: str, session: str | None) -> None:
        """Close a page's tab (a short grace even when the page's own time is up)."""
        try:
            self.call("Target.closeTarget", {"targetId": target}, deadline=time.monotonic() + 10)
        except _PageTimedOut:
            raise _BrowserFailed("chromium did not close a tab within 10 s") from None
        except _PageFailed:
            pass  # the tab is gone already
        self._events = [e for e in self._events if e.get("sessionId") not in (None, session)]

    def close(self) -> None:
        """Stop Chromium and every process it started; remove the profile. Safe to call twice."""
        process, self.process = self.process, None
        if process is not None:
            try:
                if process.poll() is None and self.healthy:  # else it is killed at once
                    try:
                        self._send({"id": self._id + 1, "method": "Browser.close"}, time.monotonic() + 5)
                        process.wait(timeout=5)
                    except (_BrowserFailed, subprocess.TimeoutExpired):
                        pass
            finally:
                try:  # whatever is left of its process group (the browser, renderers, zygotes)
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                process.wait()
                _wait_until_stopped(process.pid, time.monotonic() + 5)
        for fd in ("_commands", "_replies"):
            if getattr(self, fd, None) is not None:
                os.close(getattr(self, fd))
                setattr(self, fd, None)
        self._stderr.close()
        self._profile.cleanup()

    def __enter__(self) -> _Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _running(group: int) -> list[str]:
    """The processes of process group ``group`` that still run, as ``"<pid> <name> <state>"``
    (zombies waiting for their reaper do not); none where ``/proc`` cannot tell."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    alive = []
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    stat = f.read()
            except OSError:
                continue  # gone meanwhile
            name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == group and fields[0] not in "ZX":
                alive.append(f"{entry} {name} {fields[0]}")
    return alive


def _wait_until_stopped(group: int, deadline: float) -> None:
    """Until no process of ``group`` runs, or ``deadline``: a process sent SIGKILL dies when it is next
    scheduled, which on a busy machine can be after :func:`os.killpg` has returned (Chromium's helpers,
    whose parent is gone, are not waited for by anyone here)."""
    while _running(group) and time.monotonic() < deadline:
        time.sleep(0.005)


def print_pdfs(
    jobs: list[tuple[Path, Path]], browser: str | None = None, timeout: float = 180, run_timeout: float = 900
) -> list[Path]:
    """Print each ``(page, pdf)`` of ``jobs`` (HTML file to PDF file) with ONE headless Chromium.

    Each page gets a fresh tab; the browser gets a fresh profile and is always stopped on return.

    Parameters
    ----------
    jobs : the pages and where their PDFs go.
    browser : the Chromium to run (default: :func:`chromium`).
    timeout : seconds for each page; a page that takes longer fails, the others are still printed.
    run_timeout : seconds for the whole run (the browser is stopped when they are over).

    Returns
    -------
    The PDFs written, in the order of ``jobs``.

    Raises
    ------
    RuntimeError
        ``chromium could not print <page>: <reason>``, one line per page that failed. A page that
        fails (does not load, times out) does not stop the others: every other page is printed
        first. A browser that exits, stops answering or runs out of ``run_timeout`` stops the run
        at the page it was printing.
    """
    browser = _browser(browser)
    written: list[Path] = []
    failed: list[str] = []
    with _Chromium(browser, time.monotonic() + run_timeout) as chrome:
        for page, pdf in jobs:
            try:
                written.append(chrome.print_page(Path(page), Path(pdf), timeout))
            except _PageFailed as e:
                failed.append(f"chromium could not print {page}: {e}")
            except _BrowserFailed as e:
                chrome.healthy = False
                failed.append(f"chromium could not print {page}: {e}")
                break
    if failed:
        raise RuntimeError("\n".join(failed))
    return written


def print_pdf(page: Path, pdf: Path, browser: str | None = None, timeout: float = 180) -> Path:
    """Print the HTML file ``page`` to ``pdf`` with headless Chromium; returns ``pdf``."""
    return print_pdfs([(page, pdf)], browser=browser, timeout=timeout, run_timeout=timeout)[0]


def findings_html(markdown: str, title: str) -> str:
    """A findings report (Markdown) as a page of the site, raw HTML in it escaped.

    The report escapes package text as HTML entities (``&lt;``) so that no Markdown renderer keeps
    it as markup; those are turned back into characters first and mistune's ``escape=True``
    escapes them once, so "p < 0.01" prints as such, not as "p &lt; 0.01", and stays inert.
    """
    import html

    import mistune
    from markupsafe import Markup

    from .site import _template

    render = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    return _template("page.html.j2", title=title, nav="", body=Markup(render(html.unescape(markdown))))


def reader_pages(site: Path) -> list[Path]:
    """The reader edition's pages of ``site`` (not the index, the workshop or the analyst edition)."""
    return sorted(p for p in Path(site).glob("*.html") if p.stem not in NOT_PRINTED)


@dataclass
class Printed:
    """What :func:`write_pdfs` did: the PDFs written and a message per report skipped."""

    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _papers() -> list[str]:
    from .data import available
    from .site import manifest

    listed = [e.stem for e in manifest().entries]
    return sorted(available(), key=lambda pid: (listed.index(pid) if pid in listed else len(listed), pid))


def write_pdfs(
    build: Path, out: Path | None = None, papers: list[str] | None = None, pages: list[str] | None = None
) -> Printed:
    """Print every reader page of ``build/site`` to ``out`` (default ``build/pdf``) as ``<page>.pdf``,
    and each paper's ``build/<id>/findings.md`` as ``<id>-findings.pdf``.

    ``papers``: the papers whose findings report is printed (default: every data package with a
    page); ``pages``: the pages printed (default: every reader page). One browser prints the pages
    one after another (:func:`print_pdfs`, whose errors this raises too)."""
    build = Path(build)
    out = Path(out or build / "pdf")
    site = build / "site"
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no site in {site}: run make reproduce first")
    browser = _browser()  # before any work: a machine without one is told at once
    result = Printed()
    with tempfile.TemporaryDirectory() as tmp:
        readers = [p for p in reader_pages(site) if pages is None or p.stem in pages]
        jobs_to_print = [(page, out / f"{page.stem}.pdf") for page in readers]
        papers = _papers() if papers is None else papers
        with_page = {p.stem for p in reader_pages(site)}
        for pid in papers:
            if pid not in with_page:
                continue  # only the papers with a page of their own have a findings report
            source = build / pid / "findings.md"
            if not source.is_file():
                result.skipped.append(f"{pid}: no findings report ({source} is written by the notebook {pid}.ipynb)")
                continue
            page = Path(tmp) / f"{pid}-findings.html"
            page.write_text(findings_html(source.read_text(encoding="utf-8"), f"Findings: {pid}"), encoding="utf-8")
            jobs_to_print.append((page, out / f"{pid}-findings.pdf"))
        result.written = print_pdfs(jobs_to_print, browser=browser)
    return result


# --------------------------------------------------------------------------- reading a PDF back


def page_count(pdf: Path) -> int:
    """The number of pages of ``pdf`` (its ``/Type /Page`` objects; Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", Path(pdf).read_bytes()))


def _pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode("ascii"))
        return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
    body = token[1:-1]
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    body = re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else escapes.get(m.group(1), m.group(1)),
        body,
    )
    return body.decode("utf-8", errors="replace")


def outline(pdf: Path) -> list[str]:
    """The titles of the document outline of ``pdf`` (the printed page's headings), in file order."""
    data = Path(pdf).read_bytes()
    tokens = re.findall(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", data)
    return [_pdf_string(t) for t in tokens]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m reanalysis.pdf [--build DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m reanalysis.pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=Path(__file__).resolve().parents[2] / "build")
    parser.add_argument("--out", type=Path, default=None, help="default: <build>/pdf")
    args = parser.parse_args(argv)
    try:
        result = write_pdfs(args.build, args.out)
    except (FileNotFoundError, RuntimeError) as e:
        print(f"make pdf: {e}", file=sys.stderr)
        return 1
    for message in result.skipped:
        print(f"skipped {message}")
    for path in result.written:
        print(f"wrote {path} ({page_count(path)} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
