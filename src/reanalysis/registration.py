"""Registration against publication: a registry record field by field beside what the paper prints.

The record is data (``data/<id>/registration.csv``, validated by :mod:`reanalysis.data`): each
field's registry value with its source (a URL and the date of the copy read), the paper's value
with its location and verbatim quote, and whether they agree. A record that could not be read says
``not available`` and holds no value: nothing is filled from memory. This module computes what the
dates imply (how long after the first enrolment the trial was registered), counts the fields that
agree, and writes both as rows of ``sensitivity.csv`` and as a sentence.

Dates are printed at different precision ("November 27, 2014", "October 2015", "2013"): each is read
as the interval of days it stands for, and a difference of two dates is an interval of months.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .data import Paper
from .tables import Prose
from .vocabulary import NOT_AVAILABLE, REGISTRATION_AGREEMENT

__all__ = ["PartialDate", "parse_date", "months_between", "record", "timing", "summary"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_PATTERNS = (
    re.compile(rf"\b(?P<month>{_MONTH_NAME})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<month>{_MONTH_NAME})\.?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})\b"),
)
#: Days per month on average (365.25 / 12), to state a span of days in months.
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class PartialDate:
    """A date as printed, and the first and last day it can stand for."""

    text: str
    first: date
    last: date


def parse_date(text: str) -> PartialDate:
    """The first date in ``text``, at the precision printed ("November 27, 2014", "October 2015",
    "2013", "2014-11"), as the interval of days it covers.

    >>> parse_date("January 2013 (actual study start date)").last
    datetime.date(2013, 1, 31)
    """
    for pattern in _PATTERNS:
        m = pattern.search(text or "")
        if not m:
            continue
        year = int(m["year"])
        month_text = m.groupdict().get("month")
        if month_text is None:
            return PartialDate(m[0], date(year, 1, 1), date(year, 12, 31))
        month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()]
        day = m.groupdict().get("day")
        if day:
            d = date(year, month, int(day))
            return PartialDate(m[0], d, d)
        return PartialDate(m[0], date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    raise ValueError(f"no date in {text!r}")


def months_between(start: PartialDate, end: PartialDate) -> tuple[float, float]:
    """The shortest and longest span from ``start`` to ``end``, in months (negative: ``end`` first)."""
    low = (end.first - start.last).days / DAYS_PER_MONTH
    high = (end.last - start.first).days / DAYS_PER_MONTH
    return low, high


def record(paper: Paper) -> pd.DataFrame:
    """The registration table for reading: field, registry, paper, agrees, the registry's source and
    the paper's location (empty when the package has no ``registration.csv``)."""
    columns = ["field", "registry", "paper", "agrees", "registry source", "where in the paper"]
    if paper.registration is None:
        return pd.DataFrame(columns=columns)
    r = paper.registration
    out = pd.DataFrame(
        {
            "field": r["field"],
            "registry": r["registry_value"].where(r["registry_value"].str.strip() != "", NOT_AVAILABLE),
            "paper": r["paper_value"].where(r["paper_value"].str.strip() != "", "not printed"),
            "agrees": r["agrees"].str.replace("_", " "),
            "registry source": r["registry_source"],
            "where in the paper": r["paper_location"],
        }
    )
    return out.set_index("field")


def _value(paper: Paper, field: str, side: str) -> str:
    r = paper.registration
    row = r[r["field"] == field]
    return "" if row.empty else str(row[side].iloc[0]).strip()


def _spans(paper: Paper) -> list[tuple[dict, str, PartialDate, str, PartialDate]]:
    """(row, who registered-date is from, registered, who the start is from, start) per span."""
    out = []
    registered = _value(paper, "registered", "registry_value")
    registered_from = "registry"
    if not registered:
        registered, registered_from = _value(paper, "registered", "paper_value"), "paper"
    if not registered:
        return out
    reg = parse_date(registered)
    for side, who in (("paper_value", "paper"), ("registry_value", "registry")):
        start = _value(paper, "first_enrolment", side)
        if not start:
            continue
        first = parse_date(start)
        low, high = months_between(first, reg)
        row = {
            "analysis": "registration: months from first enrolment to registration",
            "setting": f"registered {reg.text} ({registered_from}); first enrolment {first.text} ({who})",
            "estimate": (low + high) / 2,
            "ci_low": low,
            "ci_high": high,
            "p": math.nan,
            "significant": None,
        }
        out.append((row, registered_from, reg, who, first))
    return out


def _span_rows(paper: Paper) -> list[dict]:
    return [row for row, *_ in _spans(paper)]


def timing(paper: Paper) -> pd.DataFrame:
    """The registration's numbers as rows of ``sensitivity.csv``: months from the first enrolment
    to registration (``estimate`` the middle, ``ci_low``/``ci_high`` the shortest and longest span
    the printed precision allows), once for the paper's first enrolment and once for the
    registry's start date; then how many fields agree, partly agree, differ or could not be compared."""
    columns = ["analysis", "setting", "estimate", "ci_low", "ci_high", "p", "significant"]
    if paper.registration is None:
        return pd.DataFrame(columns=columns)
    rows = _span_rows(paper)
    counts = paper.registration["agrees"].value_counts()
    for level in REGISTRATION_AGREEMENT:
        fields = paper.registration.loc[paper.registration["agrees"] == level, "field"]
        rows.append(
            {
                "analysis": f"registration: fields {level.replace('_', ' ')}",
                "setting": "; ".join(fields) or "none",
                "estimate": int(counts.get(level, 0)),
                "ci_low": math.nan,
                "ci_high": math.nan,
                "p": math.nan,
                "significant": None,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _months(low: float, high: float) -> str:
    a, b = round(low), round(high)
    when = "after" if a >= 0 else "before"
    a, b = sorted((abs(a), abs(b)))
    span = f"{a}" if a == b else f"{a} to {b}"
    return f"{span} months {when}"


def summary(paper: Paper) -> Prose:
    """The registration in words, from :func:`timing` and the record: when it was registered
    relative to the first enrolment, which fields differ and which could not be read."""
    if paper.registration is None:
        return Prose.fill("{pid} has no registration.csv: the registry record was not compared.", pid=paper.id)
    parts, fields = [], {}
    for i, (row, reg_from, _, who, _) in enumerate(_spans(paper)):
        what = "the first enrolment the paper reports" if who == "paper" else "the registry's own start date"
        parts.append(f"**{{span{i}}}** {what}, {{first{i}}}")
        fields[f"span{i}"] = _months(row["ci_low"], row["ci_high"])
        fields[f"first{i}"] = _value(paper, "first_enrolment", f"{who}_value")
        fields["reg"] = _value(paper, "registered", f"{reg_from}_value")
        fields["reg_from"] = "the registry" if reg_from == "registry" else "the paper"
    if parts:
        text = "Registered {reg}, as {reg_from} gives it: " + "; and ".join(parts) + ". "
    else:
        text = "No registration date is printed or was read. "
    r = paper.registration
    for level, words in (("no", "differ"), ("partly", "partly agree"), ("yes", "agree")):
        names = list(r.loc[r["agrees"] == level, "field"])
        if names:
            fields[f"f_{level}"] = ", ".join(names)
            text += f"Fields that {words}: {{f_{level}}}. "
    unread = r["registry_value"].str.strip() == ""
    if unread.all():
        text += "The registry record itself could not be read: every registry field says not available."
    elif unread.any():
        fields["unread"] = ", ".join(r.loc[unread, "field"])
        text += "Not read from the registry: {unread}."
    return Prose.fill(text.strip(), **fields)
