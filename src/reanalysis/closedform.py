"""Closed forms of the common 2x2 tests and difference CIs, for the audit's hot path.

The audit evaluates every candidate table under every method: thousands of tables for a
large claims file. ``scipy.stats.chi2_contingency`` and ``fisher_exact`` cost about
300-450 µs a call (argument handling, not arithmetic), statsmodels' interval functions
50-200 µs; the same formulas written out cost a few µs. They are the textbook formulas
and ``tests/test_closedform.py`` checks them against :mod:`reanalysis.inference` (which is
checked against R) on every table up to 30 per arm. For anything else use ``inference``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

from .exact import TableTooLarge, barnard, boschloo, check_size

__all__ = ["p_chi2", "p_fisher", "log_p_fisher", "p_value", "min_expected", "diff_ci"]

#: R's fisher.test tolerance: outcomes at most this much more likely than the observed one count as "as extreme".
_REL_ERR = 1 + 1e-7


def _degenerate(k1: int, n1: int, k2: int, n2: int) -> bool:
    return k1 + k2 in (0, n1 + n2)


def min_expected(k1: int, n1: int, k2: int, n2: int) -> float:
    """The smallest expected cell count of the 2x2 table under independence."""
    total, events = n1 + n2, k1 + k2
    return min(n1, n2) * min(events, total - events) / total


def p_chi2(k1: int, n1: int, k2: int, n2: int, yates: bool = False) -> float:
    """Pearson's chi-squared p for events k1/n1 vs k2/n2, with or without Yates' correction.

    X^2 = N (|ad - bc| - c)^2 / (r1 r2 c1 c2), c = N/2 with Yates (not below 0), else 0; the
    same as ``scipy.stats.chi2_contingency``. A table without events or non-events gives 1.
    """
    if _degenerate(k1, n1, k2, n2):
        return 1.0
    total, events = n1 + n2, k1 + k2
    cross = abs(k1 * (n2 - k2) - k2 * (n1 - k1))
    if yates:
        cross = max(0.0, cross - total / 2)
    x2 = total * cross**2 / (n1 * n2 * events * (total - events))
    return float(special.chdtrc(1, x2))


#: Outcomes less likely than exp(-_NEGLIGIBLE) times the observed one are left out of Fisher's sum: the
#: hypergeometric probabilities fall off geometrically beyond them, so together they add less than 1e-20
#: of the P value, and leaving them out keeps a table of 10^6 per arm to a window of a few thousand outcomes.
_NEGLIGIBLE = 60.0
#: The most outcomes Fisher's P sums (about 1 s); more raise ``inference.TableTooLarge``. Reached only
#: for arms of about 10^10 and more, where the outcomes near the observed one number in the millions.
FISHER_MAX_TERMS = 20_000_000
_CHUNK = 1 << 20
#: How far each tail is first summed: this many times the normal approximation's distance to exp(-60) of the
#: observed probability, plus 16 (short of it, the end is found by bisection and the tail summed again).
_GUESS_MARGIN = 1.05


def _last_true(pred, lo: int, hi: int, guess: int) -> int:
    """The largest x in [lo, hi] with pred(x), pred True then False on [lo, hi] (lo - 1 if none).

    Gallops from ``guess`` (steps 1, 2, 4, ...) to bracket the change, then bisects: about
    2 log2(|answer - guess|) evaluations.
    """
    if lo > hi:
        return lo - 1
    g, d = min(max(guess, lo), hi), 1
    if pred(g):
        a, b = g, hi + 1  # pred(a) holds; b is the first x known to fail (hi + 1: none known)
        while g + d <= hi:
            if not pred(g + d):
                b = g + d
                break
            a, d = g + d, 2 * d
    else:
        a, b = lo - 1, g
        while g - d >= lo:
            if pred(g - d):
                a = g - d
                break
            b, d = g - d, 2 * d
    while b - a > 1:
        mid = (a + b) // 2
        a, b = (mid, b) if pred(mid) else (a, mid)
    return a


def _ratio_sum(anchor: int, end: int, n1: int, n2: int, events: int, floor: float) -> tuple[float, int, bool]:
    """Sum of P(x) / P(anchor) over x from ``anchor`` to ``end`` (either side of it), P(x) falling away from
    the anchor; each P(x) / P(anchor) a product of the neighbours' ratios (numpy's cumprod, in chunks).
    Returns the sum, how many terms are at least ``floor`` and whether the last one is below it."""
    total, count, carry = 1.0, int(floor <= 1), 1.0
    toward, length = (1 if end >= anchor else -1), abs(end - anchor)
    for first in range(1, length + 1, _CHUNK):
        m = min(_CHUNK, length + 1 - first)
        if toward > 0:  # P(x) / P(x - 1) = (n1 + 1 - x)(e + 1 - x) / (x (n2 - e + x)), x = anchor + first, ...
            x = anchor + first
            a = np.arange(n1 + 1 - x, n1 + 1 - x - m, -1, dtype=float)
            a *= np.arange(events + 1 - x, events + 1 - x - m, -1, dtype=float)
            b = np.arange(x, x + m, dtype=float)
            b *= np.arange(n2 - events + x, n2 - events + x + m, dtype=float)
        else:  # P(x) / P(x + 1) = (x + 1)(n2 - e + x + 1) / ((n1 - x)(e - x)), x = anchor - first, ...
            x = anchor - first
            a = np.arange(x + 1, x + 1 - m, -1, dtype=float)
            a *= np.arange(n2 - events + x + 1, n2 - events + x + 1 - m, -1, dtype=float)
            b = np.arange(n1 - x, n1 - x + m, dtype=float)
            b *= np.arange(events - x, events - x + m, dtype=float)
        a /= b
        terms = a.cumprod(out=a)
        if carry != 1.0:
            terms *= carry
        total += float(terms.sum())
        count += m - int(terms[::-1].searchsorted(floor))  # falling: those >= floor come first
        carry = float(terms[-1])
    return total, count, carry < floor


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _stirling_corr(z: float) -> float:
    """lgamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2) for z >= 16, to about 1e-16."""
    z2 = z * z
    return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * z2)) / z2) / z2) / z


def _lgamma_diff(a: float, b: float) -> float:
    """lgamma(b) - lgamma(a), accurate to about 1e-15 of |b - a| log b even when both are near 10^9 (where
    each lgamma is about 2e10 and their plain difference loses six digits): Stirling's series, with the
    large terms combined as (a - 1/2) log1p((b - a) / a) + (b - a) log b - (b - a)."""
    if a == b:
        return 0.0
    if min(a, b) < 16:
        return math.lgamma(b) - math.lgamma(a)
    d = b - a
    return (a - 0.5) * math.log1p(d / a) + d * math.log(b) - d + _stirling_corr(b) - _stirling_corr(a)


def _stirlerr(n: int) -> float:
    """log(n!) - log(sqrt(2 pi n) (n / e)^n) for n >= 1 (Loader 2000; R's stirlerr)."""
    if n < 16:
        return math.lgamma(n + 1) - (n + 0.5) * math.log(n) + n - _HALF_LOG_2PI
    n2 = n * n
    return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * n2)) / n2) / n2) / n  # = _stirling_corr(n)


