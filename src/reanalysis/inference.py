"""Inference from printed summary statistics: t-tests, 2x2 tables, intervals, P <-> CI, power.

Every function takes numbers a paper prints (means and SDs, counts, an estimate with its CI or
P value) and returns a small frozen result. The statistics come from ``scipy.stats`` and
``statsmodels``; what they lack is written here by hand, and each such function says so:
the paired test from summary statistics, the Altman & Bland P <-> CI conversions, power with
unpooled variance, sample sizes as roots of the power functions, and the Miettinen-Nurminen
interval for a risk difference: statsmodels' version (0.14, 0.15) solves a cubic with a wrong
coefficient (statsmodels issue #10269), so it raises on about 6% of 45-v-44 tables and is off by
up to 0.1 on others; the one here matches a direct numerical solution in R. Also written here (issue 15): the
Miettinen-Nurminen interval for a risk ratio (statsmodels' fails when an arm has all events), the power
of the t-test (scipy's noncentral t gives NaN beyond a noncentrality of about 8.3), and Barnard's and
Boschloo's tests (see :func:`two_by_two`), run up to :data:`EXACT_UNCONDITIONAL_MAX_N` per arm.

All tests and intervals are two-sided. Bad input raises ``ValueError`` saying what is wrong.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields

import numpy as np
from scipy import optimize, special, stats
from scipy.stats.contingency import expected_freq, odds_ratio
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, power_proportions_2indep, proportion_effectsize

from .closedform import log_p_fisher
from .exact import EXACT_UNCONDITIONAL_MAX_N, TableTooLarge, barnard, boschloo, check_size
from .vocabulary import POWER_METHODS, TWO_BY_TWO_RULES, TWO_BY_TWO_TESTS

__all__ = [
    "EXACT_UNCONDITIONAL_MAX_N",
    "TableTooLarge",
    "TestResult",
    "Interval",
    "PowerResult",
    "ttest_from_stats",
    "paired_from_stats",
    "two_by_two",
    "proportion_difference_ci",
    "ratio_ci",
    "p_from_ci",
    "ci_from_p",
    "power_two_proportions",
    "sample_size_two_proportions",
    "power_two_means",
    "sample_size_two_means",
]


def _show(x) -> str:
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in x.items()) + "}"
    return f"{x:.6g}" if isinstance(x, float | int) and not isinstance(x, bool) else repr(x)


def _repr(self) -> str:
    """Readable repr for the result classes: numbers to 6 significant digits, an empty detail left out."""
    shown = (f"{f.name}={_show(getattr(self, f.name))}" for f in fields(self) if getattr(self, f.name) != {})
    return f"{type(self).__name__}({', '.join(shown)})"


@dataclass(frozen=True, repr=False)
class TestResult:
    """A test: statistic, two-sided P value, degrees of freedom (None for z and exact tests), method.

    ``detail`` holds the intermediate numbers worth checking (difference, SE, smallest expected count).
    """

    __test__ = False  # not a pytest test class

    statistic: float
    pvalue: float
    df: float | None
    method: str
    detail: dict[str, float] = field(default_factory=dict, hash=False)
    __repr__ = _repr


@dataclass(frozen=True, repr=False)
class Interval:
    """A point estimate with a two-sided confidence interval at ``level`` (0.95 for 95%)."""

    estimate: float
    low: float
    high: float
    level: float
    method: str
    __repr__ = _repr


@dataclass(frozen=True, repr=False)
class PowerResult:
    """Power of a two-sided two-arm comparison with ``n1`` and ``n2`` per arm (not rounded up)."""

    power: float
    n1: float
    n2: float
    alpha: float
    method: str
    __repr__ = _repr


# ----------------------------------------------------------------------------- checks
def _choose(what: str, value: str, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(allowed)}")
    return value


def _number(name: str, x) -> None:
    """A real number, not a bool (True would pass as 1) nor a string (math.isfinite would raise TypeError)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{name} must be a number, got {x!r}")
    try:
        float(x)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float, got {x!r}") from None


def _positive(name: str, x: float) -> float:
    _number(name, x)
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return float(x)


