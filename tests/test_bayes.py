"""Tests for reanalysis.bayes.

Expected values: the conjugate Beta posteriors (scipy.stats.beta is the truth for each arm), R's
integrate and uniroot (tests/reference/sensitivity_reference.csv, from
tests/reference/sensitivity_reference.R; for the sceptical and enthusiastic priors a nested
integrate() over the control rate and the risk difference, and the truncated normal's closed forms),
Evan Miller's closed-form sum for P(p1 > p2) with integer parameters ("Formulas for Bayesian A/B
testing"), and scipy.stats.norm for the effect priors' own numbers. None is a copy of our own output.
"""

from __future__ import annotations

import csv
import functools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from reanalysis.bayes import (
    PRIORS,
    beta_priors,
    describe_prior,
    effect_prior,
    posterior,
    prior_posterior_frame,
    prior_table,
)
from reanalysis.vocabulary import PRIOR_SPELLINGS

REFERENCE = Path(__file__).parent / "reference" / "sensitivity_reference.csv"
ALL_ROWS = list(csv.DictReader(REFERENCE.open(newline="", encoding="utf-8")))
ROWS = [r for r in ALL_ROWS if r["function"] == "posterior"]
PRIOR_ROWS = [r for r in ALL_ROWS if r["function"] == "describe_prior"]


# ----------------------------------------------------------------------------- against R
@functools.cache
def _posterior(args: str):
    return posterior(**json.loads(args))


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['quantity']}-{r['case']}" for r in ROWS])
def test_matches_r(row):
    res = _posterior(row["args"])
    name, _, i = row["quantity"].partition(".")
    got = getattr(res, name) if not i else getattr(res, name)[int(i)]
    assert got == pytest.approx(float(row["value"]), rel=float(row["rtol"]), abs=1e-12), row["r_source"]


def test_reference_covers_every_prior():
    named = {json.loads(r["args"])["prior"] for r in ROWS}
    assert {PRIOR_SPELLINGS.get(p, p) for p in named} == set(PRIORS) and "skeptical" in named
    assert {json.loads(r["args"])["prior"] for r in PRIOR_ROWS} == set(PRIORS)


@pytest.mark.parametrize("row", PRIOR_ROWS, ids=[f"{r['quantity']}-{r['case']}" for r in PRIOR_ROWS])
def test_prior_numbers_match_r(row):
    got = getattr(describe_prior(**json.loads(row["args"])), row["quantity"])
    assert got == pytest.approx(float(row["value"]), rel=float(row["rtol"]), abs=1e-12), row["r_source"]


# ----------------------------------------------------------------------------- closed forms
def _miller(a1, b1, a2, b2):
    """P(p1 > p2) for integer a1: Evan Miller's sum."""
    i = np.arange(int(a1))
    terms = special.betaln(a2 + i, b1 + b2) - np.log(b1 + i) - special.betaln(1 + i, b1) - special.betaln(a2, b2)
    return float(np.exp(terms).sum())


@pytest.mark.parametrize(
    "table", [(9, 45, 2, 44), (11, 27, 3, 26), (0, 10, 0, 10), (30, 30, 0, 30), (140, 900, 120, 900)]
)
def test_prob_greater_matches_evan_miller(table):
    res = posterior(*table, prior="uniform")
    assert res.prob_greater == pytest.approx(_miller(*res.posterior1, *res.posterior2), rel=1e-9, abs=1e-13)


def _power_above(a, c, m):
    """P(X > Y + m) for X ~ Beta(a, 1), Y ~ Beta(c, 1) (densities a x^(a-1), c y^(c-1)), integer a, 0 <= m < 1:
    (1 - m)^c - c sum_k C(a, k) m^(a-k) (1 - m)^(c+k) / (c + k), from integrating y^(c-1) (y + m)^a term by term."""
    k = np.arange(a + 1)
    log_binom = special.gammaln(a + 1) - special.gammaln(k + 1) - special.gammaln(a - k + 1)
    with np.errstate(divide="ignore"):
        terms = log_binom + special.xlogy(a - k, m) + (c + k) * np.log1p(-m) - np.log(c + k)
    return (1 - m) ** c - c * float(np.exp(terms).sum())


