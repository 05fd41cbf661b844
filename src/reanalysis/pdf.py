"""PDFs to send: each reader page of ``build/site/`` and each paper's findings report, printed by
the machine's headless Chromium (the browser the site tests use) into ``build/pdf/``.

A findings report is ``build/<paper id>/findings.md`` (written by the paper's notebook), turned
into HTML with mistune (raw HTML in it is escaped, not kept) and printed with the site's page
template. A paper without one is skipped with a message. Every PDF carries a document outline
made of its headings, which is what :func:`outline` reads back (and the tests check).

``python -m reanalysis.pdf`` (``make pdf``) after ``make reproduce``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["chromium", "print_pdf", "findings_html", "reader_pages", "write_pdfs", "page_count", "outline"]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
]
#: Site pages that are not printed: the index and the workshop's list of notebooks.
NOT_PRINTED = ("index", "workshop")


def chromium() -> str | None:
    """The machine's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdf(page: Path, pdf: Path, browser: str | None = None, timeout: float = 180) -> Path:
    """Print the HTML file ``page`` to ``pdf`` with headless Chromium; returns ``pdf``."""
    browser = browser or chromium()
    if browser is None:
        raise FileNotFoundError("no chromium on this machine (apt-get install chromium)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:  # a fresh profile: no state shared between prints
        done = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", Path(page).resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise RuntimeError(f"chromium could not print {page}: {done.stderr.strip()[-500:]}")
    return pdf


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
    build: Path, out: Path | None = None, papers: list[str] | None = None, pages: list[str] | None = None, jobs: int = 2
) -> Printed:
    """Print every reader page of ``build/site`` to ``out`` (default ``build/pdf``) as ``<page>.pdf``,
    and each paper's ``build/<id>/findings.md`` as ``<id>-findings.pdf``.

    ``papers``: the papers whose findings report is printed (default: every data package with a
    page); ``pages``: the pages printed (default: every reader page)."""
    build = Path(build)
    out = Path(out or build / "pdf")
    site = build / "site"
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no site in {site}: run make reproduce first")
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("no chromium on this machine (apt-get install chromium)")
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
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            result.written = list(pool.map(lambda job: print_pdf(*job, browser=browser), jobs_to_print))
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