def _n(name: str, n: float, minimum: float = 2) -> float:
    _number(name, n)
    if not (math.isfinite(n) and n >= minimum):
        raise ValueError(f"{name} must be at least {minimum:g}, got {n!r}")
    return float(n)


_MAX_COUNT = 2**53


def _counts(events1: int, n1: int, events2: int, n2: int) -> tuple[int, int, int, int]:
    out = []
    for name, x in (("events1", events1), ("n1", n1), ("events2", events2), ("n2", n2)):
        whole = isinstance(x, numbers.Integral) or (isinstance(x, numbers.Real) and math.isfinite(x) and x == int(x))
        if isinstance(x, bool) or not whole:
            raise ValueError(f"{name} must be a whole number, got {x!r}")
        out.append(int(x))
    e1, m1, e2, m2 = out
    for e, m, i in ((e1, m1, 1), (e2, m2, 2)):
        if m < 1:
            raise ValueError(f"n{i} must be at least 1, got {m}")
        if m > _MAX_COUNT:
            raise ValueError(f"n{i} must be at most 2**53 (floats hold whole numbers exactly up to there), got {m}")
        if not 0 <= e <= m:
            raise ValueError(f"events{i} must be between 0 and n{i} = {m}, got {e}")
    return e1, m1, e2, m2


def _prob(name: str, p: float) -> float:
    _number(name, p)
    if not (math.isfinite(p) and 0 <= p <= 1):
        raise ValueError(f"{name} must be a proportion in [0, 1], got {p!r}")
    return float(p)


def _open01(name: str, x: float) -> float:
    _number(name, x)
    if not (math.isfinite(x) and 0 < x < 1):
        raise ValueError(f"{name} must be strictly between 0 and 1, got {x!r}")
    return float(x)


# ----------------------------------------------------------------------------- t-tests
def ttest_from_stats(
    mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int, method: str = "student"
) -> TestResult:
    """Two-sample t-test of mean1 - mean2 from means, SDs and sizes (``scipy.stats.ttest_ind_from_stats``).

    ``method`` is "student" (pooled variance) or "welch" (Welch-Satterthwaite df). ``detail`` has the
    difference and its SE; the df are computed here because scipy does not return them.
    """
    _choose("method", method, ("student", "welch"))
    sd1, sd2 = _positive("sd1", sd1), _positive("sd2", sd2)
    n1, n2 = _n("n1", n1), _n("n2", n2)
    res = stats.ttest_ind_from_stats(mean1, sd1, n1, mean2, sd2, n2, equal_var=method == "student")
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    if method == "student":
        df = n1 + n2 - 2
        se = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df * (1 / n1 + 1 / n2))
        name = "Student two-sample t-test (pooled variance)"
    else:
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        se = math.sqrt(v1 + v2)
        name = "Welch two-sample t-test"
    return TestResult(float(res.statistic), float(res.pvalue), float(df), name, {"difference": mean1 - mean2, "se": se})


def paired_from_stats(mean_pre: float, sd_pre: float, mean_post: float, sd_post: float, n: int, r: float) -> TestResult:
    """Paired t-test of the change post - pre when only before and after means and SDs are printed.

    The pre-post correlation ``r`` is not printed; it is an explicit assumption. The SD of the
    change is sqrt(sd_pre**2 + sd_post**2 - 2 r sd_pre sd_post). Written by hand: scipy has no
    one-sample t-test from summary statistics.
    """
    sd_pre, sd_post = _positive("sd_pre", sd_pre), _positive("sd_post", sd_post)
    n = _n("n", n)
    if not (math.isfinite(r) and -1 <= r <= 1):
        raise ValueError(f"r must be a correlation in [-1, 1], got {r!r}")
    sd_change = math.sqrt(max(0.0, sd_pre**2 + sd_post**2 - 2 * r * sd_pre * sd_post))
    if sd_change == 0:
        raise ValueError("the SD of the change is 0 (r = 1 with equal SDs): the paired test is undefined")
    se = sd_change / math.sqrt(n)
    t = (mean_post - mean_pre) / se
    return TestResult(
        t,
        float(2 * stats.t.sf(abs(t), n - 1)),
        n - 1,
        f"paired t-test from summary statistics (assumed r = {r:g})",
        {"change": mean_post - mean_pre, "sd_change": sd_change, "se": se},
    )