@pytest.mark.parametrize("counts", [(20, 20, 30, 30), (5, 5, 1500, 1500), (1000, 1000, 3, 3), (1, 1, 1, 1)])
def test_all_events_in_both_arms_match_closed_forms(counts):
    """Every participant an event: under the uniform prior the arms are Beta(a, 1) and Beta(c, 1), and
    P(p1 > p2) = a / (a + c), P(p1 - p2 > m) is a finite sum, and the ratio's CDF is r^a c / (a + c) for
    r <= 1, 1 - r^-c a / (a + c) above; the credible limits are those closed forms' roots."""
    res = posterior(*counts, prior="uniform", margin=0.1)
    (a, _), (c, _) = res.posterior1, res.posterior2
    a, c = int(a), int(c)
    assert res.prob_greater == pytest.approx(a / (a + c), rel=1e-9, abs=1e-13)
    assert res.prob_above_margin == pytest.approx(_power_above(a, c, 0.1), rel=1e-9, abs=1e-13)

    def rd_cdf(d):
        return 1 - _power_above(a, c, d) if d >= 0 else _power_above(c, a, -d)

    def rr_cdf(r):
        return r**a * c / (a + c) if r <= 1 else 1 - r ** (-c) * a / (a + c)

    for got, q in ((res.rd_low, 0.025), (res.rd_high, 0.975)):
        assert got == pytest.approx(optimize.brentq(lambda d, q=q: rd_cdf(d) - q, -1, 1, xtol=1e-14), abs=1e-9)
    for got, q in ((res.rr_low, 0.025), (res.rr_high, 0.975)):
        want = (q * (a + c) / c) ** (1 / a) if q <= c / (a + c) else (a / ((a + c) * (1 - q))) ** (1 / c)
        assert got == pytest.approx(want, rel=1e-9)
    # No events at all: the arms are Beta(1, a) and Beta(1, c), mirror images of the above.
    none = posterior(0, counts[1], 0, counts[3], prior="uniform")
    assert none.prob_greater == pytest.approx(c / (a + c), rel=1e-9, abs=1e-13)


# The rule (bayes._above, _ratio_cdf) against adaptive quadrature (bayes._quad_*, its fallback): two methods,
# neither the other's port. quad's own error reaches about 1.5e-12 at large parameters (checked against
# mpmath at 30 digits while writing the rule), hence 5e-12.
RULE_CASES = [
    ((10, 37), (3, 43)),
    ((0.5, 12.5), (3.5, 9.5)),
    ((0.5, 0.5), (0.5, 0.5)),
    ((20.5, 0.5), (3.5, 37.5)),
    ((9.5, 11.5), (3.5, 0.5)),
    ((151, 851), (121, 881)),
    ((4, 7), (301, 1701)),
    ((0.5, 80.5), (80.5, 0.5)),
]


@pytest.mark.parametrize(("post1", "post2"), RULE_CASES)
def test_the_rule_agrees_with_adaptive_quadrature(post1, post2):
    from reanalysis import bayes

    for m in (0.0, 0.1, -0.3, 0.6):
        rule, quad = bayes._probability_above(post1, post2, m), bayes._quad_above(post1, post2, m)
        assert rule == pytest.approx(quad, abs=5e-12, rel=1e-9)
    for r in (0.3, 1.0, 1.05, 3.0):
        assert bayes._ratio_cdf(post1, post2, r) == pytest.approx(bayes._quad_ratio_cdf(post1, post2, r), abs=5e-12)


def test_a_failed_check_falls_back_to_quadrature(monkeypatch):
    """With every check of the rule failing, the numbers come from adaptive quadrature, and agree."""
    from reanalysis import bayes, forget

    post1, post2 = (0.5, 12.5), (3.5, 9.5)  # Jeffreys, 0/12 v 3/12: arm 1's density unbounded at 0
    checked = bayes._probability_above(post1, post2, 0.1), *bayes._intervals(post1, post2, 0.95)
    calls = []
    quad_above = bayes._quad_above
    monkeypatch.setattr(bayes, "_AGREE", -1.0)
    monkeypatch.setattr(bayes, "_quad_above", lambda *a: calls.append(a) or quad_above(*a))
    forget()
    try:
        fallen = bayes._probability_above(post1, post2, 0.1), *bayes._intervals(post1, post2, 0.95)
    finally:
        forget()
    assert calls and fallen[0] == pytest.approx(checked[0], rel=1e-9)
    assert fallen[1:3] == pytest.approx(checked[1:3], abs=1e-9) and fallen[3:] == pytest.approx(checked[3:], rel=1e-9)


