"""The HTML site: each executed notebook as a reader page (no code) and an analyst page (with
code), linked by a navigation bar, an index that says what each reanalysis found, and the
workshop's notebooks.

What the site holds and in which order is declared in ``site.toml`` (:func:`manifest`); the
pages that are not notebooks (index, navigation bar, workshop) are Jinja templates in
``templates/site/``, rendered with autoescaping, so text reaches the HTML escaped unless a
template says otherwise. Notebook pages use nbconvert's lab template without anything from a
CDN (see ``templates/reanalysis/index.html.j2``), so they open with no network.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import threading
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from . import editions, findings_file

__all__ = ["Page", "Manifest", "manifest", "order", "prepare", "render", "write_index", "write_workshop", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
MANIFEST = Path(__file__).resolve().parent / "site.toml"
#: The repository (the workshop's ``source`` in the manifest is relative to it).
ROOT = Path(__file__).resolve().parents[2]


class Page:
    """A page of the site: its stem (page name), title, label in the navigation bar, and kind
    ("notebook": a reader and an analyst edition; "workshop": the workshop's own page)."""

    def __init__(self, stem: str, title: str, nav: str | None = None, kind: str = "notebook"):
        self.stem, self.title, self.nav, self.kind = stem, title, nav, kind

    def __repr__(self) -> str:
        return f"Page({self.stem!r}, {self.title!r})"


@dataclass(frozen=True)
class Entry:
    """One ``[[page]]`` of ``site.toml``."""

    stem: str
    nav: str = ""
    title: str = ""
    kind: str = "notebook"
    per_package: bool = False
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class Manifest:
    """The site as ``site.toml`` declares it: title, introduction and pages in reading order."""

    title: str
    intro: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def entry(self, stem: str) -> tuple[Entry | None, str]:
        """The entry page ``stem`` belongs to, and its package id (``""`` unless per package)."""
        for e in self.entries:
            if stem == e.stem:
                return e, ""
        for e in self.entries:
            if e.per_package and stem.startswith(e.stem + "-"):
                return e, stem.removeprefix(e.stem + "-")
        return None, ""

    def rank(self, stem: str) -> tuple:
        """Sort key of page ``stem``: the manifest's order, per-package pages by the order of their
        package's own page, pages not listed last and alphabetically."""
        stems = [e.stem for e in self.entries]
        entry, package = self.entry(stem)
        if entry is None:
            return (len(stems), 0, stem)
        inner = stems.index(package) if package in stems else len(stems)
        return (stems.index(entry.stem), inner, stem)

    def nav(self, stem: str, title: str = "") -> str:
        """The label of page ``stem`` in the navigation bar."""
        entry, package = self.entry(stem)
        if entry is None:
            return title or stem
        label = entry.nav or entry.title or title or stem
        return f"{label}: {package}" if package else label

    @property
    def workshop(self) -> Entry | None:
        """The workshop's entry, if the site has one."""
        return next((e for e in self.entries if e.kind == "workshop"), None)


@functools.cache
def manifest(path: Path = MANIFEST) -> Manifest:
    """The site's manifest (``site.toml`` beside this module)."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    entries = tuple(
        Entry(**{k: " ".join(str(v).split()) if k == "description" else v for k, v in e.items()})
        for e in data.get("page", [])
    )
    return Manifest(data["title"], " ".join(data.get("intro", "").split()), entries)


def order(stems: list[str]) -> list[str]:
    """``stems`` in the site's reading order (:meth:`Manifest.rank`)."""
    return sorted(stems, key=manifest().rank)


def href(stem: str, prefix: str = "") -> str:
    """The value of an ``href`` attribute for page ``stem``: the file name percent-encoded (so
    ``"``, ``#``, ``?`` and spaces stay part of the name), then HTML-escaped for the attribute."""
    return html.escape(prefix + quote(f"{stem}.html", safe=""), quote=True)


@functools.cache
def _jinja():
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "site")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # text is escaped as html.escape does it (&quot; for "), as everywhere else in the package
    env.finalize = lambda v: v if isinstance(v, Markup) else Markup(html.escape(str(v), quote=True))
    env.filters["href"] = lambda stem, prefix="": Markup(href(stem, prefix))
    env.filters["urlquote"] = lambda text: quote(str(text), safe="")
    return env


