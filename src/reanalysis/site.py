"""The HTML site: each executed notebook as a reader page (no code) and an analyst page (with
code), linked by a navigation bar, and an index that says what each reanalysis found.

Pages use nbconvert's lab template without anything from a CDN (see
``templates/reanalysis/index.html.j2``), so they open with no network.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .vocabulary import VERDICTS

__all__ = ["Page", "render", "write_index", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Page:
    """A notebook's place on the site: its stem (page name) and title."""

    def __init__(self, stem: str, title: str):
        self.stem, self.title = stem, title

    def __repr__(self) -> str:
        return f"Page({self.stem!r}, {self.title!r})"


def href(stem: str, prefix: str = "") -> str:
    """The value of an ``href`` attribute for page ``stem``: the file name percent-encoded (so
    ``"``, ``#``, ``?`` and spaces stay part of the name), then HTML-escaped for the attribute."""
    return html.escape(prefix + quote(f"{stem}.html", safe=""), quote=True)


def _nav(pages: list[Page], current: str, analyst: bool) -> str:
    up = "../" if analyst else ""
    links = [f'<a href="{href("index", up)}">Overview</a>']
    for p in pages:
        label = html.escape(p.stem)
        links.append(f"<b>{label}</b>" if p.stem == current else f'<a href="{href(p.stem, up)}">{label}</a>')
    other = (
        f'with code &middot; <a href="{href(current, "../")}">reader edition</a>'
        if analyst
        else f'reader edition &middot; <a href="{href(current, "code/")}">with code</a>'
    )
    return " ".join(links) + f'<span class="edition">{other}</span>'


_EXPORTERS = threading.local()


def _exporter(analyst: bool):
    """The HTML exporter of an edition, made once per thread (building one loads and compiles the
    templates again: most of the cost of a page). The site's pages are rendered from threads."""
    from nbconvert import HTMLExporter

    made = getattr(_EXPORTERS, "made", None)
    if made is None:
        made = _EXPORTERS.made = {}
    if analyst not in made:
        made[analyst] = HTMLExporter(
            template_name="reanalysis",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=not analyst,
            exclude_input_prompt=not analyst,
            exclude_output_prompt=not analyst,
        )
    return made[analyst]


def render(executed: Path, site: Path, pages: list[Page]) -> list[Path]:
    """Write ``<site>/<stem>.html`` (no code) and ``<site>/code/<stem>.html`` (with code)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    written = []
    for analyst in (False, True):
        exporter = _exporter(analyst)
        body, _ = exporter.from_notebook_node(
            nb, resources={"site_nav": _nav(pages, executed.stem, analyst), "metadata": {"name": _title(nb)}}
        )
        out = site / ("code" if analyst else "") / f"{executed.stem}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        written.append(out)
    return written


def _title(nb) -> str:
    for cell in nb.cells if hasattr(nb, "cells") else nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "notebook"


def _markdown(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def _plain(text: str) -> str:
    """Markdown emphasis and code marks dropped, whitespace collapsed."""
    return " ".join(re.sub(r"[*`]", "", text).split())


def _summary(notebook: Path, build: Path, results: str | None = None) -> str:
    cells = _markdown(notebook)
    intro = cells[0].split("\n\n")[1] if cells and "\n\n" in cells[0] else ""
    parts = [f"<p>{html.escape(_plain(intro))}</p>"] if intro else []
    claims = build / (results or notebook.stem) / "claims.csv"
    table = pd.read_csv(claims, dtype=str) if claims.is_file() else pd.DataFrame()
    if "verdict" in table:
        if "role" in table:
            table = table[table["role"] == "claim"]
        counts = table["verdict"].value_counts()
        shown = ", ".join(f"{counts.get(v, 0)} {v.replace('_', ' ')}" for v in VERDICTS)
        if "as_stated" in table:
            other = (table["as_stated"].astype(str) == "False") & (table["verdict"] == "reproduced")
            shown += f" ({int(other.sum())} of the reproduced only by a test or n the paper does not state)"
        parts.append(f"<p><b>{len(table)} printed claims audited:</b> {shown}.</p>")
    for cell in cells:
        if cell.startswith("## Conclusion"):
            stands = next((p for p in cell.split("\n\n") if p.startswith("**What stands")), "")
            if stands:
                first = re.split(r"(?<=\.)\s", _plain(stands), maxsplit=2)
                parts.append(f"<p><i>{html.escape(' '.join(first[:2]))}</i></p>")
    return "\n".join(parts)


def write_index(
    site: Path, pages: list[Page], notebooks: dict[str, Path], build: Path, results: dict[str, str] | None = None
) -> Path:
    """``<site>/index.html``: per page, what it is, its verdict counts and the key sentence of its conclusion.

    ``notebooks`` maps a page to its notebook; ``results`` a page to its results folder under ``build``
    (default: the notebook's name; the general audit has one per package, ``audit/<id>``)."""
    items = []
    for p in pages:
        if not (site / f"{p.stem}.html").is_file():
            continue
        summary = _summary(notebooks[p.stem], build, (results or {}).get(p.stem)) if p.stem in notebooks else ""
        items.append(
            f'<section>\n<h2><a href="{href(p.stem)}">{html.escape(p.title)}</a></h2>\n{summary}\n'
            f'<p class="small"><a href="{href(p.stem, "code/")}">The same page with its code</a></p>'
            "\n</section>"
        )
    text = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>Reanalysis of two UC-MSC trials in diabetes</title>
  <link rel="icon" href="data:,">
  <style>
    body {{ font-family: sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
    section {{ border-top: 1px solid #ddd; padding-top: 0.5rem; }}
    .small {{ font-size: 0.9em; }}
  </style>
</head>
<body>
  <h1>Reanalysis of two UC-MSC trials in diabetes</h1>
  <p>Each page recomputes what a published trial printed from what it printed: every percentage,
  p-value, interval and derived statement, with a verdict. Reader pages hide the code; each has an
  edition with its code for analysts. The pages work without a network.</p>
{chr(10).join(items)}
</body>
</html>
"""
    index = site / "index.html"
    tmp = index.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, index)
    return index
