"""Consistency checks: can the printed numbers have come from the same data?

Each check takes numbers as the paper printed them (``"4.55"``, or a
:class:`~reanalysis.printed.Printed`), so the precision is known, and works on the
interval of true values each text can stand for. Rounding is taken as round-half-either-way
(a true 1.125 may be printed "1.12" or "1.13"), and every decision is made in exact rational
arithmetic (:class:`fractions.Fraction`), never in floats. Every result is a small frozen
dataclass with ``consistent`` and a one-sentence ``explanation``; bad input raises ValueError.

These checks are not in scipy or statsmodels; they are written by hand after

- GRIM: Brown NJL, Heathers JAJ. The GRIM test: a simple technique detects numerous anomalies
  in the reporting of results in psychology. Soc Psychol Personal Sci. 2017;8(4):363-369.
- GRIMMER: Anaya J. The GRIMMER test: a method for testing the validity of reported measures
  of variability. PeerJ Preprints 2016;4:e2400v1; in the analytic form of Allard A.,
  Analytic-GRIMMER (2018), as in R's ``scrutiny::grimmer`` and ``rsprite2::GRIMMER_test``.
- DEBIT: Heathers JAJ, Brown NJL. DEBIT: a simple consistency test for binary data. OSF
  preprint, 2019. https://osf.io/5vb3u/

``percent_counts`` is GRIM for a percentage; the change and ratio checks are interval
arithmetic over the rounding intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from .printed import Printed, parse

__all__ = ["CountCheck", "DenominatorCheck", "GrimResult", "GrimmerResult", "DebitResult", "IntervalCheck"]
__all__ += ["percent_counts", "percent_denominators", "grim", "grimmer", "debit"]
__all__ += ["change_consistency", "percent_change_consistency", "ratio_consistency", "max_sd"]
__all__ += ["MAX_DENOMINATORS", "MAX_FITS"]

#: The most denominators :func:`fitting_denominators` and :func:`percent_denominators` try one by one
#: (about 0.5 s); a wider ``n_range`` raises ValueError. With a count, :func:`percent_denominators` first
#: narrows the range by arithmetic (the n for which count / n can round to the percentage form one
#: interval), so only what is left counts.
MAX_DENOMINATORS = 200_000
#: The most ``(n, count)`` pairs :func:`percent_denominators` returns without a count ("50%" of any n up to
#: 2,000,000 has 10^10 of them); more raise ValueError.
MAX_FITS = 200_000

Interval = tuple[Fraction, Fraction]
HALF = Fraction(1, 2)


# --------------------------------------------------------------------------- helpers


def _printed(text: str | Printed, what: str) -> Printed:
    """Parse ``text`` and insist on a plain number (no "<" or ">")."""
    p = parse(text)
    if p.comparator != "=":
        raise ValueError(f"{what} must be a number printed with its precision, not a bound: {p.text!r}")
    return p


def _bounds(p: Printed) -> Interval:
    """The exact rounding interval ``[v - h, v + h]``, rebuilt from the printed digits."""
    value, half = Fraction(p.format(p.value)), Fraction(1, 2 * 10**p.decimals)
    return value - half, value + half


def _whole(n: int, what: str, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise ValueError(f"{what} must be a whole number >= {minimum}, got {n!r}")
    return n


def _integers(lo: Fraction, hi: Fraction) -> range:
    """The integers in the closed interval ``[lo, hi]`` (``range(0)`` if none)."""
    return range(math.ceil(lo), math.floor(hi) + 1) or range(0)


def _fmt(x: Fraction, decimals: int) -> str:
    """``x`` rounded half away from zero to ``decimals`` places, exactly."""
    scaled = math.floor(abs(x) * 10**decimals + HALF)
    digits = str(scaled).rjust(decimals + 1, "0")
    return ("-" if x < 0 and scaled else "") + (f"{digits[:-decimals]}.{digits[-decimals:]}" if decimals else digits)


def _quotients(a: Interval, b: Interval) -> Interval:
    """Range of ``x / y`` over ``x`` in ``a``, ``y`` in ``b``: the corners (``b`` must exclude 0)."""
    if b[0] <= 0 <= b[1]:
        raise ValueError("the denominator's rounding interval contains 0, so the ratio is unbounded")
    corners = [x / y for x in a for y in b]
    return min(corners), max(corners)


# --------------------------------------------------------------------------- percentages


@dataclass(frozen=True)
class CountCheck:
    """Counts ``k`` of ``n`` that print as a percentage: ``counts`` (a ``range``, maybe empty),
    the ``nearest`` count and the ``nearest_percent`` it prints as."""

    consistent: bool
    counts: range
    nearest: int
    nearest_percent: str
    explanation: str


@lru_cache(maxsize=1 << 16)
def _fitting(digits: str, decimals: int, n: int) -> range:
    """Counts of ``n`` whose percentage rounds to ``digits`` (cached: tables repeat percentages)."""
    scale = 10**decimals  # exact integer arithmetic: k fits iff (2v - 1) n <= 200 k scale <= (2v + 1) n
    v = round(float(digits) * scale)  # the printed digits as an integer ("4.55" -> 455)
    lo = max(-((-(2 * v - 1) * n) // (200 * scale)), 0)  # ceil
    hi = min(((2 * v + 1) * n) // (200 * scale), n)  # floor
    return range(lo, hi + 1) if lo <= hi else range(0)


def fitting_counts(percent: str | Printed, n: int) -> range:
    """The counts ``k`` in ``0..n`` whose ``100 k / n`` rounds to ``percent`` (the core of :func:`percent_counts`,
    without the explanation, for the audit's hot path)."""
    p, n = _printed(percent, "percent"), _whole(n, "n")
    if not 0 <= p.value <= 100:
        raise ValueError(f"a percentage must lie in [0, 100], got {p.text!r}")
    return _fitting(p.format(p.value), p.decimals, n)


def fitting_denominators(percent: str | Printed, n_range: range) -> tuple[int, ...]:
    """The ``n`` in ``n_range`` for which some count ``k`` of ``n`` prints as ``percent``.

    ``n_range`` may hold at most :data:`MAX_DENOMINATORS` denominators (ValueError above).
    """
    p = _printed(percent, "percent")
    fitting_counts(p, 1)  # validates once
    _scannable(n_range)
    digits = p.format(p.value)
    return tuple(n for n in n_range if n >= 1 and _fitting(digits, p.decimals, n))


def _scannable(n_range: range) -> range:
    if len(n_range) > MAX_DENOMINATORS:
        raise ValueError(
            f"n_range has {len(n_range):,} denominators; at most {MAX_DENOMINATORS:,} are tried "
            "(checks.MAX_DENOMINATORS): give a narrower range"
        )
    return n_range


def _narrowed(p: Printed, count: int, n_range: range) -> range:
    """The part of ``n_range`` (step 1) where ``count`` of n can print as ``p``: from (2v - 1) n <= 200 k s <=
    (2v + 1) n, with v the printed digits as an integer and s = 10**decimals, and n >= count."""
    if n_range.step != 1:
        return n_range
    scale = 10**p.decimals
    v = round(float(p.format(p.value)) * scale)
    lo = max(n_range.start, count, 1, -(-200 * count * scale // (2 * v + 1)))
    hi = n_range.stop - 1 if 2 * v - 1 <= 0 else min(n_range.stop - 1, 200 * count * scale // (2 * v - 1))
    return range(lo, max(lo, hi + 1))


def percent_counts(percent: str | Printed, n: int) -> CountCheck:
    """Which whole counts ``k`` in ``0..n`` give a ``100 k / n`` that rounds to ``percent``.

    Parameters
    ----------
    percent : the percentage as printed, e.g. ``"4.55"`` or ``"62.22%"``.
    n : the denominator.

    Returns
    -------
    CountCheck

    Examples
    --------
    >>> percent_counts("4.55", 44).counts
    range(2, 3)
    >>> percent_counts("4.55", 46).consistent
    False
    """
    p, n = _printed(percent, "percent"), _whole(n, "n")
    counts = fitting_counts(p, n)
    lo, hi = _bounds(p)
    nearest = min(max(math.floor((lo + hi) / 2 * n / 100 + HALF), 0), n)
    shown = p.format(p.value) if nearest in counts else _fmt(Fraction(100 * nearest, n), p.decimals)
    exact = f"{nearest}/{n} = {_fmt(Fraction(100 * nearest, n), p.decimals + 2)}%"
    if counts:
        return CountCheck(True, counts, nearest, shown, f"{p.text}% of {n} fits {exact}")
    return CountCheck(False, counts, nearest, shown, f"no count of {n} gives {p.text}%: nearest {exact} -> {shown}%")


@dataclass(frozen=True)
class DenominatorCheck:
    """Denominators that reproduce a percentage: every ``(n, k)`` that ``fits``, and the ``denominators``."""

    consistent: bool
    fits: tuple[tuple[int, int], ...]
    denominators: tuple[int, ...]
    explanation: str


def percent_denominators(percent: str | Printed, count: int | None, n_range: range) -> DenominatorCheck:
    """Which denominators ``n`` in ``n_range`` (and counts) reproduce a printed percentage.

    Finds the population a table evidently used: "4.55" with count 2 fits only n = 44 in 40..60.

    Parameters
    ----------
    percent : the percentage as printed.
    count : the printed count, or None for any count.
    n_range : the denominators to try (all >= 1). At most :data:`MAX_DENOMINATORS` are tried (with a
        count, after narrowing the range by arithmetic) and at most :data:`MAX_FITS` pairs listed.

    Returns
    -------
    DenominatorCheck

    Raises
    ------
    ValueError
        If a number is malformed, or the range or the list of fits is above those caps.
    """
    if not isinstance(n_range, range) or (n_range and min(n_range[0], n_range[-1]) < 1):  # O(1), not min()
        raise ValueError(f"n_range must be a range of whole numbers >= 1, got {n_range!r}")
    if count is not None:
        _whole(count, "count", minimum=0)
    p = _printed(percent, "percent")
    fitting_counts(p, 1)  # validates the percentage even for an empty range
    digits = p.format(p.value)
    if count is None:
        total = sum(len(_fitting(digits, p.decimals, n)) for n in _scannable(n_range))
        if total > MAX_FITS:
            raise ValueError(
                f"{p.text}% fits {total:,} (n, count) pairs in {n_range}; at most {MAX_FITS:,} are listed "
                "(checks.MAX_FITS): give the count or a narrower range"
            )
        fits = tuple((n, k) for n in n_range for k in _fitting(digits, p.decimals, n))
    else:
        fits = tuple(
            (n, count) for n in _scannable(_narrowed(p, count, n_range)) if count in _fitting(digits, p.decimals, n)
        )
    ns = tuple(dict.fromkeys(n for n, _ in fits))
    what = "some count" if count is None else str(count)
    text = f"{p.text}% as {what} of n fits n = {', '.join(map(str, ns))}" if ns else ""
    return DenominatorCheck(bool(ns), fits, ns, text or f"no n in {n_range} gives {p.text}% as {what} of n")


# --------------------------------------------------------------------------- GRIM


@dataclass(frozen=True)
class GrimResult:
    """GRIM: ``sums`` are the whole totals (in units of ``1 / items``) that fit, a ``range``;
    ``testable`` is False when ``n * items >= 10**decimals`` (then every mean is possible);
    ``nearest_mean`` is the closest possible mean at the printed decimals."""

    consistent: bool
    testable: bool
    sums: range
    nearest_mean: str
    explanation: str


def grim(mean: str | Printed, n: int, items: int = 1) -> GrimResult:
    """GRIM (Brown & Heathers 2017): is a printed mean of whole-number data possible with ``n``?

    Each of the ``n`` scores is the mean of ``items`` whole-number items, so the true mean is a
    whole number over ``n * items``; the printed mean is consistent if such a fraction lies in
    its rounding interval (ends included).

    Parameters
    ----------
    mean : the mean as printed, e.g. ``"5.19"``.
    n : sample size.
    items : number of whole-number items averaged into each score.

    Returns
    -------
    GrimResult

    Examples
    --------
    >>> grim("5.19", 28).consistent
    False
    """
    p = _printed(mean, "mean")
    total = _whole(n, "n") * _whole(items, "items")
    lo, hi = _bounds(p)
    sums = _integers(lo * total, hi * total)
    nearest = math.floor((lo + hi) / 2 * total + HALF)
    shown = p.format(p.value) if nearest in sums else _fmt(Fraction(nearest, total), p.decimals)
    exact = f"{nearest}/{total} = {_fmt(Fraction(nearest, total), p.decimals + 2)}"
    text = f"mean {p.text} fits {exact}" if sums else f"no whole total over {total} gives {p.text}: nearest {exact}"
    testable = total < 10**p.decimals
    text += "" if testable else f" (not testable: n * items = {total} >= 10^{p.decimals})"
    return GrimResult(bool(sums), testable, sums, shown, text)


# --------------------------------------------------------------------------- GRIMMER


@dataclass(frozen=True)
class GrimmerResult:
    """GRIMMER: ``grim`` says whether the mean alone passes GRIM; ``reason`` is ``"ok"``,
    ``"grim"``, ``"sum of squares"`` (no whole sum of squares fits), ``"parity"`` (only ones of
    the wrong parity fit) or ``"spread"`` (the SD is below what whole numbers can have)."""

    consistent: bool
    grim: bool
    reason: str
    explanation: str


_WHY = {
    "sum of squares": "no whole-number sum of squares lies in the SD's rounding interval",
    "parity": "the sums of squares that fit have the wrong parity for the total",
    "spread": "the SD is smaller than whole numbers with that mean can have",
}


def grimmer(mean: str | Printed, sd: str | Printed, n: int, items: int = 1) -> GrimmerResult:
    """GRIMMER (Anaya 2016; Allard's analytic form): is a printed SD possible for whole-number data?

    With scores ``y`` (whole numbers in units of ``1 / items``), total ``S`` and sum of squares
    ``Q``, the sample variance is ``(Q - S**2 / n) / (n - 1)``. Consistent if, for some ``S``
    that passes GRIM, a whole ``Q`` (1) lies in the interval the SD's rounding interval implies
    (ends included, so Allard's test 2, re-rounding the SD, holds too), (2) has the parity of
    ``S`` (``y**2`` and ``y`` are both odd or both even) and (3) is at least the least sum of
    squares whole numbers with total ``S`` can have (scores ``S // n`` and one more; an exact
    bound added here). Unlike ``scrutiny::grimmer`` (<= 0.6) every ``S`` that passes GRIM is
    tried, not only ``round(mean * n)``; with ``items > 1`` the SD is that of the ``n`` scores.

    Parameters
    ----------
    mean, sd : as printed.
    n : sample size (>= 2).
    items : number of whole-number items averaged into each score.

    Returns
    -------
    GrimmerResult
    """
    n, s = _whole(n, "n", minimum=2), _printed(sd, "sd")
    if s.value < 0:
        raise ValueError(f"an SD cannot be negative, got {s.text!r}")
    g = grim(mean, n, items)
    if not g.consistent:
        return GrimmerResult(False, False, "grim", f"the mean fails GRIM: {g.explanation}")
    sd_lo, sd_hi = (max(b, Fraction(0)) * items for b in _bounds(s))
    worst = 0  # index into _WHY: how close a failing total came
    for total in g.sums:
        square = Fraction(total**2, n)
        q_lo, q_hi = math.ceil((n - 1) * sd_lo**2 + square), math.floor((n - 1) * sd_hi**2 + square)
        base, extra = divmod(total, n)
        q_min = (n - extra) * base**2 + extra * (base + 1) ** 2  # has the parity of the total
        q = max(q_lo + (q_lo - total) % 2, q_min)  # least candidate of the right parity
        if q <= q_hi:
            found = math.sqrt((q - square) / ((n - 1) * items**2))
            text = f"mean {g.nearest_mean} and SD {s.text} fit total {total}, sum of squares {q} (SD {found:.4g})"
            return GrimmerResult(True, True, "ok", text)
        if q_lo <= q_hi:
            worst = max(worst, 2 if q_min > q_hi else 1)
    reason = list(_WHY)[worst]
    return GrimmerResult(False, True, reason, f"mean passes GRIM but SD {s.text} fails: {_WHY[reason]}")


# --------------------------------------------------------------------------- DEBIT


@dataclass(frozen=True)
class DebitResult:
    """DEBIT: ``sd_range`` is the ``(low, high)`` SD the printed mean implies (floats, for display)."""

    consistent: bool
    sd_range: tuple[float, float]
    explanation: str


def debit(
    mean: str | Printed, sd: str | Printed, n: int, *, population: bool = False, exact: bool = False
) -> DebitResult:
    """DEBIT (Heathers & Brown 2019): is a printed SD possible for 0/1 data with that mean?

    For a proportion ``p`` the sample SD is ``sqrt(p (1 - p) n / (n - 1))``. The variance is
    concave in ``p``, so over the mean's rounding interval it is least at an end and greatest at
    an end or at ``p = 1/2``; the check passes if that range meets the printed SD's interval.

    Parameters
    ----------
    mean : the proportion as printed (0 to 1).
    sd : the SD as printed.
    n : sample size.
    population : use the population SD ``sqrt(p (1 - p))`` (denominator n) instead.
    exact : only allow proportions ``k / n`` (as ``scrutiny``'s ``formula = "exact"``), whose
        SD itself must print as ``sd``, instead of every ``p`` in the interval (original DEBIT).

    Returns
    -------
    DebitResult
    """
    m, s, n = _printed(mean, "mean"), _printed(sd, "sd"), _whole(n, "n", minimum=1 if population else 2)
    if not 0 <= m.value <= 1:
        raise ValueError(f"DEBIT needs a proportion between 0 and 1 as the mean, got {m.text!r}")
    if s.value < 0:
        raise ValueError(f"an SD cannot be negative, got {s.text!r}")
    lo, hi = (min(max(b, Fraction(0)), Fraction(1)) for b in _bounds(m))
    if exact:
        ps = [Fraction(k, n) for k in grim(m, n).sums if 0 <= k <= n]
    else:
        ps = [lo, hi] + ([HALF] if lo <= HALF <= hi else [])
    scale = Fraction(1) if population else Fraction(n, n - 1)
    var = [scale * p * (1 - p) for p in ps]
    sd_lo, sd_hi = (max(b, Fraction(0)) ** 2 for b in _bounds(s))
    if exact:
        ok = any(sd_lo <= v <= sd_hi for v in var)
    else:
        ok = min(var) <= sd_hi and sd_lo <= max(var)
    rng = (math.sqrt(min(var)), math.sqrt(max(var))) if var else (math.nan, math.nan)
    d, kind = s.decimals + 2, "population" if population else "sample"
    implied = f"{kind} SD {rng[0]:.{d}f} to {rng[1]:.{d}f}" if var else "no k/n (the mean fails GRIM)"
    verdict = "fits" if ok else "does not fit"
    return DebitResult(ok, rng, f"binary mean {m.text} with n = {n} gives {implied}; SD {s.text} {verdict}")


# --------------------------------------------------------------------------- changes and ratios


@dataclass(frozen=True)
class IntervalCheck:
    """A derived number against its inputs: the ``implied`` and ``printed`` intervals (floats, for
    display) and whether the ``other_reading`` fits instead: for a change the opposite sign, for a
    ratio "k times higher" read as ``p1 = (1 + k) p2``."""

    consistent: bool
    implied: tuple[float, float]
    printed: tuple[float, float]
    other_reading: bool
    explanation: str


def _against(what: str, implied: Interval, printed: Printed, other: Interval, name: str) -> IntervalCheck:
    box = _bounds(printed)
    ok, alt = implied[0] <= box[1] and box[0] <= implied[1], other[0] <= box[1] and box[0] <= other[1]
    d = printed.decimals + 2
    text = f"{what} gives {float(implied[0]):.{d}f} to {float(implied[1]):.{d}f}; printed {printed.text} "
    text += "fits" if ok else "does not fit" + (f" (it fits as {name})" if alt else "")
    return IntervalCheck(ok, (float(implied[0]), float(implied[1])), (float(box[0]), float(box[1])), alt, text)


def change_consistency(before: str | Printed, after: str | Printed, change: str | Printed) -> IntervalCheck:
    """Does a printed change equal ``after - before`` within rounding?

    The true difference lies in ``[after.lower - before.upper, after.upper - before.lower]``;
    the change is consistent if its rounding interval meets that. (A mean of per-patient changes
    equals the difference of means only if both means cover the same patients.)

    Returns
    -------
    IntervalCheck : ``other_reading`` says whether ``before - after`` fits instead.
    """
    b, a = _bounds(_printed(before, "before")), _bounds(_printed(after, "after"))
    implied = (a[0] - b[1], a[1] - b[0])
    return _against("after - before", implied, _printed(change, "change"), (-implied[1], -implied[0]), "before - after")


def percent_change_consistency(
    before: str | Printed, after: str | Printed, percent_change: str | Printed
) -> IntervalCheck:
    """Does a printed percent change equal ``100 (after - before) / before`` within rounding?

    Returns
    -------
    IntervalCheck : ``other_reading`` says whether the opposite sign fits instead.
    """
    q = _quotients(_bounds(_printed(after, "after")), _bounds(_printed(before, "before")))
    implied = (100 * (q[0] - 1), 100 * (q[1] - 1))
    pc = _printed(percent_change, "percent change")
    return _against("100 (after - before) / before", implied, pc, (-implied[1], -implied[0]), "the opposite sign")


def ratio_consistency(p1: str | Printed, p2: str | Printed, ratio: str | Printed) -> IntervalCheck:
    """Does a printed ratio ("nearly 2.5 times higher") equal ``p1 / p2`` within rounding?

    ``p1 / p2`` ranges over the corners of the rounding intervals (``p2``'s must exclude 0).
    Hedges such as "nearly" are not modelled.

    Returns
    -------
    IntervalCheck : ``other_reading`` says whether ``p1 / p2 - 1`` fits instead ("k times
    higher" as an increase of k times ``p2``).
    """
    q = _quotients(_bounds(_printed(p1, "p1")), _bounds(_printed(p2, "p2")))
    return _against("p1 / p2", q, _printed(ratio, "ratio"), (q[0] - 1, q[1] - 1), "p1 / p2 - 1")


def max_sd(n: int, minimum: float, maximum: float, mean_low: float, mean_high: float) -> float:
    """The largest sample SD that ``n`` values can have when the smallest is ``minimum``, the
    largest ``maximum`` and their mean lies in ``[mean_low, mean_high]`` (nan if none can).

    For a fixed sum the sum of squares over a box is greatest at a vertex: every value at an
    end of the range but at most one. So try k values at the maximum, one free value, the rest
    at the minimum (both ends observed at least once), over a fine grid of the mean's interval.
    Written here because scrutiny-style range checks are not in scipy or statsmodels.
    """
    n = _whole(n, "n", minimum=2)
    if maximum < minimum:
        raise ValueError(f"the maximum ({maximum}) is below the minimum ({minimum})")
    best = math.nan
    for mean in np.linspace(mean_low, mean_high, 41):
        total = n * mean
        for k in range(0, n):
            free = total - k * maximum - (n - k - 1) * minimum
            if not minimum - 1e-12 <= free <= maximum + 1e-12:
                continue
            if (k == 0 and free < maximum - 1e-12) or (n - k - 1 == 0 and free > minimum + 1e-12):
                continue  # the printed maximum and minimum must both be observed
            values = np.array([maximum] * k + [free] + [minimum] * (n - k - 1))
            sd = float(values.std(ddof=1))
            best = sd if math.isnan(best) else max(best, sd)
    return best
