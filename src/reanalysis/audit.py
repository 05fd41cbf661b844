"""The audit: every printed inference and percentage, recomputed from the printed summaries.

For each claim the audit builds the candidate *routes* (:mod:`reanalysis.routes`): the test
the paper states at the n its table prints first, then the alternatives (another test,
another analysis population, printing by truncation), each labelled. Both arms' n always
come from one population. The verdict:

``reproduced``
    the printed inputs, as printed, give the printed value at its precision by a route
    (``route``; ``as_stated`` says whether it is the paper's own);
``consistent``
    only some inputs within the printed numbers' rounding intervals give it;
``inconsistent``
    no plausible route gives it; ``recomputed`` shows the stated route's value and ``note``
    the nearest value of any route and which way it misses;
``not_reproducible``
    it needs data that are not published, or a method not implemented here (``cause``).

A claim printed once for several visits is recomputed at each visit (``<id>@<visit>``).
The verdict logic is written here because no statistics library has it; the statistics
themselves come from :mod:`reanalysis.inference` (scipy/statsmodels) and
:mod:`reanalysis.checks`.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import pickle
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import special, stats

from . import checks, closedform, inference
from .data import TABLE_N, Paper
from .markup import ReaderFrame
from .printed import Printed, is_number, parse
from .routes import NEEDS_INDIVIDUAL_DATA, Candidate, Route, nearest, order_tests, pair_populations, search
from .vocabulary import (
    CI_METHODS,
    POPULATIONS,
    POWER_METHODS,
    RANK_TESTS,
    T_METHODS,
    TWO_BY_TWO_TESTS,
    VERDICTS,
    stated_methods,
    verbal_p,
)

__all__ = [
    "VERDICTS",
    "AuditError",
    "Settings",
    "t_interval",
    "audit",
    "summary",
    "implied_denominators",
    "CLAIM_COLUMNS",
    "claim_label",
    "implied_n",
    "Inputs",
    "claim_refs",
    "printed_p",
    "arm_sd",
    "count_tables",
    "per_visit",
]

CLAIM_COLUMNS = [
    "claim_id",
    "kind",
    "section",
    "location",
    "variable",
    "timepoint",
    "quote",
    "reported",
    "recomputed",
    "method",
    "route",
    "as_stated",
    "verdict",
    "cause",
    "significance_flip",
    "recomputed_p",
    "note",
    "label",
]

#: The exact unconditional tests are tried on at most this many candidate tables per claim
#: (each takes up to a second); beyond it the note says they were not run.
EXACT_TABLES_MAX = 24
#: At most this many candidate count tables per claim (a percentage fits several counts per n).
TABLES_MAX = 5000
#: A percentage that fits more counts than this (a large n) is tried at the lowest, central and
#: highest of them only, and the claim's note says so.
COUNTS_MAX = 50
_UNPUBLISHED, _NOT_IMPLEMENTED = "needs_unpublished_data", "method_not_implemented"
_TOO_LARGE = getattr(inference, "TableTooLarge", MemoryError)
_DECREASE = re.compile(r"decreas|reduc|declin|fell|dropp|lower|loss|lost", re.IGNORECASE)
_INCREASE = re.compile(r"increas|rose|raise|gain|higher|elevat", re.IGNORECASE)


class AuditError(ValueError):
    """A claim's inputs are impossible (SD <= 0, n < 2, count > n, p outside [0, 1], a CI that
    does not contain its estimate); says which claim, and its file and line."""

    def __init__(self, claim_id: str, message: str, where: str = ""):
        self.claim_id, self.where = claim_id, where
        super().__init__(f"{where + ': ' if where else ''}claim {claim_id}: {message}")


@dataclass(frozen=True)
class Settings:
    """The analysis choices a reader can change (the notebooks' parameters).

    ``recomputed`` is given under these choices; the verdict looks at every plausible one.
    """

    alpha: float = 0.05
    two_by_two_test: str = "chi2"
    ci_method: str = "wald"
    population: str = "analysed"
    t_method: str = "student"
    power_method: str = "pooled"
    prepost_correlation: float = 0.5


@dataclass
class _Claim:
    row: dict
    reported: str = ""
    recomputed: str = ""
    method: str = ""
    verdict: str = "not_reproducible"
    cause: str = ""
    route: Route | None = None
    flip: bool | None = None
    p: float | None = None  # the recomputed p under the chosen settings, for figures
    notes: list[str] = field(default_factory=list)

    def unpublished(self, why: str) -> None:
        self.verdict, self.cause = "not_reproducible", _UNPUBLISHED
        self.notes.append(why)

    def decide(self, printed: Printed, candidates: list[Candidate], what: str = "") -> None:
        """Verdict, route and notes from candidate routes (stated first; see :func:`routes.search`)."""
        verdict, hit, others = search(candidates, printed)
        self.verdict = verdict
        if hit is not None:
            self.route = hit.route
            self.method = _methods([str(c.route) for c in [hit, *others]])
            if verdict == "consistent":
                self.notes.append("reached only within the rounding of the printed inputs")
                exact = [c for c in candidates if not c.route.as_stated and printed.contains(c.central)]
                if hit.route.as_stated and exact:
                    self.notes.append(f"an alternative route gives it exactly: {exact[0].route} ({exact[0].route.why})")
            if hit.route.rounding == "truncate":
                self.notes.append(f"reproduced only if the value was truncated, not rounded ({hit.central:.4g})")
            if not hit.route.as_stated:
                stated = [c for c in candidates if c.route.as_stated]
                shown = nearest(stated, printed)
                self.notes.append(
                    f"reproduced only by an alternative route ({hit.route.why})"
                    + (f"; the stated route ({shown.route}) gives {shown.central:.4g}" if shown else "")
                )
            return
        near = nearest(candidates, printed)
        stated = nearest([c for c in candidates if c.route.as_stated], printed) or near
        if near is None:
            self.notes.append(f"no route could be computed{what}")
            return
        self.route = stated.route
        self.method = str(stated.route)
        side = "above" if near.central > printed.upper else "below"
        self.notes.append(f"nearest: {near.central:.4g} ({near.route}), {side} the printed {printed.text}")


# --------------------------------------------------------------------------- inputs


class Inputs:
    """Look-ups into a paper's descriptive rows: values, denominators, counts."""

    def __init__(self, paper: Paper, settings: Settings):
        self.paper, self.settings = paper, settings
        records = _records(paper.descriptives)
        self.d = {r["id"]: r for r in records}
        self.i = {r["id"]: r for r in _records(paper.inferences)}
        self.implied = _implied_n(paper, records)
        self._p2x2: dict[tuple, float] = {}
        self._table_pop: dict[tuple, str | None] = {}
        self._ns: dict[tuple, list[tuple[str, str, int]]] = {}
        # rows by (arm, subgroup, variable, statistic): one pass, so look-ups don't rescan the paper
        self.index: dict[tuple, list[dict]] = {}
        for r in self.d.values():
            self.index.setdefault((r["arm"], r["subgroup"], r["variable"], r["statistic"]), []).append(r)
        # a table's printed n, by (section, arm)
        self.table_n: dict[tuple, list[dict]] = {}
        for r in self.d.values():
            if r["variable"] == TABLE_N:
                self.table_n.setdefault((r["section"], r["arm"]), []).append(r)

    def populations(self, row: dict, implied: bool = True) -> list[tuple[str, str, int]]:
        """Candidate denominators of a row as (population, source, n), the stated ones first.

        The n printed for the same arm, subgroup, variable and visit; the n in the header of
        the row's table (a ``table_n`` row of its section); the arm's analysed, assigned and
        completed n (``paper.toml``; for arm ``all`` their sums); if ``implied``, the n that the
        arm's printed percentages fit (see :func:`implied_denominators`).
        """
        key = (row["arm"], row["subgroup"], row["variable"], row["timepoint"], row["section"], implied)
        if key not in self._ns:
            self._ns[key] = self._candidates(row, implied)
        return self._ns[key]

    def ns(self, row: dict, implied: bool = True) -> list[tuple[str, int]]:
        """(source, n) of :meth:`populations` (a shorter view)."""
        return [(source, n) for _, source, n in self.populations(row, implied)]

    def _candidates(self, row: dict, implied: bool) -> list[tuple[str, str, int]]:
        out: list[tuple[str, str, int]] = []
        variables = [row["variable"]] + (["analysed"] if row["arm"] == "all" else [])
        for variable in variables:
            for r in self.index.get((row["arm"], row["subgroup"], variable, "n"), []):
                if r["timepoint"] in (row["timepoint"], ""):
                    out.append(("printed", "printed n", int(parse(r["value"]).value)))
        arms = self.paper.arms
        if not row["subgroup"]:
            for r in self.table_n.get((row["section"], row["arm"]), []):
                if r["timepoint"] in (row["timepoint"], ""):
                    out.append(("table", r["location"], int(parse(r["value"]).value)))
            for pop in ("analysed", "assigned", "completed"):
                if row["arm"] in arms and pop in arms[row["arm"]]:
                    out.append((pop, f"{pop} n", int(arms[row["arm"]][pop])))
                elif row["arm"] == "all" and all(pop in a for a in arms.values()):
                    out.append((pop, f"{pop} n", sum(int(a[pop]) for a in arms.values())))
            if implied and row["arm"] in self.implied:
                out.append(("implied", "implied n", self.implied[row["arm"]]))
        seen, unique = set(), []
        for pop, source, n in out:
            if pop not in seen:
                seen.add(pop)
                unique.append((pop, source, n))
        return unique

    def p2x2(self, ka: int, na: int, kb: int, nb: int, test: str) -> float:
        """p of a 2x2 test, computed once per table and test (tables recur across sections)."""
        key = (ka, na, kb, nb, test)
        if key not in self._p2x2:
            self._p2x2[key] = closedform.p_value(ka, na, kb, nb, test)
        return self._p2x2[key]

    def sibling(self, row: dict, statistic: str) -> dict | None:
        """The row of another statistic for the same arm, subgroup, time point, variable (and category)."""
        for r in self.index.get((row["arm"], row["subgroup"], row["variable"], statistic), []):
            if r["timepoint"] == row["timepoint"] and r.get("category", "") == row.get("category", ""):
                return r
        return None

    def count_row(self, row: dict) -> dict | None:
        return row if row["statistic"] == "count" else self.sibling(row, "count")

    def counts(self, row: dict, implied: bool = True, strict: bool = False) -> list[tuple[str, str, int, int]]:
        """(population, source, n, count) candidates for a percentage or count row.

        A count printed with its n (beside it, or in its table's header) is the datum itself,
        for a test; with another n it must fit the printed percentage (rounded or truncated).
        ``strict``: every count must fit the printed percentage rounded (to audit the percentage)."""
        crow = self.count_row(row)
        prow = self._percent_row(row)
        out = []
        for pop, source, n, fit in self._fits(row, prow, implied):
            if crow is None and len(fit) > COUNTS_MAX:  # a large n: a percentage fits many counts (see thinned)
                centre = min(max(round(parse(prow["value"]).value * n / 100), fit[0]), fit[-1]) if prow else n // 2
                fit = sorted({fit[0], centre, fit[-1]})
            if crow is not None:
                k = int(parse(crow["value"]).value)
                if k > n and pop == "printed":
                    raise ValueError(f"count {k} ({crow['id']}) is larger than its printed n = {n}")
                truncated = prow is not None and parse(prow["value"]).contains_truncated(100 * k / n)
                datum = pop in ("printed", "table") and not strict
                if k <= n and (datum or k in fit or (truncated and not strict)):
                    out.append((pop, source, n, k))
            else:
                out.extend((pop, source, n, k) for k in fit)
        return out

    def thinned(self, row: dict, implied: bool = True) -> bool:
        """Whether :meth:`counts` tries only the lowest, central and highest of the counts that fit
        the row's percentage (no count printed, and more than :data:`COUNTS_MAX` fit at some
        candidate n): a question about the row alone, so that no claim's result depends on which
        claims were audited before it."""
        if self.count_row(row) is not None:
            return False
        return any(len(fit) > COUNTS_MAX for *_, fit in self._fits(row, self._percent_row(row), implied))

    def _percent_row(self, row: dict) -> dict | None:
        return row if row["statistic"] == "percent" else self.sibling(row, "percent")

    def _fits(self, row: dict, prow: dict | None, implied: bool):
        """(population, source, n, the counts whose share of n prints as ``prow``'s percentage; every
        count from 0 to n without one) for each candidate n of the row."""
        for pop, source, n in self.populations(row, implied):
            yield pop, source, n, (checks.fitting_counts(prow["value"], n) if prow is not None else range(n + 1))

    def by_arm(self, ids: Iterable[str], statistic: str | tuple[str, ...]) -> dict[str, dict]:
        """The first row of each arm among ``ids`` with one of the statistics (the caller gives
        the ids of one visit: a claim printed for several visits is split first)."""
        stats_ = (statistic,) if isinstance(statistic, str) else statistic
        out: dict[str, dict] = {}
        for i in ids:
            r = self.d.get(i)
            if r is not None and r["statistic"] in stats_:
                out.setdefault(r["arm"], r)
        return out

    def table_population(self, row: dict) -> str | None:
        """The population most of the percentages of a row's table (its section) fit for its arm,
        implied n included: "one population per table" (None if no percentage fits any)."""
        key = (row["section"], row["arm"])
        if key not in self._table_pop:
            votes: dict[str, int] = {}
            for r in self.d.values():
                if (r["section"], r["arm"]) != key or r["statistic"] != "percent" or r["subgroup"]:
                    continue
                for pop in {f[0] for f in self.counts(r, implied=True, strict=True)}:
                    votes[pop] = votes.get(pop, 0) + 1
            order = {p: i for i, p in enumerate(POPULATIONS)}
            best = sorted(votes.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99)))
            self._table_pop[key] = best[0][0] if best else None
        return self._table_pop[key]

    def stated_population(self, rows: list[dict]) -> str | None:
        """The population the paper states for a comparison of these rows (one per arm): the
        first that every arm has, of the printed n, the table's n and the analysed n."""
        pops = [{p for p, _, _ in self.populations(r)} for r in rows]
        for pop in ("printed", "table", "analysed"):
            if all(pop in p for p in pops):
                return pop
        return None