# ----------------------------------------------------------------------------- 2x2 tables
_TESTS = TWO_BY_TWO_TESTS + TWO_BY_TWO_RULES
_TEST_NAMES = {
    "chi2": "Pearson chi-squared test",
    "chi2_yates": "chi-squared test with Yates' correction",
    "fisher": "Fisher's exact test",
    "barnard": "Barnard's exact test",
    "boschloo": "Boschloo's exact test",
}


def two_by_two(events1: int, n1: int, events2: int, n2: int, test: str = "chi2") -> TestResult:
    """Two-sided test of equal proportions events1/n1 vs events2/n2.

    ``test``: "chi2" (Pearson, no correction), "chi2_yates" (``scipy.stats.chi2_contingency``), "fisher",
    "barnard", "boschloo", or "chi2_or_fisher": chi-squared unless an expected count is < 5, then Fisher
    (``method`` says which). The statistic is X^2, the sample odds ratio (Fisher, as
    ``scipy.stats.fisher_exact``), the pooled Wald z of p1 - p2 (Barnard) or Fisher's one-sided P
    (Boschloo, whose two-sided P is twice the smaller one-sided P, scipy's convention). A table without
    events, or with events only, has no evidence of a difference: P = 1, the statistic is 0 for
    chi-squared and NaN otherwise, and ``method`` says so.

    Fisher's P is summed in log space (:func:`reanalysis.closedform.log_p_fisher`), so it is right at any
    size and below the smallest normal float; below 1e-300 ``detail["log10_pvalue"]`` holds it exactly,
    as ``pvalue`` then loses digits (and is 0 below 5e-324).

    Barnard's and Boschloo's tests are written here, not taken from ``scipy.stats.barnard_exact`` /
    ``boschloo_exact``: scipy drops tables whose statistic ties the observed one to within rounding
    (exact comparison of floats), and its optimiser (shgo from 32 points) misses maxima over the nuisance
    proportion, near 0 or 1 especially: on 11 of 197 random tables it was up to 16% low (3/20 v 23/28:
    1.827e-06 for 2.184e-06). Here ties count within a relative 1e-7 and the supremum is taken over a dense
    grid with local refinement (checked against R, tests/reference/hardening_reference.R). They run only up
    to :data:`EXACT_UNCONDITIONAL_MAX_N` per arm; larger tables raise :class:`TableTooLarge`.
    """
    _choose("test", test, _TESTS)
    e1, m1, e2, m2 = _counts(events1, n1, events2, n2)
    table = np.array([[e1, m1 - e1], [e2, m2 - e2]])
    min_expected = float(expected_freq(table).min())
    detail = {"min_expected": min_expected}
    if test == "chi2_or_fisher":
        test = "fisher" if min_expected < 5 else "chi2"
        why = f"chosen as the smallest expected count is {min_expected:.3g} {'<' if test == 'fisher' else '>='} 5"
    else:
        why = ""
    name = _TEST_NAMES[test] + (f" ({why})" if why else "")
    chi = test.startswith("chi2")
    if test in ("barnard", "boschloo"):
        check_size(test, m1, m2)
    if e1 + e2 in (0, m1 + m2):
        what = "no events in either arm" if e1 + e2 == 0 else "events in every participant"
        return TestResult(
            0.0 if chi else math.nan, 1.0, 1.0 if chi else None, f"{name}: degenerate table ({what}), P = 1", detail
        )
    if chi:
        res = stats.chi2_contingency(table, correction=test == "chi2_yates")
        return TestResult(float(res.statistic), float(res.pvalue), float(res.dof), name, detail)
    if test == "fisher":
        b, c = m1 - e1, e2
        statistic = e1 * (m2 - e2) / (b * c) if b * c > 0 else math.inf
        log_p = log_p_fisher(e1, m1, e2, m2)
        if log_p < math.log(1e-300):
            detail["log10_pvalue"] = log_p / math.log(10)
        return TestResult(float(statistic), math.exp(log_p), None, name, detail)
    statistic, p = (barnard if test == "barnard" else boschloo)(e1, m1, e2, m2)
    return TestResult(statistic, p, None, name, detail)


