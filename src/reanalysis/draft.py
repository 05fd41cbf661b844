"""Drafting assistant: a first data package from a JATS XML article (or its plain text).

``python -m reanalysis.draft article.nxml data/<id>`` writes ``paper.txt``, ``paper.toml``,
``descriptives.csv`` and ``inferences.csv`` into ``data/<id>/`` and prints a checklist of
what a person must confirm. The draft is a starting point, never a transcription: every row
carries ``note = "draft: check"``, ``paper.toml`` says ``draft = true``, and the rows the
parser was unsure of are listed with their table and row.

The pieces are small pure functions:

- :func:`parse_jats` / :func:`parse_plain` turn an article into an :class:`Article` (front
  matter, sections with paragraphs, tables with their header grid and footnotes);
- :func:`render_text` writes ``paper.txt`` (one table row a line, cells separated by ``" | "``,
  the convention of the hand-made packages);
- :func:`parse_cell`, :func:`parse_p_cell` and :func:`header_n` read table cells and headers;
- :func:`draft_tables` and :func:`draft_text_inferences` make the rows;
- :func:`write_package` writes the files, validates them with :func:`reanalysis.data.validate`
  and leaves out (and lists) any row the validator refuses.

The article is untrusted input: the XML is refused if it declares entities or an internal DTD
subset (the "billion laughs" expansion), its size is bounded (:data:`MAX_BYTES`), and it is
parsed with the standard library's :mod:`xml.etree.ElementTree`, which fetches nothing.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .data import (
    ALL_ARMS,
    DESCRIPTIVE_COLUMNS,
    INFERENCE_COLUMNS,
    OPTIONAL_DESCRIPTIVE_COLUMNS,
    TABLE_N,
    DataError,
    quote_in_text,
    validate,
    value_in_quote,
)
from .printed import normalise
from .vocabulary import stated_methods

__all__ = [
    "MAX_BYTES",
    "NOTE",
    "DraftError",
    "Table",
    "Section",
    "Article",
    "Draft",
    "read_article",
    "parse_jats",
    "parse_plain",
    "render_text",
    "slug",
    "header_n",
    "parse_cell",
    "parse_p_cell",
    "timepoint_id",
    "stated_tests",
    "draft_package",
    "write_package",
    "main",
]

#: Largest article accepted, in bytes.
MAX_BYTES = 20 * 1024 * 1024
#: The ``note`` of every drafted row.
NOTE = "draft: check"


class DraftError(ValueError):
    """The article cannot be drafted (refused or unreadable)."""


# --------------------------------------------------------------------------- article model


@dataclass
class Table:
    """A table as printed.

    Attributes
    ----------
    number : the table's number (1 for "Table 1"), or its position.
    label : "Table 1".
    caption : title and caption text.
    rows : each row's cells as printed (``rows[i]`` joined by ``" | "`` is the line in paper.txt).
    grid : the rows with row and column spans expanded (every row the same width).
    n_header : how many of the first rows are header rows.
    footnotes : one text per footnote.
    """

    number: int
    label: str
    caption: str
    rows: list[list[str]]
    grid: list[list[str]]
    n_header: int
    footnotes: list[str] = field(default_factory=list)
    spanned: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) -> origin row of a row span
    marked: list[list[str]] | None = None  # the grid with footnote marks kept ("0.45a"); None: same as grid

    def line(self, i: int) -> str:
        """Row ``i`` as it appears in paper.txt."""
        return " | ".join(self.rows[i])


@dataclass
class Section:
    """A titled part of the article: ``path`` is the titles from the top (``("Results", "Safety")``)."""

    path: tuple[str, ...]
    paragraphs: list[str]


@dataclass
class Article:
    """An article's front matter, sections (in order) and tables."""

    title: str = ""
    journal: str = ""
    year: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    authors: list[str] = field(default_factory=list)
    doi: str = ""
    pmcid: str = ""
    licence: str = ""
    abstract: list[Section] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    text: str = ""  # the rendered paper.txt (filled by render_text / parse_plain)

    @property
    def citation(self) -> str:
        """Vancouver-style citation from the front matter."""
        names = self.authors[:3] + (["et al"] if len(self.authors) > 3 else [])
        who = ", ".join(names) or "Unknown authors"
        where = self.journal or "Unknown journal"
        when = self.year + (f";{self.volume}" if self.volume else "") + (f"({self.issue})" if self.issue else "")
        return f"{who}. {where}. {when}" + (f":{self.pages}." if self.pages else ".")


# --------------------------------------------------------------------------- reading XML safely


_DOCTYPE = re.compile(r"<!DOCTYPE\b[^>\[]*>", re.IGNORECASE)
_NAMED_ENTITIES = {"nbsp": "\u00a0", "ndash": "\u2013", "mdash": "\u2014", "plusmn": "\u00b1", "le": "\u2264"}


def read_article(path: str | Path) -> Article:
    """Read a ``.nxml``/``.xml`` JATS article or a plain-text article (anything else).

    Raises
    ------
    DraftError
        If the file is larger than :data:`MAX_BYTES`, not UTF-8, or refused XML.
    """
    p = Path(path)
    if p.stat().st_size > MAX_BYTES:
        raise DraftError(f"{p}: larger than {MAX_BYTES} bytes; refused")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DraftError(f"{p}: not UTF-8 ({e})") from None
    if p.suffix.lower() in (".nxml", ".xml") or text.lstrip().startswith("<"):
        return parse_jats(text)
    return parse_plain(text)


def _safe_xml(text: str) -> str:
    """The XML with its external DOCTYPE removed; refuse entity declarations and internal subsets."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise DraftError(f"the article is larger than {MAX_BYTES} bytes; refused")
    if re.search(r"<!ENTITY", text, re.IGNORECASE):
        raise DraftError("the XML declares entities (<!ENTITY): refused (entity expansion attack)")
    if re.search(r"<!DOCTYPE\b[^>]*\[", text, re.IGNORECASE):
        raise DraftError("the XML has an internal DTD subset (<!DOCTYPE ... [): refused")
    text = _DOCTYPE.sub("", text, count=1)
    if re.search(r"<!DOCTYPE", text, re.IGNORECASE):
        raise DraftError("the XML has more than one DOCTYPE: refused")
    # a few HTML entity names some JATS files use without a DTD to define them
    return re.sub(r"&(nbsp|ndash|mdash|plusmn|le);", lambda m: _NAMED_ENTITIES[m[1]], text)


def _strip_ns(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
        for k in list(el.attrib):
            if "}" in k:
                el.attrib[k.split("}", 1)[1]] = el.attrib.pop(k)


def _text(
    el: ET.Element | None, skip: tuple[str, ...] = ("table-wrap", "fig", "table-wrap-foot"), drop_marks: bool = False
) -> str:
    """The element's text with whitespace collapsed, leaving out nested ``skip`` elements (not their tails)
    and, with ``drop_marks``, the footnote links (``<xref ref-type="table-fn">``) but not their tails."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(e: ET.Element) -> None:
        if drop_marks and e.tag == "xref" and e.get("ref-type") in ("table-fn", "fn"):
            return
        if e.text:
            parts.append(e.text)
        for child in e:
            if child.tag in ("break", "br"):
                parts.append(" ")
            if child.tag not in skip:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return re.sub(r"\s+", " ", "".join(parts).replace("\u00a0", " ")).strip()


