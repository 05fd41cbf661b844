"""Text from a data package, made safe to show: a package may come from anyone.

The lowest layer of the presentation: :mod:`reanalysis.data` (its counts table),
:mod:`reanalysis.tables` and :mod:`reanalysis.site` escape every field through it.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from .editions import ANALYST_MIME
from .vocabulary import SETTING_WORDS

__all__ = ["escape_markdown", "Prose", "ReaderFrame", "ANALYST_MIME"]

_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")


def escape_markdown(text: object) -> str:
    """``text`` as literal Markdown inline text: shown as written, never interpreted.

    The text is put on one line; ``&``, ``<`` and ``>`` become entities (so raw HTML, an
    autolink or a block quote stays text); backslash, backtick, ``* _ [ ] | ~ $`` are
    backslash-escaped (emphasis, code, links and images, table cells, strikethrough, math);
    and a leading ``#``, ``+``, ``-``, ``=`` or ``1.``/``1)`` is escaped, in case the text
    starts a line (heading, list). Ordinary text (``Lu J, et al. 2021;12:340.``) is unchanged.

    >>> escape_markdown("<script>x</script> *a* [b](c)")
    '&lt;script&gt;x&lt;/script&gt; \\\\*a\\\\* \\\\[b\\\\](c)'
    """
    s = html.escape(" ".join(str(text).split()), quote=False)
    s = _MD_INLINE.sub(r"\\\1", s)
    s = re.sub(r"^([#+\-=])", r"\\\1", s)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", s)


class Prose:
    """A paragraph written from results: rendered as Markdown, and as itself in plain text
    (so nbval compares the sentence, not an object's name).

    ``text`` is Markdown; ``plain`` (by default ``text`` without its bold marks) is what a
    terminal shows. Build one with :meth:`fill` when the sentence holds text from a data package.
    """

    def __init__(self, text: str, plain: str | None = None):
        self.text = text
        self.plain = text.replace("**", "") if plain is None else plain

    @classmethod
    def fill(cls, template: str, **fields: object) -> Prose:
        """``template`` (Markdown, ``str.format`` fields) filled with ``fields``, each escaped
        (:func:`escape_markdown`) in the Markdown and kept as it is in the plain text."""
        markdown = template.format(**{k: escape_markdown(v) for k, v in fields.items()})
        return cls(markdown, template.replace("**", "").format(**{k: str(v) for k, v in fields.items()}))

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(self.plain)

    def __str__(self) -> str:
        return self.text


class ReaderFrame(pd.DataFrame):
    """A DataFrame that shows readers no missing-value marks (NaN, None and <NA> are empty cells),
    when it has a ``label`` column, its labels in place of the ``claim_id`` column, and in a
    ``setting`` column each analysis choice in words (:data:`reanalysis.vocabulary.SETTING_WORDS`),
    not its parameter name. It stays a
    DataFrame for computing (``.round(3)`` keeps it one); the analyst edition of its output
    (:data:`ANALYST_MIME`) shows it whole. Text stays text: pandas escapes it in HTML."""

    @property
    def _constructor(self):
        return ReaderFrame

    def _reader(self) -> pd.DataFrame:
        df = pd.DataFrame(self)
        if "label" in df.columns and "claim_id" in df.columns:
            df = df.drop(columns="claim_id")
            df = df[["label", *[c for c in df.columns if c != "label"]]]
        if "setting" in df.columns:
            df["setting"] = [SETTING_WORDS.get(v, v) if isinstance(v, str) else v for v in df["setting"]]
        for col in df.columns:
            if df[col].dtype == object:
                df[col] = ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in df[col]]
        return df

    def __repr__(self) -> str:
        return self._reader().to_string(na_rep="")

    def _repr_html_(self) -> str:
        return self._reader().to_html(na_rep="")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {
            "text/plain": repr(self),
            "text/html": self._repr_html_(),
            ANALYST_MIME: pd.DataFrame(self).to_html(),
        }
