"""Barnard's and Boschloo's exact unconditional tests for a 2x2 table, bounded in size.

Written here, not taken from ``scipy.stats.barnard_exact`` / ``boschloo_exact``: scipy drops tables
whose statistic ties the observed one to within rounding (exact comparison of floats), and its
optimiser (shgo from 32 points) misses maxima over the nuisance proportion, near 0 or 1 especially.
Here ties count within a relative 1e-7 and the supremum is taken over a dense grid with local
refinement (checked against R, tests/reference/hardening_reference.R). The lowest layer of the
tests: :mod:`reanalysis.closedform` and :mod:`reanalysis.inference` call it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

__all__ = ["EXACT_UNCONDITIONAL_MAX_N", "TableTooLarge", "barnard", "boschloo", "check_size"]

_NAMES = {"barnard": "Barnard's exact test", "boschloo": "Boschloo's exact test", "fisher": "Fisher's exact test"}


#: The largest arm (participants per arm) on which Barnard's and Boschloo's tests are run. Both enumerate
#: every table, (n1 + 1) (n2 + 1) of them, and evaluate each at 400 nuisance proportions. Measured (best of
#: 3, 2 shared cores): at 500 per arm Barnard 0.06 s, Boschloo 0.16 s; at 1,000 per arm 0.45 s and 1.4 s.
#: Beyond the limit :class:`TableTooLarge` is raised; at that size the exact tests' P values agree with
#: Fisher's and the chi-squared test's to the digits a paper prints.
EXACT_UNCONDITIONAL_MAX_N = 500

#: Relative tolerance for "as extreme as observed" in Barnard's and Boschloo's tests (as R's ``Exact``
#: package and ``fisher.test`` use): a table counts if its statistic is within this of the observed one.
_TIE_RTOL = 1e-7
_GRID = 400  # nuisance proportions on the dense grid (uniform in arcsine scale: denser near 0 and 1)
_REFINE = 4  # local maxima of the grid refined by bounded scalar maximisation


class TableTooLarge(ValueError):
    """An exact unconditional test (Barnard, Boschloo) was asked of a table above
    :data:`EXACT_UNCONDITIONAL_MAX_N` per arm. A ``ValueError``, so callers that skip bad input skip it too."""


def check_size(test: str, n1: int, n2: int) -> None:
    if max(n1, n2) > EXACT_UNCONDITIONAL_MAX_N:
        raise TableTooLarge(
            f"{_NAMES[test]} not run: table too large (n = {n1} and {n2} per arm; "
            f"limit {EXACT_UNCONDITIONAL_MAX_N} per arm, EXACT_UNCONDITIONAL_MAX_N)"
        )


def _sup_over_nuisance(mask: np.ndarray, n1: int, n2: int) -> float:
    """sup over pi in [0, 1] of P(table in ``mask``) when both arms are binomial(n_i, pi).

    ``mask[x1, x2]`` marks the tables at least as extreme as the observed one. The P at each pi is a
    matrix product (vectorised over pi); the supremum is taken over a dense grid, uniform in
    arcsin(sqrt(pi)) so that it is denser near 0 and 1, then each of the best local maxima of the
    grid is refined by bounded scalar maximisation between its neighbours.
    """
    x1, x2 = np.arange(n1 + 1), np.arange(n2 + 1)
    lc1 = special.gammaln(n1 + 1) - special.gammaln(x1 + 1) - special.gammaln(n1 - x1 + 1)
    lc2 = special.gammaln(n2 + 1) - special.gammaln(x2 + 1) - special.gammaln(n2 - x2 + 1)
    weights = mask.astype(float)

    def p_at(pis) -> np.ndarray:
        pis = np.atleast_1d(np.asarray(pis, dtype=float))[:, None]
        b1 = np.exp(lc1 + special.xlogy(x1, pis) + special.xlog1py(n1 - x1, -pis))
        b2 = np.exp(lc2 + special.xlogy(x2, pis) + special.xlog1py(n2 - x2, -pis))
        return ((b1 @ weights) * b2).sum(axis=1)

    grid = np.sin(np.linspace(0.0, math.pi / 2, _GRID + 1)) ** 2
    values = p_at(grid)
    best = float(values.max())
    padded = np.concatenate(([-1.0], values, [-1.0]))
    peaks = np.flatnonzero((values >= padded[:-2]) & (values >= padded[2:]))
    for i in peaks[np.argsort(-values[peaks])][:_REFINE]:
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, _GRID)]
        res = optimize.minimize_scalar(
            lambda t: -p_at(t)[0], bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
        )
        best = max(best, -float(res.fun))
    return min(1.0, best)


def barnard(e1: int, n1: int, e2: int, n2: int) -> tuple[float, float]:
    """Barnard's two-sided test with the pooled Wald statistic: (statistic, P)."""
    x1, x2 = np.arange(n1 + 1)[:, None], np.arange(n2 + 1)[None, :]
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        wald = np.where(se > 0, (x1 / n1 - x2 / n2) / se, 0.0)
    observed = float(wald[e1, e2])
    return observed, _sup_over_nuisance(np.abs(wald) >= abs(observed) * (1 - _TIE_RTOL), n1, n2)


def _fisher_one_sided(n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's one-sided P values of every table given its margins: P(X1 <= x1) and P(X1 >= x1)."""
    x1, x2 = np.arange(n1 + 1)[:, None], np.arange(n2 + 1)[None, :]
    g = special.gammaln
    pmf = np.exp(
        g(n1 + 1)
        - g(x1 + 1)
        - g(n1 - x1 + 1)
        + g(n2 + 1)
        - g(x2 + 1)
        - g(n2 - x2 + 1)
        - (g(n1 + n2 + 1) - g(x1 + x2 + 1) - g(n1 + n2 - x1 - x2 + 1))
    )
    less, greater = pmf.copy(), pmf.copy()
    for i in range(1, n1 + 1):  # same margin total: (x1, x2) follows (x1 - 1, x2 + 1)
        less[i, :-1] += less[i - 1, 1:]
    for i in range(n1 - 1, -1, -1):
        greater[i, 1:] += greater[i + 1, :-1]
    return np.minimum(less, 1.0), np.minimum(greater, 1.0)


def boschloo(e1: int, n1: int, e2: int, n2: int) -> tuple[float, float]:
    """Boschloo's test, two-sided as scipy: twice the smaller one-sided P, with the statistic of that side."""
    sides = []
    for fisher in _fisher_one_sided(n1, n2):
        observed = float(fisher[e1, e2])
        sides.append((_sup_over_nuisance(fisher <= observed * (1 + _TIE_RTOL), n1, n2), observed))
    p, statistic = sides[0] if sides[0][0] < sides[1][0] else sides[1]
    return statistic, min(1.0, 2 * p)