_Inputs = Inputs  # the former private name, for code written against it


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain str (``DataFrame.to_dict`` boxes every cell: 10x slower)."""
    cols = list(df.columns)
    return [dict(zip(cols, row, strict=True)) for row in zip(*(df[c].tolist() for c in cols), strict=True)]


def claim_refs(row: dict) -> list[str]:
    """The ids a row of ``inferences.csv`` refers to (its ``refers_to``, split on ``;``)."""
    return [t.strip() for t in (row.get("refers_to") or "").split(";") if t.strip()]


_refs = claim_refs


def _fmt_p(p: float, printed: Printed) -> str:
    decimals = printed.decimals if printed.comparator == "=" else max(printed.decimals + 1, 3)
    return f"{p:.{decimals}f}" if p >= 10.0**-decimals else f"{p:.1e}"


def _percent_fits(paper: Paper, records: list[dict]):
    """(row, the arm's largest n, the denominators from that n down by 15 that the row's % fits)."""
    for r in records:
        if r["statistic"] != "percent" or r["arm"] not in paper.arms or r["subgroup"]:
            continue
        arm = paper.arms[r["arm"]]
        top = max(arm["assigned"], arm["analysed"])
        yield r, top, checks.fitting_denominators(r["value"], range(max(1, top - 15), top + 1))


#: How many of an arm's printed percentages vote on the denominator it implies (the first ones printed).
_IMPLIED_VOTES = 200


def _implied_n(paper: Paper, records: list[dict]) -> dict[str, int]:
    """Per arm, the denominator that most of its printed percentages fit (the first
    :data:`_IMPLIED_VOTES` percentages of each arm vote); empty when every arm's is its printed n."""
    votes: dict[str, dict[int, int]] = {arm: {} for arm in paper.arms}
    voters: dict[str, int] = dict.fromkeys(paper.arms, 0)
    for r in records:
        arm = r["arm"]
        if r["statistic"] != "percent" or arm not in paper.arms or r["subgroup"] or voters[arm] >= _IMPLIED_VOTES:
            continue
        voters[arm] += 1
        spec = paper.arms[arm]
        top = max(spec["assigned"], spec["analysed"])
        for n in checks.fitting_denominators(r["value"], range(max(1, top - 15), top + 1)):
            votes[arm][n] = votes[arm].get(n, 0) + 1
    out = {}
    for arm, arm_votes in votes.items():
        if arm_votes:
            n, v = max(arm_votes.items(), key=lambda kv: (kv[1], kv[0]))
            spec = paper.arms[arm]
            if v >= 2:
                out[arm] = n
    # an implied population only when some arm's percentages imply an n other than the printed ones
    if not any(n not in (paper.arms[a]["assigned"], paper.arms[a]["analysed"]) for a, n in out.items()):
        return {}
    return out


def _significance_flip(printed: Printed, recomputed: float, alpha: float) -> bool | None:
    if printed.comparator in ("<", "<=") and printed.value <= alpha:
        said = True
    elif printed.comparator in (">", ">=") and printed.value >= alpha:
        said = False
    elif printed.comparator == "=":
        said = printed.value < alpha
    else:
        return None
    return said != (recomputed < alpha)


def _methods(keys: list[str], limit: int = 3) -> str:
    return " | ".join(keys[:limit]) + (f" (+{len(keys) - limit} more)" if len(keys) > limit else "")


# --------------------------------------------------------------------------- printed values


def printed_p(row: dict, alpha: float) -> Printed | None:
    """The printed p of a row: a number, or significance in words read as ``> alpha`` /
    ``< alpha``; None for a cell that prints no number ("NA")."""
    words = verbal_p(row["value"])
    if words:
        return Printed(text=row["value"], value=alpha, decimals=3, comparator=words)
    if not is_number(row["value"]):
        return None
    return parse(row["value"])


_printed_p = printed_p


@dataclass(frozen=True)
class _Span:
    """A derived input with a value and an interval (an SD from a printed SEM and its n)."""

    text: str
    value: float
    lower: float
    upper: float


def arm_sd(sd_row: dict | None, sem_row: dict | None, n: int) -> tuple[object, str]:
    """The SD of an arm as printed, or converted from its printed SEM with ``n``
    (SD = SEM x sqrt(n), over the SEM's rounding interval); and what was assumed."""
    if sd_row is not None:
        return parse(sd_row["value"]), ""
    sem = parse(sem_row["value"])
    root = math.sqrt(n)
    span = _Span(f"{sem.text} x sqrt({n})", sem.value * root, max(sem.lower, 0.0) * root, sem.upper * root)
    return span, "SD = SEM x sqrt(n)"


_sd = arm_sd


# --------------------------------------------------------------------------- claim kinds


def _percent(claim: _Claim, inp: _Inputs) -> None:
    row = claim.row
    p = parse(row["value"])
    claim.reported = f"{row['value']}%"
    crow = inp.count_row(row)
    # the n the percentages themselves imply is no route for a percentage: it would be circular
    fits = inp.counts(row, implied=False, strict=True)
    pops = inp.populations(row, implied=False)
    if pops:
        pop, source, n = pops[0]
        k = int(parse(crow["value"]).value) if crow else min(max(round(p.value * n / 100), 0), n)
        claim.recomputed = f"{100 * k / n:.{p.decimals}f}% ({k}/{n}, {source})"
    stated = pops[0][0] if pops else None
    table = inp.table_population(row) if not any(f[0] == stated for f in fits) else None
    if table == "implied" and not row["subgroup"]:
        # one population per table: most of this table's percentages fit only the n they imply, so a
        # coincidental fit of another n (completers, say) is no route; the implied n is none either
        # (circular), so the percentage stays inconsistent with the n the paper states
        also = [f"{k}/{n} ({source})" for _, source, n, k in fits]
        fit = [(n, k) for pop_, _src, n, k in inp.counts(row, implied=True, strict=True) if pop_ == "implied"]
        fits = []
        if fit:
            n, k = fit[0]
            claim.notes.append(
                f"fits {k}/{n}, the n most of this table's percentages for the arm fit (implied n)"
                + (f"; also {', '.join(also)}, which the rest of the table does not use" if also else "")
            )
    if fits:
        claim.verdict = "reproduced"
        pop, source, n, k = next((f for f in fits if f[0] == stated), None) or next(
            (f for f in fits if f[0] == table), fits[0]
        )
        claim.route = Route(
            "percentage",
            (n,),
            pop,
            source,
            as_stated=pop == stated,
            why="" if pop == stated else f"the {source} instead of the {pops[0][1]}",
        )
        claim.method = _methods([f"{k}/{n} ({source})" for _, source, n, k in fits])
        if pop != stated and pops:
            claim.notes.append(f"does not fit the {pops[0][1]}; fits the {source}")
        return
    count = int(parse(crow["value"]).value) if crow else None
    truncated = [
        (pop, source, n, k)
        for pop, source, n in pops
        if table != "implied" or pop == stated  # one population per table, as above
        for k in ([count] if count is not None else range(n + 1))
        if k <= n and p.contains_truncated(100 * k / n)
    ]
    if truncated:
        pop, source, n, k = truncated[0]
        claim.verdict = "reproduced"
        claim.route = Route("percentage", (n,), pop, source, rounding="truncate", as_stated=pop == stated)
        claim.method = f"{k}/{n} ({source}), truncated"
        claim.notes.append(f"reproduced only if truncated, not rounded: {k}/{n} = {100 * k / n:.4g}%")
        return
    top = max(n for _, _, n in pops) if pops else 100
    implied = checks.percent_denominators(p, count, range(max(1, top - 20), top + 21))
    claim.verdict = "inconsistent"
    if pops:
        claim.route = Route("percentage", (pops[0][2],), pops[0][0], pops[0][1])
    if table == "implied" and pops and claim.notes:  # the note above says what it fits
        claim.notes.insert(0, f"does not fit the {pops[0][1]} = {pops[0][2]}")
        return
    names = ", ".join(f"{source} = {n}" for _, source, n in pops) or "no printed n"
    near = ", ".join(map(str, implied.denominators[:4]))
    claim.notes.append(
        f"fits none of {names}; " + (f"it fits n = {near}" if implied.consistent else "no nearby n fits")
    )


