"""Routes: how a printed number was recomputed, and whether that is how the paper says it was made.

A route is the test, the n per arm and where that n comes from, the rounding rule and
anything assumed. The audit builds the candidate routes of a claim here, the stated ones
first: the test the paper names (``method_stated``) at the n its table prints (a
``table_n`` row), or the n printed beside the number, or else the n the paper says it
analysed. Every other route is an *alternative*, tried only after, and labelled with why it
is not the stated one. Both arms' n always come from one population.

The more routes a search tries, the easier a spurious match; the label is what keeps a
match honest. Written by hand: no statistics library models a paper's stated analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .vocabulary import POPULATIONS, RANK_TESTS, stated_methods

__all__ = ["Route", "Candidate", "pair_populations", "order_tests", "search", "nearest"]

# Tests that need the individual data: a printed p from one of these cannot be recomputed
# from summaries (rank tests, models with covariates or repeated measures, paired tests whose
# correlation between visits is unpublished, regressions).
NEEDS_INDIVIDUAL_DATA = RANK_TESTS + ("ancova", "mixed_model", "logistic_regression", "cox", "log_rank")


@dataclass(frozen=True)
class Route:
    """One way of recomputing a printed number.

    Attributes
    ----------
    test : the canonical test or method (see :mod:`reanalysis.vocabulary`).
    n : the n per arm, in the order of the claim's arms.
    population : where the n comes from (one of :data:`~reanalysis.vocabulary.POPULATIONS`).
    source : that in words ("Table 1 header", "paper.toml: analysed").
    rounding : how the value is taken to have been printed (``half_up`` covers half-even too).
    assumed : anything else assumed ("SD = SEM x sqrt(n)").
    as_stated : whether this is the route the paper states (its named test, its table's n).
    why : for an alternative, why it is not the stated route.
    """

    test: str
    n: tuple[int, ...] = ()
    population: str = ""
    source: str = ""
    rounding: str = "half_up"
    assumed: str = ""
    as_stated: bool = True
    why: str = ""

    def machine(self) -> str:
        """``key=value`` pairs separated by ``;`` (claims.csv's ``route`` column)."""
        parts = [f"test={self.test}"]
        if self.n:
            parts.append("n=" + "/".join(map(str, self.n)))
        if self.population:
            parts.append(f"population={self.population}")
        parts.append(f"rounding={self.rounding}")
        if self.assumed:
            parts.append(f"assumed={self.assumed}")
        return ";".join(parts)

    def __str__(self) -> str:
        n = f"; n = {'/'.join(map(str, self.n))} ({self.source or self.population})" if self.n else ""
        extra = f"; {self.assumed}" if self.assumed else ""
        rounding = "; printed by truncation" if self.rounding == "truncate" else ""
        return f"{self.test}{n}{extra}{rounding}"


@dataclass(frozen=True)
class Candidate:
    """A route with what it gives: the value at the printed inputs, and (optionally) the
    smallest and largest value over the inputs' rounding intervals."""

    route: Route
    central: float
    low: float | None = None
    high: float | None = None


def pair_populations(per_arm: Sequence[Sequence[tuple[str, str, int]]]) -> list[tuple[str, str, tuple[int, ...]]]:
    """Populations every arm has, as (population, source, n per arm), in the order of
    :data:`~reanalysis.vocabulary.POPULATIONS`; a population whose n equal an earlier one's is left out.

    ``per_arm[i]`` lists arm i's candidate denominators as (population, source, n). Only a
    population present in every arm is kept: one arm's randomised n is never combined with
    the other arm's analysed n.
    """
    if not per_arm:
        return []
    out, seen = [], set()
    for pop, _source, _ in per_arm[0]:
        if pop in seen:
            continue
        found = [next(((s, n) for p, s, n in arm if p == pop), None) for arm in per_arm]
        ns = tuple(n for _, n in found) if all(found) else None
        if ns is not None and ns not in {x[2] for x in out}:  # the same n under another name adds nothing
            seen.add(pop)
            sources = dict.fromkeys(s for s, _ in found)
            out.append((pop, "; ".join(sources), ns))
    order = {p: i for i, p in enumerate(POPULATIONS)}
    out.sort(key=lambda x: order.get(x[0], len(order)))
    return out


def order_tests(stated_text: str | None, family: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Split a family of tests into (stated, alternatives, stated tests outside the family).

    A generic "t-test" states both Student's and Welch's; the switch rule ``chi2_or_fisher``
    (named with its condition) states the test it picks, and the other is an alternative.
    With no test named, every test of the family is a candidate and
    none is preferred: all are returned as stated, and the caller notes that none was named.
    """
    named = stated_methods(stated_text)
    expanded: list[str] = []
    for t in named:
        expanded += ["student", "welch"] if t == "t_test" else [t]
    stated = [t for t in expanded if t in family]
    outside = [t for t in expanded if t not in family]
    if not named:
        return [t for t in family if t != "chi2_or_fisher"], [], []
    alternatives = [t for t in family if t not in stated and t != "chi2_or_fisher"]
    return stated, alternatives, outside


def search(candidates: Iterable[Candidate], printed) -> tuple[str, Candidate | None, list[Candidate]]:
    """The verdict of a printed value (a :class:`~reanalysis.printed.Printed`) over candidate
    routes, the stated routes first.

    ``reproduced`` needs the printed inputs as printed, ``consistent`` only inputs within their
    rounding (the definitions of the verdicts), so every route is tried for ``reproduced``
    before any for ``consistent``: a stated route rounded, then printed by truncation, then
    each alternative (labelled); then the stated and the alternative routes within rounding. The first
    step that matches decides. Returns (verdict, the deciding candidate, the other candidates
    that match at that step); the candidate is None when nothing matches (``inconsistent``).
    """
    candidates = list(candidates)
    for group in (True, False):
        routes = [c for c in candidates if c.route.as_stated is group]
        hits = [c for c in routes if printed.contains(c.central)]
        if hits:
            return "reproduced", hits[0], hits[1:]
        hits = [c for c in routes if printed.contains_truncated(c.central)]
        if hits:
            first = replace(hits[0], route=replace(hits[0].route, rounding="truncate"))
            return "reproduced", first, hits[1:]
    for group in (True, False):
        routes = [c for c in candidates if c.route.as_stated is group]
        hits = [c for c in routes if c.low is not None and c.low <= printed.upper and c.high >= printed.lower]
        if hits:
            return "consistent", hits[0], hits[1:]
    return "inconsistent", None, []


def nearest(candidates: Iterable[Candidate], printed) -> Candidate | None:
    """The candidate whose value lies nearest the printed interval, stated routes preferred on ties."""

    def miss(c: Candidate) -> tuple[float, bool]:
        return (max(printed.lower - c.central, c.central - printed.upper, 0.0), not c.route.as_stated)

    return min(candidates, key=miss, default=None)
