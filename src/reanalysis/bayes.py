"""Bayesian reanalysis of a 2x2 table under named priors.

Arm 1 is the treatment arm, arm 2 the control; p1 and p2 are their rates, the effect is the risk
difference p1 - p2 (a benefit is p1 > p2: here the outcome is a good one, a remission or a target
reached) and the risk ratio p1 / p2.

Priors (:data:`PRIORS`; :func:`describe_prior` gives each in words and numbers):

- "uniform": Beta(1, 1) for each arm's rate.
- "jeffreys": Beta(1/2, 1/2) for each arm's rate.
- "sceptical" (also spelled "skeptical"): a normal prior on the effect, centred on no effect
  (mean 0), with its SD chosen so that the prior gives only a 5% probability to a benefit at least
  as large as the hypothesised one ``effect`` (SD = effect / 1.645). Spiegelhalter, Freedman &
  Parmar (JRSS A 1994;157:357); Spiegelhalter, Abrams & Myles, *Bayesian Approaches to Clinical
  Trials and Health-Care Evaluation* (Wiley 2004); used by Goligher et al. (JAMA 2018;320:2251)
  for the EOLIA trial of ECMO.
- "enthusiastic": its mirror image: centred on the hypothesised effect (mean ``effect``), with the
  same SD, so that it gives a 5% probability to no benefit or harm (effect <= 0).

``effect`` is the benefit each trial was designed to detect. Neither trial analysed here states a
sample-size calculation (zang2022 prints none; lu2021 only a post hoc power), so the notebooks use
the clinically important difference they take as ``margin`` (a risk difference, default 0.1), and
say so. It is a parameter, never estimated from the data: no prior here depends on the observed
counts.

The scale of the sceptical and enthusiastic priors is the risk difference, not the log odds ratio:
the clinically important difference is stated as a risk difference and P(benefit > margin) is
reported on that scale, so prior, hypothesis and reported probability share one scale, and
converting a difference into an odds ratio would need an assumed control rate (which the trials
do not state, and the observed one would use the data twice). Because both rates must lie in
(0, 1), the model is

    effect ~ Normal(mean, SD) truncated to (-1, 1),
    p2 | effect ~ Uniform(max(0, -effect), min(1, 1 - effect)),   p1 = p2 + effect,

a flat prior on the control rate over the values that keep both rates proper, so the marginal
prior on the effect is exactly the (truncated) normal, whatever the data. The truncation changes
the stated 5% by less than 1e-7 while the hypothesised effect is at most 0.25 (by 2e-8 for the
enthusiastic prior at 0.25); :func:`describe_prior` reports the truncated prior's own numbers for
any effect. The posterior density of the effect is

    g(d) ∝ Normal(d; mean, SD) / (1 - |d|) * integral over p2 of Bin(e2 | n2, p2) Bin(e1 | n1, p2 + d) dp2,

the inner integral over the feasible p2 by Gauss-Legendre quadrature with more than (n1 + n2) / 2
nodes, exact for its polynomial integrand (computed in logarithms); the outer integral over d by
composite Gauss-Legendre quadrature on panels covering the posterior's bulk (a kink at d = 0 is a
panel edge). P(benefit), P(benefit > margin), the mean and the equal-tailed credible interval of the
risk difference follow (limits by ``scipy.optimize.brentq`` on the integrated CDF). The risk ratio
needs the joint posterior and is not computed under these two priors (NaN; use the risk difference).
Monte Carlo is not offered for them either: tests/reference/sensitivity_reference.R checks them
with R's ``integrate`` instead.

Under "uniform" and "jeffreys" each arm's posterior is Beta(a + x, b + n - x) in closed form.
P(p1 - p2 > m) = integral of f2(y) P(p1 > y + m) dy (P(p1 > p2) is m = 0), taken over the arm with the
smaller SD (so that the other arm's CDF is smooth across it), over the stretch where both the density
and that CDF vary, the rest as Beta tail probabilities; P(p1 / p2 <= r) the same way, over whichever
arm needs fewer panels. The integrals use a fixed composite rule, vectorised: 10-node Gauss-Legendre
panels, each at most two SDs wide, on pieces split where the integrand may have a power-law kink or
an unbounded density (0 and 1, and where the other arm's argument reaches 0 or 1), each half-piece
mapped by y = end + c t^2 so that such powers (half-integer or whole under these priors) become
polynomials. Every number is checked: the same rule with twice the panels must agree to 1e-12
(relative, for a probability; for a credible limit, the CDF there must be its level to 1e-12), else
the panels are doubled, and failing that the number is recomputed by adaptive quadrature
(``scipy.integrate.quad``). The equal-tailed credible intervals invert the CDFs of p1 - p2 and p1 / p2
with ``scipy.optimize.brentq`` (xtol 1e-12), from a bracket grown about a normal approximation's
guess. The posterior means are closed forms (E[p1/p2] = E[p1] E[1/p2], finite when arm 2's posterior
a > 1). Monte Carlo (``draws``) is there to check these, and only with an explicit ``seed``, so that a
result repeats.

The two vague priors put the prior on each rate, not on the effect: the effect prior they imply
(the difference of two Betas, centred on 0, SD 0.41 and 0.50) is what :func:`describe_prior`
reports for them.
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

__all__ = [
    "PRIORS",
    "EFFECT_PRIORS",
    "PosteriorResult",
    "PriorSummary",
    "beta_priors",
    "effect_prior",
    "describe_prior",
    "prior_table",
    "posterior",
    "prior_posterior_frame",
]

#: The priors set on the effect (the risk difference), centred by the hypothesised benefit.
EFFECT_PRIORS = ("sceptical", "enthusiastic")
#: P(benefit >= the hypothesised effect) under the sceptical prior, and P(no benefit or harm) under
#: the enthusiastic one (Spiegelhalter's convention).
TAIL = 0.05
_Z = float(special.ndtri(1 - TAIL))  # 1.6449: the SD is the hypothesised effect / _Z

_TAIL = 1e-15  # mass of each tail of a Beta treated as 0 (its bulk lies between)
_NODES = (np.arange(2000) + 0.5) / 2000  # midpoint rule on (0, 1) for prior_posterior_frame
_MAX_EFFECT_N = 10_000  # n1 + n2 the effect priors' quadrature takes (nodes grow with n)
_NAN2 = (math.nan, math.nan)


@dataclass(frozen=True, repr=False)
class PosteriorResult:
    """Posterior of the risk difference and ratio under one prior.

    Attributes
    ----------
    prior : its name. prior1, prior2 and posterior1, posterior2 : the arms' Beta (a, b) under the
        uniform and Jeffreys priors; (nan, nan) under the effect priors, whose arms are not Betas.
    effect_prior : (mean, SD) of the normal prior on the risk difference under the sceptical and
        enthusiastic priors; (nan, nan) under the others.
    prob_greater : P(p1 > p2 | data), the posterior probability of a benefit.
    margin, prob_above_margin : P(p1 - p2 > margin | data).
    rd_mean, rd_low, rd_high : posterior mean and equal-tailed credible interval of p1 - p2.
    rr_mean, rr_low, rr_high : the same for p1 / p2 (rr_mean is inf when arm 2's posterior a <= 1;
        all three nan under the effect priors).
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
    effect_prior: tuple[float, float] = _NAN2
    detail: dict[str, float] = field(default_factory=dict, hash=False)

    def __repr__(self) -> str:
        def show(x):
            return "(" + ", ".join(_show(float(v)) for v in x) + ")" if isinstance(x, tuple) else _show(x)

        def shown(name):
            value = getattr(self, name)
            return value != {} and not (isinstance(value, tuple) and all(math.isnan(v) for v in value))

        parts = (f"{f.name}={show(getattr(self, f.name))}" for f in fields(self) if shown(f.name))
        return f"PosteriorResult({', '.join(parts)})"