def _why(test: str, pop: str, stated_tests: list[str], stated_pop: str | None, named: bool) -> str:
    """Why a route is an alternative, in words (empty for a stated route)."""
    parts = []
    if named and test not in stated_tests:
        parts.append(f"{test} instead of the stated {' or '.join(stated_tests) or 'test'}")
    if pop != stated_pop:
        parts.append(f"the {pop} n instead of the {stated_pop or 'stated'} n")
    return "; ".join(parts)


def count_tables(inp: Inputs, a: dict, b: dict) -> list[tuple[str, str, tuple[int, int], tuple[int, int]]]:
    """Count tables (population, source, (na, nb), (ka, kb)) with both arms from one population,
    at most :data:`TABLES_MAX`."""
    ca, cb = inp.counts(a), inp.counts(b)
    out, seen = [], set()
    for pop in dict.fromkeys(p for p, *_ in ca):
        for (_, sa, na, ka), (_, sb, nb, kb) in itertools.product(
            [c for c in ca if c[0] == pop], [c for c in cb if c[0] == pop]
        ):
            if (na, ka, nb, kb) not in seen:
                seen.add((na, ka, nb, kb))
                out.append((pop, sa if sa == sb else f"{sa}; {sb}", (na, nb), (ka, kb)))
            if len(out) >= TABLES_MAX:
                return out
    return out


_tables = count_tables


def _named_outside(claim: _Claim, outside: list[str], family_name: str) -> bool:
    """When the paper names only tests outside this family: not reproducible, saying which."""
    individual = [t for t in outside if t in NEEDS_INDIVIDUAL_DATA or t in ("paired_t", "wilcoxon_signed_rank")]
    if individual:
        claim.unpublished(
            f"the paper names {', '.join(individual)}: "
            + (
                "rank test: needs individual data"
                if any(t in RANK_TESTS for t in individual)
                else "needs individual data"
            )
        )
    else:
        claim.verdict, claim.cause = "not_reproducible", _NOT_IMPLEMENTED
        claim.notes.append(f"the paper names {', '.join(outside)}; not implemented here for {family_name}")
    return True


def _two_by_two(claim: _Claim, inp: _Inputs, cells: dict[str, dict], arms: list[str]) -> None:
    """Every count table that fits, both arms from one population; the stated test at the stated
    n first. Barnard's and Boschloo's exact unconditional tests (up to a second each) only when
    stated, or when no other test reproduces the printed value, on at most
    :data:`EXACT_TABLES_MAX` tables."""
    s = inp.settings
    printed = _printed_p(claim.row, s.alpha)  # a p printed as "NA" never reaches here (see _inference)
    claim.reported = claim.row["value"]
    a, b = (cells[arm] for arm in arms)
    exact = ("barnard", "boschloo")
    stated_tests, alternatives, outside = order_tests(
        claim.row["method_stated"], TWO_BY_TWO_TESTS + ("chi2_or_fisher",)
    )
    named = bool(stated_methods(claim.row["method_stated"]))
    if named and not stated_tests and outside:
        _named_outside(claim, outside, "a 2x2 table")
        return
    tables = _tables(inp, a, b)
    if not tables:
        claim.notes.append("no counts fit the printed percentages with any candidate n")
        claim.verdict = "inconsistent"
        return
    stated_pop = inp.stated_population([a, b])
    if inp.thinned(a) or inp.thinned(b):  # the rows as count_tables read them (implied n included)
        claim.notes.append(
            f"a percentage fits more than {COUNTS_MAX} counts: the lowest, central and highest were tried"
        )

    def build(subset, tests) -> list[Candidate]:
        out = []
        for pop, source, (na, nb), (ka, kb) in subset:
            for t in tests:
                try:
                    p = inp.p2x2(ka, na, kb, nb, t)
                except _TOO_LARGE:
                    claim.notes.append(f"{t} not run: table too large ({na} and {nb} per arm)")
                    continue
                ok = t in stated_tests and pop == stated_pop
                why = "" if ok else _why(t, pop, stated_tests, stated_pop, named)
                out.append(
                    Candidate(Route(t, (na, nb), pop, f"{source}; {ka}/{na} vs {kb}/{nb}", as_stated=ok, why=why), p)
                )
        return out

    first_tests = [t for t in stated_tests + alternatives if t not in exact or (named and t in stated_tests)]
    cands = build(tables, first_tests)
    if search(cands, printed)[0] != "reproduced":
        more = [t for t in exact if t not in first_tests]
        if more and len(tables) > EXACT_TABLES_MAX:
            claim.notes.append(f"exact unconditional tests run on the first {EXACT_TABLES_MAX} of {len(tables)} tables")
        cands += build(tables[:EXACT_TABLES_MAX], more)
    pop, source, (na, nb), (ka, kb) = next((t for t in tables if t[0] == s.population), None) or next(
        (t for t in tables if t[0] == stated_pop), tables[0]
    )
    try:
        preferred = inp.p2x2(ka, na, kb, nb, s.two_by_two_test)
        claim.recomputed = f"{_fmt_p(preferred, printed)} ({s.two_by_two_test}; {ka}/{na} vs {kb}/{nb})"
        claim.flip = _significance_flip(printed, preferred, s.alpha)
        claim.p = preferred
    except _TOO_LARGE:
        claim.notes.append(f"{s.two_by_two_test} not run: table too large")
    claim.decide(printed, cands)
    if not named:
        claim.notes.append("the paper names no test for it")
    elif claim.verdict == "inconsistent" and any(t in RANK_TESTS for t in outside):
        claim.unpublished("the paper also names a rank test, which needs the individual data")


def _categories(claim: _Claim, inp: _Inputs, rows: list[dict], arms: list[str]) -> None:
    """A p over a row of several categories: the arms x categories chi-squared test (and the
    Fisher-Freeman-Halton exact test) from the category counts, both arms from one population."""
    s = inp.settings
    printed = _printed_p(claim.row, s.alpha)  # a p printed as "NA" never reaches here (see _inference)
    claim.reported = claim.row["value"]
    cats = list(dict.fromkeys(r["category"] for r in rows))
    family = ("chi2", "fisher_freeman_halton")
    named_all = stated_methods(claim.row["method_stated"])
    named = bool(named_all)
    # for a table of categories, "Fisher" is the Fisher-Freeman-Halton test, and the switch rule
    # "chi-squared or Fisher" applies it where an expected count is below 5
    wanted = ["fisher_freeman_halton" if t == "fisher" else t for t in named_all]
    stated_tests = [t for t in dict.fromkeys(wanted) if t in family + ("chi2_or_fisher",)] if named else list(family)
    outside = [t for t in wanted if t not in family + ("chi2_or_fisher",)]
    if named and not stated_tests and outside:
        _named_outside(claim, outside, "a table of categories")
        return
    per_arm = {}
    for arm in arms:
        by_cat = {}
        for r in rows:
            if r["arm"] == arm:
                by_cat.setdefault(r["category"], r)
        if set(by_cat) != set(cats):
            claim.notes.append(f"arm {arm} lacks a printed count for some category")
            return
        per_arm[arm] = by_cat
    stated_pop = inp.stated_population([per_arm[a][cats[0]] for a in arms])
    cands = []
    for pop in dict.fromkeys(p for p, _, _ in inp.populations(per_arm[arms[0]][cats[0]])):
        options = []
        for arm in arms:
            per_cat = [[(n, k) for p_, _, n, k in inp.counts(per_arm[arm][c]) if p_ == pop] for c in cats]
            if not all(per_cat):
                break
            options.append([combo for combo in itertools.islice(itertools.product(*per_cat), TABLES_MAX)])
        if len(options) != len(arms):
            continue
        for combo in itertools.islice(itertools.product(*options), TABLES_MAX):
            table = np.array([[k for _, k in arm_row] for arm_row in combo])
            n = tuple(arm_row[0][0] for arm_row in combo)
            rule = "fisher_freeman_halton" if stats.contingency.expected_freq(table).min() < 5 else "chi2"
            for t in [t for t in ("chi2_or_fisher", "chi2", "fisher_freeman_halton") if t in stated_tests] + [
                t for t in family if t not in stated_tests
            ]:
                p = _rxk(table, rule if t == "chi2_or_fisher" else t)
                if p is None:
                    claim.notes.append("Fisher-Freeman-Halton not run: table too large to enumerate")
                    continue
                ok = t in stated_tests and pop == stated_pop
                why = "" if ok else _why(t, pop, stated_tests, stated_pop, named)
                cands.append(Candidate(Route(t, n, pop, f"{pop} n; {table.tolist()}", as_stated=ok, why=why), p))
    if not cands:
        claim.notes.append("no category counts fit with one population in both arms")
        claim.verdict = "inconsistent"
        return
    claim.recomputed = f"{_fmt_p(cands[0].central, printed)} ({cands[0].route})"
    claim.p = cands[0].central
    claim.flip = _significance_flip(printed, cands[0].central, s.alpha)
    claim.decide(printed, cands)


def _rxk(table: np.ndarray, test: str) -> float | None:
    if (table.sum(axis=0) == 0).any():
        table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 1.0
    if test == "chi2":
        return float(stats.chi2_contingency(table, correction=False).pvalue)
    return _ffh(table)


#: Fisher-Freeman-Halton enumerates at most this many tables.
FFH_TABLES_MAX = 200_000