def _template(name: str, **values) -> str:
    return _jinja().get_template(name).render(**values)


def _nav(pages: list[Page], current: str, analyst: bool, up: str | None = None, edition: bool = True) -> str:
    """The navigation bar: ``up`` is the way from the page to the site's root (default: ``../``
    for the analyst edition); ``edition=False`` leaves out the link to the other edition."""
    up = ("../" if analyst else "") if up is None else up
    kind = ("analyst" if analyst else "reader") if edition else ""
    return _template("nav.html.j2", pages=pages, current=current, up=up, edition=kind).strip()


#: The two editions' HTML exporters (by ``analyst``), made once per process; one page is exported at
#: a time (an exporter registers its filters anew for each notebook).
_EXPORTERS: dict[bool, object] = {}
_EXPORTING = threading.Lock()

#: The alt text nbconvert gives an image that has none (its HTMLExporter's wording).
NO_ALT = "No description has been provided for this image"
#: Elements of a notebook page a keyboard can focus (as nbconvert's HTMLExporter marks them):
#: inside an element of class ``jp-Notebook``, a ``div`` of one of these classes.
FOCUSABLE = frozenset({"jp-Cell-inputWrapper", "jp-OutputArea-output"})
#: Elements that have no end tag (they never enclose others).
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr basefont bgsound frame keygen".split()
)


class _Accessible(HTMLParser):
    """Where nbconvert's HTMLExporter would add attributes to a page: ``alt`` to every ``img``
    without one and ``tabindex="0"`` to each focusable ``div`` (:data:`FOCUSABLE`) inside
    ``.jp-Notebook``. The tags are found by the tokenizer the exporter's BeautifulSoup uses
    (``html.parser``), so script and style content, comments and attribute values are skipped as
    there; only the positions are recorded, so the page is not re-serialised."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        #: (line, column, tag, text, length): ``text`` goes after ``<tag`` at (line, column), or
        #: replaces the ``length`` characters of the start tag there (if ``length``)
        self.inserts: list[tuple[int, int, str, str, int]] = []
        self.open: list[tuple[str, bool]] = []  # open elements: name, whether of class jp-Notebook
        self.names: Counter[str] = Counter()  # how many of each are open
        self.notebook = 0  # how many open elements have class jp-Notebook
        self.missing_alt = 0

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        classes = (names.get("class") or "").split()
        if tag == "img" and "alt" not in names:
            self.inserts.append((*self.getpos(), tag, f' alt="{NO_ALT}"', 0))
            self.missing_alt += 1
        elif tag == "div" and self.notebook and names.get("tabindex") != "0" and FOCUSABLE.intersection(classes):
            if "tabindex" not in names:
                self.inserts.append((*self.getpos(), tag, ' tabindex="0"', 0))
            else:  # another value: the tag written again, its tabindex "0"
                raw = self.get_starttag_text() or ""
                values = [(k, "0" if k == "tabindex" else v) for k, v in attrs]
                text = "".join(f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"' for k, v in values)
                end = "/>" if raw.endswith("/>") else ">"
                self.inserts.append((*self.getpos(), tag, f"<{tag}{text}{end}", len(raw)))
        if tag not in _VOID:
            notebook = "jp-Notebook" in classes
            self.open.append((tag, notebook))
            self.names[tag] += 1
            self.notebook += notebook

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.names[tag]:  # an end tag without its start tag changes nothing
            while True:
                name, notebook = self.open.pop()
                self.names[name] -= 1
                self.notebook -= notebook
                if name == tag:
                    break


def accessible(page: str) -> tuple[str, int]:
    """``page`` with what nbconvert's HTMLExporter adds after rendering (an ``alt`` on each image
    without one, ``tabindex="0"`` on each input and output area), inserted into the text rather
    than by re-parsing and re-serialising the whole page; and the number of images given the
    default alt text."""
    finder = _Accessible()
    finder.feed(page)
    finder.close()
    if not finder.inserts:
        return page, 0
    lines = [0]  # the offset at which each line starts (HTMLParser counts lines by "\n")
    at = page.find("\n")
    while at >= 0:
        lines.append(at + 1)
        at = page.find("\n", at + 1)
    parts, done = [], 0
    for line, column, tag, text, length in finder.inserts:
        start = lines[line - 1] + column
        after = start + 1 + len(tag)  # just after "<img" or "<div"
        if page[start:after].lower() != "<" + tag:
            raise ValueError(f"no <{tag} at line {line}, column {column}")
        if length:
            parts += [page[done:start], text]
            done = start + length
        else:
            parts += [page[done:after], text]
            done = after
    parts.append(page[done:])
    return "".join(parts), finder.missing_alt


@functools.cache
def _exporter_class():
    """nbconvert's HTMLExporter without its BeautifulSoup pass: it renders the template as the
    HTMLExporter does, then adds the same accessibility attributes with :func:`accessible` (the
    re-parse and re-serialisation cost as much as the template itself)."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class SiteExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # as HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            page, missing_alt = accessible(page)
            if missing_alt:
                self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
            return page, resources

        @pass_context  # as HTMLExporter's (a Jinja filter given the template's context)
        def markdown2html(self, context, source):
            # as HTMLExporter's, kept: a page's two editions render the same Markdown (cells and
            # outputs) with the same settings, so the second edition reuses the first one's HTML
            attachments = context.get("cell", {}).get("attachments", {})
            path = context.get("resources", {}).get("metadata", {}).get("path", "")
            settings = (self.embed_images, self.anchor_link_text, self.exclude_anchor_links, repr(self.lexer_options))
            key = (source, json.dumps(attachments, sort_keys=True), path, settings)
            with _MARKDOWN_LOCK:
                made = _MARKDOWN.get(key)
            if made is None:
                made = super().markdown2html(context, source)
                with _MARKDOWN_LOCK:
                    _MARKDOWN[key] = made
                    while len(_MARKDOWN) > _MARKDOWN_KEPT:
                        _MARKDOWN.pop(next(iter(_MARKDOWN)))
            return made

    return SiteExporter