@pytest.mark.parametrize("prior", ["uniform", "jeffreys"])
def test_conjugate_posteriors_and_means(prior):
    e1, n1, e2, n2 = 11, 27, 3, 26
    res = posterior(e1, n1, e2, n2, prior=prior)
    (a1, b1), (a2, b2) = res.prior1, res.prior2
    assert res.posterior1 == (a1 + e1, b1 + n1 - e1) and res.posterior2 == (a2 + e2, b2 + n2 - e2)
    post1, post2 = stats.beta(*res.posterior1), stats.beta(*res.posterior2)
    assert res.rd_mean == pytest.approx(post1.mean() - post2.mean(), rel=1e-12)
    assert res.rr_mean == pytest.approx(post1.mean() * post2.expect(lambda y: 1 / y), rel=1e-8)
    assert res.rd_low < res.rd_mean < res.rd_high and res.rr_low < res.rr_high


def test_named_priors():
    assert beta_priors("uniform") == ((1.0, 1.0), (1.0, 1.0))
    assert beta_priors("jeffreys") == ((0.5, 0.5), (0.5, 0.5))
    mean, sd = effect_prior("sceptical", 0.1)
    assert mean == 0 and stats.norm(mean, sd).sf(0.1) == pytest.approx(0.05, rel=1e-12)
    mean, sd = effect_prior("skeptical", 0.2)
    assert mean == 0 and stats.norm(mean, sd).sf(0.2) == pytest.approx(0.05, rel=1e-12)
    mean, sd = effect_prior("enthusiastic", 0.15)
    assert mean == 0.15 and stats.norm(mean, sd).cdf(0) == pytest.approx(0.05, rel=1e-12)


def test_the_effect_priors_in_numbers_are_the_normal_they_are_said_to_be():
    """With no data the quadrature gives the prior back: scipy's normal (the truncation at +-1 is nil)."""
    for prior, mean in (("sceptical", 0.0), ("enthusiastic", 0.1)):
        d = describe_prior(prior, 0.1)
        normal = stats.norm(mean, 0.1 / stats.norm.isf(0.05))
        assert d.mean == pytest.approx(mean, abs=1e-12) and d.sd == pytest.approx(normal.std(), rel=1e-10)
        assert d.prob_at_least_effect == pytest.approx(normal.sf(0.1), rel=1e-10)
        assert d.prob_no_benefit == pytest.approx(normal.cdf(0), rel=1e-10)
        assert (d.low, d.high) == pytest.approx(normal.ppf([0.025, 0.975]), rel=1e-9)
        assert "risk difference" in d.words and "5%" in d.words
    table = prior_table(0.1)
    assert list(table.index) == list(PRIORS)
    assert table.loc["sceptical", "P(benefit >= 0.1)"] == pytest.approx(0.05)
    assert table.loc["enthusiastic", "P(no benefit or harm)"] == pytest.approx(0.05)
    assert table.loc["uniform", "P(benefit >= 0.1)"] == pytest.approx(0.9**2 / 2)  # triangular density


def test_the_effect_priors_do_not_look_at_the_data():
    """The prior is the same whatever the counts (the old sceptical prior took its centre from the control arm)."""
    for prior in ("sceptical", "enthusiastic"):
        first = prior_posterior_frame(9, 45, 2, 44, prior=prior, effect=0.1).query("distribution == 'prior'")
        other = prior_posterior_frame(1, 30, 25, 30, prior=prior, effect=0.1).query("distribution == 'prior'")
        assert np.array_equal(first.density.to_numpy(), other.density.to_numpy())
        assert posterior(9, 45, 2, 44, prior=prior, margin=0.1).effect_prior == effect_prior(prior, 0.1)


def test_sceptical_prior_pulls_towards_no_effect_and_enthusiastic_away():
    """zang2022's primary endpoint: the sceptical prior lowers P(benefit) below the vague priors', the
    enthusiastic raises it; the posterior mean moves the same way."""
    got = {p: posterior(9, 45, 2, 44, prior=p, margin=0.1) for p in PRIORS}
    assert got["sceptical"].prob_greater < got["uniform"].prob_greater < got["enthusiastic"].prob_greater
    assert got["sceptical"].rd_mean < got["uniform"].rd_mean
    assert math.isnan(got["sceptical"].rr_low) and math.isnan(got["sceptical"].posterior1[0])


def test_effect_prior_default_is_the_margin():
    assert posterior(9, 45, 2, 44, prior="sceptical", margin=0.1) == posterior(
        9, 45, 2, 44, prior="sceptical", margin=0.1, effect=0.1
    )
    other = posterior(9, 45, 2, 44, prior="sceptical", margin=0.1, effect=0.2)
    assert other.effect_prior[1] == pytest.approx(2 * posterior(9, 45, 2, 44, "sceptical", 0.1).effect_prior[1])


def test_rr_mean_is_infinite_without_a_finite_inverse_moment():
    assert posterior(3, 10, 0, 10, prior="jeffreys").rr_mean == math.inf