def _ffh(table: np.ndarray) -> float | None:
    """Fisher-Freeman-Halton exact p of a 2 x k table: the probability of all tables with its
    margins no more probable than it. Written here because scipy's r x c Fisher test is a
    Monte Carlo approximation (a different p on every call); None beyond :data:`FFH_TABLES_MAX`."""
    if table.shape[0] != 2:
        return None
    cols, top = table.sum(axis=0), int(table[0].sum())
    total = int(table.sum())
    count = 1
    for c in cols:
        count *= int(c) + 1
        if count > FFH_TABLES_MAX:
            return None
    logc = special.gammaln(cols + 1).sum() + special.gammaln(top + 1) + special.gammaln(total - top + 1)
    logc -= special.gammaln(total + 1)

    observed = logc - special.gammaln(table[0] + 1).sum() - special.gammaln(cols - table[0] + 1).sum()
    grids = np.array(list(itertools.product(*(range(int(c) + 1) for c in cols))))
    grids = grids[grids.sum(axis=1) == top]
    lp = logc - special.gammaln(grids + 1).sum(axis=1) - special.gammaln(cols - grids + 1).sum(axis=1)
    return float(min(1.0, np.exp(lp[lp <= observed + 1e-7]).sum()))


def _ttest(claim: _Claim, inp: _Inputs, means: dict, sds: dict, sems: dict, arms: list[str]) -> None:
    """Two-sample t-test from printed means and SDs (or SEMs, converted with each n), both arms'
    n from one population; Student's and Welch's as the paper's "t-test" allows."""
    s = inp.settings
    printed = _printed_p(claim.row, s.alpha)  # a p printed as "NA" never reaches here (see _inference)
    claim.reported = claim.row["value"]
    named_all = stated_methods(claim.row["method_stated"])
    if len(arms) == 2:  # a one-way ANOVA of two groups is Student's t-test
        named_all = tuple("student" if t == "anova" else t for t in named_all)
    stated_tests, alternatives, outside = order_tests(" ".join(named_all).replace("_", " "), T_METHODS)
    if named_all and not stated_tests:
        stated_tests, alternatives = [], list(T_METHODS)
    outside = [t for t in named_all if t not in T_METHODS + ("t_test",)]
    named = bool(named_all)
    if named and not stated_tests and outside:
        _named_outside(claim, outside, "means and SDs")
        return
    m = [parse(means[a]["value"]) for a in arms]
    per_arm = [inp.populations(means[a]) for a in arms]
    pairs = pair_populations(per_arm)
    if not pairs:
        claim.unpublished("no n printed for these means, and no arm n applies (a subgroup)")
        return
    stated_pop = inp.stated_population([means[a] for a in arms])
    cands = []
    # with SDs printed, one vectorised evaluation per method covers every population; an SD from a
    # printed SEM depends on n, so then each population is evaluated on its own
    per_n = any(a in sems and a not in sds for a in arms)
    batches = [[pair] for pair in pairs] if per_n else [pairs]
    results = {}
    for batch in batches:
        n_pair = batch[0][2]
        spreads = [_sd(sds.get(a), sems.get(a), n) for a, n in zip(arms, n_pair, strict=True)]
        n0s, n1s = np.array([p[2][0] for p in batch]), np.array([p[2][1] for p in batch])
        for method in stated_tests + alternatives:
            c, lo, hi = t_interval(m, [spreads[0][0], spreads[1][0]], n0s, n1s, method)
            for i, (pop, _, _) in enumerate(batch):
                results[(pop, method)] = (float(c[i]), float(lo[i]), float(hi[i]), spreads[0][1] or spreads[1][1])
    for pop, source, (n0, n1) in pairs:
        for method in stated_tests + alternatives:
            c, lo, hi, assumed = results[(pop, method)]
            ok = method in stated_tests and pop == stated_pop
            why = "" if ok else _why(method, pop, stated_tests, stated_pop, named)
            route = Route(method, (n0, n1), pop, source, assumed=assumed, as_stated=ok, why=why)
            cands.append(Candidate(route, c, lo, hi))
    if not cands:
        claim.unpublished("a t-test needs n >= 2 per arm")
        return
    shown = next((c for c in cands if c.route.test == s.t_method and c.route.population == s.population), None)
    shown = shown or next((c for c in cands if c.route.test == s.t_method and c.route.as_stated), cands[0])
    claim.recomputed = (
        f"{_fmt_p(shown.central, printed)} [{_fmt_p(shown.low, printed)}, "
        f"{_fmt_p(shown.high, printed)}] ({shown.route})"
    )
    claim.flip = _significance_flip(printed, shown.central, s.alpha)
    claim.p = shown.central
    claim.decide(printed, cands)
    if not named:
        claim.notes.append("the paper names no test for it")
    if claim.verdict == "inconsistent" and any(t in RANK_TESTS for t in outside):
        claim.unpublished("the paper also names a rank test, which needs the individual data")
    if claim.row["timepoint"] not in ("", "baseline") and stated_pop != "printed" and stated_pop != "table":
        claim.notes.append("the n at this visit is not printed; the arm's n were assumed")


def _ci(claim: _Claim, inp: _Inputs, cells: dict[str, dict], arms: list[str]) -> None:
    """A printed CI of a difference of proportions, under each CI method, both arms from one
    population, the stated n first (the paper rarely names the interval method)."""
    s = inp.settings
    lo, hi = parse(claim.row["ci_low"]), parse(claim.row["ci_high"])
    level = float(claim.row["ci_level"] or 95) / 100
    claim.reported = f"{claim.row['ci_low']} to {claim.row['ci_high']}"
    a, b = (cells[arm] for arm in arms)
    tables = _tables(inp, a, b)
    stated_pop = inp.stated_population([a, b])
    found: list[tuple[Route, float, float]] = []

    def interval(t: tuple, method: str) -> tuple[float, float]:
        if method == "score":  # Miettinen-Nurminen needs root finding: only when asked for or needed
            ci = inference.proportion_difference_ci(*t, method=method, level=level)
            return ci.low, ci.high
        return closedform.diff_ci(*t, method=method, level=level)

    cheap = [m for m in CI_METHODS if m != "score"]
    for methods in (cheap, ["score"]):
        if (
            methods == ["score"]
            and any(lo.contains(x) and hi.contains(y) for _, x, y in found)
            and s.ci_method != "score"
        ):
            break
        for pop, source, (na, nb), (ka, kb) in tables:
            for method in methods:
                low, high = (100 * x for x in interval((ka, na, kb, nb), method))
                ok = pop == stated_pop
                route = Route(
                    method,
                    (na, nb),
                    pop,
                    f"{source}; {ka}/{na} vs {kb}/{nb}",
                    as_stated=ok,
                    why="" if ok else f"the {pop} n instead of the {stated_pop} n",
                )
                found.append((route, low, high))
                if method == s.ci_method and not claim.recomputed and pop in (s.population, stated_pop):
                    claim.recomputed = f"{lo.format(low)} to {hi.format(high)} ({route})"
    if not found:
        claim.verdict = "inconsistent"
        claim.notes.append("no counts fit the printed percentages")
        return
    for group in (True, False):
        hits = [(r, x, y) for r, x, y in found if r.as_stated is group and lo.contains(x) and hi.contains(y)]
        if hits:
            (route, low, high), others = hits[0], len(hits) - 1
            claim.verdict, claim.route = "reproduced", route
            claim.method = str(route) + (f" (+{others} other routes)" if others else "")
            if not claim.recomputed:  # the run's method and population reach no interval: show the route's
                claim.recomputed = f"{lo.format(low)} to {hi.format(high)} ({route})"
            if not group:
                claim.notes.append(f"reproduced only by an alternative route ({route.why})")
            return
    route, low, high = min(found, key=lambda f: (abs(f[1] - lo.value) + abs(f[2] - hi.value), not f[0].as_stated))
    if not claim.recomputed:
        claim.recomputed = f"{lo.format(low)} to {hi.format(high)} ({route})"
    claim.verdict, claim.route, claim.method = "inconsistent", route, str(route)
    claim.notes.append(f"nearest: {low:.2f} to {high:.2f} ({route})")