def _grid(rows: list[list[tuple[str, int, int]]], spanned: set | None = None) -> list[list[str]]:
    """Expand row and column spans: each cell's text fills every position it spans.

    ``spanned`` (if given) receives ``(row, column, origin row)`` of every position filled from a row above.
    """
    grid: list[list[str | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for text, rs, cs in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            for dr in range(rs):
                while len(grid) <= r + dr:
                    grid.append([])
                line = grid[r + dr]
                while len(line) < c + cs:
                    line.append(None)
                for dc in range(cs):
                    line[c + dc] = text
                    if dr and spanned is not None:
                        spanned.add((r + dr, c + dc, r))
            c += cs
    width = max((len(g) for g in grid), default=0)
    return [[x or "" for x in g] + [""] * (width - len(g)) for g in grid]


def _span(cell: ET.Element, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 100))
    except ValueError:
        return 1


def _table(wrap: ET.Element, position: int) -> Table | None:
    label = _text(wrap.find("label"))
    cap = wrap.find("caption")
    caption = "".join(_text(c) for c in cap) if cap is not None else ""
    table = wrap.find(".//table")
    if table is None:
        return None
    printed: list[list[str]] = []
    spans: list[list[tuple[str, int, int]]] = []
    marked: list[list[tuple[str, int, int]]] = []
    n_header = 0
    for part in ("thead", "tbody", None):
        trs = table.findall(f"{part}/tr") if part else table.findall("tr")
        for tr in trs:
            cells = [c for c in tr if c.tag in ("td", "th")]
            printed.append([_text(c) for c in cells])
            spans.append([(_text(c, drop_marks=True), _span(c, "rowspan"), _span(c, "colspan")) for c in cells])
            marked.append([(_text(c), _span(c, "rowspan"), _span(c, "colspan")) for c in cells])
            if part == "thead":
                n_header += 1
    if not printed:
        return None
    if n_header == 0:
        n_header = 1
    foot = wrap.find("table-wrap-foot")
    footnotes: list[str] = []
    if foot is not None:
        for fn in foot:
            if fn.tag == "fn":
                footnotes.append(_text(fn))
            elif fn.tag == "fn-group":
                footnotes += [_text(f) for f in fn.findall("fn")]
            else:
                footnotes.append(_text(fn))
    footnotes = [f for f in footnotes if f]
    spanned: set = set()
    grid = _grid(spans, spanned)
    return Table(
        number=_table_number(label, position),
        label=label or f"Table {position}",
        caption=caption,
        rows=printed,
        grid=grid,
        n_header=n_header,
        footnotes=footnotes,
        spanned={(r, c): o for r, c, o in spanned},
        marked=_grid(marked),
    )


def _table_number(label: str, position: int) -> int:
    """The number of "Table 2", "Table-II" or "Table IV"; else the table's position."""
    m = re.search(r"(\d+)", label)
    if m:
        return int(m[1])
    m = re.search(r"\b([IVX]+)\b", label)
    if m:
        values = {"I": 1, "V": 5, "X": 10}
        total = 0
        for a, b in zip(m[1], m[1][1:] + " ", strict=True):
            v = values[a]
            total += -v if b in values and values[b] > v else v
        return total
    return position


def parse_jats(xml: str) -> Article:
    """Parse a JATS XML article (as PubMed Central distributes it) into an :class:`Article`.

    Raises
    ------
    DraftError
        If the XML declares entities, has an internal DTD subset, is too large or malformed.
    """
    try:
        root = ET.fromstring(_safe_xml(xml))
    except ET.ParseError as e:
        raise DraftError(f"not well-formed XML ({e})") from None
    _strip_ns(root)
    art = Article()
    meta = root.find("front/article-meta")
    jmeta = root.find("front/journal-meta")
    if meta is not None:
        art.title = _text(meta.find("title-group/article-title"))
        for aid in meta.findall("article-id"):
            if aid.get("pub-id-type") == "doi":
                art.doi = _text(aid)
            if aid.get("pub-id-type") in ("pmc", "pmcid"):
                art.pmcid = _text(aid)
        for contrib in meta.findall("contrib-group/contrib"):
            if contrib.get("contrib-type", "author") != "author":
                continue
            name = contrib.find("name")
            if name is not None:
                initials = "".join(w[0] for w in re.split(r"[\s.\-]+", _text(name.find("given-names"))) if w)
                art.authors.append(f"{_text(name.find('surname'))} {initials}".strip())
        dates = meta.findall("pub-date")
        for d in dates:
            if _text(d.find("year")):
                art.year = _text(d.find("year"))
                break
        art.volume = _text(meta.find("volume"))
        art.issue = _text(meta.find("issue"))
        art.pages = _text(meta.find("elocation-id")) or _text(meta.find("fpage"))
        lic = meta.find("permissions/license")
        if lic is not None:
            art.licence = _licence(lic.get("href", ""), _text(lic))
        for ab in meta.findall("abstract"):
            if ab.get("abstract-type") in ("toc", "graphical", "teaser"):
                continue
            art.abstract += _sections(ab, ())
    if jmeta is not None:
        art.journal = _text(jmeta.find("journal-id[@journal-id-type='iso-abbrev']")) or _text(
            jmeta.find("journal-title-group/journal-title")
        )
    body = root.find("body")
    tables: list[Table] = []
    figures: list[str] = []
    if body is not None:
        art.sections = _sections(body, (), tables, figures)
    # tables and figures kept at the end of the article (floats-group)
    in_body = {id(w) for w in body.iter("table-wrap")} if body is not None else set()
    for wrap in root.iter("table-wrap"):
        if id(wrap) not in in_body:
            t = _table(wrap, len(tables) + 1)
            if t is not None:
                tables.append(t)
    art.tables = tables
    art.figures = figures
    art.text = render_text(art)
    return art


def _licence(href: str, text: str) -> str:
    m = re.search(r"creativecommons\.org/licenses/([a-z\-]+)/(\d\.\d)", href + " " + text)
    if m:
        return f"CC {m[1].upper()} {m[2]}"
    if re.search(r"publicdomain/zero", href):
        return "CC0 1.0"
    return text[:200] if text else "unknown (check)"


def _sections(el: ET.Element, path: tuple[str, ...], tables=None, figures=None) -> list[Section]:
    """The sections under ``el`` in document order; tables and figures are collected on the way."""
    out: list[Section] = []
    here = Section(path, [])
    out.append(here)
    # blocks: ("p", text) or ("table", Table) or ("fig", text) interleaved in order
    for child in el:
        if child.tag == "sec":
            title = _text(child.find("title"))
            out += _sections(child, path + (title,), tables, figures)
            here = Section(path, [])
            out.append(here)
        elif child.tag == "p":
            here.paragraphs.append(_text(child))
            for nested in child.iter():
                _float(nested, here, tables, figures)
        elif child.tag in ("table-wrap", "fig", "table-wrap-group", "fig-group"):
            for nested in child.iter():
                _float(nested, here, tables, figures)
        elif child.tag in ("list", "disp-quote", "statement"):
            for p in child.iter("p"):
                here.paragraphs.append(_text(p))
    return [s for s in out if s.paragraphs or s is out[0]]


def _float(nested: ET.Element, here: Section, tables, figures) -> None:
    if tables is None:
        return
    if nested.tag == "table-wrap":
        t = _table(nested, len(tables) + 1)
        if t is not None:
            tables.append(t)
            here.paragraphs.append(("\x00table", len(tables) - 1))  # type: ignore[arg-type]
    elif nested.tag == "fig":
        cap = nested.find("caption")
        text = (_text(nested.find("label")) + " " + ("".join(_text(c) for c in cap) if cap is not None else "")).strip()
        figures.append(text)
        here.paragraphs.append(("\x00fig", text))  # type: ignore[arg-type]


def render_text(art: Article) -> str:
    """paper.txt: title, abstract, body sections and tables (each table row a line, cells ``" | "``)."""
    lines: list[str] = [art.title, ""]
    if art.abstract:
        lines += ["Abstract", ""]
        for sec in art.abstract:
            if sec.path:
                lines.append(sec.path[-1])
            lines += [p for p in sec.paragraphs if isinstance(p, str)]
            lines.append("")
    last: tuple[str, ...] | None = None
    for sec in art.sections:
        if sec.path != last and sec.path:
            if lines and lines[-1] != "":
                lines.append("")
            lines.append(sec.path[-1])
            last = sec.path
        for p in sec.paragraphs:
            if isinstance(p, tuple) and p[0] == "\x00table":
                t = art.tables[p[1]]
                lines += ["", _table_block(t), ""]
            elif isinstance(p, tuple):
                lines.append(p[1])  # a figure's label and caption
            else:
                lines.append(p)
    placed = {p[1] for s in art.sections for p in s.paragraphs if isinstance(p, tuple) and p[0] == "\x00table"}
    for i, t in enumerate(art.tables):
        if i not in placed:
            lines += ["", _table_block(t), ""]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _table_block(t: Table) -> str:
    head = f"{t.label} {t.caption}".strip()
    return "\n".join([head] + [t.line(i) for i in range(len(t.rows))] + t.footnotes)


# --------------------------------------------------------------------------- plain text


_TABLE_START = re.compile(r"^\s*(?:Table|TABLE)\s+(\d+)\b")


def parse_plain(text: str) -> Article:
    """Read an article given as plain text (for instance an earlier paper.txt).

    Tables are recognised as a line "Table k ..." followed by lines with ``" | "`` between cells;
    the leading lines with an "n =" or without numbers are header rows. Section titles are short
    lines without a final full stop.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise DraftError(f"the article is larger than {MAX_BYTES} bytes; refused")
    art = Article(text=text if text.endswith("\n") else text + "\n")
    lines = text.splitlines()
    art.title = next((ln.strip() for ln in lines if ln.strip()), "")
    sec = Section((), [])
    art.sections.append(sec)
    top = ""
    i = 0
    while i < len(lines):
        ln = lines[i].strip()
        m = _TABLE_START.match(ln)
        if m and i + 1 < len(lines) and " | " in lines[i + 1]:
            rows = []
            j = i + 1
            while j < len(lines) and (" | " in lines[j] or lines[j].rstrip().endswith(" |")):
                rows.append([c.strip() for c in lines[j].split(" | ")])
                j += 1
            foot = []
            while j < len(lines) and lines[j].strip() and not _TABLE_START.match(lines[j]):
                foot.append(lines[j].strip())
                j += 1
            art.tables.append(_plain_table(int(m[1]), ln, rows, foot))
            i = j
            continue
        if ln and i > 0 and len(ln) < 80 and not ln.endswith((".", ":", ";", ",")) and not re.search(r"\d\)?$", ln):
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            prev = lines[i - 1].strip()
            if nxt and not prev:
                if re.match(r"(results|methods|materials|discussion|introduction|background|abstract)", ln, re.I):
                    top = ln
                    path: tuple[str, ...] = (ln,)
                else:
                    path = (top, ln) if top else (ln,)
                sec = Section(path, [])
                art.sections.append(sec)
                i += 1
                continue
        if ln and i > 0:
            sec.paragraphs.append(ln)
        i += 1
    art.abstract = [s for s in art.sections if s.path and s.path[0].lower() == "abstract"]
    art.sections = [s for s in art.sections if not (s.path and s.path[0].lower() == "abstract")]
    return art


def _plain_table(number: int, caption_line: str, rows: list[list[str]], foot: list[str]) -> Table:
    m = re.match(r"^\s*(Table\s+\d+)\s*(.*)$", caption_line, re.I)
    label, caption = (m[1], m[2]) if m else (f"Table {number}", caption_line)
    n_header = 1
    for r in rows[1:3]:
        if any(re.search(r"\b[nN]\s*=", c) for c in r) or not any(re.search(r"\d", c) for c in r[1:]):
            n_header += 1
        else:
            break
    width = max(len(r) for r in rows)
    grid = []
    for k, r in enumerate(rows):
        if k < n_header and 1 < len(r) < width and (width - 1) % (len(r) - 1) == 0 and r[0] == "":
            m_ = (width - 1) // (len(r) - 1)  # a top header row whose cells span m columns each
            grid.append([r[0]] + [c for c in r[1:] for _ in range(m_)])
        elif len(r) < width:
            grid.append([""] * (width - len(r)) + r)  # the stub cell spans down from the row above
        else:
            grid.append(list(r))
    return Table(number, label, caption, rows, grid, n_header, foot)


# --------------------------------------------------------------------------- cells


_N = r"[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_PM = r"(?:±|\+/-|\+-|\+ / -)"
_FOOTMARK = re.compile(r"(?<=[\d)\]%])\s*(?:[a-h]{1,2}|[*†‡§¶#]+|\[\w+\])$")
_HEADER_N = re.compile(r"[\(\[,]?\s*\b[nN]\s*[=:]\s*(\d[\d,]*)(?:\s*/\s*\d+)?\s*[\)\]]?")


def slug(text: str, limit: int = 40) -> str:
    """A lower-case slug for ids and variables: "Age (years)" -> "age_years"."""
    s = normalise(text).lower()
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    s = s[:limit].rstrip("_")
    return s if s and s[0].isalnum() else ("x" + s if s else "x")


def header_n(label: str) -> int | None:
    """The n a column header prints: "Exercise group (n = 14)", "n = 41", "(N=41)" -> the integer."""
    m = _HEADER_N.search(normalise(label))
    if not m:
        return None
    n = int(m[1].replace(",", ""))
    return n if n > 0 else None


def _arm_label(label: str) -> str:
    """The column label without its n and footnote marks: "Relaxation groupa (n = 9)" -> "Relaxation group"."""
    s = _HEADER_N.sub("", normalise(label)).strip(" ,;:")
    return re.sub(r"\s*[*†‡§¶#]+$", "", s).strip()


def _arm_id(label: str) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", normalise(label).lower()) if w]
    keep = [w for w in words if w not in ("group", "groups", "arm", "patients", "the", "n")]
    return slug("_".join(keep or words), 30)


def _strip_marks(cell: str) -> str:
    s = normalise(cell)
    prev = None
    while prev != s:
        prev, s = s, _FOOTMARK.sub("", s).strip()
    return s


def parse_cell(text: str, *, sem: bool = False, spread: str = "iqr", hint: str = "") -> list[tuple[str, str]] | None:
    """Read one table cell into ``(statistic, value)`` pairs, values as printed.

    Parameters
    ----------
    text : the cell as printed ("62.0±2.4", "10 (71%)", "10/14 (71.4%)", "6.0 (1.5; 15.0)").
    sem : whether the table says its ± are standard errors (mean ± SEM).
    spread : ``"iqr"`` or ``"range"``: what the parentheses after a median hold.
    hint : the row label and headers, lower-cased words like "%", "n", "mean", "median" decide
        an ambiguous "12 (34)".

    Returns
    -------
    The pairs (``[]`` for an empty cell or one that prints no number: "NA", "-"), or ``None``
    when the cell is not understood. A cell with several categories ("10 (71%)/4 (29%)")
    returns pairs ``("count#0", ...)``, ``("percent#0", ...)``, ... numbered by category.
    """
    s = _strip_marks(text)
    if s.lower() in ("na", "n/a", "nr", "nd", "…") or re.fullmatch(r"[-–—.\s]*", s):
        return []
    h = hint.lower()
    label = h.split("|")[0]
    spread_stat = "sd" if not sem else "sem"
    m = re.fullmatch(rf"({_N})\s*{_PM}\s*({_N})", s)
    if m:
        return [("mean", m[1]), (spread_stat, m[2])]
    m = re.fullmatch(rf"({_N})\s+\+\s+({_N})", s)  # "2.0 + 1.8" where a "Mean (SD)" row means ±
    if m and re.search(r"mean.*\b(sd|s\.d\.|sem|se)\b", label):
        return [("mean", m[1]), (spread_stat, m[2])]
    m = re.fullmatch(rf"({_N})\s*\(\s*{_PM}?\s*({_N})\s*\)", s)  # "62.0 (±8.3)" or "12 (34)"
    if m and "±" in s:
        return [("mean", m[1]), (spread_stat, m[2])]
    m = re.fullmatch(rf"({_N})\s*\(\s*({_N})\s*%\s*\)", s)
    if m:
        return [("count", m[1]), ("percent", m[2])]
    m = re.fullmatch(rf"({_N})\s*%\s*\(\s*({_N})\s*\)", s)  # "71% (10)"
    if m:
        return [("percent", m[1]), ("count", m[2])]
    m = re.fullmatch(rf"(\d+)\s*/\s*(\d+)\s*\(\s*({_N})\s*%?\s*\)", s)
    if m:
        return [("count", m[1]), ("n", m[2]), ("percent", m[3])]
    m = re.fullmatch(rf"({_N})\s*[\(\[]\s*({_N})\s*(?:-|–|to|;|,)\s*({_N})\s*[\)\]]", s)
    if m:
        if re.search(r"\brange\b", label) and not re.search(r"iqr|interquartile|quartile", label):
            spread = "range"  # the row says so ("Median and Range"), whatever the table's legend says
        elif re.search(r"iqr|interquartile|quartile", label):
            spread = "iqr"
        lo, hi = ("min", "max") if spread == "range" else ("q1", "q3")
        return [("median", m[1]), (lo, m[2]), (hi, m[3])]
    m = re.fullmatch(rf"({_N})\s*\(\s*({_N})\s*\)", s)
    if m:
        first, second = m[1], m[2]
        if re.search(r"%|\bn\b|number|no\.", h) and not re.search(r"mean|sd\b|s\.d\.", h) and "." not in first:
            return [("count", first), ("percent", second)]
        if re.search(r"mean|\bsd\b|s\.d\.|standard dev", h):
            return [("mean", first), (spread_stat, second)]
        return None
    parts = [p.strip() for p in re.split(r"(?<=[)%])\s*/\s*", s)]
    if len(parts) > 1:
        out: list[tuple[str, str]] = []
        for k, part in enumerate(parts):
            sub = parse_cell(part, sem=sem, spread=spread, hint=h + " %")
            if not sub or any(st not in ("count", "percent") for st, _ in sub):
                return None
            out += [(f"{st}#{k}", v) for st, v in sub]
        return out
    m = re.fullmatch(r"(\d+)\s*\(\s*(\d+(?:\s*/\s*\d+)+)\s*\)", s)
    if m and re.search(r"\w/\w", label):  # "15 (9/6)" under "Patients, n (Females/Males)"
        return [("n", m[1])] + [(f"count#{k}", v.strip()) for k, v in enumerate(m[2].split("/"))]
    if re.fullmatch(r"\d+(?:\s*[/:]\s*\d+)+", s):
        parts = [v.strip() for v in re.split(r"[/:]", s)]
        named = re.search(r"\([^()]*[a-z]\s*[/:]\s*[a-z][^()]*\)|\w+(?:\s*/\s*\w+)+\s*(?:\([^()]*\))?\s*$", label)
        if len(parts) == 2 and not (named and re.search(r"[a-z]", re.sub(r"\d+/\d+", "", named[0]))):
            return [("count", parts[0]), ("n", parts[1])]  # "10/14": a count of its n
        return [(f"count#{k}", v) for k, v in enumerate(parts)]  # "10/4" under "male/female"
    m = re.fullmatch(rf"({_N})\s*%", s)
    if m:
        return [("percent", m[1])]
    m = re.fullmatch(_N, s)
    if m:
        if re.fullmatch(r"\d+", s) and re.search(r"\b(n|no\.|number)\s*\(\s*%\s*\)", label):
            return [("count", s)]  # "0" in an "N (%)" row: the count, its percentage left out
        if re.search(r"%|percent|proportion|rate\b", h):
            return [("percent", s)]
        if re.fullmatch(r"\d+", s) and not re.search(r"mean|median|score|\(", h.split("|")[0]):
            return [("count", s)]
        return None
    return None


def parse_p_cell(text: str) -> tuple[str, str] | None:
    """Read a p-value cell: ``(value, footnote mark)``; value as printed ("0.03", "<0.001", "n.s.").

    Returns ``None`` for an empty cell, one that prints no number, or one that is not a p-value.
    """
    s = normalise(text)
    if s.lower() in ("na", "n/a", "nr") or re.fullmatch(r"[-–—.\s]*", s):
        return None
    m = re.fullmatch(r"(n\.?\s?s\.?)\s*([a-h*†‡§¶#]*)", s, re.IGNORECASE)
    if m:
        return ("n.s.", m[2])
    m = re.fullmatch(r"(?:p\s*)?(<=|>=|<|>|=)?\s*(\d*\.\d+|[01])\s*([a-h*†‡§¶#]{0,3})", s, re.IGNORECASE)
    if not m:
        return None
    if float(m[2]) > 1:
        return None
    cmp = "" if m[1] in (None, "=") else m[1]
    return (cmp + m[2], m[3])


_TIME = re.compile(
    r"baseline|pre[-\s]?(?:treatment|intervention|op)|\b(?:week|wk|month|mo|day|year|hour|h)s?\b|"
    r"follow[-\s]?up|end of|final|visit|\bpost\b",
    re.IGNORECASE,
)


def timepoint_id(label: str) -> str:
    """A time point id for a column label: "Baseline" -> baseline, "12 weeks" -> w12, "6 months" -> m6."""
    s = normalise(label).lower()
    if re.search(r"baseline|pre[-\s]?(treatment|intervention|study)|^pre$|^before", s):
        return "baseline"
    m = re.search(r"(\d+)\s*-?\s*(weeks?|wk|months?|mo|days?|d|years?|y|hours?|h)\b", s) or re.search(
        r"\b(week|month|day|year|hour)\s*(\d+)", s
    )
    if m:
        num, unit = (m[1], m[2]) if m[1][0].isdigit() else (m[2], m[1])
        return {"w": "w", "m": "m", "d": "d", "y": "y", "h": "h"}[unit[0]] + num
    return slug(_arm_label(label), 20)


# --------------------------------------------------------------------------- methods


_TEST = re.compile(
    r"(?:(?:two|2)[-\s]sided\s+|unpaired\s+|paired\s+|independent(?:[-\s]samples?)?\s+|Student[’']?s?\s+|Welch[’']?s?\s+)*"
    r"(?:t[-\s]?tests?|Mann[-\s–]Whitney(?:\s+U)?(?:\s+tests?)?|Wilcoxon(?:\s+(?:signed[-\s]rank|rank[-\s]sum))?(?:\s+tests?)?|"
    r"(?:Pearson[’']?s?\s+)?(?:chi|χ)[-\s]?(?:squared?|2|²)(?:\s+tests?)?|Fisher[’']?s?(?:\s+exact)?(?:\s+tests?)?|"
    r"Kruskal[-\s–]Wallis(?:\s+tests?)?|(?:one[-\s]way\s+|repeated[-\s]measures\s+)?(?:ANOVA|analysis of variance)|"
    r"McNemar[’']?s?(?:\s+tests?)?|log[-\s]rank(?:\s+tests?)?)",
    re.IGNORECASE,
)
_CONTINUOUS_TESTS = {"t_test", "student", "welch", "mann_whitney", "wilcoxon_signed_rank", "kruskal_wallis", "anova"}
_CATEGORICAL_TESTS = {"chi2", "chi2_yates", "fisher", "chi2_or_fisher", "fisher_freeman_halton"}


def _sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences (each a verbatim substring of the paragraph)."""
    out = re.split(r"(?<=[.!?])\s+(?=[A-Z(\[])(?<!\bvs\. )(?<!\bet al\. )", paragraph)
    return [s for s in (o.strip() for o in out) if s]


def stated_tests(art: Article) -> dict[str, str]:
    """What the Methods say about the tests, in their words: keys ``continuous``, ``categorical``,
    ``paired`` (each the test phrases joined by " or "), ``alpha`` (the stated level) and
    ``sentences`` (the Methods sentences the tests came from, joined by " / ")."""
    found: dict[str, list[str]] = {"continuous": [], "categorical": [], "paired": []}
    sentences: list[str] = []
    alpha = ""
    for sec in art.sections:
        if not sec.path or not re.search(r"method|statist|analys", " ".join(sec.path), re.IGNORECASE):
            continue
        for p in sec.paragraphs:
            if not isinstance(p, str):
                continue
            for s in _sentences(p):
                m = re.search(r"(?:p|α|alpha)[^.;]{0,30}?(?:<|≤|=|of|below|less than)\s*(0?\.\d+)", s, re.IGNORECASE)
                if m and re.search(r"signific", s, re.IGNORECASE) and not alpha:
                    alpha = m[1]
                tests = [t.strip() for t in _TEST.findall(s)]
                if not tests:
                    continue
                sentences.append(s)
                for t in tests:
                    names = set(stated_methods(t))
                    kind = (
                        "paired"
                        if re.search(r"paired|signed", t, re.I)
                        else "continuous"
                        if names & _CONTINUOUS_TESTS
                        else "categorical"
                        if names & _CATEGORICAL_TESTS
                        else ""
                    )
                    if (
                        kind == "continuous"
                        and re.search(r"wilcoxon", t, re.I)
                        and not re.search(r"rank[-\s]sum", t, re.I)
                    ):
                        kind = "paired"
                    if kind and t.lower() not in (x.lower() for x in found[kind]):
                        found[kind].append(t)
                if (
                    re.search(r"expected|as appropriate|<\s*5|less than 5|fewer than 5", s)
                    and len(found["categorical"]) > 1
                ):
                    found["categorical"][-1] += " as appropriate"
    out = {k: " or ".join(v) for k, v in found.items()}
    out["alpha"] = alpha
    out["sentences"] = " / ".join(sentences)
    return out


# --------------------------------------------------------------------------- drafting rows


@dataclass
class Draft:
    """A drafted package: metadata, rows, and what a person must check."""

    meta: dict
    descriptives: list[dict]
    inferences: list[dict]
    unsure: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


@dataclass
class _Column:
    index: int
    labels: list[str]
    arm: str = ""  # arm id, "all", or "" (not an arm column)
    arm_label: str = ""
    timepoint: str = ""
    n: int | None = None
    is_p: bool = False


_NOT_ARM = re.compile(
    r"differen|\b95\s*%|\bCI\b|confidence|odds|\bratio\b|\bOR\b|\bRR\b|\bHR\b|effect size|statistic|\bt\b|χ|chi|"
    r"\btest\b|\bdf\b|\bF\b|\bz\b",
    re.IGNORECASE,
)
_IS_P = re.compile(r"^\s*p\s*[-\s]?(?:values?|\*|†|[a-h])?\s*$|\bp[-\s]?values?\b|^sig", re.IGNORECASE)
_ALL = re.compile(r"^(?:total|all|overall|whole|combined|all patients|all subjects|both groups)\b", re.IGNORECASE)


def _columns(t: Table) -> list[_Column]:
    cols = []
    width = len(t.grid[0]) if t.grid else 0
    for j in range(1, width):
        labels: list[str] = []
        for r in range(min(t.n_header, len(t.grid))):
            cell = t.grid[r][j]
            if cell and cell not in labels:
                labels.append(cell)
        col = _Column(j, labels)
        text = " ".join(labels)
        if any(_IS_P.search(lb) for lb in labels):
            col.is_p = True
        elif labels and not _NOT_ARM.search(text):
            for lb in labels:
                if col.n is None:
                    col.n = header_n(lb)
            arm_labels = [lb for lb in labels if not _TIME.search(_arm_label(lb)) or _ALL.match(lb)]
            time_labels = [lb for lb in labels if lb not in arm_labels]
            name = _arm_label(arm_labels[0]) if arm_labels else ""
            if name and not re.fullmatch(r"[\W\d]*", name):
                col.arm_label = name
                col.arm = ALL_ARMS if _ALL.match(name) else _arm_id(name)
            if time_labels:
                col.timepoint = timepoint_id(time_labels[-1])
        body = [t.grid[r][j] for r in range(t.n_header, len(t.grid)) if t.grid[r][j].strip()]
        if col.arm and body and sum(bool(re.search(r"\d", b)) for b in body) < len(body) / 2:
            col.arm = ""  # a column of words (adverse events, outcomes), not of numbers
        cols.append(col)
    return cols


def _row_hint(label: str, parent: str, t: Table, col: _Column) -> str:
    return " | ".join([label.lower(), parent.lower(), " ".join(col.labels).lower(), t.caption.lower()])


def _variable(label: str) -> tuple[str, str, list[str]]:
    """(variable slug, unit, categories) from a row label such as "Gender (male/female)" or "Age (years)"."""
    s = normalise(label)
    cats: list[str] = []
    m = re.search(r"\b(?:n|no\.)\s*\(([A-Za-z][\w\s-]*(?:/[A-Za-z][\w\s-]*)+)\)", s, re.IGNORECASE)
    if m:  # "Patients, n (Females/Males)"
        cats = [c.strip() for c in m[1].split("/")]
    s = re.sub(r"[,;]?\s*(?:mean|median|n|no\.)\s*(?:\(|±|\[).*$", "", s, flags=re.IGNORECASE).strip()
    s = re.sub(r",\s*(?:n|%|n \(%\)|mean ± sd|mean \(sd\))$", "", s, flags=re.IGNORECASE).strip()
    unit = ""
    m = re.search(r"\(([^()]*)\)\s*$", s)
    if m:
        inner = m[1]
        if "/" in inner and not re.search(r"\d|/\s*(?:l|dl|ml|kg|m2|min|day|h|week)\b", inner, re.I):
            cats = [c.strip() for c in inner.split("/")]
        elif ":" in inner and not re.search(r"\d", inner):
            cats = [c.strip() for c in inner.split(":")]
        elif "/" in inner and re.search(r"\w/\w", inner) and "%" not in inner:
            cats = [c.strip() for c in re.split(r"/", re.sub(r"^\s*n\s*", "", inner))]
        elif not re.search(r"%|\bn\b|mean|sd|median|iqr|range", inner, re.I):
            unit = inner
        s = s[: m.start()].strip()
    if not cats:
        m = re.search(r"(\w+(?:/\w+)+)$", s)  # "Grade 2a/2b"
        if m:
            cats = m[1].split("/")
    return slug(s or label), unit, cats


def draft_tables(art: Article, mapping: dict[tuple[int, int], str], tests: dict[str, str], draft: Draft) -> None:
    """Draft the rows of every table: ``table_n`` rows, descriptives per cell, a p-value per row.

    ``mapping`` gives each (table position, column index) its arm id (see :func:`_arms`)."""
    ids: set[str] = {r["id"] for r in draft.descriptives + draft.inferences}

    def unique(base: str) -> str:
        i, out = 2, base
        while out in ids:
            out, i = f"{base}.{i}", i + 1
        ids.add(out)
        return out

    for ti, t in enumerate(art.tables):
        section = f"table{t.number}"
        cols = _columns(t)
        for c in cols:
            c.arm = mapping.get((ti, c.index), "") if c.arm else ""
        arm_cols = [c for c in cols if c.arm]
        p_cols = [c for c in cols if c.is_p]
        known = list(dict.fromkeys(a for a in mapping.values() if a != ALL_ARMS))
        time_cols = [c for c in cols if c.timepoint and not c.arm and not c.is_p]
        row_arms = not arm_cols and bool(known) and bool(time_cols)  # arms in rows ("AZA, median (IQR)")
        if not arm_cols and not row_arms:
            draft.unsure.append(f"{t.label}: no arm columns recognised in its header; not drafted")
            continue
        if row_arms:
            draft.unsure.append(f"{t.label}: arms read from the row labels, time points from the columns: confirm")
        blob = (t.caption + " " + " ".join(t.footnotes) + " " + " ".join(t.line(i) for i in range(t.n_header))).lower()
        sem = bool(re.search(r"\bsem\b|s\.e\.m|standard error|\bse\b|± ?se\b", blob))
        spread = "range" if re.search(r"\brange\b", blob) and not re.search(r"iqr|interquartile", blob) else "iqr"
        baseline = t.number == 1 or re.search(r"baseline|characteristic|demograph", t.caption, re.I)
        header_quote = " | ".join(r for r in t.rows[0]) if t.rows else ""
        marks = _footnote_marks(t.footnotes)
        for c in arm_cols:
            if c.n is None:
                continue
            hq = next((t.line(i) for i in range(t.n_header) if str(c.n) in t.line(i)), header_quote)
            tp = c.timepoint or ("baseline" if baseline else "")
            draft.descriptives.append(
                _drow(
                    unique(f"t{t.number}.n.{c.arm}" + (f".{tp}" if c.timepoint else "")),
                    section,
                    f"{t.label}, header",
                    c.arm,
                    tp,
                    TABLE_N,
                    "",
                    "n",
                    str(c.n),
                    hq,
                )
            )
        parent = ""
        heading_p: dict | None = None
        spanning: dict[tuple[int, int], dict] = {}
        for r in range(t.n_header, len(t.grid)):
            if r >= len(t.rows):
                break
            row = t.grid[r]
            label = row[0]
            line = t.line(r)
            if not label:
                continue
            if row_arms:
                arm = _arm_in_label(label, known)
                if arm is None:
                    if any(row[c.index].strip() for c in time_cols):
                        draft.unsure.append(f'{t.label}, row "{label}": no arm named in the row label; not drafted')
                    else:
                        parent, heading_p = label, None
                    continue
                arm_cols = [_Column(c.index, c.labels, arm, "", c.timepoint, None) for c in time_cols]
                label_var = re.split(r"\s*[,:]\s*", label)
                rest = [
                    x
                    for x in label_var
                    if _arm_in_label(x, known) is None and not re.fullmatch(r"(?i)n \(%\)|median.*|mean.*|n", x)
                ]
                label_for_var = " ".join(rest) or parent or label
            values = [row[c.index] for c in arm_cols]
            if not any(v.strip() for v in values) or all(row[c.index] == label for c in arm_cols):
                parent, heading_p = label, None
                if any(row[c.index].strip() for c in p_cols):
                    heading_p = _heading_p(t, r, label, p_cols, tests, marks, section, unique, draft)
                continue
            var, unit, cats = _variable(label_for_var if row_arms else label)
            row_ids: dict[tuple[str, str], list[str]] = {}
            for c in arm_cols:
                cell = row[c.index]
                tp = c.timepoint or ("baseline" if baseline else "")
                hint = _row_hint(label, parent, t, c)
                pairs = parse_cell(cell, sem=sem, spread=spread, hint=hint)
                if pairs is None:
                    draft.unsure.append(
                        f'{t.label}, row "{label}", column "{" / ".join(c.labels)}": '
                        f"cell {cell!r} not understood; not drafted"
                    )
                    continue
                ncat = len({st.split("#")[1] for st, _ in pairs if "#" in st})
                if ncat and len(cats) != ncat:
                    cats = [f"category{k + 1}" for k in range(ncat)]
                    draft.unsure.append(
                        f'{t.label}, row "{label}": {ncat} categories in {cell!r}, names not in the label; '
                        "drafted as category1.."
                    )
                for st, v in pairs:
                    cat = ""
                    if "#" in st:
                        st, k = st.split("#")
                        cat = slug(cats[int(k)], 30)
                    rid = unique(".".join(x for x in (f"t{t.number}", var, cat, c.arm, c.timepoint, st) if x))
                    draft.descriptives.append(
                        _drow(
                            rid,
                            section,
                            f'{t.label}, row "{label}"',
                            c.arm,
                            tp,
                            var,
                            "%" if st == "percent" else unit,
                            st,
                            v,
                            line,
                            cat,
                        )
                    )
                    row_ids.setdefault((c.arm, tp), []).append(rid)
            if heading_p is not None:
                refs = [i for key, lst in row_ids.items() for i in lst if re.search(r"\.(count|percent)$", i)]
                heading_p["refers_to"] = ";".join(filter(None, [heading_p["refers_to"]] + refs))
                heading_p["arms"] = ";".join(
                    sorted({a for a, _ in row_ids if a != ALL_ARMS} | set(filter(None, heading_p["arms"].split(";"))))
                )
                tps = {tp for _, tp in row_ids}
                heading_p["timepoint"] = tps.pop() if len(tps) == 1 else ""
            for pc in p_cols:
                cell = (t.marked or t.grid)[r][pc.index]
                origin = t.spanned.get((r, pc.index))
                if origin is not None:  # a p-value spanning several rows ("Single/Two/Triple vessel disease")
                    first = spanning.get((origin, pc.index))
                    if first is not None:
                        more = [i for key, lst in row_ids.items() for i in lst if re.search(r"\.(count|percent)$", i)]
                        first["refers_to"] = ";".join(filter(None, [first["refers_to"]] + more))
                    continue
                got = parse_p_cell(cell)
                if got is None:
                    if cell.strip() and normalise(cell).lower() not in ("-", "na", "n/a", "nr", "—"):
                        draft.unsure.append(f'{t.label}, row "{label}": p cell {cell!r} not understood; not drafted')
                    continue
                value, mark = got
                tps = sorted({tp for _, tp in row_ids})
                arms_in = sorted({a for a, _ in row_ids if a != ALL_ARMS})
                refs = [i for key, lst in row_ids.items() if key[0] in arms_in for i in lst]
                refs = [i for i in refs if not i.endswith((".n", ".n.2"))]
                categorical = any(re.search(r"\.(count|percent)(\.\d+)?$", i) for i in refs)
                method = marks.get(mark, "") if mark else ""
                if not method:
                    method = tests["categorical" if categorical else "continuous"]
                draft.inferences.append(
                    _irow(
                        unique(f"t{t.number}.{var}" + (f".{pc.timepoint}" if pc.timepoint else "") + ".p"),
                        section,
                        f'{t.label}, row "{label}"',
                        "p_value",
                        var,
                        ";".join(tps) if len(tps) == 1 else "",
                        "between",
                        ";".join(arms_in),
                        value,
                        line,
                        refers_to=";".join(refs) if len(tps) == 1 else "",
                        method=method,
                    )
                )
                spanning[(r, pc.index)] = draft.inferences[-1]


def _arm_in_label(label: str, known: list[str]) -> str | None:
    """The known arm a row label names ("AZA, median (IQR)", "A/E withdrawals: MTX"), if any."""
    for part in re.split(r"\s*[,:;]\s*", normalise(label)):
        word = _arm_id(part)
        hit = next((a for a in known if _same_arm(word, a)), None)
        if hit and len(part) <= 30:
            return hit
    return None


def _heading_p(t: Table, r: int, label: str, p_cols, tests, marks, section, unique, draft: Draft) -> dict | None:
    """The p-value printed on a heading row ("Type of MG, n (%) | | | 0.83"): it covers the category rows beneath."""
    got = parse_p_cell((t.marked or t.grid)[r][p_cols[0].index])
    if got is None:
        return None
    value, mark = got
    var = _variable(label)[0]
    row = _irow(
        unique(f"t{t.number}.{var}.p"),
        section,
        f'{t.label}, row "{label}"',
        "p_value",
        var,
        "",
        "between",
        "",
        value,
        t.line(r),
        method=marks.get(mark, "") or tests["categorical"],
    )
    draft.inferences.append(row)
    return row


def _footnote_marks(footnotes: list[str]) -> dict[str, str]:
    """Footnote marks that name a test ("a χ2 test. b t-test.") -> the test, in the footnote's words."""
    out: dict[str, str] = {}
    for f in footnotes:
        for m in re.finditer(r"(?:^|(?<=[.;]\s))([a-h*†‡§¶#]{1,2})\s?([^.;]*?)(?=[.;]|$)", f):
            tests = _TEST.findall(m[2])
            if tests and m[1] not in out:
                out[m[1]] = m[2].strip()
    return out


def _drow(rid, section, location, arm, tp, var, unit, stat, value, quote, category="") -> dict:
    return dict(
        id=rid,
        section=section,
        location=location,
        arm=arm,
        subgroup="",
        timepoint=tp,
        variable=var,
        unit=unit,
        statistic=stat,
        value=value,
        quote=quote,
        note=NOTE,
        category=category,
    )


def _irow(
    rid,
    section,
    location,
    kind,
    var,
    tp,
    comparison,
    arms,
    value,
    quote,
    *,
    refers_to="",
    method="",
    ci=("", "", ""),
    note=NOTE,
) -> dict:
    return dict(
        id=rid,
        section=section,
        location=location,
        kind=kind,
        variable=var,
        timepoint=tp,
        comparison=comparison,
        arms=arms,
        value=value,
        ci_low=ci[0],
        ci_high=ci[1],
        ci_level=ci[2],
        refers_to=refers_to,
        method_stated=method,
        quote=quote,
        recomputable="yes",
        reason="",
        note=note,
    )


_P_TEXT = re.compile(
    r"\b[pP]\s*(?:[-\s]?values?\s*)?(<=|>=|≤|≥|<|>|=|˂|˃)\s*(\d*\.\d+|[01](?![\d.]))"
    r"|\b[pP][-\s]?values?\s*(?:of|was|were|:)?\s+(\d*\.\d+)"
)
_CI_TEXT = re.compile(
    rf"(\d{{2}}(?:\.\d)?)\s*%\s*(?:CI|C\.I\.|confidence intervals?)\s*[:=,]?\s*(?:of|was|were)?\s*[\(\[]?\s*"
    rf"({_N}|−\d*\.?\d+)\s*(?:to|–|-|—|,|;)\s*({_N}|−\d*\.?\d+)",
    re.IGNORECASE,
)
_ESTIMATE = re.compile(
    rf"(odds ratio|\bOR|\baOR|relative risk|risk ratio|\bRR|hazard ratio|\bHR|difference|change)\b"
    rf"[^0-9\-−]{{0,25}}({_N}|−\d*\.?\d+)[^0-9]{{0,20}}$",
    re.IGNORECASE,
)


def draft_text_inferences(art: Article, arms: dict[str, dict], tests: dict[str, str], draft: Draft) -> None:
    """Draft p-values, CIs and odds ratios printed in the Results' sentences ("Results, paragraph k")."""
    ids: set[str] = {r["id"] for r in draft.descriptives + draft.inferences}
    arm_ids = list(arms)
    k = 0
    for sec in art.sections:
        if not sec.path or not re.search(r"result", sec.path[0], re.IGNORECASE):
            continue
        for p in sec.paragraphs:
            if not isinstance(p, str):
                continue
            k += 1
            j = 0
            for s in _sentences(p):
                within = bool(
                    re.search(r"baseline|within|from .{1,40} to |compared (?:to|with) (?:the )?(?:pre|base)", s, re.I)
                )
                comparison = "within" if within else "between"
                arms_txt = ALL_ARMS if within else ";".join(arm_ids)
                categorical = bool(re.search(r"%|proportion|patients|rate\b|incidence", s, re.I))
                method = tests["paired"] if within else tests["categorical" if categorical else "continuous"]
                for m in _P_TEXT.finditer(s):
                    j += 1
                    cmp = m[1] or ""
                    num = m[2] or m[3]
                    cmp = {"=": "", "≤": "<=", "≥": ">=", "˂": "<", "˃": ">"}.get(cmp, cmp)
                    rid = f"res.p{k}.{j}"
                    ids.add(rid)
                    draft.inferences.append(
                        _irow(
                            rid,
                            "results",
                            f"Results, paragraph {k}",
                            "p_value",
                            "unspecified",
                            "",
                            comparison,
                            arms_txt,
                            cmp + num,
                            s,
                            method=method,
                        )
                    )
                for m in _CI_TEXT.finditer(s):
                    j += 1
                    lo, hi = normalise(m[2]), normalise(m[3])
                    note = NOTE
                    try:
                        if float(lo.replace(",", "")) > float(hi.replace(",", "")):
                            lo, hi = hi, lo
                            note = NOTE + "; the interval is printed high limit first"
                    except ValueError:
                        continue
                    est = _ESTIMATE.search(s[max(0, m.start() - 70) : m.start()])
                    kind, value = "ci", ""
                    if est:
                        word = est[1].lower()
                        value = normalise(est[2])
                        kind = (
                            "odds_ratio"
                            if word in ("odds ratio", "or", "aor")
                            else "ratio"
                            if word in ("relative risk", "risk ratio", "rr", "hazard ratio", "hr")
                            else "difference"
                        )
                        if kind == "difference" and within:
                            kind = "change"
                    rid = f"res.ci{k}.{j}"
                    draft.inferences.append(
                        _irow(
                            rid,
                            "results",
                            f"Results, paragraph {k}",
                            kind,
                            "unspecified",
                            "",
                            comparison,
                            arms_txt,
                            value,
                            s,
                            ci=(lo, hi, m[1]),
                            note=note,
                        )
                    )


# --------------------------------------------------------------------------- package


def _same_arm(raw: str, canon: str) -> bool:
    """Whether a column's arm id names a known arm: equal, or one a prefix of the other ("aza", "azathioprine")."""
    if raw == canon or (min(len(raw), len(canon)) >= 3 and (raw.startswith(canon) or canon.startswith(raw))):
        return True
    short, long = sorted((raw, canon), key=len)
    if not (2 <= len(short) <= 5 and short.isalpha() and len(long) > len(short) and short[0] == long[0]):
        return False
    rest = iter(long)  # an abbreviation: its letters in order ("mtx", "methotrexate")
    return all(ch in rest for ch in short)


def _arms(art: Article) -> tuple[dict[str, dict], dict[tuple[int, int], str], list[str]]:
    """The arms from the tables' column headers (in order), each with its header n.

    Returns the arms, a map (table position, column index) -> arm id, and notes for the checklist
    (a table whose arm labels matched the known arms only by their order).
    """
    arms: dict[str, dict] = {}
    mapping: dict[tuple[int, int], str] = {}
    notes: list[str] = []
    for ti, t in enumerate(art.tables):
        cols = [c for c in _columns(t) if c.arm]
        known = bool(arms)
        raw = list(dict.fromkeys(c.arm for c in cols if c.arm != ALL_ARMS))
        resolved: dict[str, str] = {}
        for r in raw:
            hit = next((a for a in arms if _same_arm(r, a)), None)
            if hit:
                resolved[r] = hit
        unmatched = [r for r in raw if r not in resolved]
        free = [a for a in arms if a not in resolved.values()]
        labels = {c.arm: c.arm_label for c in cols}
        abbreviations = all(re.fullmatch(r"[A-Z][A-Z0-9+\-]{1,7}", labels[r]) for r in unmatched)
        if arms and unmatched and len(unmatched) == len(free) and abbreviations:
            for r, a in zip(unmatched, free, strict=True):
                resolved[r] = a
            notes.append(
                f"{t.label}: columns {', '.join(repr(r) for r in unmatched)} read as arms "
                f"{', '.join(free)} by their order: confirm"
            )
        for r in raw:
            with_n = any(c.n is not None for c in cols if c.arm == r)
            if r not in resolved and known and not with_n:
                notes.append(f"{t.label}: column {labels[r]!r} is not a known arm and prints no n; not drafted")
                continue
            a_id = resolved.setdefault(r, r)
            arms.setdefault(a_id, {"label": labels[r], "n": None, "where": ""})
        for c in cols:
            if c.arm != ALL_ARMS and c.arm not in resolved:
                continue
            a_id = ALL_ARMS if c.arm == ALL_ARMS else resolved[c.arm]
            mapping[(ti, c.index)] = a_id
            if a_id != ALL_ARMS and c.n is not None and arms[a_id]["n"] is None:
                arms[a_id]["n"], arms[a_id]["where"] = c.n, f'{t.label}, header "{" / ".join(c.labels)}"'
    return arms, mapping, notes


def draft_package(art: Article, paper_id: str) -> Draft:
    """Draft a data package for ``art`` (nothing is written; see :func:`write_package`)."""
    arms, mapping, notes = _arms(art)
    tests = stated_tests(art)
    text = art.text
    regs = list(dict.fromkeys(re.findall(r"\b(NCT\d{8}|ISRCTN\d{8}|ChiCTR[-A-Za-z0-9]*\d{6,}|ACTRN\d{14})\b", text)))
    alpha = 0.05
    if tests["alpha"]:
        try:
            a = float(tests["alpha"])
            if 0 < a < 1:
                alpha = a
        except ValueError:
            pass
    meta = {
        "id": paper_id,
        "title": art.title,
        "citation": art.citation,
        "doi": art.doi,
        "registration": "; ".join(regs),
        "licence": art.licence or "unknown (check)",
        "source": (f"PubMed Central PMC{art.pmcid} (JATS XML), " if art.pmcid else "")
        + "drafted by python -m reanalysis.draft; table rows one per line, cells separated by ' | '",
        "text": "paper.txt",
        "alpha": alpha,
        "draft": True,
        "arms": arms,
    }
    d = Draft(meta=meta, descriptives=[], inferences=[])
    d.unsure += notes
    draft_tables(art, mapping, tests, d)
    draft_text_inferences(art, arms, tests, d)
    tps = ["baseline"]
    for r in d.descriptives + d.inferences:
        for tp in r["timepoint"].split(";"):
            if tp and tp not in tps:
                tps.append(tp)
    meta["timepoints"] = tps
    # an arm with no header n: the largest count or n drafted for it (a placeholder to confirm)
    for arm_id, a in arms.items():
        if a["n"] is None:
            counts = [
                int(r["value"])
                for r in d.descriptives
                if r["arm"] == arm_id and r["statistic"] in ("n", "count") and r["value"].isdigit()
            ]
            a["n"] = max(counts, default=1)
            a["where"] = "NOT PRINTED in a header: placeholder (the largest count drafted for it)"
    d.checks = _checklist(meta, tests, d)
    return d


def _checklist(meta: dict, tests: dict, d: Draft) -> list[str]:
    out = ["Arms and their n (paper.toml: assigned, analysed): confirm against the Methods and the flow diagram"]
    for arm_id, a in meta["arms"].items():
        out.append(f"  - {arm_id} ({a['label']!r}): n = {a['n']} from {a['where']}")
    out.append(f"Time points: {', '.join(meta['timepoints'])}: confirm ids, labels and each table's time point")
    out.append("Tests (method_stated), copied from the Methods: confirm each row's test")
    for k in ("continuous", "categorical", "paired"):
        out.append(f"  - {k}: {tests[k] or '(none named)'}")
    out.append(f"alpha = {meta['alpha']} ({'stated in the Methods' if tests['alpha'] else 'default; not stated'})")
    out.append(
        "In-text rows (section results): fill variable (drafted 'unspecified'), arms, comparison, timepoint, refers_to"
    )
    out.append("recomputable = yes on every row: set no (and reason) where the published numbers cannot suffice")
    out.append(f"Registration: {meta['registration'] or '(none found)'}; licence: {meta['licence']}")
    return out


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _toml(meta: dict) -> str:
    lines = [
        "# DRAFT written by python -m reanalysis.draft. Format: data/README.md.",
        '# Every row of descriptives.csv and inferences.csv needs review (note = "draft: check");',
        "# confirm the arms' n, the time points and the tests, then delete `draft = true`.",
    ]
    for k in ("id", "title", "citation", "doi", "registration", "licence", "source", "text"):
        lines.append(f"{k} = {_toml_str(str(meta[k]))}")
    lines.append(f"alpha = {meta['alpha']}")
    lines.append("draft = true")
    for arm_id, a in meta["arms"].items():
        lines += ["", f"# n from {a['where']}: check assigned (randomised) and analysed", f"[arms.{arm_id}]"]
        lines += [f"label = {_toml_str(a['label'] or arm_id)}", f"assigned = {a['n']}", f"analysed = {a['n']}"]
    for tp in meta["timepoints"]:
        lines += ["", "[[timepoints]]", f'id = "{tp}"', f"label = {_toml_str(tp)}"]
    return "\n".join(lines) + "\n"


def _write_csv(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


def _provenance(rows: list[dict], text: str, d: Draft, name: str) -> list[dict]:
    """Keep the rows whose quote is in the text and whose values are in their quote; list the others."""
    norm = normalise(text)
    keep = []
    for r in rows:
        ok = quote_in_text(r["quote"], norm) and all(
            value_in_quote(r[c], r["quote"]) for c in ("value", "ci_low", "ci_high") if r.get(c)
        )
        if ok:
            keep.append(r)
        else:
            d.left_out.append(f"{name} {r['id']} ({r['location']}): value not found in its quote; left out")
    return keep


def write_package(d: Draft, text: str, folder: Path, max_rounds: int = 200) -> None:
    """Write the package into ``folder`` and validate it; a row the validator refuses is left out
    (and listed in ``d.left_out``), up to ``max_rounds`` times."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paper.txt").write_text(text, encoding="utf-8")
    d.descriptives = _provenance(d.descriptives, text, d, "descriptives.csv")
    d.inferences = _provenance(d.inferences, text, d, "inferences.csv")
    for _ in range(max_rounds):
        (folder / "paper.toml").write_text(_toml(d.meta), encoding="utf-8")
        _write_csv(folder / "descriptives.csv", d.descriptives, DESCRIPTIVE_COLUMNS + OPTIONAL_DESCRIPTIVE_COLUMNS)
        _write_csv(folder / "inferences.csv", d.inferences, INFERENCE_COLUMNS)
        try:
            validate(folder)
            return
        except DataError as e:
            path, line = Path(e.path), e.line
            rows = {"descriptives.csv": d.descriptives, "inferences.csv": d.inferences}.get(path.name)
            if rows is None or not isinstance(line, int) or not 2 <= line <= len(rows) + 1:
                raise
            bad = rows.pop(line - 2)
            d.left_out.append(f"{path.name} {bad['id']} ({bad['location']}): refused by the validator ({e}); left out")
            removed = bad["id"]
            for r in d.inferences:
                refs = [x for x in r["refers_to"].split(";") if x and x != removed]
                r["refers_to"] = ";".join(refs)
    raise DraftError(f"the draft still does not validate after leaving out {max_rounds} rows")


def checklist_text(d: Draft) -> str:
    """The checklist printed at the end of a draft."""
    lines = ["", "CHECKLIST: what a person must confirm before this package is used", ""]
    lines += [f"[ ] {c}" if not c.startswith("  ") else c for c in d.checks]
    lines.append(f"[ ] every row (note = '{NOTE}'): {len(d.descriptives)} descriptives, {len(d.inferences)} inferences")
    if d.unsure:
        lines.append(f"[ ] cells the parser was unsure of ({len(d.unsure)}): transcribe by hand")
        lines += [f"    - {u}" for u in d.unsure]
    if d.left_out:
        lines.append(f"[ ] rows left out ({len(d.left_out)}): transcribe by hand or fix")
        lines += [f"    - {u}" for u in d.left_out]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m reanalysis.draft ARTICLE FOLDER``: draft a data package from a JATS XML or text article."""
    parser = argparse.ArgumentParser(prog="python -m reanalysis.draft", description=main.__doc__)
    parser.add_argument("article", help="the article: JATS XML (.nxml/.xml) or plain text")
    parser.add_argument("folder", help="the data package to write (data/<id>); its name is the paper id")
    parser.add_argument("--force", action="store_true", help="overwrite an existing package")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if (folder / "descriptives.csv").exists() and not args.force:
        print(f"error: {folder} already has a data package; use --force to overwrite", file=sys.stderr)
        return 1
    pid = folder.resolve().name
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.\-]*", pid):
        print(f"error: the folder name {pid!r} is not a lower-case slug (it becomes the paper id)", file=sys.stderr)
        return 1
    try:
        art = read_article(args.article)
        d = draft_package(art, pid)
        write_package(d, art.text, folder)
    except (DraftError, DataError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{folder}: drafted {len(d.descriptives)} descriptive and {len(d.inferences)} inferential rows; validates")
    print(checklist_text(d))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