# ----------------------------------------------------------------------------- Monte Carlo
def test_seeded_monte_carlo_agrees_within_its_error():
    exact = posterior(9, 45, 2, 44, margin=0.1)
    draws = 200_000
    mc = posterior(9, 45, 2, 44, margin=0.1, draws=draws, seed=20240601)
    d = mc.detail
    assert abs(d["mc_prob_greater"] - exact.prob_greater) < 4 * d["mc_prob_greater_se"]
    assert abs(d["mc_prob_above_margin"] - exact.prob_above_margin) < 4 * d["mc_prob_above_margin_se"]
    assert mc.prob_greater == exact.prob_greater  # the probabilities stay exact
    # A Monte Carlo quantile q sits where the exact CDF is q, within 4 binomial SEs.
    for limit, q in ((mc.rd_low, 0.025), (mc.rd_high, 0.975)):
        cdf = 1 - posterior(9, 45, 2, 44, margin=limit).prob_above_margin
        assert abs(cdf - q) < 4 * math.sqrt(q * (1 - q) / draws)
    assert mc.rd_mean == pytest.approx(exact.rd_mean, abs=4 * 0.07 / math.sqrt(draws))
    assert mc.rr_low == pytest.approx(exact.rr_low, rel=0.02) and mc.rr_high == pytest.approx(exact.rr_high, rel=0.02)
    assert "Monte Carlo" in mc.method and "seed 20240601" in mc.method
    again = posterior(9, 45, 2, 44, margin=0.1, draws=draws, seed=20240601)
    assert again == mc  # same seed, same numbers


# ----------------------------------------------------------------------------- properties
arms = st.integers(1, 80).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(arms, arms, st.sampled_from(["uniform", "jeffreys"]))
def test_swapping_arms_gives_complementary_probabilities(arm1, arm2, prior):
    forward = posterior(*arm1, *arm2, prior=prior)
    backward = posterior(*arm2, *arm1, prior=prior)
    assert forward.prob_greater + backward.prob_greater == pytest.approx(1, abs=1e-9)
    assert forward.rd_low == pytest.approx(-backward.rd_high, abs=1e-8)
    assert forward.rr_low == pytest.approx(1 / backward.rr_high, rel=1e-7)