def _mean_difference(claim: _Claim, inp: _Inputs, means: dict, arms: list[str]) -> None:
    """A printed difference of means and its CI, from the printed means and SDs (or SEMs) with
    Student's or Welch's t quantile, both arms' n from one population; either sign of the
    difference (papers subtract either way); the extremes over the inputs' rounding box."""
    row = claim.row
    est = parse(row["value"]) if row["value"] and is_number(row["value"]) else None
    lo, hi = parse(row["ci_low"]), parse(row["ci_high"])
    level = float(row["ci_level"] or 95) / 100
    claim.reported = " ".join(x for x in (row["value"], f"[{row['ci_low']}, {row['ci_high']}]") if x)
    m = [parse(means[a]["value"]) for a in arms]
    spreads = [(inp.sibling(means[a], "sd"), inp.sibling(means[a], "sem")) for a in arms]
    if not all(sd or sem for sd, sem in spreads):
        claim.unpublished("no SD or SEM printed for the means")
        return
    stated_pop = inp.stated_population([means[a] for a in arms])
    sign = -1.0 if (est.value if est else (lo.value + hi.value) / 2) * (m[0].value - m[1].value) < 0 else 1.0
    found = []
    for pop, source, ns in pair_populations([inp.populations(means[a]) for a in arms]):
        if min(ns) < 2:
            continue
        sds = [_sd(sd, sem, n) for (sd, sem), n in zip(spreads, ns, strict=True)]
        for method in T_METHODS:
            corners = []
            for m0, m1, s0, s1 in itertools.product(
                (m[0].lower, m[0].value, m[0].upper),
                (m[1].lower, m[1].value, m[1].upper),
                (sds[0][0].lower, sds[0][0].value, sds[0][0].upper),
                (sds[1][0].lower, sds[1][0].value, sds[1][0].upper),
            ):
                v0, v1 = s0**2 / ns[0], s1**2 / ns[1]
                if method == "welch":
                    se, df = math.sqrt(v0 + v1), (v0 + v1) ** 2 / (v0**2 / (ns[0] - 1) + v1**2 / (ns[1] - 1))
                else:
                    df = ns[0] + ns[1] - 2
                    se = math.sqrt(((ns[0] - 1) * s0**2 + (ns[1] - 1) * s1**2) / df * (1 / ns[0] + 1 / ns[1]))
                d, q = sign * (m0 - m1), stats.t.ppf(0.5 + level / 2, df)
                corners.append((d, d - q * se, d + q * se))
            central = corners[len(corners) // 2]  # the printed values: the middle of each 3-point axis
            ok = pop == stated_pop
            route = Route(
                method,
                ns,
                pop,
                source,
                assumed=sds[0][1] or sds[1][1],
                as_stated=ok,
                why="" if ok else f"the {pop} n instead of the {stated_pop} n",
            )
            found.append((route, central, corners))
    if not found:
        claim.unpublished("no n for these means")
        return

    def holds(values) -> bool:
        d, a, b = values
        return lo.contains(a) and hi.contains(b) and (est is None or est.contains(d))

    def near(corners) -> bool:
        span = [(min(c[i] for c in corners), max(c[i] for c in corners)) for i in range(3)]
        ok = [x.lower <= s[1] and s[0] <= x.upper for x, s in zip((est or lo, lo, hi), span, strict=True)]
        return all(ok[1:]) and (est is None or ok[0])

    claim.recomputed = "{:.3g} [{:.3g}, {:.3g}] ({})".format(*found[0][1], found[0][0])
    for test, verdict in ((lambda f: holds(f[1]), "reproduced"), (lambda f: near(f[2]), "consistent")):
        for group in (True, False):
            hits = [f for f in found if f[0].as_stated is group and test(f)]
            if hits:
                claim.verdict, claim.route, claim.method = verdict, hits[0][0], str(hits[0][0])
                claim.recomputed = "{:.3g} [{:.3g}, {:.3g}] ({})".format(*hits[0][1], hits[0][0])
                if not group:
                    claim.notes.append(f"only by an alternative route ({hits[0][0].why})")
                if verdict == "consistent":
                    claim.notes.append("reached only within the rounding of the printed inputs")
                return
    route, central, _ = found[0]
    claim.verdict, claim.route, claim.method = "inconsistent", route, str(route)
    claim.notes.append("no t interval from the printed means and SDs gives the printed estimate and CI")


def _power(claim: _Claim, inp: _Inputs, cells: dict[str, dict], arms: list[str]) -> None:
    s = inp.settings
    printed = parse(claim.row["value"])
    claim.reported = claim.row["value"] if claim.row["value"].endswith("%") else f"{claim.row['value']}%"
    a, b = (cells[arm] for arm in arms)
    stated_pop = inp.stated_population([a, b])
    cands = []
    for pop, source, (na, nb), (ka, kb) in _tables(inp, a, b):
        for method in POWER_METHODS:
            pw = 100 * inference.power_two_proportions(ka / na, kb / nb, na, nb, alpha=s.alpha, method=method).power
            ok = pop == stated_pop
            route = Route(
                f"power ({method})",
                (na, nb),
                pop,
                f"{source}; {ka}/{na} vs {kb}/{nb}; alpha = {s.alpha:g}",
                as_stated=ok,
                why="" if ok else f"the {pop} n instead of the {stated_pop} n",
            )
            cands.append(Candidate(route, pw))
            if method == s.power_method and not claim.recomputed:
                claim.recomputed = f"{printed.format(pw)}% ({route})"
    claim.decide(printed, cands)
    claim.notes.append("the paper names no power formula: each is tried at the stated n")


def _change(claim: _Claim, inp: _Inputs) -> None:
    """A printed change within an arm against the difference of its printed means; a change
    printed as a decrease (in words or with a minus sign) must come with falling means."""
    rows = [inp.d[i] for i in _refs(claim.row) if i in inp.d and inp.d[i]["statistic"] == "mean"]
    order = inp.paper.timepoints
    rows.sort(key=lambda r: order.index(r["timepoint"]) if r["timepoint"] in order else -1)
    if len(rows) != 2:
        claim.notes.append("needs exactly two printed means (before, after) to check")
        return
    before, after, change = parse(rows[0]["value"]), parse(rows[1]["value"]), parse(claim.row["value"])
    claim.reported = claim.row["value"]
    text = f"{claim.row['quote']} {claim.row['note']}"
    # the direction the paper gives: a sign, or words ("decreased", "rose"); None when it gives neither
    said = None
    if change.value < 0 or (_DECREASE.search(text) and not _INCREASE.search(text)):
        said = -1
    elif _INCREASE.search(text) and not _DECREASE.search(text):
        said = 1
    diff = after.value - before.value
    claim.recomputed = f"{change.format(abs(diff))} ({rows[1]['value']} vs {rows[0]['value']})"
    claim.route = Route("difference of the printed means", (), "", "", assumed="")
    magnitude = parse(claim.row["value"].lstrip("-+−"))
    if said is not None and diff != 0 and (diff > 0) != (said > 0):
        claim.verdict = "inconsistent"
        claim.method = "difference of the printed means"
        claim.notes.append(
            f"printed as a {'decrease' if said < 0 else 'increase'}, but the printed means "
            f"{'rise' if diff > 0 else 'fall'} ({rows[0]['value']} to {rows[1]['value']})"
        )
        return
    if magnitude.contains(abs(diff)):
        claim.verdict, claim.method = "reproduced", "difference of the printed means"
    elif checks.change_consistency(*((before, after) if diff >= 0 else (after, before)), magnitude).consistent:
        claim.verdict, claim.method = "consistent", "difference of means within rounding"
    else:
        claim.verdict, claim.method = "inconsistent", "difference of the printed means"
        claim.notes.append(
            f"the printed means differ by {abs(diff):.{change.decimals}f}, not {magnitude.text}; a mean of individual "
            "changes among completers can differ from the difference of means of all measured"
        )


def _ratio(claim: _Claim, inp: _Inputs) -> None:
    rows = [inp.d[i] for i in _refs(claim.row) if i in inp.d and inp.d[i]["statistic"] == "percent"]
    if len(rows) != 2:
        claim.notes.append("needs two printed percentages to check")
        return
    hi_row, lo_row = sorted(rows, key=lambda r: -parse(r["value"]).value)
    ratio = parse(claim.row["value"])
    claim.reported = claim.row["value"]
    claim.route = Route("ratio of the printed percentages")
    if parse(lo_row["value"]).value == 0:
        claim.verdict, claim.method = "inconsistent", "ratio of the printed percentages"
        claim.notes.append(f"the smaller percentage ({lo_row['id']}) is 0: no finite ratio")
        return
    r = parse(hi_row["value"]).value / parse(lo_row["value"]).value
    claim.recomputed = f"{r:.2f} ({hi_row['value']}% / {lo_row['value']}%)"
    check = checks.ratio_consistency(hi_row["value"], lo_row["value"], ratio)
    if ratio.contains(r):
        claim.verdict, claim.method = "reproduced", "ratio of the printed percentages"
    elif check.consistent:
        claim.verdict, claim.method = "consistent", "ratio within rounding"
    else:
        claim.verdict, claim.method = "inconsistent", "ratio of the printed percentages"
        excess = r - 1
        if ratio.contains(round(excess, ratio.decimals)) or abs(excess - ratio.value) <= 0.1 * ratio.value:
            claim.notes.append(f"the relative excess (ratio - 1 = {excess:.2f}) is close to the printed value")
    if "nearly" in (claim.row.get("quote") or "") or "nearly" in (claim.row.get("note") or ""):
        claim.notes.append("printed as 'nearly'")


def _p_from_ci(claim: _Claim, target: dict, alpha: float, dfs: list[tuple[str, str, int]] = ()) -> None:
    """The p a printed estimate and CI imply (Altman & Bland): on the normal scale, and, for a
    difference of means, with Student's t quantile at each candidate df (the CI of a t-test)."""
    printed = _printed_p(claim.row, alpha)
    claim.reported = claim.row["value"]
    if printed is None:
        claim.unpublished("no p-value printed (NA)")
        return
    est, lo, hi = parse(target["value"]), parse(target["ci_low"]), parse(target["ci_high"])
    level = float(target["ci_level"] or 95) / 100
    ratio = target["kind"] in ("odds_ratio", "ratio")
    scale = (lambda x: math.log(x)) if ratio else (lambda x: x)  # noqa: E731
    corners = [
        (e, a, b)
        for e in (est.lower, est.value, est.upper)
        for a in (lo.lower, lo.upper)
        for b in (hi.lower, hi.upper)
        if a < e < b and (not ratio or a > 0)
    ]
    methods = [("normal", "", None)] + [(f"t, df = {df}", pop, df) for pop, _, df in dfs]
    cands = []
    for name, pop, df in methods:
        q = stats.norm.ppf(0.5 + level / 2) if df is None else stats.t.ppf(0.5 + level / 2, df)

        def p(e, a, b, q=q, df=df):
            z = scale(e) / ((scale(b) - scale(a)) / (2 * q))
            return float(2 * (stats.norm.sf(abs(z)) if df is None else stats.t.sf(abs(z), df)))

        central = (
            inference.p_from_ci(est.value, lo.value, hi.value, level=level, ratio=ratio).pvalue
            if df is None
            else p(est.value, lo.value, hi.value)
        )
        ps = [p(*c) for c in corners]
        stated = df is None or pop == (dfs[0][0] if dfs else "")
        route = Route(
            "p implied by the printed CI" + (" (log scale)" if ratio else "") + f" ({name})",
            (),
            pop,
            target["id"],
            as_stated=stated,
            why="" if stated else f"the df of the {pop} n",
        )
        cands.append(Candidate(route, central, min(ps, default=None), max(ps, default=None)))
    claim.recomputed = f"{_fmt_p(cands[0].central, printed)} ({cands[0].route.test})"
    claim.decide(printed, cands)
    if not corners:
        claim.notes.append("the printed CI does not contain its estimate at every rounding corner")


def _same_comparison(claim_row: dict, target: dict) -> bool:
    """Whether a printed interval is of the same comparison as a p: between-group for a
    between-group p, with the same arms; a within-arm interval never stands in for it."""
    arms = set(_split(claim_row["arms"]))
    return target["comparison"] == claim_row["comparison"] and set(_split(target["arms"])) == arms


def _split(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(";") if t.strip()]


def _t_p(diff, s0, s1, n0, n1, welch: bool):
    """Two-sided p of the two-sample t-test from summaries, for numpy arrays (broadcast).

    The formula of ``scipy.stats.ttest_ind_from_stats``, written out so that one call
    evaluates every corner, population and method at once (the audit's hot path);
    ``tests/test_audit.py`` checks it against :func:`reanalysis.inference.ttest_from_stats`.
    """
    v0, v1 = s0**2 / n0, s1**2 / n1
    if welch:
        se = np.sqrt(v0 + v1)
        df = (v0 + v1) ** 2 / (v0**2 / (n0 - 1) + v1**2 / (n1 - 1))
    else:
        df = n0 + n1 - 2
        se = np.sqrt(((n0 - 1) * s0**2 + (n1 - 1) * s1**2) / df * (1 / n0 + 1 / n1))
    return 2 * special.stdtr(df, -np.abs(diff) / se)


def t_interval(m: list[Printed], sd: list[Printed], n0, n1, method: str = "student"):
    """Central p, and the smallest and largest p over all means and SDs that round to the printed ones.

    ``n0``, ``n1`` may be arrays (one entry per candidate population). Student's p rises
    with each SD and falls with |difference| (monotone), so the extremes are at the corners
    of the rounding box: exact. Welch's df also moves with the SDs; its corners are a close
    approximation, not a bound.

    Returns
    -------
    (central, low, high) : arrays shaped like ``n0``.
    """
    for x, what in ((sd[0], "SD"), (sd[1], "SD")):
        if not x.value > 0:
            raise ValueError(f"an {what} must be > 0, got {x.text!r}")
    n0, n1 = np.asarray(n0, float), np.asarray(n1, float)
    if (n0 < 2).any() or (n1 < 2).any():
        raise ValueError(f"a t-test needs n >= 2 per arm, got n = {n0.min():g} and {n1.min():g}")
    welch = method == "welch"
    lo_d, hi_d = m[0].lower - m[1].upper, m[0].upper - m[1].lower
    small = 0.0 if lo_d <= 0 <= hi_d else min(abs(lo_d), abs(hi_d))
    s0, s1 = (max(sd[0].lower, 1e-12), sd[0].upper), (max(sd[1].lower, 1e-12), sd[1].upper)
    # the 8 corners of the rounding box, then the printed values themselves, in one evaluation
    big = max(abs(lo_d), abs(hi_d))
    d = np.array([[small], [small], [small], [small], [big], [big], [big], [big], [m[0].value - m[1].value]])
    a = np.array([[s0[0]], [s0[0]], [s0[1]], [s0[1]], [s0[0]], [s0[0]], [s0[1]], [s0[1]], [sd[0].value]])
    b = np.array([[s1[0]], [s1[1]], [s1[0]], [s1[1]], [s1[0]], [s1[1]], [s1[0]], [s1[1]], [sd[1].value]])
    p = _t_p(d, a, b, n0, n1, welch)
    central, corners = p[8], p[:8]
    return central, corners.min(axis=0), corners.max(axis=0)


#: Pre-post correlations tried for a within-group test (the printed value is checked against each).
CORRELATIONS = np.round(np.arange(-0.9, 0.991, 0.01), 2)


def _paired_p(pre: Printed, sd_pre: Printed, post: Printed, sd_post: Printed, n: int, r):
    """Two-sided paired t-test p from before/after means and SDs and a correlation ``r`` (array).

    The SD of the change is sqrt(sd1^2 + sd2^2 - 2 r sd1 sd2), as in
    :func:`reanalysis.inference.paired_from_stats`; written out to evaluate every ``r`` at once.
    """
    sd = np.sqrt(np.maximum(sd_pre.value**2 + sd_post.value**2 - 2 * r * sd_pre.value * sd_post.value, 1e-300))
    return 2 * special.stdtr(n - 1, -abs(post.value - pre.value) / (sd / np.sqrt(n)))


#####
def _within(claim: _Claim, inp: _Inputs, refs: list[str], arms: list[str]) -> bool:
    """A within-group p from printed before/after means and SDs, which needs the unpublished
    correlation between visits: the p at the chosen ``prepost_correlation``, and the correlations
    (from -0.9 to 0.99) under which the printed value holds. False if the SDs are not printed."""
    s = inp.settings
    printed = _printed_p(claim.row, s.alpha)
    if printed is None:
        return False
    rows = [inp.d[r] for r in refs if r in inp.d]
    stats_at = {(r["arm"], r["timepoint"], r["statistic"]): r for r in rows}
    pairs = []
    for arm in arms:
        for tp in _refs({"refers_to": claim.row["timepoint"]}):
            keys = [(arm, t, st) for t in ("baseline", tp) for st in ("mean", "sd")]
            if not all(k in stats_at for k in keys):
                return False
            pre, sd_pre, post, sd_post = (parse(stats_at[k]["value"]) for k in keys)
            pops = inp.populations(stats_at[(arm, tp, "mean")])
            if not pops:
                return False
            pop, source, n = pops[0]
            pairs.append((f"{arm} {tp}", pre, sd_pre, post, sd_post, n, pop, source))
    if not pairs:
        return False
    holds = np.ones_like(CORRELATIONS, dtype=bool)
    chosen = []
    for label, pre, sd_pre, post, sd_post, n, _, _ in pairs:
        ps = _paired_p(pre, sd_pre, post, sd_post, n, CORRELATIONS)
        holds &= printed.contains_each(ps)
        chosen.append(
            f"{label}: {_fmt_p(float(_paired_p(pre, sd_pre, post, sd_post, n, s.prepost_correlation)), printed)}"
        )
    claim.reported = claim.row["value"]
    claim.recomputed = "; ".join(chosen) + f" (paired t, r = {s.prepost_correlation:g}, n = {pairs[0][5]})"
    claim.method = "paired t-test from printed means and SDs, correlation assumed"
    named = stated_methods(claim.row["method_stated"])
    claim.route = Route(
        "paired_t",
        tuple(p[5] for p in pairs),
        pairs[0][6],
        pairs[0][7],
        assumed="correlation between visits from -0.9 to 0.99",
        as_stated=not named or "paired_t" in named,
        why="" if not named or "paired_t" in named else "a paired t-test; the paper names " + ", ".join(named),
    )
    if holds.any():
        first, last = np.flatnonzero(holds)[[0, -1]]
        gaps = "" if holds[first : last + 1].all() else " (not for every r in between)"
        claim.unpublished(
            "needs the unpublished correlation between visits; the printed value holds for r from "
            f"{CORRELATIONS[first]:.2f} to {CORRELATIONS[last]:.2f}{gaps}"
        )
    elif any(t in RANK_TESTS for t in named):
        claim.unpublished(
            "no correlation between visits from -0.9 to 0.99 gives the printed value with a paired t-test; "
            "the paper also names the Wilcoxon signed-rank test, which needs the individual data"
        )
    else:
        claim.verdict = "inconsistent"
        claim.notes.append("no correlation between visits from -0.9 to 0.99 gives the printed value")
    return True


def _inference(claim: _Claim, inp: _Inputs) -> None:
    row = claim.row
    claim.reported = " ".join(
        x for x in (row["value"], f"[{row['ci_low']}, {row['ci_high']}]" if row["ci_low"] else "") if x
    )
    refs = _refs(row)
    arms = [a for a in (row["arms"] or "").split(";") if a.strip()]
    kind = row["kind"]
    if kind == "p_value" and row["value"] and _printed_p(row, inp.settings.alpha) is None:
        claim.unpublished(f"printed as {row['value']!r}: no number to recompute")
        return
    if kind == "p_value" and row["comparison"] == "within" and _within(claim, inp, refs, arms):
        return
    targets = [inp.i[r] for r in refs if r in inp.i and inp.i[r]["ci_low"]]
    if kind == "p_value" and targets and (row["recomputable"] == "no" or not any(r in inp.d for r in refs)):
        same = [t for t in targets if _same_comparison(row, t)]
        if not same:
            claim.unpublished(
                "the printed interval is not the interval of this comparison (it is "
                f"{targets[0]['comparison']} {targets[0]['arms']}): it cannot imply this p"
                + (f"; {row['reason']}" if row["reason"] else "")
            )
            return
        dfs = []
        if same[0]["kind"] == "difference" and len(arms) == 2:  # a difference of means: a t-test's CI
            rows = [next((inp.d[r] for r in _refs(same[0]) if r in inp.d and inp.d[r]["arm"] == a), None) for a in arms]
            if all(rows):
                pairs = pair_populations([inp.populations(r) for r in rows])
                dfs = [(pop, source, ns[0] + ns[1] - 2) for pop, source, ns in pairs if min(ns) >= 2]
            else:
                spec = inp.paper.arms
                for pop in ("analysed", "assigned", "completed"):
                    if all(a in spec and pop in spec[a] for a in arms):
                        dfs.append((pop, f"{pop} n", sum(int(spec[a][pop]) for a in arms) - 2))
        _p_from_ci(claim, same[0], inp.settings.alpha, dfs)
        named = stated_methods(row["method_stated"] or same[0]["method_stated"])
        if any(t in RANK_TESTS for t in named) and claim.verdict != "reproduced":
            claim.unpublished("the paper names a rank test, whose p a printed CI does not imply: needs individual data")
        elif claim.verdict == "inconsistent" and row["recomputable"] == "no":
            claim.unpublished(
                "the model's p may come from a likelihood-ratio or score test rather than the Wald test "
                "that its printed CI implies: needs the individual data"
            )
        if row["recomputable"] == "no":
            claim.notes.append("the estimate itself needs the unpublished individual data: " + row["reason"])
        return
    if row["recomputable"] == "no":
        claim.unpublished(row["reason"])
        named = stated_methods(row["method_stated"])
        if any(t in RANK_TESTS for t in named) and "rank test" not in row["reason"]:
            claim.notes.append("rank test: needs individual data")
        return
    if kind == "p_value" and row["value"] and is_number(row["value"]) and not 0 <= parse(row["value"]).value <= 1:
        raise ValueError(f"a p-value lies in [0, 1], got {row['value']!r}")
    if kind == "change":
        return _change(claim, inp)
    if kind == "ratio":
        return _ratio(claim, inp)
    named = stated_methods(row["method_stated"])
    rank_only = named and all(t in RANK_TESTS for t in named)
    if kind == "p_value" and rank_only:
        claim.unpublished(f"the paper names {', '.join(named)}: rank test: needs individual data")
        return
    categorical = [
        inp.d[i]
        for i in refs
        if i in inp.d and inp.d[i].get("category") and inp.d[i]["statistic"] in ("count", "percent")
    ]
    if kind == "p_value" and categorical:
        return _categories(claim, inp, categorical, arms)
    cells = inp.by_arm(refs, ("percent", "count"))
    means, sds, sems = inp.by_arm(refs, "mean"), inp.by_arm(refs, "sd"), inp.by_arm(refs, "sem")
    two_arms = len(arms) == 2
    if kind == "p_value" and two_arms and all(a in means and (a in sds or a in sems) for a in arms):
        return _ttest(claim, inp, means, sds, sems, arms)
    if kind == "p_value" and two_arms and all(a in cells for a in arms):
        return _two_by_two(claim, inp, cells, arms)
    if row["ci_low"] and two_arms and all(a in cells for a in arms):
        return _ci(claim, inp, cells, arms)
    if kind == "difference" and row["ci_low"] and two_arms and all(a in means for a in arms):
        return _mean_difference(claim, inp, means, arms)
    if kind == "power" and two_arms and all(a in cells for a in arms):
        return _power(claim, inp, cells, arms)
    if kind == "p_value" and two_arms and all(a in means for a in arms):
        claim.unpublished("no SD or SEM printed for the means")
        return
    if kind == "p_value" and any(inp.d[i]["statistic"] in ("median", "q1", "q3") for i in refs if i in inp.d):
        claim.unpublished("medians: a test of them needs the individual data")
        return
    claim.verdict, claim.cause = "not_reproducible", _NOT_IMPLEMENTED
    claim.notes.append("the audit has no recomputation for this kind of claim yet")


# --------------------------------------------------------------------------- claims per visit


def per_visit(row: dict, d: dict[str, dict]) -> list[dict]:
    """A claim printed once for several visits, as one claim per visit (``<id>@<visit>``), each
    referring to that visit's rows (and to its reference visit's, such as the baseline, for a
    within-arm claim); the row itself when it names one visit, or when it compares the named
    visits with each other (a within-arm claim whose rows all lie at those visits)."""
    visits = _split(row["timepoint"])
    if len(visits) < 2 or row["kind"] not in ("p_value", "ci") or row["comparison"] not in ("between", "within"):
        return [row]  # e.g. a regression of an outcome at one visit on a predictor at another
    refs = _refs(row)
    at = {v: [r for r in refs if r in d and d[r]["timepoint"] == v] for v in visits}
    common = [r for r in refs if r not in d or d[r]["timepoint"] not in visits]
    if row["comparison"] == "within" and refs and not any(r in d for r in common):
        return [row]  # the named visits are compared with each other
    out = []
    for v in visits:
        kept = common + at[v]
        out.append({**row, "id": f"{row['id']}@{v}", "timepoint": v, "refers_to": ";".join(kept)})
    return out


# --------------------------------------------------------------------------- granularity


_per_visit = per_visit


def _granularity(paper: Paper, inp: _Inputs) -> list[_Claim]:
    """GRIM and GRIMMER claims for the means and SDs of variables the package declares
    whole-number (``integer_valued``), DEBIT for the mean and SD of 0/1 variables
    (``binary_valued``), and the largest SD a printed range allows, at the stated n of each row
    (GRIM also names the other candidate n that a failing mean fits)."""
    integer = set(paper.meta.get("integer_valued", []))
    binary = set(paper.meta.get("binary_valued", []))
    out = []
    for r in inp.d.values():
        if r["statistic"] == "mean" and r["variable"] in integer:
            pops = inp.populations(r, implied=True)
            if not pops:
                continue
            c = _Claim({**_claim_row(r, "grim"), "id": f"{r['id']}.grim"})
            c.reported = r["value"]
            results = [(p, src, n, checks.grim(r["value"], n)) for p, src, n in pops]
            stated = results[0]
            c.recomputed = f"{stated[3].nearest_mean} (nearest possible mean, n = {stated[2]})"
            if not stated[3].testable:
                c.verdict, c.cause = "not_reproducible", _UNPUBLISHED
                c.notes.append(
                    f"GRIM cannot test a mean of {stated[2]} values at {parse(r['value']).decimals} decimals"
                )
            elif stated[3].consistent:
                c.verdict = "reproduced"
                c.notes.append(f"possible for {stated[2]} whole-number values")
            else:
                fits = [f"{n} ({src})" for p, src, n, g in results[1:] if g.testable and g.consistent]
                c.verdict = "inconsistent"
                c.notes.append(
                    f"impossible for {stated[2]} whole-number values ({stated[1]})"
                    + (f"; possible for n = {', '.join(fits)}" if fits else "")
                )
            c.route = Route("grim", (stated[2],), stated[0], stated[1])
            c.method = "GRIM (Brown & Heathers 2017)"
            out.append(c)
            sd = inp.sibling(r, "sd")
            if sd is not None and stated[3].testable:
                g = checks.grimmer(r["value"], sd["value"], stated[2])
                cg = _Claim({**_claim_row(sd, "grimmer"), "id": f"{sd['id']}.grimmer"})
                cg.reported = f"{r['value']} ± {sd['value']}"
                cg.verdict = "reproduced" if g.consistent else "inconsistent"
                cg.route = Route("grimmer", (stated[2],), stated[0], stated[1])
                cg.method = "GRIMMER (Anaya 2016; Allard 2018)"
                cg.notes.append(g.explanation)
                out.append(cg)
        if r["statistic"] == "sd" and r["variable"] in binary:
            mean, pops = inp.sibling(r, "mean"), inp.populations(r, implied=False)
            if mean is not None and pops and 0 <= parse(mean["value"]).value <= 1 and pops[0][2] >= 2:
                pop, source, n = pops[0]
                result = checks.debit(mean["value"], r["value"], n)
                c = _Claim({**_claim_row(r, "debit"), "id": f"{r['id']}.debit"})
                c.reported = f"{mean['value']} ± {r['value']}"
                c.recomputed = f"SD from {result.sd_range[0]:.3g} to {result.sd_range[1]:.3g} (n = {n})"
                c.route = Route("debit", (n,), pop, source)
                c.method = "DEBIT (Heathers & Brown 2019)"
                c.verdict = "reproduced" if result.consistent else "inconsistent"
                c.notes.append(result.explanation)
                out.append(c)
        if r["statistic"] == "sd":
            lo, hi, mean = inp.sibling(r, "min"), inp.sibling(r, "max"), inp.sibling(r, "mean")
            pops = inp.populations(r, implied=False)
            if lo is None or hi is None or mean is None or not pops:
                continue
            pop, source, n = pops[0]
            low, high, m = parse(lo["value"]), parse(hi["value"]), parse(mean["value"])
            # whole-number data have their printed minimum and maximum exactly; others within rounding
            ends = (low.value, high.value) if r["variable"] in integer else (low.lower, high.upper)
            biggest = checks.max_sd(n, ends[0], ends[1], m.lower, m.upper)
            c = _Claim({**_claim_row(r, "sd_bound"), "id": f"{r['id']}.sd_bound"})
            c.reported = f"{mean['value']} ± {r['value']} (range {lo['value']} to {hi['value']})"
            c.route = Route("sd_bound", (n,), pop, source)
            c.method = "largest SD of n values with the printed mean, minimum and maximum"
            if math.isnan(biggest):
                c.verdict = "inconsistent"
                c.notes.append(f"no {n} values between {lo['value']} and {hi['value']} have a mean of {mean['value']}")
            else:
                c.recomputed = f"at most {biggest:.3g} (n = {n})"
                c.verdict = "reproduced" if parse(r["value"]).lower <= biggest + 1e-9 else "inconsistent"
                if c.verdict == "inconsistent":
                    c.notes.append(
                        f"an SD of {r['value']} is larger than any {n} values between {lo['value']} and "
                        f"{hi['value']} with mean {mean['value']} can have"
                    )
            out.append(c)
    return out


def _claim_row(r: dict, kind: str) -> dict:
    return {**r, "kind": kind}


#: Audits already made in this process, by the package's content and the settings (see :func:`audit`).
_AUDITS: OrderedDict[tuple[bytes, Settings], pd.DataFrame] = OrderedDict()
_AUDITS_KEPT = 64
_AUDITS_LOCK = threading.Lock()


def _fingerprint(paper: Paper) -> bytes:
    """A digest of everything :func:`audit` reads from ``paper``: equal digests, equal audits."""
    content = (paper.id, str(paper.path), paper.meta, paper.descriptives, paper.inferences)
    return hashlib.blake2b(pickle.dumps(content, protocol=5), digest_size=20).digest()


def audit(paper: Paper, settings: Settings | None = None, **choices) -> pd.DataFrame:
    """Recompute every printed inference and percentage of ``paper``; one row per claim.

    Parameters
    ----------
    paper : a loaded data package (:func:`reanalysis.data.load`).
    settings : the analysis choices; or give them as keywords (``alpha=0.01``). The default
        alpha is the paper's own (``alpha`` in ``paper.toml``), else 0.05.

    Returns
    -------
    DataFrame with the columns of :data:`CLAIM_COLUMNS` (a copy of its own: change it freely).

    The audit is a pure function of the package's content, the settings and this module's limits,
    so a process keeps the last :data:`_AUDITS_KEPT` it made, keyed by a digest of that content (the
    package as it is now, edits included, not as it was loaded), the settings and the limits: a
    notebook rerun in the same kernel, :func:`compare_settings` and the test suite's parameter
    sweep then do not repeat one. Code that replaces functions the audit calls (a test's
    monkeypatch) calls :func:`forget_audits` first.
    """
    settings = settings or Settings(**{"alpha": float(paper.meta.get("alpha", 0.05)), **choices})
    limits = (EXACT_TABLES_MAX, TABLES_MAX, COUNTS_MAX, FFH_TABLES_MAX)
    key = (_fingerprint(paper), settings, limits)
    with _AUDITS_LOCK:
        made = _AUDITS.get(key)
        if made is not None:
            _AUDITS.move_to_end(key)
    if made is None:
        made = _audit(paper, settings)
        if _fingerprint(paper) == key[0]:  # not kept if the package changed while it was audited
            with _AUDITS_LOCK:
                _AUDITS[key] = made
                while len(_AUDITS) > _AUDITS_KEPT:
                    _AUDITS.popitem(last=False)
    return made.copy()


def forget_audits() -> None:
    """Drop the audits :func:`audit` keeps (after replacing a function the audit calls)."""
    with _AUDITS_LOCK:
        _AUDITS.clear()


def _audit(paper: Paper, settings: Settings) -> pd.DataFrame:
    inp = _Inputs(paper, settings)
    claims = [_Claim(r) for r in _records(paper.descriptives) if r["statistic"] == "percent"]
    claims += [_Claim(v) for r in _records(paper.inferences) for v in _per_visit(r, inp.d)]
    for c in claims:
        try:
            (_percent if "statistic" in c.row else _inference)(c, inp)
        except (ValueError, ArithmeticError, IndexError, KeyError) as e:
            file = "descriptives.csv" if "statistic" in c.row else "inferences.csv"
            where = f"{paper.path / file}:{c.row['line']}" if c.row.get("line") else ""
            raise AuditError(c.row["id"], str(e) or type(e).__name__, where) from None
    claims += _granularity(paper, inp)
    rows = []
    for c in claims:
        r = c.row
        rows.append(
            {
                "claim_id": r["id"],
                "kind": r.get("kind") or r["statistic"],
                "section": r["section"],
                "location": r["location"],
                "variable": r["variable"],
                "timepoint": r["timepoint"],
                "quote": r["quote"],
                "reported": c.reported or r["value"],
                "recomputed": c.recomputed,
                "method": c.method,
                "route": c.route.machine() if c.route else "",
                "as_stated": None
                if c.route is None or c.verdict == "not_reproducible" and not c.p
                else c.route.as_stated,
                "verdict": c.verdict,
                "cause": (c.cause or _NOT_IMPLEMENTED) if c.verdict == "not_reproducible" else "",
                "significance_flip": c.flip,
                "recomputed_p": c.p,
                "note": "; ".join(dict.fromkeys(n for n in c.notes if n)),
                "label": claim_label(paper, r, r.get("kind") or r["statistic"]),
            }
        )
    df = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    df["verdict"] = pd.Categorical(df["verdict"], categories=VERDICTS)
    return df


#: What a number of each kind is, in a reader's words (the end of a claim's label).
_KIND_WORDS = {
    "percent": "%",
    "p_value": "p-value",
    "ci": "confidence interval",
    "change": "change",
    "ratio": "ratio",
    "percent_change": "% change",
    "power": "power",
    "odds_ratio": "odds ratio",
    "grim": "mean, whole-number check (GRIM)",
    "grimmer": "SD, whole-number check (GRIMMER)",
    "debit": "SD, 0/1 check (DEBIT)",
    "sd_bound": "SD against the printed range",
    "count": "number of patients",
    "n": "n",
    "mean": "mean",
    "sd": "SD",
    "sem": "SEM",
    "value": "value",
}


def claim_label(paper: Paper, row: dict, kind: str) -> str:
    """A claim's label for readers: where in the paper, and what the number is, e.g.
    ``Table 2, row "48 weeks": primary endpoint, 48 weeks, Placebo (%)``.

    Built from the row's location, the variable's name (``[variables]`` in ``paper.toml``, else the
    slug in words), the time point's label, the arm's label (or the arms compared) and the kind.
    """
    variable = str(row.get("variable") or "")
    what = paper.name(variable) if variable else ""
    visits = {t["id"]: t.get("label", t["id"]) for t in paper.meta["timepoints"]}
    parts = [what] if what else []
    timepoint = str(row.get("timepoint") or "")
    if timepoint:
        parts.append(" vs ".join(visits.get(t, t) for t in _split(timepoint)))
    arms = paper.arms
    labels = [arms[a]["label"] if a in arms else "all participants" for a in _split(str(row.get("arms") or ""))]
    if row.get("arm"):
        labels = [arms[row["arm"]]["label"] if row["arm"] in arms else "all participants"]
    comparison = str(row.get("comparison") or "")
    if labels:
        joined = " vs ".join(labels) if comparison == "between" else ", ".join(labels)
        parts.append(joined + (", within the arm" if comparison == "within" else ""))
    if row.get("subgroup"):
        parts.append(str(row["subgroup"]).replace("_", " "))
    words = _KIND_WORDS.get(kind, kind.replace("_", " "))
    where = str(row.get("location") or "")
    return f"{where}: {', '.join(parts)} ({words})" if where else f"{', '.join(parts)} ({words})"


def implied_n(paper: Paper) -> dict[str, int]:
    """Per arm, the denominator most of its printed percentages fit, when some arm's differs from
    the n the paper gives (else empty): the audit's *implied* population."""
    return _implied_n(paper, _records(paper.descriptives))


def _arithmetic(paper: Paper, row: dict, records: list[dict]) -> tuple[str, str, str] | None:
    """(verdict, recomputed, method) when a printed count is the sum or difference of others.

    Two identities of a participant flow: a whole-population count is the sum of the arms'
    counts of the same thing; an arm's analysed n is its assigned n minus those who discontinued.
    """
    if row["statistic"] not in ("n", "count") or row["subgroup"]:
        return None
    value = int(parse(row["value"]).value)

    def one(arm: str, variables: tuple[str, ...]) -> int | None:
        for r in records:
            if (
                r["arm"] == arm
                and r["variable"] in variables
                and r["statistic"] in ("n", "count")
                and not r["subgroup"]
                and r["timepoint"] == row["timepoint"]
            ):
                return int(parse(r["value"]).value)
        return None

    if row["arm"] == "all":
        parts = [one(arm, (row["variable"],)) for arm in paper.arms]
        if all(x is not None for x in parts):
            total = sum(parts)
            verdict = "reproduced" if total == value else "inconsistent"
            return verdict, str(total), "sum of the arms' printed counts (" + " + ".join(map(str, parts)) + ")"
    elif row["variable"] == "analysed":
        assigned = one(row["arm"], ("assigned", "randomised"))
        gone = one(row["arm"], ("discontinued",))
        if assigned is not None and gone is not None:
            verdict = "reproduced" if assigned - gone == value else "inconsistent"
            return verdict, str(assigned - gone), f"assigned minus discontinued ({assigned} - {gone})"
    return None


def account(paper: Paper, claims: pd.DataFrame) -> pd.DataFrame:
    """Every number of the data package with a verdict: the audited claims, then each other number.

    A count that is the sum or difference of other printed counts is checked (see
    :func:`_arithmetic`); any other number (a mean, an SD, a count of events) summarises
    individual data, so it is ``not_reproducible`` and the note says which claims use it.
    The ``role`` column says ``claim`` or ``input``.
    """
    records = _records(paper.descriptives)
    used: dict[str, list[str]] = {}
    for r in _records(paper.inferences):
        for ref in _refs(r):
            used.setdefault(ref, []).append(r["id"])
    done = set(claims["claim_id"])
    rows = []
    for r in records:
        if r["id"] in done:
            continue
        checked = _arithmetic(paper, r, records)
        verdict, recomputed, method = checked or ("not_reproducible", "", "")
        users = used.get(r["id"], [])
        note = "" if checked else "a summary of individual data, not derivable from other printed numbers"
        if users:
            note += ("; " if note else "") + "input to " + ", ".join(users[:4]) + (" ..." if len(users) > 4 else "")
        rows.append(
            {
                "claim_id": r["id"],
                "kind": r["statistic"],
                "section": r["section"],
                "location": r["location"],
                "variable": r["variable"],
                "timepoint": r["timepoint"],
                "quote": r["quote"],
                "reported": r["value"],
                "recomputed": recomputed,
                "method": method,
                "route": "",
                "as_stated": None,
                "verdict": verdict,
                "cause": "" if checked else _UNPUBLISHED,
                "significance_flip": None,
                "recomputed_p": None,
                "note": note,
                "label": claim_label(paper, r, r["statistic"]),
            }
        )
    inputs = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    every = pd.concat([claims.assign(role="claim"), inputs.assign(role="input")], ignore_index=True)
    every["verdict"] = pd.Categorical(every["verdict"].astype(str), categories=VERDICTS)
    return every


def compare_settings(paper: Paper, settings: Settings, alternatives: dict[str, list]) -> pd.DataFrame:
    """Which claims change when one analysis choice changes: for each alternative value of each
    setting (one at a time), the claims whose verdict or significance flip differs from ``settings``.

    Returns a tidy table (setting, value, claim_id, reported, verdict before and after, flip before
    and after, the claim's label for readers); empty when no choice changes anything.
    """

    base = audit(paper, settings).set_index("claim_id")
    verdicts, flips = list(base.verdict.astype(str)), list(base.significance_flip.map(bool))
    reported, labels = list(base.reported), list(base.label)
    rows = []
    for name, values in alternatives.items():
        for value in values:
            if getattr(settings, name) == value:
                continue
            other = audit(paper, replace(settings, **{name: value})).set_index("claim_id").loc[base.index]
            after, flip_after = list(other.verdict.astype(str)), list(other.significance_flip.map(bool))
            recomputed = list(other.recomputed)
            for i, cid in enumerate(base.index):  # column lists, not a row lookup per claim: same rows, faster
                if verdicts[i] != after[i] or flips[i] != flip_after[i]:
                    rows.append(
                        {
                            "setting": name,
                            "value": value,
                            "claim_id": cid,
                            "reported": reported[i],
                            "verdict": f"{verdicts[i]} -> {after[i]}" if verdicts[i] != after[i] else verdicts[i],
                            "recomputed": recomputed[i],
                            "flip": f"{flips[i]} -> {flip_after[i]}",
                            "label": labels[i],
                        }
                    )
    columns = ["setting", "value", "claim_id", "reported", "verdict", "recomputed", "flip", "label"]
    return ReaderFrame(rows, columns=columns)  # readers see each claim's label in place of its id


def summary(claims: pd.DataFrame) -> pd.DataFrame:
    """Counts of verdicts by kind of claim (a tidy table), separating what is reproduced (or
    consistent) by the route the paper states from what only another test or n reaches."""
    alternative = claims["as_stated"].astype(str).eq("False") & claims["verdict"].isin(["reproduced", "consistent"])
    detail = claims["verdict"].astype(str).where(~alternative, claims["verdict"].astype(str) + " (another route)")
    columns = ["reproduced", "reproduced (another route)", "consistent", "consistent (another route)"]
    columns += ["inconsistent", "not_reproducible"]
    table = pd.crosstab(claims["kind"], detail).reindex(columns=columns, fill_value=0)
    table.columns.name = "verdict"
    table.loc["all"] = table.sum()
    return table


def implied_denominators(paper: Paper) -> pd.DataFrame:
    """For each arm, the denominators its printed percentages fit (which n a table evidently used)."""
    rows = [
        {
            "id": r["id"],
            "section": r["section"],
            "arm": r["arm"],
            "percent": r["value"],
            "fits_assigned": top in dens,
            "denominators": ", ".join(map(str, dens)),
        }
        for r, top, dens in _percent_fits(paper, _records(paper.descriptives))
    ]
    return pd.DataFrame(rows)


def endpoint_counts(paper: Paper, variable: str, timepoint: str, settings: Settings | None = None) -> pd.DataFrame:
    """Events and n per arm behind a binary outcome's printed percentages (or counts): the first
    candidate population whose n reproduces each printed number (the settings' population if it
    does, else the first of :meth:`_Inputs.populations`), with
    ``lost`` = the arm's assigned n minus that n.

    Raises
    ------
    ValueError
        If an arm has no printed count or percentage for the outcome, or none fits any candidate n.
    """
    inp = _Inputs(paper, settings or Settings(alpha=float(paper.meta.get("alpha", 0.05))))
    rows = []
    for arm, spec in paper.arms.items():
        found = [
            r
            for r in inp.d.values()
            if r["arm"] == arm
            and r["variable"] == variable
            and r["timepoint"] == timepoint
            and not r["subgroup"]
            and r["statistic"] in ("count", "percent")
        ]
        if not found:
            raise ValueError(f"no printed count or percentage of {variable!r} at {timepoint!r} for arm {arm!r}")
        fits = inp.counts(found[0], strict=True)
        if not fits:
            raise ValueError(f"no count reproduces {found[0]['id']} ({found[0]['value']}) with any candidate n")
        pop, population, n, k = next((f for f in fits if f[0] == inp.settings.population), fits[0])
        rows.append(
            {
                "arm": arm,
                "label": spec["label"],
                "events": k,
                "n": n,
                "lost": spec["assigned"] - n,
                "population": population,
                "source": found[0]["id"],
            }
        )
    return pd.DataFrame(rows)