# ----------------------------------------------------------------------------- intervals for proportions
def _mn_restricted(x1: int, n1: int, x2: int, n2: int, delta: float) -> tuple[float, float]:
    """Maximum-likelihood (p1, p2) under p1 - p2 = delta: the Farrington-Manning (1990) cubic in p1."""
    lo, hi = max(0.0, delta), min(1.0, 1.0 + delta)
    if hi <= lo:
        return lo, lo - delta
    p1h, p2h, th = x1 / n1, x2 / n2, n2 / n1
    coef = [
        1 + th,
        -(1 + th + p1h + th * p2h + delta * (th + 2)),
        delta**2 + delta * (2 * p1h + th + 1) + p1h + th * p2h,
        -p1h * delta * (1 + delta),
    ]
    roots = [z.real for z in np.roots(coef) if abs(z.imag) < 1e-9 and lo - 1e-9 <= z.real <= hi + 1e-9]
    # The restricted log-likelihood is concave in p1, so its maximum is a stationary point or an end.
    cands = [(p, min(max(p - delta, 0.0), 1.0)) for p in [min(max(z, lo), hi) for z in roots] + [lo, hi]]
    loglik = [
        special.xlogy(x1, p) + special.xlogy(n1 - x1, 1 - p) + special.xlogy(x2, q) + special.xlogy(n2 - x2, 1 - q)
        for p, q in cands
    ]
    return cands[int(np.argmax(loglik))]


def _z(level: float) -> float:
    """The two-sided normal quantile of ``level``: ``scipy.stats.norm.isf((1 - level) / 2)`` bit for bit
    (scipy computes it as ``-special.ndtri``), without the distribution machinery's checks (half the time
    of a score interval)."""
    return float(-special.ndtri((1 - level) / 2))