@settings(max_examples=40, deadline=None)
@given(arms, arms, st.floats(0.02, 0.5))
def test_swapping_arms_under_the_sceptical_prior(arm1, arm2, effect):
    """The sceptical prior is symmetric about no effect, so swapping the arms mirrors the posterior."""
    forward = posterior(*arm1, *arm2, prior="sceptical", effect=effect)
    backward = posterior(*arm2, *arm1, prior="sceptical", effect=effect)
    assert forward.prob_greater + backward.prob_greater == pytest.approx(1, abs=1e-9)
    assert forward.rd_low == pytest.approx(-backward.rd_high, abs=1e-7)
    assert forward.rd_mean == pytest.approx(-backward.rd_mean, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(arms, arms, st.floats(-0.9, 0.9))
def test_prob_above_margin_falls_with_the_margin(arm1, arm2, margin):
    low = posterior(*arm1, *arm2, margin=margin)
    high = posterior(*arm1, *arm2, margin=min(margin + 0.05, 0.99))
    assert 0 <= high.prob_above_margin <= low.prob_above_margin + 1e-12 <= 1 + 1e-12


# ----------------------------------------------------------------------------- plotting frame
def test_prior_posterior_frame():
    frame = prior_posterior_frame(9, 45, 2, 44, prior="uniform", points=100)
    assert list(frame.columns) == ["quantity", "distribution", "x", "density"]
    assert set(frame.quantity) == {"p1", "p2", "p1 - p2"} and set(frame.distribution) == {"prior", "posterior"}
    for _, part in frame.groupby(["quantity", "distribution"]):
        assert part.density.sum() * 0.01 == pytest.approx(1, abs=1e-6)  # cells of 0.01 on (0, 1) and on (-1, 1)
    # The difference of two uniforms is triangular on (-1, 1).
    prior_d = frame[(frame.quantity == "p1 - p2") & (frame.distribution == "prior")]
    assert np.allclose(prior_d.density, 1 - prior_d.x.abs(), atol=1e-9)
    # Each arm's posterior: cell averages of Beta(10, 37) (9/45 with a uniform prior).
    post1 = frame[(frame.quantity == "p1") & (frame.distribution == "posterior")]
    dist = stats.beta(10, 37)
    assert np.allclose(post1.density, (dist.cdf(post1.x + 0.005) - dist.cdf(post1.x - 0.005)) / 0.01, atol=1e-9)
    # The difference's posterior against the Monte Carlo histogram.
    rng = np.random.default_rng(1)
    d = rng.beta(10, 37, 400_000) - rng.beta(3, 43, 400_000)
    post_d = frame[(frame.quantity == "p1 - p2") & (frame.distribution == "posterior")]
    hist, _ = np.histogram(d, bins=200, range=(-1, 1), density=True)
    assert np.abs(hist - post_d.density.to_numpy()).max() < 0.15


def test_frame_under_an_effect_prior():
    frame = prior_posterior_frame(9, 45, 2, 44, prior="sceptical", points=100, effect=0.1)
    assert set(frame.quantity) == {"p1 - p2"} and set(frame.distribution) == {"prior", "posterior"}
    prior = frame[frame.distribution == "prior"]
    normal = stats.norm(0, 0.1 / stats.norm.isf(0.05))
    assert np.allclose(prior.density, (normal.cdf(prior.x + 0.005) - normal.cdf(prior.x - 0.005)) / 0.01, atol=1e-8)
    for _, part in frame.groupby("distribution"):
        assert part.density.sum() * 0.01 == pytest.approx(1, abs=1e-9)
    post = frame[frame.distribution == "posterior"]
    res = posterior(9, 45, 2, 44, prior="sceptical", margin=0.1)
    assert (post.density * post.x).sum() * 0.01 == pytest.approx(res.rd_mean, abs=1e-4)  # midpoints of 0.01 cells


def test_frame_jeffreys_is_finite():
    frame = prior_posterior_frame(0, 12, 3, 12, prior="jeffreys", points=50)
    assert np.isfinite(frame.density).all() and (frame.density >= 0).all()


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(prior="flat"), "unknown prior 'flat'; choose one of: uniform, jeffreys, sceptical, enthusiastic"),
        (dict(events1=-1), "events1 must be between 0 and n1"),
        (dict(events2=50), "events2 must be between 0 and n2"),
        (dict(draws=10_000), "needs both draws and an explicit seed"),
        (dict(seed=1), "needs both draws and an explicit seed"),
        (dict(draws=10, seed=1), "draws must be a whole number >= 100"),
        (dict(margin=1.0), "margin must be a risk difference strictly between -1 and 1"),
        (dict(level=1.0), "level must be strictly between 0 and 1"),
        (dict(prior="enthusiastic"), "needs effect="),
        (dict(prior="sceptical", margin=-0.1), "needs effect="),
        (dict(prior="enthusiastic", effect=1.2), "effect, the hypothesised benefit, must be a risk difference"),
        (dict(prior="sceptical", effect=0.0), "effect, the hypothesised benefit, must be a risk difference"),
        (dict(prior="sceptical", effect=0.1, draws=1000, seed=1), "Monte Carlo is offered for the uniform"),
        (dict(prior="sceptical", effect=0.1, n1=6000, n2=6000), "take at most 10,000 participants"),
    ],
)
def test_bad_input(kwargs, message):
    args = dict(events1=9, n1=45, events2=2, n2=44) | kwargs
    with pytest.raises(ValueError, match=message):
        posterior(**args)


def test_frame_bad_input():
    with pytest.raises(ValueError, match="points must be a whole number >= 10"):
        prior_posterior_frame(9, 45, 2, 44, points=5)
    with pytest.raises(ValueError, match="unknown prior"):
        prior_posterior_frame(9, 45, 2, 44, prior="flat")


def test_repr_is_readable():
    text = repr(posterior(9, 45, 2, 44))
    assert text.startswith("PosteriorResult(prior='uniform', prior1=(1, 1), prior2=(1, 1), posterior1=(10, 37)")
    assert "detail" not in text and "prob_greater=0.98" in text


@pytest.mark.parametrize(
    "counts", [(0, 0, 0, 0), (6, 8, 1, 8), (9, 45, 2, 44), (10, 10, 0, 10), (150, 1000, 120, 1000)]
)
def test_the_effect_posteriors_cdf_at_many_points_is_its_cdf_at_each(counts):
    """_EffectPosterior.cdfs (every x at once, for the plotted densities) gives exactly cdf at each x,
    inside, at and beyond the edges of the integration range."""
    import numpy as np

    from reanalysis.bayes import _EffectPosterior, effect_prior

    for prior in ("sceptical", "enthusiastic"):
        dist = _EffectPosterior(*counts, *effect_prior(prior, 0.1))
        xs = np.concatenate([np.linspace(-1, 1, 401), dist.edges, [-2.0, 2.0]])
        assert dist.cdfs(xs).tolist() == [dist.cdf(float(x)) for x in xs]
