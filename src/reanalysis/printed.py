"""Numbers as a paper printed them: value, decimals, comparator and rounding interval.

A printed number is evidence about its precision: "0.50" is not "0.5". We keep the
text, parse it once into a :class:`Printed`, and derive the interval of true values
that round to it. Nothing here goes through ``float`` before the precision is recorded.
This is written by hand because neither scipy nor statsmodels parse printed numbers
(R's ``scrutiny`` package is the model).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = ["Printed", "parse", "is_number", "number_from_words", "normalise"]

# Characters that stand for comparators or minus signs in extracted PDF text.
_TRANSLATE = str.maketrans(
    {
        "\u02c3": ">",  # modifier letter right arrowhead, "˃0.05" in the zang2022 text
        "\u02c2": "<",
        "\uff1e": ">",
        "\uff1c": "<",
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash used as minus
        "\u2264": "<=",
        "\u2265": ">=",
        "\u00a0": " ",
    }
)

_NUMBER = re.compile(
    r"""^\s*
    (?:p\s*)?                       # an optional leading "p" as in "p < 0.05"
    (?P<cmp><=|>=|<|>|=)?\s*
    (?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+))   # "2,500" keeps its separator
    \s*%?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)

_COMPARATORS = {"=", "<", ">", "<=", ">="}


def normalise(text: str) -> str:
    """Map extraction artefacts ("˃", "−", non-breaking spaces) to plain ASCII and collapse spaces."""
    return re.sub(r"\s+", " ", str(text).translate(_TRANSLATE)).strip()


@dataclass(frozen=True)
class Printed:
    """A number as printed.

    Attributes
    ----------
    text : the text exactly as given.
    value : the number it shows.
    decimals : how many digits follow the decimal point ("0.50" has 2).
    comparator : "=", "<", ">", "<=" or ">=" ("p < 0.05" has "<").
    """

    text: str
    value: float
    decimals: int
    comparator: str = "="

    @property
    def half_unit(self) -> float:
        """Half a unit in the last printed place (0.005 for "7.49")."""
        return 0.5 * 10.0 ** (-self.decimals)

    @property
    def lower(self) -> float:
        """Smallest true value this text can stand for."""
        if self.comparator in ("<", "<="):
            return -math.inf
        if self.comparator in (">", ">="):
            return self.value
        return self.value - self.half_unit

    @property
    def upper(self) -> float:
        """Largest true value this text can stand for."""
        if self.comparator in (">", ">="):
            return math.inf
        if self.comparator in ("<", "<="):
            return self.value
        return self.value + self.half_unit

    @property
    def interval(self) -> tuple[float, float]:
        """``(lower, upper)``: for "=" the rounding interval [v - h, v + h]."""
        return (self.lower, self.upper)

    def contains(self, x: float) -> bool:
        """Whether a true value ``x`` could have been printed as this text.

        Rounding is taken as round-half-either-way, so both ends of the rounding
        interval are accepted (a tolerance of 1e-9 absorbs binary floating point).
        """
        return bool(self._holds(x, 1e-9 * max(1.0, abs(x))))

    def contains_each(self, xs):
        """:meth:`contains` for each value of the array ``xs`` at once (a boolean array), for the
        audit's scans over many candidate values."""
        import numpy as np  # only here: this module is light (the runner imports it)

        xs = np.asarray(xs, dtype=float)
        return self._holds(xs, 1e-9 * np.maximum(1.0, np.abs(xs)))

    def _holds(self, x, eps):
        """The comparison of :meth:`contains` with tolerance ``eps``; ``x`` a number or an array."""
        if self.comparator == "<":
            return x < self.value + eps
        if self.comparator == "<=":
            return x <= self.value + eps
        if self.comparator == ">":
            return x > self.value - eps
        if self.comparator == ">=":
            return x >= self.value - eps
        return (self.lower - eps <= x) & (x <= self.upper + eps)

    def contains_truncated(self, x: float) -> bool:
        """Whether ``x`` printed by truncation (dropping the digits after the last printed
        place, as some software does) gives this text: "68.4" holds [68.4, 68.5) for x >= 0."""
        if self.comparator != "=":
            return False
        eps = 1e-9 * max(1.0, abs(x))
        unit = 2 * self.half_unit
        if self.value >= 0 and x >= 0:
            return self.value - eps <= x < self.value + unit - eps
        return self.value - unit + eps < x <= self.value + eps

    def format(self, x: float) -> str:
        """Format ``x`` at this number's printed precision."""
        return f"{x:.{self.decimals}f}"

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Printed:
    """Parse a printed number such as ``"7.49"``, ``"p < 0.05"``, ``"˃0.05"`` or ``"62.22%"``.

    Raises
    ------
    ValueError
        If the text is not a single printed number (optionally with a comparator).
    """
    if isinstance(text, Printed):
        return text
    if not isinstance(text, str):
        raise ValueError(f"expected the number as printed text, got {type(text).__name__} {text!r}")
    return _parse(text)


@lru_cache(maxsize=1 << 16)
def _parse(text: str) -> Printed:
    """:func:`parse` for text, cached: a paper repeats its numbers, and Printed is immutable."""
    clean = normalise(text)
    m = _NUMBER.match(clean)
    if not m:
        raise ValueError(f"not a printed number: {text!r}")
    num = m.group("num").replace(",", "")
    try:
        dec = Decimal(num)
    except InvalidOperation as e:  # pragma: no cover - the regex admits only decimals
        raise ValueError(f"not a printed number: {text!r}") from e
    exponent = dec.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Printed(text=text, value=float(dec), decimals=decimals, comparator=m.group("cmp") or "=")


def is_number(text: str) -> bool:
    """Whether ``text`` parses as a printed number."""
    try:
        parse(text)
    except ValueError:
        return False
    return True


_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"
}


def number_from_words(text: str) -> int | None:
    """The integer an English number word stands for ("Sixty-seven" -> 67, "none" -> 0), else None.

    Papers write small counts in words ("Nine participants"); the provenance check needs
    to know that such a word is the number transcribed.
    """
    words = re.split(r"[-\s]+", text.strip().lower())
    if words in (["no"], ["none"]):
        return 0
    total = 0
    for w in words:
        if w in _UNITS:
            total += _UNITS[w]
        elif w in _TENS:
            total += _TENS[w]
        elif w == "hundred":
            total = max(total, 1) * 100
        else:
            return None
    return total if words and words != [""] else None