#: Markdown rendered to HTML by the site's exporters, by source and settings (the most recent kept).
_MARKDOWN: dict = {}
_MARKDOWN_KEPT = 2048
_MARKDOWN_LOCK = threading.Lock()


def _export(nb, analyst: bool, resources: dict) -> str:
    """``nb`` as a page of an edition (the analyst's: code and prompts shown; it also writes the
    workshop's pages). The exporters are made once per process, for every run a process makes
    (building one loads and compiles the templates again: most of the cost of a page), and used
    by one thread at a time."""
    with _EXPORTING:
        if analyst not in _EXPORTERS:
            _EXPORTERS[analyst] = _exporter_class()(
                template_name="reanalysis",
                extra_template_basedirs=[str(TEMPLATES)],
                exclude_input=not analyst,
                exclude_input_prompt=not analyst,
                exclude_output_prompt=not analyst,
                optimistic_validation=True,  # the notebook is validated once, not after each preprocessor
            )
        return _EXPORTERS[analyst].from_notebook_node(nb, resources=resources)[0]


def prepare() -> None:
    """Make the exporters of both editions and compile their templates (an empty notebook
    exported with each), so that the first page :func:`render` writes does not pay for them.
    ``make reproduce`` calls it while the kernels start."""
    import nbformat

    empty = nbformat.v4.new_notebook()
    for analyst in (False, True):
        _export(empty, analyst, {"site_nav": "", "metadata": {"name": ""}})


def render(executed: Path, site: Path, pages: list[Page]) -> list[Path]:
    """Write ``<site>/<stem>.html`` (no code) and ``<site>/code/<stem>.html`` (with code)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    written = []
    for analyst in (False, True):
        edition = editions.analyst_edition(nb) if analyst else editions.reader_edition(nb)
        nav = _nav(pages, executed.stem, analyst)
        body = _export(edition, analyst, {"site_nav": nav, "metadata": {"name": _title(nb)}})
        out = site / ("code" if analyst else "") / f"{executed.stem}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        written.append(out)
    return written


def workshop_page(folder: Path | None = None) -> Page | None:
    """The workshop's page of the site, if the manifest has one and its folder holds notebooks."""
    entry = manifest().workshop
    if entry is None:
        return None
    folder = Path(folder or ROOT / entry.source)
    if not any(folder.glob("*.ipynb")):
        return None
    return Page(entry.stem, entry.title or "Workshop", entry.nav or entry.title, kind="workshop")