# ----------------------------------------------------------------------------- priors
def _name(prior: str) -> str:
    prior = PRIOR_SPELLINGS.get(prior, prior)
    return _choose("prior", prior, PRIORS)


def beta_priors(prior: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The Beta (a, b) priors of arm 1 and arm 2 under "uniform" or "jeffreys"."""
    prior = _name(prior)
    if prior in EFFECT_PRIORS:
        raise ValueError(f"the {prior} prior is a normal prior on the effect, not a Beta prior per arm")
    return ((1.0, 1.0), (1.0, 1.0)) if prior == "uniform" else ((0.5, 0.5), (0.5, 0.5))


def effect_prior(prior: str, effect: float) -> tuple[float, float]:
    """(mean, SD) of the normal prior on the risk difference p1 - p2 (see the module docstring).

    ``effect`` is the hypothesised benefit, a risk difference in (0, 1). The sceptical prior is
    centred on 0 with P(effect >= ``effect``) = 5%; the enthusiastic prior is centred on ``effect``
    with P(effect <= 0) = 5%; both have SD = ``effect`` / 1.645.
    """
    prior = _name(prior)
    if prior not in EFFECT_PRIORS:
        raise ValueError(f"the {prior} prior is a Beta prior per arm, not a prior on the effect")
    number = isinstance(effect, int | float) and not isinstance(effect, bool)
    if not (number and math.isfinite(effect) and 0 < effect < 1):
        raise ValueError(f"effect, the hypothesised benefit, must be a risk difference in (0, 1), got {effect!r}")
    sd = float(effect) / _Z
    return (0.0 if prior == "sceptical" else float(effect)), sd


_WORDS = {
    "uniform": "a flat prior on each arm's rate, Beta(1, 1), the two arms independent",
    "jeffreys": "Jeffreys' prior on each arm's rate, Beta(1/2, 1/2), the two arms independent",
    "sceptical": "a normal prior on the risk difference centred on no effect, with a {tail:.0%} probability "
    "of a benefit at least as large as the hypothesised {effect:g}",
    "enthusiastic": "a normal prior on the risk difference centred on the hypothesised benefit of {effect:g}, "
    "with a {tail:.0%} probability of no benefit or harm",
}


@dataclass(frozen=True)
class PriorSummary:
    """A prior in words and numbers, on the effect scale (the risk difference p1 - p2).

    Attributes
    ----------
    prior, words : its name, and what it is in a sentence.
    effect : the hypothesised benefit the effect priors are built from.
    mean, sd : of the risk difference under the prior (computed, for every prior).
    prob_benefit : P(p1 - p2 > 0) under the prior.
    prob_at_least_effect : P(p1 - p2 >= effect) under the prior.
    prob_no_benefit : P(p1 - p2 <= 0) under the prior.
    low, high : the central 95% interval of the risk difference under the prior.
    """

    prior: str
    words: str
    effect: float
    mean: float
    sd: float
    prob_benefit: float
    prob_at_least_effect: float
    prob_no_benefit: float
    low: float
    high: float


def describe_prior(prior: str, effect: float) -> PriorSummary:
    """A prior in words and in numbers: the mean and SD of the risk difference it implies, and the
    probabilities it gives to a benefit, to a benefit of at least ``effect``, and to none.

    Every number is computed: for the effect priors with the same quadrature :func:`posterior` uses
    (with no data), for the vague priors from the two arms' Beta priors.
    """
    prior = _name(prior)
    words = _WORDS[prior].format(effect=effect, tail=TAIL)
    if prior in EFFECT_PRIORS:
        post = _EffectPosterior(0, 0, 0, 0, *effect_prior(prior, effect))
        mean, sd = post.mean, post.sd
        benefit, at_least = 1 - post.cdf(0.0), 1 - post.cdf(effect)
        low, high = post.quantile(0.025), post.quantile(0.975)
    else:
        if not (isinstance(effect, int | float) and math.isfinite(effect) and 0 < effect < 1):
            raise ValueError(f"effect must be a risk difference in (0, 1), got {effect!r}")
        pri1, pri2 = beta_priors(prior)
        mean = pri1[0] / sum(pri1) - pri2[0] / sum(pri2)
        var = sum(a * b / ((a + b) ** 2 * (a + b + 1)) for a, b in (pri1, pri2))
        sd = math.sqrt(var)
        benefit, at_least = _probability_above(pri1, pri2, 0.0), _probability_above(pri1, pri2, float(effect))
        low, high, _, _ = _cached_intervals(pri1, pri2, 0.95)
    return PriorSummary(prior, words, float(effect), mean, sd, benefit, at_least, 1 - benefit, low, high)


def prior_table(effect: float) -> pd.DataFrame:
    """:func:`describe_prior` for every named prior, one row each (index: the prior)."""
    rows = [describe_prior(p, effect) for p in PRIORS]
    return pd.DataFrame(
        {
            "in words": [r.words for r in rows],
            "mean": [r.mean for r in rows],
            "SD": [r.sd for r in rows],
            "low": [r.low for r in rows],
            "high": [r.high for r in rows],
            "P(benefit)": [r.prob_benefit for r in rows],
            f"P(benefit >= {effect:g})": [r.prob_at_least_effect for r in rows],
            "P(no benefit or harm)": [r.prob_no_benefit for r in rows],
        },
        index=pd.Index(PRIORS, name="prior"),
    )


# ----------------------------------------------------------------------------- the effect priors' posterior
_x, _w = special.roots_legendre(10)
_GL_PANEL = ((_x + 1) / 2, _w / 2)  # 10 Gauss-Legendre nodes and weights on (0, 1)


class _EffectPosterior:
    """The posterior of d = p1 - p2 under a normal prior on d and, given d, a flat prior on p2 over
    the values keeping both rates in (0, 1) (module docstring). With no data it is the prior.

    Inner integral over p2 by Gauss-Legendre (exact for the polynomial likelihood); outer by 10-node
    Gauss-Legendre on 120 panels across the bulk of the posterior, d = 0 an edge.
    """

    def __init__(self, e1: int, n1: int, e2: int, n2: int, mean: float, sd: float):
        if n1 + n2 > _MAX_EFFECT_N:
            raise ValueError(
                f"the sceptical and enthusiastic priors take at most {_MAX_EFFECT_N:,} participants in all "
                f"(n1 + n2 = {n1 + n2:,}); the vague priors take any n"
            )
        self.counts, self.mean_prior, self.sd_prior = (e1, n1, e2, n2), mean, sd
        self._t, logw = _legendre01(max(16, (n1 + n2) // 2 + 2))
        log_t, log_1mt = np.log(self._t), np.log1p(-self._t)
        # The parts of the log-likelihood at each inner node that do not depend on d (see _log_g).
        self._inner = (e2 * log_t + (n1 - e1) * log_1mt + logw, e1 * log_t + (n2 - e2) * log_1mt + logw)
        coarse = np.linspace(-1, 1, 401)[1:-1]
        lg = self._log_g(coarse)
        keep = np.flatnonzero(lg > lg.max() - 60)
        lo = -1.0 if keep[0] == 0 else float(coarse[keep[0] - 1])
        hi = 1.0 if keep[-1] == len(coarse) - 1 else float(coarse[keep[-1] + 1])
        edges = np.linspace(lo, hi, 121)
        if lo < 0 < hi:
            edges = np.unique(np.append(edges, 0.0))
        self.edges = edges
        widths = np.diff(edges)
        x = edges[:-1, None] + widths[:, None] * _GL_PANEL[0][None, :]
        lgx = self._log_g(x.ravel()).reshape(x.shape)
        self._top = float(lgx.max())
        gw = np.exp(lgx - self._top) * _GL_PANEL[1][None, :] * widths[:, None]
        self._cum = np.concatenate([[0.0], np.cumsum(gw.sum(axis=1))])
        self._z = float(self._cum[-1])
        self.mean = float((gw * x).sum() / self._z)
        self.sd = float(math.sqrt(max((gw * (x - self.mean) ** 2).sum() / self._z, 0.0)))

    def _log_g(self, d: np.ndarray) -> np.ndarray:
        """log of the unnormalised posterior density of d (binomial coefficients left out).

        With w = 1 - |d| and p2 = w t (d >= 0) or p1 = w t (d < 0), t the inner node: for d >= 0,
        p1 = d + w t, 1 - p1 = w (1 - t), 1 - p2 = 1 - w t; for d < 0, p2 = |d| + w t, 1 - p2 = w (1 - t),
        1 - p1 = 1 - w t. So each term is a power of w, a function of t alone (kept in ``_inner``), and
        powers of |d| + w t and 1 - w t: two logarithms per node.
        """
        e1, n1, e2, n2 = self.counts
        d = np.asarray(d, dtype=float)
        out = -0.5 * ((d - self.mean_prior) / self.sd_prior) ** 2
        if n1 + n2 == 0:
            return out
        logh = np.empty_like(d)
        t = self._t
        for start in range(0, d.size, 256):
            dd = d[start : start + 256]
            pos = (dd >= 0)[:, None]
            w = 1 - np.abs(dd)
            wt = w[:, None] * t[None, :]
            terms = np.where(pos, self._inner[0], self._inner[1])
            terms += np.where(pos, e1, e2) * np.log(np.abs(dd)[:, None] + wt)
            terms += np.where(pos, n2 - e2, n1 - e1) * np.log1p(-wt)
            top = terms.max(axis=1)
            logh[start : start + 256] = (
                np.log(np.exp(terms - top[:, None]).sum(axis=1)) + top
                + np.where(dd >= 0, n1 - e1 + e2, e1 + n2 - e2) * np.log(w)
            )  # fmt: skip
        return out + logh

    def _partial(self, i: int, x: float) -> float:
        """Unnormalised mass from edges[i] to x (x within panel i)."""
        a = self.edges[i]
        if x <= a:
            return 0.0
        nodes = a + (x - a) * _GL_PANEL[0]
        return float((np.exp(self._log_g(nodes) - self._top) * _GL_PANEL[1]).sum() * (x - a))

    def cdf(self, x: float) -> float:
        """P(d <= x)."""
        if x <= self.edges[0]:
            return 0.0
        if x >= self.edges[-1]:
            return 1.0
        i = int(np.searchsorted(self.edges, x, side="right") - 1)
        return min(max(float((self._cum[i] + self._partial(i, x)) / self._z), 0.0), 1.0)

    def cdfs(self, xs: np.ndarray) -> np.ndarray:
        """P(d <= x) for each of ``xs``: :meth:`cdf`, every x at once (one call of the density)."""
        xs = np.asarray(xs, dtype=float)
        out = np.clip(np.sign(xs - self.edges[0]), 0.0, 1.0)  # 0 at or below the first edge, else 1
        inside = (xs > self.edges[0]) & (xs < self.edges[-1])
        x = xs[inside]
        i = np.searchsorted(self.edges, x, side="right") - 1
        a = self.edges[i]
        nodes = a[:, None] + (x - a)[:, None] * _GL_PANEL[0][None, :]
        g = np.exp(self._log_g(nodes.ravel()).reshape(nodes.shape) - self._top)
        partial = np.where(x <= a, 0.0, (g * _GL_PANEL[1][None, :]).sum(axis=1) * (x - a))
        out[inside] = np.clip((self._cum[i] + partial) / self._z, 0.0, 1.0)
        return out

    def quantile(self, q: float) -> float:
        target = q * self._z
        i = int(np.clip(np.searchsorted(self._cum, target) - 1, 0, len(self.edges) - 2))
        a, b = self.edges[max(i - 1, 0)], self.edges[min(i + 2, len(self.edges) - 1)]
        return float(optimize.brentq(lambda x: self.cdf(x) - q, a, b, xtol=1e-14))


@lru_cache(maxsize=64)
def _legendre01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes on (0, 1) and the logs of their weights (read-only; kept, as they take 25 ms
    for n = 1,000)."""
    x, w = special.roots_legendre(n)
    t, logw = (x + 1) / 2, np.log(w / 2)
    t.flags.writeable = logw.flags.writeable = False
    return t, logw


# ----------------------------------------------------------------------------- the difference and ratio of two Betas
def _bulk(a: float, b: float) -> tuple[float, float]:
    """The range holding all but _TAIL of each tail of Beta(a, b)."""
    return float(special.betaincinv(a, b, _TAIL)), float(special.betainccinv(a, b, _TAIL))


def _sd(post: tuple[float, float]) -> float:
    a, b = post
    return math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))