def _bd0(x: float, m: float) -> float:
    """x log(x / m) + m - x, the binomial deviance (Loader 2000), as x log1p((x - m) / m) - (x - m): its
    absolute error a few units in the last place of |x - m|, which is all log P needs (R's bd0 sums a series
    near x = m for relative accuracy, which would cost a loop here)."""
    d = x - m
    return x * math.log1p(d / m) - d


def _log_dbinom(x: int, n: int, p: float, q: float) -> float:
    """log of the binomial probability of x in n (p + q = 1, both > 0): Loader's saddle-point form (R's
    dbinom_raw), its absolute error about 1e-16 times (|x - n p| + log n) at any size."""
    if n == 0:
        return 0.0
    if x == 0:
        return -_bd0(n, n * q) - n * p if p < 0.1 else n * math.log(q)
    if x == n:
        return -_bd0(n, n * p) - n * q if q < 0.1 else n * math.log(p)
    lc = _stirlerr(n) - _stirlerr(x) - _stirlerr(n - x) - _bd0(x, n * p) - _bd0(n - x, n * q)
    return lc - 0.5 * (math.log(2 * math.pi) + math.log(x) + math.log1p(-x / n))


def _log_dhyper(x: int, n1: int, n2: int, events: int) -> float:
    """log P(x): the hypergeometric probability of x events in arm 1 of n1 given ``events`` in n1 + n2, as
    a ratio of binomial probabilities (R's dhyper), accurate at any size where a difference of ``lgamma``
    values is not (``lgamma`` of 10^7 carries an absolute error near 1e-9, of 10^9 near 1e-6)."""
    total = n1 + n2
    p, q = events / total, (total - events) / total
    return _log_dbinom(x, n1, p, q) + _log_dbinom(events - x, n2, p, q) - _log_dbinom(events, total, p, q)


#: Arms totalling more than this get log P(x) - log P(k1) from Stirling's series (:func:`_lgamma_diff`); below
#: it, plain ``lgamma`` keeps about 1e-8 of it, well within R's 1e-7 tie tolerance.
_LGAMMA_DIFF_ABOVE = 10**7