def write_workshop(site: Path, pages: list[Page], folder: Path | None = None) -> list[Path]:
    """The workshop on the site: ``<site>/<stem>.html`` lists each session (exercises and solutions,
    each as a page with its code and as a notebook to download) and links the facilitators' guide;
    the pages go to ``<site>/workshop/``. The notebooks are shown as committed (not re-executed)."""
    import nbformat
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    entry = manifest().workshop
    page = next((p for p in pages if p.kind == "workshop"), None)
    if entry is None or page is None:
        return []
    folder = Path(folder or ROOT / entry.source)
    out = site / "workshop"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    sessions: dict[str, dict] = {}
    for notebook in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        nav = _nav(pages, page.stem, False, up="../", edition=False)
        body = _export(nb, True, {"site_nav": nav, "metadata": {"name": _title(nb)}})  # code and prompts shown
        (out / f"{notebook.stem}.html").write_text(body, encoding="utf-8")
        shutil.copyfile(notebook, out / notebook.name)
        written.append(out / f"{notebook.stem}.html")
        key = notebook.stem.removesuffix("_solution")
        session = sessions.setdefault(key, {"title": _title(nb), "exercise": "", "solution": ""})
        session["solution" if notebook.stem.endswith("_solution") else "exercise"] = notebook.stem
        if not notebook.stem.endswith("_solution"):
            session["title"] = _title(nb)
    guide = folder / "FACILITATOR.md"
    if guide.is_file():
        from markupsafe import Markup

        body = Markup(markdown2html_mistune(guide.read_text(encoding="utf-8")))
        nav = _nav(pages, page.stem, False, up="../", edition=False)
        text = _template("page.html.j2", title=f"{page.title}: guide for facilitators", nav=Markup(nav), body=body)
        (out / "FACILITATOR.html").write_text(text, encoding="utf-8")
        written.append(out / "FACILITATOR.html")
    from markupsafe import Markup

    text = _template(
        "workshop.html.j2",
        title=page.title,
        description=entry.description,
        nav=Markup(_nav(pages, page.stem, False, edition=False)),
        guide="FACILITATOR" if guide.is_file() else "",
        sessions=list(sessions.values()),
    )
    _write(site / f"{page.stem}.html", text)
    return [site / f"{page.stem}.html", *written]


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


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
    """A page's summary on the index, from its ``findings.json`` (:func:`reanalysis.findings_file.index_entry`);
    a page without one (no paper of its own) is introduced by its notebook's first paragraph."""
    entry = findings_file.index_entry(build / (results or notebook.stem))
    if entry:
        return entry
    cells = _markdown(notebook)
    intro = cells[0].split("\n\n")[1] if cells and "\n\n" in cells[0] else ""
    return f"<p>{html.escape(_plain(intro))}</p>" if intro else ""


def write_index(
    site: Path, pages: list[Page], notebooks: dict[str, Path], build: Path, results: dict[str, str] | None = None
) -> Path:
    """``<site>/index.html``: per page, what it is, its verdict counts and the key sentence of its conclusion.

    ``notebooks`` maps a page to its notebook; ``results`` a page to its results folder under ``build``
    (default: the notebook's name; the general audit has one per package, ``audit/<id>``)."""
    from markupsafe import Markup

    items = []
    for p in pages:
        if not (site / f"{p.stem}.html").is_file():
            continue
        if p.kind == "workshop":
            entry = manifest().workshop
            summary = f"<p>{html.escape(entry.description if entry else '')}</p>"
        else:
            summary = _summary(notebooks[p.stem], build, (results or {}).get(p.stem)) if p.stem in notebooks else ""
        items.append({"stem": p.stem, "title": p.title, "summary": Markup(summary), "code": p.kind == "notebook"})
    m = manifest()
    nav = Markup(_nav(pages, "index", False, edition=False))
    text = _template("index.html.j2", title=m.title, intro=m.intro, items=items, nav=nav)
    index = site / "index.html"
    _write(index, text)
    return index