def _graded(points, scale: float, refine: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes y, 1 - y and weights of a composite rule for the integral over each piece between ``points``.

    Each piece is halved, and each half mapped by y = end + (half its length) t^2 from the piece's end,
    t in (0, 1) cut into equal panels of 10 Gauss-Legendre nodes, enough that a panel spans at most
    2 ``scale`` in y (``scale`` is an SD; panels of one SD gave the same numbers to 1e-15 at twice the
    cost), and at least 3 (so that a singular point at the piece's far end, at t = 2^(1/2), costs less
    than 1e-16), times ``refine``. The map makes y^(k/2) (the density of Beta(1/2, b) at 0,
    a Beta(a, b) CDF at its 0 with a half-integer or whole a) a polynomial in t, so an end where the
    integrand has such a power behaves like any other point.
    """
    ys, yms, ws = [], [], []
    for lo, hi in zip(points[:-1], points[1:], strict=True):
        half = (hi - lo) / 2
        k = refine * max(3, math.ceil(half / scale))
        t = ((np.arange(k)[:, None] + _GL_PANEL[0][None, :]) / k).ravel()
        w = np.tile(_GL_PANEL[1] / k, k) * (2 * half) * t
        s = half * t * t
        ys += [lo + s, hi - s]
        yms += [(1 - lo) - s, (1 - hi) + s]
        ws += [w, w]
    return np.concatenate(ys), np.concatenate(yms), np.concatenate(ws)


@lru_cache(maxsize=1024)
def _support(post: tuple[float, float]) -> tuple[float, float, float, float, float]:
    """(lo, hi, log c, log(1 - c), log z) for Beta(post): its bulk (:func:`_bulk`), reaching the end 0 (1)
    where the density is unbounded there; and its density written about its mean c,
    exp((a - 1) (log y - log c) + (b - 1) (log(1 - y) - log(1 - c)) - log z), with z the integral of
    that over the bulk by the rule of :func:`_graded`, divided by the bulk's mass (``special.betaln``
    is off by about 1e-12 for parameters in the thousands; this normalisation is good to 1e-15).
    """
    a, b = post
    lo, hi = _bulk(a, b)
    lo, hi = (0.0 if a < 1 else lo), (1.0 if b < 1 else hi)
    c = a / (a + b)
    lc, l1c = math.log(c), math.log1p(-c)
    y, ym, w = _graded((lo, hi), _sd(post), 2)
    u = (a - 1) * (np.log(y) - lc) + (b - 1) * (np.log(ym) - l1c)
    top = float(u.max())
    mass = 1 - float(special.betainc(a, b, lo)) - float(special.betaincc(a, b, hi))
    return lo, hi, lc, l1c, top + math.log(float((w * np.exp(u - top)).sum()) / mass)


def _expect(g, post, lo: float, hi: float, left: float, right: float, scale: float, kinks, refine: int = 1) -> float:
    """E[g(Y)] for Y ~ Beta(post), where g = ``left`` below lo and ``right`` above hi (to within _TAIL).

    The ends are Beta probabilities; the stretch where g varies and Y has mass is integrated by the
    rule of :func:`_graded`, its pieces split at ``kinks`` (where g may have a power-law kink: the
    other arm's 0 and 1) and at 0 and 1 (where the density may be unbounded), and reaching out to
    such a point when it lies within one panel's width (2 ``scale``) of the stretch and no farther than
    the stretch is long (farther, its effect on a 10-node panel is below 1e-15). g(y, 1 - y) is vectorised
    (``special.betaincc`` is ten times slower than ``betainc``, so a survival function is written
    I(b, a; 1 - x)).
    """
    a, b = post
    slo, shi, lc, l1c, log_z = _support(post)
    lo, hi = min(max(lo, slo), 1.0), max(min(hi, shi), 0.0)
    middle = 0.0
    if hi > lo:
        ends = [s for s in (0.0, 1.0, *kinks) if 0 <= s <= 1]
        reach = min(hi - lo, 2 * scale)
        lo = min([s for s in ends if lo - reach <= s < lo], default=lo)
        hi = max([s for s in ends if hi < s <= hi + reach], default=hi)
        y, ym, w = _graded(sorted({lo, hi, *(s for s in ends if lo < s < hi)}), scale, refine)
        density = np.exp((a - 1) * (np.log(y) - lc) + (b - 1) * (np.log(ym) - l1c) - log_z)
        middle = float((w * density) @ g(y, ym))
    below, above = float(special.betainc(a, b, lo)), float(special.betaincc(a, b, hi))
    return min(max(left * below + middle + right * above, 0.0), 1.0)


def _above(post1, post2, margin: float, refine: int = 1) -> float:
    """P(p1 - p2 > margin), over the arm with the smaller SD (the other's CDF is then smooth across it):
    E[P(p1 > p2 + margin | p2)] or E[P(p2 < p1 - margin | p1)]."""
    (lo1, hi1), (lo2, hi2) = _support(post1)[:2], _support(post2)[:2]
    (a1, b1), (a2, b2) = post1, post2
    if _sd(post2) <= _sd(post1):  # P(p1 > y + m) = I(b1, a1; 1 - y - m)
        g = lambda y, ym: special.betainc(b1, a1, np.clip(ym - margin, 0.0, 1.0))  # noqa: E731
        return _expect(g, post2, lo1 - margin, hi1 - margin, 1.0, 0.0, _sd(post2), (-margin, 1 - margin), refine)
    g = lambda x, xm: special.betainc(a2, b2, np.clip(x - margin, 0.0, 1.0))  # noqa: E731
    return _expect(g, post1, lo2 + margin, hi2 + margin, 0.0, 1.0, _sd(post1), (margin, 1 + margin), refine)


def _ratio_cdf(post1, post2, r: float, refine: int = 1) -> float:
    """P(p1 / p2 <= r) = E[P(p1 <= r p2 | p2)] or E[P(p2 >= p1 / r | p1)], whichever needs fewer panels."""
    (lo1, hi1), (lo2, hi2) = _support(post1)[:2], _support(post2)[:2]
    (a1, b1), (a2, b2) = post1, post2
    sd1, sd2 = _sd(post1), _sd(post2)
    scale2, scale1 = min(sd2, sd1 / r), min(sd1, r * sd2)
    if (min(hi1 / r, hi2) - max(lo1 / r, lo2)) / scale2 <= (min(r * hi2, hi1) - max(r * lo2, lo1)) / scale1:
        g = lambda y, ym: special.betainc(a1, b1, np.minimum(r * y, 1.0))  # noqa: E731
        return _expect(g, post2, lo1 / r, hi1 / r, 0.0, 1.0, scale2, (1 / r,), refine)
    g = lambda x, xm: special.betainc(b2, a2, np.maximum(1 - x / r, 0.0))  # P(p2 >= x / r) = I(b2, a2; 1 - x / r)  # noqa: E731
    return _expect(g, post1, r * lo2, r * hi2, 1.0, 0.0, scale1, (r,), refine)


# Every number the rule gives is checked: the same rule with twice the panels must agree with it to
# within _AGREE (relative, for a probability; absolute, for the CDF at a credible limit), else the rule
# is refined (twice, then four times the panels) and, failing that, the number is recomputed by
# adaptive quadrature (_quad_*).
_AGREE = 1e-12
_REFINE = (1, 2, 4)


def _probability_above(post1, post2, margin: float) -> float:
    """P(p1 - p2 > margin) by the rule, checked (see _AGREE)."""
    for refine in _REFINE:
        fine = _above(post1, post2, margin, 2 * refine)
        if abs(fine - _above(post1, post2, margin, refine)) <= _AGREE * fine:
            return fine
    return _quad_above(post1, post2, margin)


def _limit(cdf, q: float, lo: float, hi: float, start: float, step: float) -> float:
    """The x in (lo, hi) with cdf(x) = q, by brentq (xtol 1e-12) on a bracket grown from ``start`` in
    steps doubling from ``step`` (a normal approximation's guess and SD/2: fewer evaluations than (lo, hi))."""
    f = lambda x: cdf(x) - q  # noqa: E731
    a = min(max(start, lo), hi)
    fa = f(a)
    if fa == 0:
        return a
    sign = 1.0 if fa < 0 else -1.0
    while True:
        b = min(max(a + sign * step, lo), hi)
        fb = f(b)
        if fb == 0:
            return b
        if (fb > 0) != (fa > 0) or b in (lo, hi):
            break
        a, fa, step = b, fb, 2 * step
    known = {a: fa, b: fb}  # brentq starts by evaluating the bracket's ends: they are known

    def g(x):
        return known.pop(x) if x in known else f(x)

    return optimize.brentq(g, min(a, b), max(a, b), xtol=1e-12)


def _checked_limit(cdf, quad_cdf, q: float, span: tuple[float, float], start: float, step: float) -> float:
    """The x with cdf(x, refine) = q (:func:`_limit`), standing when cdf(x, 2 refine) is within _AGREE of q;
    else refined, and failing that found by brentq on ``quad_cdf``."""
    for refine in _REFINE:
        x = _limit(lambda x: cdf(x, refine), q, *span, start, step)  # noqa: B023 (called before refine changes)
        if abs(cdf(x, 2 * refine) - q) <= _AGREE:
            return x
    return optimize.brentq(lambda x: quad_cdf(x) - q, *span, xtol=1e-12)


def _intervals(post1, post2, level: float) -> tuple[float, float, float, float]:
    """Equal-tailed credible limits of p1 - p2 and p1 / p2 (the ratio's found on log r), by brentq on the
    CDFs by the rule, each checked (:func:`_checked_limit`)."""
    (lo1, hi1), (lo2, hi2) = _bulk(*post1), _bulk(*post2)
    (a1, b1), (a2, b2) = post1, post2
    m1, m2, sd1, sd2 = a1 / (a1 + b1), a2 / (a2 + b2), _sd(post1), _sd(post2)
    rd_span, rd_sd = (lo1 - hi2, hi1 - lo2), math.hypot(sd1, sd2)
    rr_span = math.log(max(lo1, 1e-300) / hi2), math.log(hi1 / max(lo2, 1e-300))
    rr_sd = math.hypot(sd1 / m1, sd2 / m2)  # of log(p1 / p2), by the delta method: a starting guess only

    def rd_cdf(d, refine):
        return 1 - _above(post1, post2, d, refine)

    def rr_cdf(t, refine):
        return _ratio_cdf(post1, post2, math.exp(t), refine)

    def rd_quad(d):
        return 1 - _quad_above(post1, post2, d)

    def rr_quad(t):
        return _quad_ratio_cdf(post1, post2, math.exp(t))

    rd, rr = [], []
    for q in ((1 - level) / 2, (1 + level) / 2):
        z = float(special.ndtri(q))
        rd.append(_checked_limit(rd_cdf, rd_quad, q, rd_span, m1 - m2 + z * rd_sd, rd_sd / 2))
        rr.append(_checked_limit(rr_cdf, rr_quad, q, rr_span, math.log(m1 / m2) + z * rr_sd, rr_sd / 2))
    return rd[0], rd[1], math.exp(rr[0]), math.exp(rr[1])


# ----------------------------------------------------------------------------- the same by adaptive quadrature
def _quad_expect(g, post: tuple[float, float], lo: float, hi: float, left: float, right: float) -> float:
    """E[g(Y)] for Y ~ Beta(post), where g = ``left`` below lo and ``right`` above hi (to within _TAIL), by
    adaptive quadrature: the fallback of the rule above (and, in the tests, a check of it).

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


def _quad_above(post1, post2, margin: float) -> float:
    """P(p1 - p2 > margin) = E[P(p1 > p2 + margin | p2)], or over arm 1 if only its density is bounded."""
    (lo1, hi1), (lo2, hi2) = _bulk(*post1), _bulk(*post2)
    if _regular(post2) or not _regular(post1):
        g = lambda y: special.betaincc(*post1, min(max(y + margin, 0.0), 1.0))  # noqa: E731
        return _quad_expect(g, post2, lo1 - margin, hi1 - margin, 1.0, 0.0)
    g = lambda x: special.betainc(*post2, min(max(x - margin, 0.0), 1.0))  # noqa: E731
    return _quad_expect(g, post1, lo2 + margin, hi2 + margin, 0.0, 1.0)


def _quad_ratio_cdf(post1, post2, r: float) -> float:
    """P(p1 / p2 <= r) = E[P(p1 <= r p2 | p2)], or over arm 1 if only its density is bounded."""
    (lo1, hi1), (lo2, hi2) = _bulk(*post1), _bulk(*post2)
    if _regular(post2) or not _regular(post1):
        return _quad_expect(lambda y: special.betainc(*post1, min(r * y, 1.0)), post2, lo1 / r, hi1 / r, 0.0, 1.0)
    return _quad_expect(lambda x: special.betaincc(*post2, min(x / r, 1.0)), post1, r * lo2, r * hi2, 1.0, 0.0)


# The integrals are pure functions of the two posteriors (tuples of floats) and a number, and cost
# tens of milliseconds each: a notebook asks for the same posterior more than once (its
# sensitivity table and its figure; the parameter sweep once per value of every other parameter),
# so the results are kept (a few hundred at most; immutable floats).
@lru_cache(maxsize=1024)
def _probabilities(post1: tuple, post2: tuple, margin: float) -> tuple[float, float]:
    """P(p1 > p2) and P(p1 - p2 > margin)."""
    greater = _probability_above(post1, post2, 0.0)
    return greater, (greater if margin == 0 else _probability_above(post1, post2, margin))


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
def _resolve_effect(prior: str, effect: float | None, margin: float) -> float | None:
    """The hypothesised benefit an effect prior is built on: ``effect``, else a positive ``margin``."""
    if prior not in EFFECT_PRIORS:
        return None
    if effect is None:
        if margin > 0:
            return float(margin)
        raise ValueError(
            f"the {prior} prior needs effect=, the hypothesised benefit (a risk difference in (0, 1)), or a margin > 0"
        )
    return effect


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
    effect: float | None = None,
) -> PosteriorResult:
    """The posterior of the risk difference (and, under the vague priors, the ratio): P(p1 > p2),
    P(p1 - p2 > margin), the posterior mean and an equal-tailed credible interval.

    Parameters
    ----------
    events1, n1, events2, n2 : events and n of arm 1 (treatment) and arm 2 (control).
    prior : one of :data:`PRIORS` (see the module docstring; "skeptical" is "sceptical").
    margin : P(p1 - p2 > margin) is reported beside P(p1 > p2); in (-1, 1).
    effect : the hypothesised benefit (a risk difference) the sceptical and enthusiastic priors are
        built on; by default ``margin`` (when > 0). Ignored by the uniform and Jeffreys priors.
    draws, seed : Monte Carlo instead of numerical integration for the means and credible intervals
        under the uniform and Jeffreys priors (the probabilities stay exact; ``detail`` has their
        Monte Carlo estimates). A seed is required.
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
    prior = _name(prior)
    tails = ((1 - level) / 2, (1 + level) / 2)
    if prior in EFFECT_PRIORS:
        if draws is not None:
            raise ValueError(f"Monte Carlo is offered for the uniform and Jeffreys priors, not the {prior} prior")
        mean, sd = effect_prior(prior, _resolve_effect(prior, effect, margin))
        post = _EffectPosterior(e1, m1, e2, m2, mean, sd)
        greater, above = 1 - post.cdf(0.0), 1 - post.cdf(float(margin))
        return PosteriorResult(
            prior, _NAN2, _NAN2, _NAN2, _NAN2, greater, float(margin), above,
            post.mean, post.quantile(tails[0]), post.quantile(tails[1]), math.nan, math.nan, math.nan, level,
            "normal prior on the risk difference, flat prior on the control rate given it; Gauss-Legendre "
            "quadrature over (control rate, risk difference), credible limits by brentq (equal-tailed)",
            (mean, sd),
        )  # fmt: skip
    pri1, pri2 = beta_priors(prior)
    post1, post2 = (pri1[0] + e1, pri1[1] + m1 - e1), (pri2[0] + e2, pri2[1] + m2 - e2)
    greater, above = _probabilities(post1, post2, float(margin))
    mean1, mean2 = post1[0] / sum(post1), post2[0] / sum(post2)
    detail = {}
    if draws is None:
        rd_mean = mean1 - mean2
        rr_mean = mean1 * (sum(post2) - 1) / (post2[0] - 1) if post2[0] > 1 else math.inf
        rd_low, rd_high, rr_low, rr_high = _cached_intervals(post1, post2, level)
        method = (
            "conjugate Beta posteriors; integrals by composite Gauss-Legendre rules, each checked against the rule "
            "with twice the panels (adaptive quad where they disagree), credible limits by brentq (equal-tailed)"
        )
    else:
        rng = np.random.default_rng(seed)
        x1, x2 = rng.beta(*post1, size=draws), rng.beta(*post2, size=draws)
        with np.errstate(divide="ignore"):
            rd, rr = x1 - x2, x1 / x2
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
        rd_mean, rd_low, rd_high, rr_mean, rr_low, rr_high, level, method, _NAN2, detail,
    )  # fmt: skip


def prior_posterior_frame(
    events1: int,
    n1: int,
    events2: int,
    n2: int,
    prior: str = "uniform",
    points: int = 200,
    *,
    effect: float | None = None,
) -> pd.DataFrame:
    """Prior and posterior densities on a grid, tidy, for plotting.

    Columns: ``quantity`` ("p1", "p2", "p1 - p2"), ``distribution`` ("prior", "posterior"), ``x`` and
    ``density``. Under the effect priors only "p1 - p2" is given (the prior is set on it; ``effect``
    as in :func:`posterior`, required). The arms use ``points`` equal cells of (0, 1), the
    difference 2 * ``points`` cells of (-1, 1); ``x`` is a cell's midpoint and ``density`` the
    average density over the cell, the difference of the CDF at its edges divided by its width.
    Averages stay finite where a density is not (Jeffreys: at 0 and 1 for an arm, at 0 for the
    difference). Under the Beta priors the difference's CDF, integral f2(y) F1(y + d) dy = integral
    of F1(F2^-1(u) + d) du over (0, 1), uses the midpoint rule on 2,000 values of u, for every edge
    at once: good to about 1e-6, plenty for a plot (:func:`posterior` integrates to about 1e-14).
    """
    e1, m1, e2, m2 = _counts(events1, n1, events2, n2)
    if isinstance(points, bool) or not isinstance(points, int) or points < 10:
        raise ValueError(f"points must be a whole number >= 10, got {points!r}")
    prior = _name(prior)
    edges, d_edges = np.linspace(0, 1, points + 1), np.linspace(-1, 1, 2 * points + 1)
    parts = []
    if prior in EFFECT_PRIORS:
        mean, sd = effect_prior(prior, _resolve_effect(prior, effect, 0.0))
        d_mid = (d_edges[1:] + d_edges[:-1]) / 2
        for label, counts in (("prior", (0, 0, 0, 0)), ("posterior", (e1, m1, e2, m2))):
            dist = _EffectPosterior(*counts, mean, sd)
            cdf = dist.cdfs(d_edges)
            density = np.diff(cdf) / np.diff(d_edges)
            parts.append(pd.DataFrame({"quantity": "p1 - p2", "distribution": label, "x": d_mid, "density": density}))
        return pd.concat(parts, ignore_index=True)
    pri1, pri2 = beta_priors(prior)
    post1, post2 = (pri1[0] + e1, pri1[1] + m1 - e1), (pri2[0] + e2, pri2[1] + m2 - e2)
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
