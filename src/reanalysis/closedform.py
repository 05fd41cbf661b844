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

import numpy as np
from scipy import special

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


def _log_dhyper(x: int, n1: int, n2: int, events: int) -> float:
    """log P(X1 = x) for the events in arm 1 given the margins (hypergeometric), one x."""
    g = math.lgamma
    return (g(n1 + 1) - g(x + 1) - g(n1 - x + 1) + g(n2 + 1) - g(events - x + 1) - g(n2 - events + x + 1)) - (
        g(n1 + n2 + 1) - g(events + 1) - g(n1 + n2 - events + 1)
    )


#: Outcomes less likely than exp(-_NEGLIGIBLE) times the observed one are left out of Fisher's sum: the
#: hypergeometric probabilities fall off geometrically beyond them, so together they add less than 1e-20
#: of the P value, and leaving them out keeps a table of 10^6 per arm to a window of a few thousand outcomes.
_NEGLIGIBLE = 60.0
_WHOLE_SUPPORT = 4096  # supports up to this size are summed whole


def log_p_fisher(k1: int, n1: int, k2: int, n2: int) -> float:
    """The natural log of Fisher's exact two-sided P (see :func:`p_fisher`), summed in log space.

    Exact at any size: no underflow below 1e-308, and time and memory bounded: only the outcomes
    within exp(-60) of the observed one's probability are summed (the hypergeometric is unimodal, so
    they form one window around the mode, whose ends are found by bisection), and their log
    probabilities come from the ratio of neighbours, log P(x + 1) - log P(x) = log((n1 - x)(e - x)) -
    log((x + 1)(n2 - e + x + 1)), cumulated from one ``lgamma`` evaluation (e = k1 + k2).
    """
    if _degenerate(k1, n1, k2, n2):
        return 0.0
    events = k1 + k2
    lo, hi = max(0, events - n2), min(events, n1)
    if hi - lo > _WHOLE_SUPPORT:
        cut = _log_dhyper(k1, n1, n2, events) - _NEGLIGIBLE
        mode = min(max((events + 1) * (n1 + 1) // (n1 + n2 + 2), lo), hi)

        total = n1 + n2
        sd = math.sqrt(events * (total - events) * n1 * n2 / (total * total * max(total - 1, 1)))

        def edge(inside: int, outside: int) -> int:  # the outermost x between them with log P >= cut
            near = inside + round(math.copysign(40 * sd + 16, outside - inside))  # usually past the cut
            if (near - outside) * (outside - inside) < 0 and _log_dhyper(near, n1, n2, events) < cut:
                outside = near
            elif _log_dhyper(outside, n1, n2, events) >= cut:
                return outside
            while abs(outside - inside) > 1:
                mid = (inside + outside) // 2
                inside, outside = (mid, outside) if _log_dhyper(mid, n1, n2, events) >= cut else (inside, mid)
            return inside

        lo, hi = edge(min(mode, k1), lo), edge(max(mode, k1), hi)
    x = np.arange(lo, hi, dtype=float)
    steps = np.log((n1 - x) * (events - x)) - np.log((x + 1) * (n2 - events + x + 1))
    logp = _log_dhyper(lo, n1, n2, events) + np.concatenate(([0.0], np.cumsum(steps)))
    logp = logp[logp <= logp[k1 - lo] + math.log(_REL_ERR)]
    top = float(logp.max())
    return min(0.0, top + math.log(float(np.exp(logp - top).sum())))


def p_fisher(k1: int, n1: int, k2: int, n2: int) -> float:
    """Fisher's exact two-sided p: the probability of all tables with the same margins that are at
    most as likely as the observed one (with R's relative tolerance 1e-7). Summed in log space
    (:func:`log_p_fisher`): right at any size; below 2.2e-308 it is a subnormal float, 0 below 5e-324."""
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
    """p of a named 2x2 test: the closed forms above where they exist, else :func:`inference.two_by_two`.

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
    from .inference import two_by_two  # Barnard, Boschloo (and the checks on the counts)

    return two_by_two(k1, n1, k2, n2, test=test).pvalue