def _mn_difference(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    """Miettinen-Nurminen (1985) score interval for p1 - p2, written by hand (see the module docstring)."""
    est, zc, big = x1 / n1 - x2 / n2, _z(level), (n1 + n2) / (n1 + n2 - 1)

    def half(delta: float) -> float:  # zc * restricted SE at delta
        p1, p2 = _mn_restricted(x1, n1, x2, n2, delta)
        return zc * math.sqrt(max(0.0, (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) * big))

    def limit(end: float) -> float:  # the delta between est and end where |est - delta| = zc * SE
        if est == end:
            return end
        f = lambda d: abs(est - d) - half(d)  # noqa: E731
        near = est
        if f(near) >= 0:  # SE = 0 at the estimate (all-or-none tables): step off it
            near = est + math.copysign(1e-10, end - est)
        return optimize.brentq(f, near, end, xtol=1e-15, rtol=4 * np.finfo(float).eps)

    return limit(-1.0), limit(1.0)


def _rr_score_stat(x1: int, n1: int, x2: int, n2: int, theta: float) -> float:
    """Miettinen-Nurminen score statistic for the risk ratio theta (variance with the N / (N - 1) factor).

    The restricted MLE of p2 under p1 = theta p2 is the smaller root of Farrington & Manning's (1990)
    quadratic A p2^2 + B p2 + C = 0, written as 2 C / (-B + sqrt(B^2 - 4 A C)) to avoid cancellation.
    """
    total = n1 + n2
    a, b, c = total * theta, -(n1 * theta + x1 + n2 + x2 * theta), x1 + x2
    p2 = 2 * c / (-b + math.sqrt(max(b * b - 4 * a * c, 0.0)))
    p2 = min(p2, 1.0, 1.0 / theta)
    p1 = min(theta * p2, 1.0)
    var = (p1 * (1 - p1) / n1 + theta**2 * p2 * (1 - p2) / n2) * total / (total - 1)
    num = x1 / n1 - theta * x2 / n2
    return num / math.sqrt(var) if var > 0 else math.copysign(math.inf, num) if num else 0.0


def _rr_score_low(x1: int, n1: int, x2: int, n2: int, zc: float) -> float:
    """The lower Miettinen-Nurminen limit for p1 / p2 (x1 > 0): the log theta below the estimate where
    the score statistic, decreasing in theta, reaches zc; the bracket doubles away from the estimate."""
    f = lambda t: _rr_score_stat(x1, n1, x2, n2, math.exp(t)) - zc  # noqa: E731
    if x2 == 0:  # estimate infinite: start from a theta where the statistic is below zc
        hi = math.log(x1 / n1 * (n2 + 1))
        while f(hi) >= 0:
            hi += 1.0
            if hi > 700:
                return math.inf
    else:
        hi = math.log((x1 / n1) / (x2 / n2))
    width = 1.0
    while f(hi - width) < 0:
        width *= 2
        if hi - width < -745:
            return 0.0
    return math.exp(optimize.brentq(f, hi - width, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps))


def _rr_score(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    """Miettinen-Nurminen score interval for p1 / p2, written by hand: statsmodels' (0.15) root search fails
    when an arm has all events (1/42 v 54/54 gave 0.573 to 0.573 around an estimate of 0.024). By the
    symmetry of the statistic, the upper limit is 1 / the lower limit of p2 / p1."""
    zc = _z(level)
    low = _rr_score_low(x1, n1, x2, n2, zc) if x1 > 0 else 0.0
    high = 1 / _rr_score_low(x2, n2, x1, n1, zc) if x2 > 0 else math.inf
    return low, high


_DIFF_METHODS = {"wald": "wald", "newcombe": "newcomb", "agresti_caffo": "agresti-caffo", "score": None}
_DIFF_NAMES = {
    "wald": "Wald",
    "newcombe": "Newcombe hybrid score (Wilson)",
    "agresti_caffo": "Agresti-Caffo",
    "score": "Miettinen-Nurminen score",
}


def proportion_difference_ci(
    events1: int, n1: int, events2: int, n2: int, method: str = "newcombe", level: float = 0.95
) -> Interval:
    """Confidence interval for p1 - p2 (``statsmodels.stats.proportion.confint_proportions_2indep``).

    ``method``: "wald", "newcombe", "agresti_caffo" or "score" (Miettinen-Nurminen; computed here,
    see the module docstring). Wald and Agresti-Caffo limits are clipped to [-1, 1], as R's
    ``prop.test`` does. The estimate is always the observed difference.
    """
    _choose("method", method, tuple(_DIFF_METHODS))
    e1, m1, e2, m2 = _counts(events1, n1, events2, n2)
    level = _open01("level", level)
    if method == "score":
        low, high = _mn_difference(e1, m1, e2, m2, level)
    else:  # Wald and Agresti-Caffo can overshoot [-1, 1]: clip, as R's prop.test does
        low, high = confint_proportions_2indep(e1, m1, e2, m2, method=_DIFF_METHODS[method], alpha=1 - level)
        low, high = max(float(low), -1.0), min(float(high), 1.0)
    return Interval(e1 / m1 - e2 / m2, float(low), float(high), level, _DIFF_NAMES[method])


def ratio_ci(
    events1: int, n1: int, events2: int, n2: int, measure: str = "rr", method: str = "log", level: float = 0.95
) -> Interval:
    """Confidence interval for the risk ratio ("rr") or odds ratio ("or") of arm 1 to arm 2.

    ``method``:
    - "log": Katz log interval (rr) or Woolf logit interval (or); needs no zero cells.
    - "log_adjusted": the same with 0.5 added to events and n (rr, Walter) or to every cell (or,
      Haldane-Anscombe); the estimate is then the adjusted one.
    - "score": Miettinen-Nurminen score interval (variance with the N / (N - 1) factor); for the risk
      ratio written here (statsmodels' fails when an arm has all events), for the odds ratio statsmodels'.
    - "exact" (or only): conditional maximum-likelihood odds ratio with the exact interval, as R's
      ``fisher.test`` (``scipy.stats.contingency.odds_ratio``).
    """
    _choose("measure", measure, ("rr", "or"))
    _choose(
        "method",
        method,
        ("log", "log_adjusted", "score", "exact") if measure == "or" else ("log", "log_adjusted", "score"),
    )
    e1, m1, e2, m2 = _counts(events1, n1, events2, n2)
    level = _open01("level", level)
    cells = (e1, e2) if measure == "rr" else (e1, m1 - e1, e2, m2 - e2)
    if measure == "rr" and e1 == e2 == 0:
        raise ValueError("the risk ratio is 0/0 when neither arm has events")
    if method == "exact":
        if e1 + e2 in (0, m1 + m2):  # one possible table: R's fisher.test gives estimate 0, interval (0, Inf)
            what = "no events in either arm" if e1 + e2 == 0 else "events in every participant"
            return Interval(0.0, 0.0, math.inf, level, f"conditional MLE (Fisher): degenerate table ({what}), as R")
        res = odds_ratio([[e1, m1 - e1], [e2, m2 - e2]], kind="conditional")
        ci = res.confidence_interval(confidence_level=level)
        return Interval(
            float(res.statistic), float(ci.low), float(ci.high), level, "conditional MLE with exact interval (Fisher)"
        )
    if min(cells) == 0 and (method == "log" or (method, measure) == ("score", "or")):
        other = "'exact'" if measure == "or" else "'score'"
        raise ValueError(
            f"the {method} interval for the {'risk' if measure == 'rr' else 'odds'} ratio is undefined "
            f"with a zero cell; use method='log_adjusted' or {other}"
        )
    add = 0.5 if method == "log_adjusted" else 0.0
    if measure == "rr":
        est = ((e1 + add) / (m1 + add)) / ((e2 + add) / (m2 + add)) if e2 + add > 0 else math.inf
        sm = {"log": "log", "log_adjusted": "log-adjusted", "score": "score"}[method]
        names = {"log": "Katz log", "log_adjusted": "log, 0.5 added to events and n", "score": "Koopman score (MN)"}
        if method == "score":
            low, high = _rr_score(e1, m1, e2, m2, level)
        else:
            low, high = confint_proportions_2indep(e1, m1, e2, m2, method=sm, compare="ratio", alpha=1 - level)
    else:
        est = ((e1 + add) * (m2 - e2 + add)) / ((e2 + add) * (m1 - e1 + add))
        sm = {"log": "logit", "log_adjusted": "logit-adjusted", "score": "score"}[method]
        names = {"log": "Woolf logit", "log_adjusted": "Woolf, 0.5 added to every cell", "score": "Miettinen-Nurminen"}
        low, high = confint_proportions_2indep(e1, m1, e2, m2, method=sm, compare="odds-ratio", alpha=1 - level)
    return Interval(float(est), float(low), float(high), level, names[method])


# ----------------------------------------------------------------------------- P <-> CI
_AB_MULTIPLIER = {0.90: 1.65, 0.95: 1.96, 0.99: 2.57}  # the multipliers Altman & Bland print


def _multiplier(level: float, method: str) -> float:
    level = _open01("level", level)
    if method == "normal":
        return _z(level)
    for lv, k in _AB_MULTIPLIER.items():
        if abs(level - lv) < 1e-12:
            return k
    raise ValueError(f"method 'altman_bland' has multipliers for levels 0.90, 0.95 and 0.99 only, got {level!r}")


def p_from_ci(
    estimate: float, low: float, high: float, level: float = 0.95, ratio: bool = False, method: str = "normal"
) -> TestResult:
    """P value from an estimate and its CI (Altman & Bland, BMJ 2011;343:d2304), written by hand.

    SE = (high - low) / (2 z), z = estimate / SE, on the log scale for a ratio. ``method="normal"``
    uses exact normal quantiles; "altman_bland" uses the paper's 1.96 and P = exp(-0.717 z - 0.416 z^2).
    ``detail["asymmetry"]`` is ((high - est) - (est - low)) / (high - low) on that scale: far from 0
    suggests a CI on another scale or a typo.
    """
    _choose("method", method, ("normal", "altman_bland"))
    k = _multiplier(level, method)
    if ratio:
        if min(estimate, low, high) <= 0:
            raise ValueError("a ratio and its CI must be > 0")
        estimate, low, high = math.log(estimate), math.log(low), math.log(high)
    if not (low < high and low <= estimate <= high):
        raise ValueError(
            f"the CI ({low:g}, {high:g}) does not contain its estimate {estimate:g}" + (" (log scale)" if ratio else "")
        )
    se = (high - low) / (2 * k)
    z = estimate / se
    p = float(2 * special.ndtr(-abs(z))) if method == "normal" else math.exp(-0.717 * abs(z) - 0.416 * z * z)
    detail = {"se": se, "asymmetry": ((high - estimate) - (estimate - low)) / (high - low)}
    return TestResult(z, p, None, f"P from CI ({'log scale, ' if ratio else ''}{method})", detail)


def ci_from_p(estimate: float, p: float, level: float = 0.95, ratio: bool = False, method: str = "normal") -> Interval:
    """CI from an estimate and its two-sided P value (Altman & Bland, BMJ 2011;343:d2090), written by hand.

    z from P, SE = |estimate| / z, CI = estimate -/+ k SE, on the log scale for a ratio. ``method``
    as in :func:`p_from_ci` ("altman_bland": z = -0.862 + sqrt(0.743 - 2.404 ln P)). P = 1 gives an
    unbounded interval. A printed "P < 0.001" used as 0.001 gives a wider (conservative) interval.
    """
    _choose("method", method, ("normal", "altman_bland"))
    k = _multiplier(level, method)
    if not (math.isfinite(p) and 0 < p <= 1):
        raise ValueError(f"p must be in (0, 1], got {p!r}")
    if ratio and not estimate > 0:
        raise ValueError(f"a ratio must be > 0, got {estimate!r}")
    est = math.log(estimate) if ratio else float(estimate)
    z = float(-special.ndtri(p / 2)) if method == "normal" else -0.862 + math.sqrt(0.743 - 2.404 * math.log(p))
    if z <= 0:
        low, high = -math.inf, math.inf
    elif est == 0:
        raise ValueError("an estimate of no effect (0, or 1 for a ratio) cannot have P < 1; the SE is lost")
    else:
        se = abs(est) / z
        low, high = est - k * se, est + k * se
    if ratio:  # exp overflows to inf, not an error
        low, high = (math.exp(x) if x < 709 else math.inf for x in (low, high))
    return Interval(float(estimate), low, high, level, f"CI from P ({'log scale, ' if ratio else ''}{method})")


# ----------------------------------------------------------------------------- power and sample size
_PROP_POWER = POWER_METHODS


def _prop_power(p1: float, p2: float, n1: float, n2: float, alpha: float, method: str) -> float:
    d = abs(p1 - p2)
    if method == "pooled":
        return float(power_proportions_2indep(p1 - p2, p2, n1, ratio=n2 / n1, alpha=alpha).power)
    if method == "arcsine":
        return float(NormalIndPower().power(proportion_effectsize(p1, p2), n1, alpha, ratio=n2 / n1))
    s = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    za = -special.ndtri(alpha / 2)  # scipy.stats.norm's isf and cdf, bit for bit, without their checks
    return float(special.ndtr(d / s - za) + special.ndtr(-d / s - za))


def _check_props(p1: float, p2: float, alpha: float, method: str) -> tuple[float, float, float]:
    _choose("method", method, _PROP_POWER)
    p1, p2, alpha = _prob("p1", p1), _prob("p2", p2), _open01("alpha", alpha)
    if p1 * (1 - p1) + p2 * (1 - p2) == 0:
        raise ValueError("p1 and p2 are both 0 or 1: the outcome has no variance")
    return p1, p2, alpha


def power_two_proportions(
    p1: float, p2: float, n1: float, n2: float | None = None, alpha: float = 0.05, method: str = "pooled"
) -> PowerResult:
    """Power of the two-sided test of p1 = p2 with n1 and n2 per arm (normal approximation).

    ``method``:
    - "pooled": pooled variance under the null, as R's ``power.prop.test``
      (``statsmodels.stats.proportion.power_proportions_2indep``; also for unequal n);
    - "unpooled": unpooled variance under null and alternative (by hand);
    - "arcsine": Cohen's h, as R's ``pwr::pwr.2p2n.test`` (``statsmodels`` ``NormalIndPower``).
    Both rejection regions count (``strict = TRUE`` in R; ``pwr`` always does).
    """
    p1, p2, alpha = _check_props(p1, p2, alpha, method)
    n1 = _n("n1", n1)
    n2 = n1 if n2 is None else _n("n2", n2)
    return PowerResult(_prop_power(p1, p2, n1, n2, alpha, method), n1, n2, alpha, method)


def _solve_n(power_at, target: float) -> float:
    """The n per arm (>= 2, not rounded) with power_at(n) = target: brentq on an expanding bracket."""
    if power_at(2.0) >= target:
        raise ValueError("that power is reached with fewer than 2 per arm")
    hi = 4.0
    while power_at(hi) < target:
        hi *= 2
        if hi > 1e12:
            raise ValueError("no sample size reaches that power")
    return float(optimize.brentq(lambda n: power_at(n) - target, 2.0, hi, xtol=1e-12, rtol=1e-14))


def sample_size_two_proportions(
    p1: float, p2: float, power: float = 0.8, alpha: float = 0.05, method: str = "pooled"
) -> PowerResult:
    """Equal n per arm giving ``power`` (not rounded: take ``math.ceil``). Methods as in
    :func:`power_two_proportions`; n is the root of that power function (R solves it the same way)."""
    p1, p2, alpha = _check_props(p1, p2, alpha, method)
    power = _open01("power", power)
    if p1 == p2:
        raise ValueError("p1 equals p2: no sample size detects a difference of 0")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha = {alpha:g}")
    n = _solve_n(lambda n: _prop_power(p1, p2, n, n, alpha, method), power)
    return PowerResult(power, n, n, alpha, method)


def _t_power(es: float, n1: float, n2: float, alpha: float) -> float:
    """Power of the two-sided two-sample t-test at standardised difference ``es``, written by hand.

    Both tails are upper tails of the noncentral t (the lower one by symmetry, P(T <= -c | ncp) =
    P(T >= c | -ncp)): scipy's ``nct.cdf`` returns NaN for the lower tail once the noncentrality exceeds
    about 8.3 (so ``statsmodels``' ``TTestIndPower`` does too), where R's ``power.t.test`` gives 1.
    """
    df = n1 + n2 - 2
    ncp = abs(es) * math.sqrt(n1 * n2 / (n1 + n2))
    crit = float(stats.t.isf(alpha / 2, df))
    upper = float(stats.nct.sf(crit, df, ncp))
    lower = float(stats.nct.sf(crit, df, -ncp))
    if not math.isfinite(upper):  # finite in every case tried; should scipy fail, the normal approximation
        upper = float(stats.norm.sf(crit - ncp))
    if not math.isfinite(lower):
        lower = 0.0  # below P(T <= -crit | ncp = 0) = alpha / 2, and far smaller here
    return min(1.0, upper + lower)


def power_two_means(diff: float, sd: float, n1: float, n2: float | None = None, alpha: float = 0.05) -> PowerResult:
    """Power of the two-sided two-sample t-test (R's ``power.t.test(strict = TRUE)``, and
    ``pwr::pwr.t2n.test`` for unequal n), computed here from the noncentral t (see ``_t_power``)."""
    sd, alpha = _positive("sd", sd), _open01("alpha", alpha)
    if not math.isfinite(diff):
        raise ValueError(f"diff must be a finite number, got {diff!r}")
    n1 = _n("n1", n1)
    n2 = n1 if n2 is None else _n("n2", n2)
    return PowerResult(_t_power(diff / sd, n1, n2, alpha), n1, n2, alpha, "two-sample t-test")


def sample_size_two_means(diff: float, sd: float, power: float = 0.8, alpha: float = 0.05) -> PowerResult:
    """Equal n per arm giving ``power`` for the two-sample t-test (not rounded), the root of
    :func:`power_two_means` (as R's ``power.t.test(strict = TRUE)``)."""
    sd, alpha, power = _positive("sd", sd), _open01("alpha", alpha), _open01("power", power)
    if diff == 0:
        raise ValueError("diff is 0: no sample size detects a difference of 0")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha = {alpha:g}")
    if not math.isfinite(diff):
        raise ValueError(f"diff must be a finite number, got {diff!r}")
    es = abs(diff) / sd
    n = _solve_n(lambda n: _t_power(es, n, n, alpha), power)
    return PowerResult(power, n, n, alpha, "two-sample t-test")
