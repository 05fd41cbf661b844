"""A run's ``findings.json``, read back: the site index's summary of each paper.

JSON and HTML only (no pandas, no analysis): the runner builds the site's index with these.
:mod:`reanalysis.findings` writes the file and re-exports these.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from .vocabulary import CONSEQUENCE_WORDS

__all__ = ["read_findings", "index_entry", "numbers_phrase"]


def numbers_phrase(f: dict) -> str:
    """How many printed numbers a finding groups, in words: "3 numbers", "1 number"."""
    n = len(f["claim_ids"])
    return f"{n} number{'s' if n != 1 else ''}"


def read_findings(path: str | Path) -> dict | None:
    """A written ``findings.json`` (a file, or the results folder holding it); None when absent."""
    path = Path(path)
    if path.is_dir():
        path = path / "findings.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def index_entry(results: str | Path) -> str:
    """The site index's summary of one paper (HTML, every text escaped), from its ``findings.json``
    (a file or the results folder): the paper's conclusion (when its package words it), the counts
    and each finding with its consequence.
    Empty when there is no ``findings.json``."""
    found = read_findings(results)
    if found is None:
        return ""
    counts, paper = found["counts"], found["paper"]
    held = counts["as_stated"]["reproduced"] + counts["as_stated"]["consistent"]
    parts = []
    if paper["concluded"]:
        parts.append(f"<p>The paper concluded: “{html.escape(paper['concluded']['text'])}”</p>")
    parts += [
        f"<p><b>{counts['claims']} printed numbers audited:</b> {held} reproduced by the route the paper "
        f"states; the other {counts['in_findings']} fall into {len(found['findings'])} findings.</p>"
    ]
    items = [
        f"<li>{html.escape(f['statement'])} <i>({CONSEQUENCE_WORDS[f['consequence']]}; {numbers_phrase(f)})</i></li>"
        for f in found["findings"]
    ]
    if items:
        parts.append("<ul>\n" + "\n".join(items) + "\n</ul>")
    return "\n".join(parts)