def log_p_fisher(k1: int, n1: int, k2: int, n2: int) -> float:
    """The natural log of Fisher's exact two-sided P (see :func:`p_fisher`), summed in log space.

    Exact at any size: no underflow below 1e-308, and time and memory bounded. The hypergeometric is
    unimodal, so the outcomes at most as likely as the observed one form two tails, [lo, c1] and
    [c2, hi]. Which outcomes tie with the observed one (R's relative 1e-7), so c1 and c2, is decided by
    galloping and bisection on log P(x) - log P(k1), computed as differences of ``lgamma`` that keep their
    digits at any size. Each tail is then summed outward from c1 or c2 as P(x) / P(c), products of the
    neighbours' ratios P(x + 1) / P(x) = (n1 - x)(e - x) / ((x + 1)(n2 - e + x + 1)) (e = k1 + k2), at least
    as far as the outcomes within exp(-60) of the observed probability (how far is first guessed from the
    normal approximation; where the guess falls short, the end is found by bisection as for c1 and c2).
    log P(k1) itself is Loader's saddle-point form (as R's ``dhyper``), accurate at any size.

    Raises
    ------
    inference.TableTooLarge
        If more than :data:`FISHER_MAX_TERMS` outcomes would be summed (arms of about 10^10 and more).
    """
    if _degenerate(k1, n1, k2, n2):
        return 0.0
    events, total = k1 + k2, n1 + n2
    lo, hi = max(0, events - n2), min(events, n1)
    seen = {k1: 0.0}
    if total > _LGAMMA_DIFF_ABOVE:
        d = _lgamma_diff

        def rel(x: int) -> float:  # log P(x) - log P(k1), kept: the searches ask again for the ends they found
            if x not in seen:
                seen[x] = -(
                    d(k1 + 1, x + 1)
                    + d(n1 - k1 + 1, n1 - x + 1)
                    + d(events - k1 + 1, events - x + 1)
                    + d(n2 - events + k1 + 1, n2 - events + x + 1)
                )
            return seen[x]
    else:
        g = math.lgamma
        base = g(k1 + 1) + g(n1 - k1 + 1) + g(k2 + 1) + g(n2 - k2 + 1)

        def rel(x: int) -> float:
            if x not in seen:
                seen[x] = base - g(x + 1) - g(n1 - x + 1) - g(events - x + 1) - g(n2 - events + x + 1)
            return seen[x]

    level, cut = math.log(_REL_ERR), -_NEGLIGIBLE
    mode = min(max((events + 1) * (n1 + 1) // (total + 2), lo), hi)
    sd = math.sqrt(events * (total - events) * n1 * n2 / (total * total * max(total - 1, 1)))
    mirror = 2 * mode - k1
    # left tail: log P increasing on [lo, mode]; keep x <= c1 with rel(x) <= level
    c1 = _last_true(lambda x: rel(x) <= level, lo, mode, k1 if k1 <= mode else mirror)
    # right tail: log P decreasing on [mode + 1, hi]; keep x >= c2
    c2 = _last_true(lambda x: rel(x) > level, mode + 1, hi, k1 if k1 > mode else mirror) + 1
    # Each tail is summed from its end nearest the mode outward: (anchor, the range's end, rel(anchor), the
    # last x to keep: rel(x) >= rel(anchor) - drop).
    spans = [(c, end, rel(c), rel(c) - cut) for c, end in [(c1, lo), (c2, hi)] if lo <= c <= hi and rel(c) >= cut]
    # equal arms: P(x) = P(e - x), so a right tail that mirrors the left one has the same sum
    mirrored = n1 == n2 and len(spans) == 2 and c1 == events - c2
    if mirrored:
        spans.pop()
    sums, terms, exact = [0.0] * len(spans), 0, []
    for i, (anchor, bound, shift, drop) in enumerate(spans):
        toward = 1 if bound > anchor else -1
        # a first guess for how far to go: the normal approximation, or (nearer when the anchor lies far out)
        # drop / the first step, which log-concavity makes an upper bound
        near = abs(anchor - mode)
        reach = _GUESS_MARGIN * (math.sqrt(near * near + 2 * drop * sd * sd) - near) + 16
        if anchor != bound:
            x = anchor if toward > 0 else anchor - 1
            first = abs(math.log((n1 - x) * (events - x) / ((x + 1) * (n2 - events + x + 1))))
            if first > 0:
                reach = min(reach, drop / first + 2)
        end = anchor + toward * min(int(reach), abs(bound - anchor))
        if abs(end - anchor) < _CHUNK:
            s, kept, past = _ratio_sum(anchor, end, n1, n2, events, math.exp(-drop))
            if past or end == bound:
                sums[i] = s
                terms += kept
                continue
        # not there yet: find the last x to keep by galloping and bisection (rel is exact), sum afterwards
        if toward < 0:
            end = _last_true(lambda x, f=shift - drop: rel(x) < f, lo, anchor, end) + 1
        else:
            end = _last_true(lambda x, f=shift - drop: rel(x) >= f, anchor, hi, end)
        exact.append((i, anchor, end))
        terms += abs(end - anchor) + 1
    if terms * (1 + mirrored) > FISHER_MAX_TERMS:
        raise TableTooLarge(
            f"Fisher's exact test not run: table too large (n = {n1} and {n2} per arm; "
            f"more than {FISHER_MAX_TERMS:,} outcomes to sum, closedform.FISHER_MAX_TERMS)"
        )
    for i, anchor, end in exact:
        sums[i] = _ratio_sum(anchor, end, n1, n2, events, 0.0)[0]
    if c1 == mode and c2 == mode + 1:  # every outcome at most as likely as the observed one: P = 1 exactly
        return 0.0
    top = max(span[2] for span in spans)
    summed = sum(s * math.exp(span[2] - top) for span, s in zip(spans, sums, strict=True)) * (1 + mirrored)
    return min(0.0, _log_dhyper(k1, n1, n2, events) + top + math.log(summed))


@lru_cache(maxsize=65536)
def p_fisher(k1: int, n1: int, k2: int, n2: int) -> float:
    """Fisher's exact two-sided p: the probability of all tables with the same margins that are at
    most as likely as the observed one (with R's relative tolerance 1e-7). Summed in log space
    (:func:`log_p_fisher`): right at any size; below 2.2e-308 it is a subnormal float, 0 below 5e-324.
    Kept per table (a pure function of four integers): a fragility search or a tipping grid asks for
    the same tables again, as does an audit under other settings."""
    return math.exp(log_p_fisher(k1, n1, k2, n2))


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def diff_ci(k1: int, n1: int, k2: int, n2: int, method: str, level: float = 0.95) -> tuple[float, float]:
    """CI of p1 - p2: "wald", "agresti_caffo" (both clipped to [-1, 1]) or "newcombe" (hybrid Wilson score)."""
    z = float(special.ndtri(1 - (1 - level) / 2))
    p1, p2 = k1 / n1, k2 / n2
    if method == "newcombe":
        l1, u1 = _wilson(k1, n1, z)
        l2, u2 = _wilson(k2, n2, z)
        d = p1 - p2
        return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    if method == "agresti_caffo":
        k1, n1, k2, n2 = k1 + 1, n1 + 2, k2 + 1, n2 + 2
        p1, p2 = k1 / n1, k2 / n2
    elif method != "wald":
        raise ValueError(f"method must be 'wald', 'agresti_caffo' or 'newcombe', got {method!r}")
    half = z * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return max(p1 - p2 - half, -1.0), min(p1 - p2 + half, 1.0)


def p_value(k1: int, n1: int, k2: int, n2: int, test: str) -> float:
    """p of a named 2x2 test: the closed forms above, or Barnard's and Boschloo's tests (:mod:`reanalysis.exact`).

    Raises
    ------
    ValueError
        If a count is negative, above its n, or an n is below 1.
    """
    if not (0 <= k1 <= n1 and 0 <= k2 <= n2 and n1 >= 1 and n2 >= 1):
        raise ValueError(f"events must lie between 0 and n >= 1 in each arm, got {k1}/{n1} and {k2}/{n2}")
    if test == "chi2_or_fisher":
        test = "fisher" if min_expected(k1, n1, k2, n2) < 5 else "chi2"
    if test in ("chi2", "chi2_yates"):
        return p_chi2(k1, n1, k2, n2, yates=test == "chi2_yates")
    if test == "fisher":
        return p_fisher(k1, n1, k2, n2)
    if test not in ("barnard", "boschloo"):
        raise ValueError(f"test must be chi2, chi2_yates, fisher, barnard, boschloo or chi2_or_fisher, got {test!r}")
    check_size(test, n1, n2)
    if k1 + k2 in (0, n1 + n2):  # no events, or only events: no evidence of a difference
        return 1.0
    return _exact_p(test, int(k1), int(n1), int(k2), int(n2))


@lru_cache(maxsize=4096)
def _exact_p(test: str, k1: int, n1: int, k2: int, n2: int) -> float:
    """Barnard's or Boschloo's p: tens of milliseconds each, a pure function of the table, and
    asked again for the same tables (an audit under other settings, every notebook's sweep)."""
    return (barnard if test == "barnard" else boschloo)(k1, n1, k2, n2)[1]
