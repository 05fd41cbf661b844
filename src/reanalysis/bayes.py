"""Bayesian reanalysis of a 2x2 table: conjugate Beta posteriors per arm under named priors.

Arm 1 is the treatment arm, arm 2 the control; the risk difference is p1 - p2, the risk ratio
p1 / p2. Each arm's proportion has a Beta(a, b) prior; with x events in n its posterior is
Beta(a + x, b + n - x), in closed form (``scipy.stats.beta``).

Written here, as scipy has no distribution for the difference or ratio of two Betas:
P(p1 - p2 > m) = integral of f2(y) P(p1 > y + m) dy (P(p1 > p2) is m = 0), by ``scipy.integrate.quad``
over the stretch where both the density and P(p1 > y + m) vary, the rest as Beta tail
probabilities (integrating over arm 1 instead, or over quantiles, when a density is unbounded);
the equal-tailed credible intervals invert the CDFs of p1 - p2 and p1 / p2, integrated the same
way, with ``scipy.optimize.brentq``; the posterior means are closed forms (E[p1/p2] =
E[p1] E[1/p2], finite when arm 2's posterior a > 1). Monte Carlo (``draws``) is there to check
these, and only with an explicit ``seed``, so that a result repeats.

Priors (:data:`PRIORS`):

- "uniform": Beta(1, 1) for each arm.
- "jeffreys": Beta(1/2, 1/2) for each arm.
- "sceptical": both arms Beta(c w, (1 - c) w), one prior centred on a control rate c and worth w
  patients (``weight``, default 10), so the prior on p1 - p2 is centred on 0. By default c is the
  control arm's own proportion, (events2 + 0.5) / (n2 + 1): that uses the control data twice, a
  shortcut for when no external rate is at hand; pass ``centre`` to use an external one.
- "enthusiastic": arm 2 as in "sceptical"; arm 1 Beta((c + effect) w, (1 - c - effect) w), centred
  on a clinically relevant difference ``effect`` (required, e.g. the difference the trial was
  powered for).

Spiegelhalter, Freedman & Parmar (JRSS A 1994;157:357) define sceptical and enthusiastic priors on
the effect scale; building them from arm priors, as here, keeps everything conjugate.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, fields
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special

from .inference import _choose, _counts, _open01, _show
from .vocabulary import PRIOR_SPELLINGS, PRIORS

__all__ = ["PRIORS", "PosteriorResult", "prior_parameters", "posterior", "prior_posterior_frame"]

_TAIL = 1e-15  # mass of each tail of a Beta treated as 0 (its bulk lies between)
_NODES = (np.arange(2000) + 0.5) / 2000  # midpoint rule on (0, 1) for prior_posterior_frame


@dataclass(frozen=True, repr=False)
class PosteriorResult:
    """Posterior of (p1, p2) and of the risk difference and ratio.

    Attributes
    ----------
    prior : its name; prior1, prior2 and posterior1, posterior2 : the arms' Beta (a, b).
    prob_greater : P(p1 > p2 | data).
    margin, prob_above_margin : P(p1 - p2 > margin | data).
    rd_mean, rd_low, rd_high : posterior mean and equal-tailed credible interval of p1 - p2.
    rr_mean, rr_low, rr_high : the same for p1 / p2 (rr_mean is inf when arm 2's posterior a <= 1).
    level : of the credible intervals. method : how they were computed.
    detail : with Monte Carlo, its estimates of the two probabilities and their standard errors.
    """

    prior: str
    prior1: tuple[float, float]
    prior2: tuple[float, float]
    posterior1: tuple[float, float]
    posterior2: tuple[float, float]
    prob_greater: float
    margin: float
    prob_above_margin: float
    rd_mean: float
    rd_low: float
    rd_high: float
    rr_mean: float
    rr_low: float
    rr_high: float
    level: float
    method: str
    detail: dict[str, float] = field(default_factory=dict, hash=False)

    def __repr__(self) -> str:
        def show(x):
            return "(" + ", ".join(_show(float(v)) for v in x) + ")" if isinstance(x, tuple) else _show(x)

        shown = (f"{f.name}={show(getattr(self, f.name))}" for f in fields(self) if getattr(self, f.name) != {})
        return f"PosteriorResult({', '.join(shown)})"


# ----------------------------------------------------------------------------- priors
def prior_parameters(
    prior: str, events2: int, n2: int, weight: float = 10.0, centre: float | None = None, effect: float | None = None
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The Beta (a, b) priors of arm 1 and arm 2 (see the module docstring); "skeptical" is "sceptical"."""
    prior = PRIOR_SPELLINGS.get(prior, prior)
    _choose("prior", prior, PRIORS)
    if effect is not None and prior != "enthusiastic":
        raise ValueError(f"effect is used only by the enthusiastic prior, not {prior!r}")
    if prior == "uniform":
        return (1.0, 1.0), (1.0, 1.0)
    if prior == "jeffreys":
        return (0.5, 0.5), (0.5, 0.5)
    if not (math.isfinite(weight) and weight > 0):
        raise ValueError(f"weight must be a finite number of patients > 0, got {weight!r}")
    c = (events2 + 0.5) / (n2 + 1) if centre is None else _open01("centre", centre)
    control = (c * weight, (1 - c) * weight)
    if prior == "sceptical":
        return control, control
    if effect is None:
        raise ValueError("the enthusiastic prior needs effect=, the clinically relevant difference p1 - p2")
    if not (math.isfinite(effect) and 0 < c + effect < 1):
        raise ValueError(f"centre + effect must be a proportion strictly between 0 and 1, got {c:g} + {effect!r}")
    return ((c + effect) * weight, (1 - c - effect) * weight), control


# ----------------------------------------------------------------------------- the difference and ratio of two Betas
def _bulk(a: float, b: float) -> tuple[float, float]:
    """The range holding all but _TAIL of each tail of Beta(a, b)."""
    return float(special.betaincinv(a, b, _TAIL)), float(special.betainccinv(a, b, _TAIL))


def _expect(g, post: tuple[float, float], lo: float, hi: float, left: float, right: float) -> float:
    """E[g(Y)] for Y ~ Beta(post), where g = ``left`` below lo and ``right`` above hi (to within _TAIL).

    The ends are Beta probabilities; only the stretch where g varies and Y has mass is integrated:
    over y when the density is bounded (a, b >= 1), else over u = F(y) below the median and
    v = 1 - F(y) above it, where a density like y^-1/2 becomes smooth. quad's warnings that it cannot
    reach 1e-14 are silenced; its own error estimate is checked instead.
    """
    (a, b), (lo_y, hi_y) = post, _bulk(*post)
    lo, hi = min(max(lo, lo_y), 1.0), max(min(hi, hi_y), 0.0)
    below, above = float(special.betainc(a, b, lo)), float(special.betaincc(a, b, hi))
    parts = []
    if hi > lo and 1 - below - above > 1e-15:
        if a >= 1 and b >= 1:
            log_beta = float(special.betaln(a, b))

            def density_g(y: float) -> float:  # by hand: scipy.stats' per-call overhead is 30x this
                if not 0 < y < 1:  # a node rounded onto an end
                    return 0.0
                return math.exp((a - 1) * math.log(y) + (b - 1) * math.log1p(-y) - log_beta) * g(y)

            inner = [float(x) for x in special.betaincinv(a, b, [0.1, 0.5, 0.9]) if lo < x < hi] or None
            parts.append((density_g, lo, hi, inner))
        else:
            parts.append((lambda u: g(special.betaincinv(a, b, u)), below, min(0.5, 1 - above), None))
            parts.append((lambda v: g(special.betainccinv(a, b, v)), above, min(0.5, 1 - below), None))
    middle = 0.0
    for f, start, end, inner in parts:
        if end - start > 1e-15:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", integrate.IntegrationWarning)
                val, err = integrate.quad(f, start, end, points=inner, epsabs=1e-14, epsrel=1e-11, limit=200)
            if err > 1e-8:
                warnings.warn(
                    f"a posterior probability is accurate to only about {err:.1g}", RuntimeWarning, stacklevel=4
                )
            middle += val
    return min(max(left * below + middle + right * above, 0.0), 1.0)


def _regular(post: tuple[float, float]) -> bool:
    return post[0] >= 1 and post[1] >= 1


def _above(post1, post2, margin: float) -> float:
    """P(p1 - p2 > margin) = E[P(p1 > p2 + margin | p2)], or over arm 1 if only its density is bounded."""
    (lo1, hi1), (lo2, hi2) = _bulk(*post1), _bulk(*post2)
    if _regular(post2) or not _regular(post1):
        g = lambda y: special.betaincc(*post1, min(max(y + margin, 0.0), 1.0))  # noqa: E731
        return _expect(g, post2, lo1 - margin, hi1 - margin, 1.0, 0.0)
    g = lambda x: special.betainc(*post2, min(max(x - margin, 0.0), 1.0))  # noqa: E731
    return _expect(g, post1, lo2 + margin, hi2 + margin, 0.0, 1.0)


def _ratio_cdf(post1, post2, r: float) -> float:
    """P(p1 / p2 <= r) = E[P(p1 <= r p2 | p2)], or over arm 1 if only its density is bounded."""
    (lo1, hi1), (lo2, hi2) = _bulk(*post1), _bulk(*post2)
    if _regular(post2) or not _regular(post1):
        return _expect(lambda y: special.betainc(*post1, min(r * y, 1.0)), post2, lo1 / r, hi1 / r, 0.0, 1.0)
    return _expect(lambda x: special.betaincc(*post2, min(x / r, 1.0)), post1, r * lo2, r * hi2, 1.0, 0.0)


def _intervals(post1, post2, level: float) -> tuple[float, float, float, float]:
    """Equal-tailed credible limits of p1 - p2 and p1 / p2, by brentq on the integrated CDFs."""
    (lo1, hi1), (lo2, hi2) = _bulk(*post1), _bulk(*post2)
    tails = ((1 - level) / 2, (1 + level) / 2)
    rd = [
        optimize.brentq(lambda d, q=q: 1 - _above(post1, post2, d) - q, lo1 - hi2, hi1 - lo2, xtol=1e-12) for q in tails
    ]
    span = math.log(max(lo1, 1e-300) / hi2), math.log(hi1 / max(lo2, 1e-300))
    rr = [
        math.exp(optimize.brentq(lambda t, q=q: _ratio_cdf(post1, post2, math.exp(t)) - q, *span, xtol=1e-12))
        for q in tails
    ]
    return rd[0], rd[1], rr[0], rr[1]


# The integrals are pure functions of the two posteriors (tuples of floats) and a number, and cost
# tens of milliseconds each: a notebook asks for the same posterior more than once (its
# sensitivity table and its figure; the parameter sweep once per value of every other parameter),
# so the results are kept (a few hundred at most; immutable floats).
@lru_cache(maxsize=1024)
def _probabilities(post1: tuple, post2: tuple, margin: float) -> tuple[float, float]:
    """P(p1 > p2) and P(p1 - p2 > margin)."""
    return _above(post1, post2, 0.0), _above(post1, post2, margin)


@lru_cache(maxsize=1024)
def _cached_intervals(post1: tuple, post2: tuple, level: float) -> tuple[float, float, float, float]:
    return _intervals(post1, post2, level)


@lru_cache(maxsize=256)
def _difference_cdf(a1: tuple, a2: tuple, points: int) -> np.ndarray:
    """The CDF of p1 - p2 at the 2 * ``points`` + 1 edges of (-1, 1), by the midpoint rule (read-only)."""
    d_edges = np.linspace(-1, 1, 2 * points + 1)
    y = special.betaincinv(*a2, _NODES)  # arm 2's quantiles: the midpoint rule in u = F2(y)
    cdf_d = special.betainc(*a1, np.clip(y[:, None] + d_edges, 0, 1)).mean(axis=0)
    cdf_d.flags.writeable = False
    return cdf_d


# ----------------------------------------------------------------------------- the posterior
def posterior(
    events1: int,
    n1: int,
    events2: int,
    n2: int,
    prior: str = "uniform",
    margin: float = 0.0,
    draws: int | None = None,
    seed: int | None = None,
    *,
    level: float = 0.95,
    weight: float = 10.0,
    centre: float | None = None,
    effect: float | None = None,
) -> PosteriorResult:
    """Beta-binomial posterior of each arm, P(p1 > p2), P(p1 - p2 > margin), and the risk difference and ratio.

    Parameters
    ----------
    events1, n1, events2, n2 : events and n of arm 1 (treatment) and arm 2 (control).
    prior : one of :data:`PRIORS`; ``weight``, ``centre`` and ``effect`` shape the informative ones
        (see the module docstring).
    margin : P(p1 - p2 > margin) is reported beside P(p1 > p2); in (-1, 1).
    draws, seed : Monte Carlo instead of numerical integration for the means and credible intervals
        (the probabilities stay exact; ``detail`` has their Monte Carlo estimates). A seed is required.
    level : of the equal-tailed credible intervals.
    """
    e1, m1, e2, m2 = _counts(events1, n1, events2, n2)
    if not (math.isfinite(margin) and -1 < margin < 1):
        raise ValueError(f"margin must be a risk difference strictly between -1 and 1, got {margin!r}")
    level = _open01("level", level)
    if draws is not None and (isinstance(draws, bool) or not isinstance(draws, int) or draws < 100):
        raise ValueError(f"draws must be a whole number >= 100, got {draws!r}")
    if (draws is None) != (seed is None):
        raise ValueError("Monte Carlo needs both draws and an explicit seed (give both, or neither for exact results)")
    pri1, pri2 = prior_parameters(prior, e2, m2, weight, centre, effect)
    post1, post2 = (pri1[0] + e1, pri1[1] + m1 - e1), (pri2[0] + e2, pri2[1] + m2 - e2)
    greater, above = _probabilities(post1, post2, float(margin))
    mean1, mean2 = post1[0] / sum(post1), post2[0] / sum(post2)
    detail = {}
    if draws is None:
        rd_mean = mean1 - mean2
        rr_mean = mean1 * (sum(post2) - 1) / (post2[0] - 1) if post2[0] > 1 else math.inf
        rd_low, rd_high, rr_low, rr_high = _cached_intervals(post1, post2, level)
        method = "conjugate Beta posteriors; integrals by quad, credible limits by brentq (equal-tailed)"
    else:
        rng = np.random.default_rng(seed)
        x1, x2 = rng.beta(*post1, size=draws), rng.beta(*post2, size=draws)
        with np.errstate(divide="ignore"):
            rd, rr = x1 - x2, x1 / x2
        tails = [(1 - level) / 2, (1 + level) / 2]
        rd_mean, rr_mean = float(rd.mean()), float(rr.mean())
        rd_low, rd_high = (float(v) for v in np.quantile(rd, tails))
        rr_low, rr_high = (float(v) for v in np.quantile(rr, tails))
        method = f"conjugate Beta posteriors; means and credible limits from {draws} Monte Carlo draws (seed {seed})"
        detail = {
            "mc_prob_greater": float((rd > 0).mean()),
            "mc_prob_greater_se": math.sqrt(greater * (1 - greater) / draws),
            "mc_prob_above_margin": float((rd > margin).mean()),
            "mc_prob_above_margin_se": math.sqrt(above * (1 - above) / draws),
        }
    return PosteriorResult(
        prior, pri1, pri2, post1, post2, greater, float(margin), above,
        rd_mean, rd_low, rd_high, rr_mean, rr_low, rr_high, level, method, detail,
    )  # fmt: skip


def prior_posterior_frame(
    events1: int,
    n1: int,
    events2: int,
    n2: int,
    prior: str = "uniform",
    points: int = 200,
    *,
    weight: float = 10.0,
    centre: float | None = None,
    effect: float | None = None,
) -> pd.DataFrame:
    """Prior and posterior densities on a grid, tidy, for plotting.

    Columns: ``quantity`` ("p1", "p2", "p1 - p2"), ``distribution`` ("prior", "posterior"), ``x`` and
    ``density``. The arms use ``points`` equal cells of (0, 1), the difference 2 * ``points`` cells of
    (-1, 1); ``x`` is a cell's midpoint and ``density`` the average density over the cell, the
    difference of the CDF at its edges divided by its width. Averages stay finite where a density
    is not (Jeffreys: at 0 and 1 for an arm, at 0 for the difference). The difference's CDF,
    integral f2(y) F1(y + d) dy = integral of F1(F2^-1(u) + d) du over (0, 1), uses the midpoint rule
    on 2,000 values of u, for every edge at once: good to about 1e-6, plenty for a plot
    (:func:`posterior` integrates adaptively).
    """
    e1, m1, e2, m2 = _counts(events1, n1, events2, n2)
    if isinstance(points, bool) or not isinstance(points, int) or points < 10:
        raise ValueError(f"points must be a whole number >= 10, got {points!r}")
    pri1, pri2 = prior_parameters(prior, e2, m2, weight, centre, effect)
    post1, post2 = (pri1[0] + e1, pri1[1] + m1 - e1), (pri2[0] + e2, pri2[1] + m2 - e2)
    edges, d_edges = np.linspace(0, 1, points + 1), np.linspace(-1, 1, 2 * points + 1)
    parts = []
    for label, (a1, a2) in (("prior", (pri1, pri2)), ("posterior", (post1, post2))):
        cdf_d = _difference_cdf(tuple(map(float, a1)), tuple(map(float, a2)), points)
        cdfs = (
            ("p1", edges, special.betainc(*a1, edges)),
            ("p2", edges, special.betainc(*a2, edges)),
            ("p1 - p2", d_edges, cdf_d),
        )
        for quantity, grid, cdf in cdfs:
            mid, density = (grid[1:] + grid[:-1]) / 2, np.diff(cdf) / np.diff(grid)
            parts.append(pd.DataFrame({"quantity": quantity, "distribution": label, "x": mid, "density": density}))
    return pd.concat(parts, ignore_index=True)
