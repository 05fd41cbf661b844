"""The audit: every printed inference and percentage, recomputed from the printed summaries.

For each claim, the audit tries every plausible method (Student/Welch; chi-squared with and
without Yates, Fisher, Barnard, Boschloo; the CI methods; the power formulas) and every
plausible analysis population (a printed n, the analysed, assigned and completed n of
``paper.toml``), and gives a verdict:

``reproduced``
    the printed inputs, as printed, give the printed value at its precision with some
    plausible method and population (named in ``method``);
``consistent``
    only some inputs within the printed numbers' rounding intervals give it;
``inconsistent``
    nothing plausible gives it; ``recomputed`` shows the nearest value and ``note`` says
    which way it misses;
``not_reproducible``
    it needs data that are not published; ``note`` says which.

The verdict logic is written here because no statistics library has it; the statistics
themselves come from :mod:`reanalysis.inference` (scipy/statsmodels) and
:mod:`reanalysis.checks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from . import checks, closedform, inference
from .data import Paper
from .printed import Printed, parse

__all__ = [
    "VERDICTS",
    "AuditError",
    "Settings",
    "t_interval",
    "audit",
    "summary",
    "implied_denominators",
    "CLAIM_COLUMNS",
]

VERDICTS = ("reproduced", "consistent", "inconsistent", "not_reproducible")
TWO_BY_TWO_TESTS = ("chi2", "chi2_yates", "fisher", "barnard", "boschloo")
T_METHODS = ("student", "welch")
CI_METHODS = ("wald", "newcombe", "agresti_caffo", "score")
POWER_METHODS = ("pooled", "unpooled", "arcsine")
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
    "verdict",
    "significance_flip",
    "recomputed_p",
    "note",
]


class AuditError(ValueError):
    """A claim's inputs are impossible (SD <= 0, n < 2, count > n, p outside [0, 1], a CI that
    does not contain its estimate); says which claim."""

    def __init__(self, claim_id: str, message: str):
        self.claim_id = claim_id
        super().__init__(f"claim {claim_id}: {message}")


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
    flip: bool | None = None
    p: float | None = None  # the recomputed p under the chosen settings, for figures
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- inputs


class _Inputs:
    """Look-ups into a paper's descriptive rows: values, denominators, counts."""

    def __init__(self, paper: Paper, settings: Settings):
        self.paper, self.settings = paper, settings
        records = _records(paper.descriptives)
        self.d = {r["id"]: r for r in records}
        self.i = {r["id"]: r for r in _records(paper.inferences)}
        self.implied = _implied_n(paper, records)
        self._p2x2: dict[tuple, float] = {}
        self._ns: dict[tuple, list[tuple[str, int]]] = {}
        # rows by (arm, subgroup, variable, statistic): one pass, so look-ups don't rescan the paper
        self.index: dict[tuple, list[dict]] = {}
        for r in self.d.values():
            self.index.setdefault((r["arm"], r["subgroup"], r["variable"], r["statistic"]), []).append(r)

    def ns(self, row: dict, implied: bool = True) -> list[tuple[str, int]]:
        key = (row["arm"], row["subgroup"], row["variable"], row["timepoint"], implied)
        if key not in self._ns:
            self._ns[key] = self._candidates(row, implied)
        return self._ns[key]

    def _candidates(self, row: dict, implied: bool) -> list[tuple[str, int]]:
        """Candidate denominators for a row, the preferred population first.

        Printed n rows of the same arm/subgroup/variable come first, then the arm's n from
        ``paper.toml`` (analysed, assigned, completed; for arm ``all`` their sums), then, if
        ``implied``, the n that the arm's printed percentages fit (see :func:`implied_denominators`).
        """
        out: list[tuple[str, int]] = []
        variables = [row["variable"]] + (["analysed"] if row["arm"] == "all" else [])
        for variable in variables:
            for r in self.index.get((row["arm"], row["subgroup"], variable, "n"), []):
                if r["timepoint"] in (row["timepoint"], ""):
                    out.append((f"printed n = {r['value']}", int(parse(r["value"]).value)))
        pops = [self.settings.population] + [
            p for p in ("analysed", "assigned", "completed") if p != self.settings.population
        ]
        arms = self.paper.arms
        if not row["subgroup"]:
            for pop in pops:
                if pop == "implied":
                    continue
                if row["arm"] in arms and pop in arms[row["arm"]]:
                    out.append((f"{pop} n", int(arms[row["arm"]][pop])))
                elif row["arm"] == "all" and all(pop in a for a in arms.values()):
                    out.append((f"{pop} n", sum(int(a[pop]) for a in arms.values())))
            if implied and row["arm"] in self.implied:
                item = ("implied n (fits the arm's printed percentages)", self.implied[row["arm"]])
                out.insert(0 if self.settings.population == "implied" else len(out), item)
        seen, unique = set(), []
        for name, n in out:
            if n not in seen:
                seen.add(n)
                unique.append((name, n))
        return unique

    def p2x2(self, ka: int, na: int, kb: int, nb: int, test: str) -> float:
        """p of a 2x2 test, computed once per table and test (tables recur across sections)."""
        key = (ka, na, kb, nb, test)
        if key not in self._p2x2:
            self._p2x2[key] = closedform.p_value(ka, na, kb, nb, test)
        return self._p2x2[key]

    def sibling(self, row: dict, statistic: str) -> dict | None:
        """The row of another statistic for the same arm, subgroup, time point and variable."""
        for r in self.index.get((row["arm"], row["subgroup"], row["variable"], statistic), []):
            if r["timepoint"] == row["timepoint"]:
                return r
        return None

    def count_row(self, row: dict) -> dict | None:
        return row if row["statistic"] == "count" else self.sibling(row, "count")

    def counts(self, row: dict, implied: bool = True) -> list[tuple[str, int, int]]:
        """(population, n, count) candidates for a percentage or count row: a printed count
        must fit the printed percentage (when both are printed) with that n."""
        crow = self.count_row(row)
        prow = row if row["statistic"] == "percent" else self.sibling(row, "percent")
        out = []
        for name, n in self.ns(row, implied):
            fit = checks.fitting_counts(prow["value"], n) if prow is not None else range(n + 1)
            if crow is not None:
                k = int(parse(crow["value"]).value)
                if k > n and name.startswith("printed n"):
                    raise ValueError(f"count {k} ({crow['id']}) is larger than its printed n = {n}")
                if k in fit:
                    out.append((name, n, k))
            else:
                out.extend((name, n, k) for k in fit)
        return out

    def by_arm(self, ids: Iterable[str], statistic: str | tuple[str, ...]) -> dict[str, dict]:
        stats = (statistic,) if isinstance(statistic, str) else statistic
        out: dict[str, dict] = {}
        for i in ids:
            r = self.d.get(i)
            if r is not None and r["statistic"] in stats:
                out.setdefault(r["arm"], r)
        return out


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain str (``DataFrame.to_dict`` boxes every cell: 10x slower)."""
    cols = list(df.columns)
    return [dict(zip(cols, row, strict=True)) for row in zip(*(df[c].tolist() for c in cols), strict=True)]


def _refs(row: dict) -> list[str]:
    return [t.strip() for t in (row.get("refers_to") or "").split(";") if t.strip()]


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
    """Per arm, the denominator that most of its printed percentages fit, if it is not the printed one
    (the first :data:`_IMPLIED_VOTES` percentages of each arm vote)."""
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
            if v >= 2 and n not in (spec["assigned"], spec["analysed"]):
                out[arm] = n
    return out


def _methods(keys: list[str], limit: int = 3) -> str:
    return " | ".join(keys[:limit]) + (f" (+{len(keys) - limit} more)" if len(keys) > limit else "")


# --------------------------------------------------------------------------- verdict helper


def _judge(claim: _Claim, printed: Printed, central: dict[str, float], ranges: dict[str, tuple[float, float]]) -> None:
    """Verdict from central values and rounding ranges, keyed by 'method; population'."""
    hits = [k for k, v in central.items() if printed.contains(v)]
    if hits:
        claim.verdict, claim.method = "reproduced", _methods(hits)
        return
    near = [k for k, (lo, hi) in ranges.items() if lo <= printed.upper and hi >= printed.lower]
    if near:
        claim.verdict, claim.method = "consistent", _methods(near)
        claim.notes.append("reached only within the rounding of the printed inputs")
        return
    claim.verdict = "inconsistent"
    if central:
        key, val = min(central.items(), key=lambda kv: min(abs(kv[1] - printed.lower), abs(kv[1] - printed.upper)))
        side = "above" if val > printed.upper else "below"
        claim.method = key
        claim.notes.append(f"nearest: {val:.4g} ({key}), {side} the printed {printed.text}")


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


# --------------------------------------------------------------------------- claim kinds


def _percent(claim: _Claim, inp: _Inputs) -> None:
    row = claim.row
    p = parse(row["value"])
    claim.reported = f"{row['value']}%"
    crow = inp.count_row(row)
    fits = inp.counts(row, implied=False)
    ns = inp.ns(row, implied=False)
    if ns:
        name, n = ns[0]
        k = int(parse(crow["value"]).value) if crow else min(max(round(p.value * n / 100), 0), n)
        claim.recomputed = f"{100 * k / n:.{p.decimals}f}% ({k}/{n})"
    if fits:
        claim.verdict = "reproduced"
        claim.method = _methods([f"{k}/{n} ({name})" for name, n, k in fits])
        if fits[0][0] != (ns[0][0] if ns else None):
            claim.notes.append(f"does not fit the {ns[0][0]}; fits the {fits[0][0]}")
        return
    count = int(parse(crow["value"]).value) if crow else None
    top = max(n for _, n in ns) if ns else 100
    implied = checks.percent_denominators(p, count, range(max(1, top - 20), top + 21))
    claim.verdict = "inconsistent"
    names = ", ".join(f"{name} = {n}" for name, n in ns) or "no printed n"
    near = ", ".join(map(str, implied.denominators[:4]))
    claim.notes.append(
        f"fits none of {names}; " + (f"it fits n = {near}" if implied.consistent else "no nearby n fits")
    )
    if row["arm"] in inp.implied and inp.implied[row["arm"]] in implied.denominators:
        claim.notes.append(f"n = {inp.implied[row['arm']]} is what this arm's other percentages imply")


def _two_by_two(claim: _Claim, inp: _Inputs, cells: dict[str, dict], arms: list[str]) -> None:
    """Every count pair that fits, with the conditional tests first; Barnard's and Boschloo's
    exact unconditional tests (tens of ms each) only when none of those reproduces the
    printed value, or when one of them is the chosen test."""
    s = inp.settings
    printed = parse(claim.row["value"])
    claim.reported = claim.row["value"]
    a, b = (cells[arm] for arm in arms)
    tables = [(ka, na, kb, nb) for _pa, na, ka in inp.counts(a) for _pb, nb, kb in inp.counts(b)]
    if not tables:
        claim.notes.append("no counts fit the printed percentages with any candidate n")
        claim.verdict = "inconsistent"
        return
    cheap = [t for t in TWO_BY_TWO_TESTS if t not in ("barnard", "boschloo")]
    central = {f"{t}; {ka}/{na} vs {kb}/{nb}": inp.p2x2(ka, na, kb, nb, t) for ka, na, kb, nb in tables for t in cheap}
    exact = [t for t in ("barnard", "boschloo") if t == s.two_by_two_test]
    if not any(printed.contains(p) for p in central.values()):
        exact = ["barnard", "boschloo"]
    for ka, na, kb, nb in tables:
        for t in exact:
            central[f"{t}; {ka}/{na} vs {kb}/{nb}"] = inp.p2x2(ka, na, kb, nb, t)
    ka, na, kb, nb = tables[0]
    key = f"{s.two_by_two_test}; {ka}/{na} vs {kb}/{nb}"
    preferred = central.get(key)
    if preferred is None:  # "chi2_or_fisher": the rule picks one of the tests above
        preferred = inp.p2x2(ka, na, kb, nb, s.two_by_two_test)
    claim.recomputed = f"{_fmt_p(preferred, printed)} ({key})"
    claim.flip = _significance_flip(printed, preferred, s.alpha)
    claim.p = preferred
    _judge(claim, printed, central, {})


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


def _ttest(claim: _Claim, inp: _Inputs, means: dict[str, dict], sds: dict[str, dict], arms: list[str]) -> None:
    s = inp.settings
    printed = parse(claim.row["value"])
    claim.reported = claim.row["value"]
    m = [parse(means[a]["value"]) for a in arms]
    sd = [parse(sds[a]["value"]) for a in arms]
    pairs = [(x, y) for _, x in inp.ns(means[arms[0]]) for _, y in inp.ns(means[arms[1]])]
    n0, n1 = np.array([x for x, _ in pairs]), np.array([y for _, y in pairs])
    central, ranges = {}, {}
    for method in T_METHODS:
        c, lo, hi = (x.tolist() for x in t_interval(m, sd, n0, n1, method))
        for i, (a, b) in enumerate(pairs):
            key = f"{method}; n = {a}/{b}"
            central[key], ranges[key] = c[i], (lo[i], hi[i])
    key = f"{s.t_method}; n = {pairs[0][0]}/{pairs[0][1]}"
    lo, hi = ranges[key]
    claim.recomputed = f"{_fmt_p(central[key], printed)} [{_fmt_p(lo, printed)}, {_fmt_p(hi, printed)}] ({key})"
    claim.flip = _significance_flip(printed, central[key], s.alpha)
    claim.p = central[key]
    _judge(claim, printed, central, ranges)
    if claim.row["timepoint"] not in ("", "baseline") and not any("printed n" in k for k, _ in inp.ns(means[arms[0]])):
        claim.notes.append("the n at this visit is not printed; the arm's n were assumed")


def _ci(claim: _Claim, inp: _Inputs, cells: dict[str, dict], arms: list[str]) -> None:
    s = inp.settings
    lo, hi = parse(claim.row["ci_low"]), parse(claim.row["ci_high"])
    level = float(claim.row["ci_level"] or 95) / 100
    claim.reported = f"{claim.row['ci_low']} to {claim.row['ci_high']}"
    a, b = (cells[arm] for arm in arms)
    tables = [(ka, na, kb, nb) for _pa, na, ka in inp.counts(a) for _pb, nb, kb in inp.counts(b)]
    hits, nearest = [], None

    def interval(t: tuple, method: str) -> tuple[float, float]:
        if method == "score":  # Miettinen-Nurminen needs root finding: only when asked for or needed
            ci = inference.proportion_difference_ci(*t, method=method, level=level)
            return ci.low, ci.high
        return closedform.diff_ci(*t, method=method, level=level)

    cheap = [m for m in CI_METHODS if m != "score"]
    for methods in (cheap, ["score"]):
        if methods == ["score"] and hits and s.ci_method != "score":
            break
        for t in tables:
            for method in methods:
                low, high = (100 * x for x in interval(t, method))
                key = f"{method}; {t[0]}/{t[1]} vs {t[2]}/{t[3]}"
                if method == s.ci_method and not claim.recomputed:
                    claim.recomputed = f"{lo.format(low)} to {hi.format(high)} ({key})"
                if lo.contains(low) and hi.contains(high):
                    hits.append(key)
                miss = abs(low - lo.value) + abs(high - hi.value)
                if nearest is None or miss < nearest[0]:
                    nearest = (miss, key, low, high)
    if hits:
        claim.verdict, claim.method = "reproduced", _methods(hits)
    elif nearest:
        claim.verdict, claim.method = "inconsistent", nearest[1]
        claim.notes.append(f"nearest: {nearest[2]:.2f} to {nearest[3]:.2f} ({nearest[1]})")
    else:
        claim.verdict = "inconsistent"
        claim.notes.append("no counts fit the printed percentages")


def _power(claim: _Claim, inp: _Inputs, cells: dict[str, dict], arms: list[str]) -> None:
    s = inp.settings
    printed = parse(claim.row["value"])
    claim.reported = claim.row["value"] if claim.row["value"].endswith("%") else f"{claim.row['value']}%"
    a, b = (cells[arm] for arm in arms)
    central = {}
    for _pa, na, ka in inp.counts(a):
        for _pb, nb, kb in inp.counts(b):
            for method in POWER_METHODS:
                pw = 100 * inference.power_two_proportions(ka / na, kb / nb, na, nb, alpha=s.alpha, method=method).power
                key = f"{method}; {ka}/{na} vs {kb}/{nb}; alpha = {s.alpha:g}"
                central[key] = pw
                if method == s.power_method and not claim.recomputed:
                    claim.recomputed = f"{printed.format(pw)}% ({key})"
    _judge(claim, printed, central, {})


def _change(claim: _Claim, inp: _Inputs) -> None:
    rows = [inp.d[i] for i in _refs(claim.row) if i in inp.d and inp.d[i]["statistic"] == "mean"]
    order = inp.paper.timepoints
    rows.sort(key=lambda r: order.index(r["timepoint"]) if r["timepoint"] in order else -1)
    if len(rows) != 2:
        claim.notes.append("needs exactly two printed means (before, after) to check")
        return
    before, after, change = parse(rows[0]["value"]), parse(rows[1]["value"]), parse(claim.row["value"])
    claim.reported = claim.row["value"]
    diff = abs(after.value - before.value)
    claim.recomputed = f"{change.format(diff)} ({rows[1]['value']} vs {rows[0]['value']})"
    if change.contains(diff):
        claim.verdict, claim.method = "reproduced", "difference of the printed means"
    elif checks.change_consistency(
        *((before, after) if after.value >= before.value else (after, before)), change
    ).consistent:
        claim.verdict, claim.method = "consistent", "difference of means within rounding"
    else:
        claim.verdict, claim.method = "inconsistent", "difference of the printed means"
        claim.notes.append(
            f"the printed means differ by {diff:.{change.decimals}f}, not {change.text}; a mean of individual "
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


def _p_from_ci(claim: _Claim, target: dict) -> None:
    printed = parse(claim.row["value"])
    claim.reported = claim.row["value"]
    est, lo, hi = parse(target["value"]), parse(target["ci_low"]), parse(target["ci_high"])
    level = float(target["ci_level"] or 95) / 100
    ratio = target["kind"] in ("odds_ratio", "ratio")
    central = inference.p_from_ci(est.value, lo.value, hi.value, level=level, ratio=ratio).pvalue
    ps = [
        inference.p_from_ci(est.value, a, b, level=level, ratio=ratio).pvalue
        for a in (lo.lower, lo.upper)
        for b in (hi.lower, hi.upper)
        if a < est.value < b
    ]
    key = "p implied by the printed CI" + (" (log scale)" if ratio else "")
    claim.recomputed = f"{_fmt_p(central, printed)} ({key})"
    _judge(claim, printed, {key: central}, {key: (min(ps), max(ps))} if ps else {})


#: Pre-post correlations tried for a within-group test (the printed value is checked against each).
CORRELATIONS = np.round(np.arange(-0.9, 0.991, 0.01), 2)


def _paired_p(pre: Printed, sd_pre: Printed, post: Printed, sd_post: Printed, n: int, r):
    """Two-sided paired t-test p from before/after means and SDs and a correlation ``r`` (array).

    The SD of the change is sqrt(sd1^2 + sd2^2 - 2 r sd1 sd2), as in
    :func:`reanalysis.inference.paired_from_stats`; written out to evaluate every ``r`` at once.
    """
    sd = np.sqrt(np.maximum(sd_pre.value**2 + sd_post.value**2 - 2 * r * sd_pre.value * sd_post.value, 1e-300))
    return 2 * special.stdtr(n - 1, -abs(post.value - pre.value) / (sd / np.sqrt(n)))


def _within(claim: _Claim, inp: _Inputs, refs: list[str], arms: list[str]) -> bool:
    """A within-group p from printed before/after means and SDs, which needs the unpublished
    correlation between visits: the p at the chosen ``prepost_correlation``, and the correlations
    (from -0.9 to 0.99) under which the printed value holds. False if the SDs are not printed."""
    s = inp.settings
    printed = parse(claim.row["value"])
    rows = [inp.d[r] for r in refs if r in inp.d]
    stats_at = {(r["arm"], r["timepoint"], r["statistic"]): r for r in rows}
    pairs = []
    for arm in arms:
        for tp in _refs({"refers_to": claim.row["timepoint"]}):
            keys = [(arm, t, st) for t in ("baseline", tp) for st in ("mean", "sd")]
            if not all(k in stats_at for k in keys):
                return False
            pre, sd_pre, post, sd_post = (parse(stats_at[k]["value"]) for k in keys)
            n = inp.ns(stats_at[(arm, tp, "mean")])[0][1]
            pairs.append((f"{arm} {tp}", pre, sd_pre, post, sd_post, n))
    if not pairs:
        return False
    holds = np.ones_like(CORRELATIONS, dtype=bool)
    chosen = []
    for label, pre, sd_pre, post, sd_post, n in pairs:
        ps = _paired_p(pre, sd_pre, post, sd_post, n, CORRELATIONS)
        holds &= np.array([printed.contains(float(p)) for p in ps])
        chosen.append(
            f"{label}: {_fmt_p(float(_paired_p(pre, sd_pre, post, sd_post, n, s.prepost_correlation)), printed)}"
        )
    claim.reported = claim.row["value"]
    claim.recomputed = "; ".join(chosen) + f" (paired t, r = {s.prepost_correlation:g}, n = {pairs[0][5]})"
    claim.method = "paired t-test from printed means and SDs, correlation assumed"
    if holds.any():
        first, last = np.flatnonzero(holds)[[0, -1]]
        gaps = "" if holds[first : last + 1].all() else " (not for every r in between)"
        claim.verdict = "not_reproducible"
        claim.notes.append(
            "needs the unpublished correlation between visits; the printed value holds for r from "
            f"{CORRELATIONS[first]:.2f} to {CORRELATIONS[last]:.2f}{gaps}"
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
    if row["kind"] == "p_value" and row["comparison"] == "within" and _within(claim, inp, refs, arms):
        return
    if row["recomputable"] == "no":
        targets = [inp.i[r] for r in refs if r in inp.i and inp.i[r]["ci_low"]]
        if row["kind"] == "p_value" and targets:
            _p_from_ci(claim, targets[0])
            claim.notes.append("the estimate itself needs the unpublished individual data: " + row["reason"])
            return
        claim.notes.append(row["reason"])
        return
    kind = row["kind"]
    if kind == "p_value" and row["value"] and not 0 <= parse(row["value"]).value <= 1:
        raise ValueError(f"a p-value lies in [0, 1], got {row['value']!r}")
    if kind == "change":
        return _change(claim, inp)
    if kind == "ratio":
        return _ratio(claim, inp)
    cells = inp.by_arm(refs, ("percent", "count"))
    means, sds = inp.by_arm(refs, "mean"), inp.by_arm(refs, "sd")
    two_arms = len(arms) == 2
    if kind == "p_value" and two_arms and all(a in means and a in sds for a in arms):
        return _ttest(claim, inp, means, sds, arms)
    if kind == "p_value" and two_arms and all(a in cells for a in arms):
        return _two_by_two(claim, inp, cells, arms)
    if row["ci_low"] and two_arms and all(a in cells for a in arms):
        return _ci(claim, inp, cells, arms)
    if kind == "power" and two_arms and all(a in cells for a in arms):
        return _power(claim, inp, cells, arms)
    claim.notes.append("the audit has no recomputation for this kind of claim yet")


def audit(paper: Paper, settings: Settings | None = None, **choices) -> pd.DataFrame:
    """Recompute every printed inference and percentage of ``paper``; one row per claim.

    Parameters
    ----------
    paper : a loaded data package (:func:`reanalysis.data.load`).
    settings : the analysis choices; or give them as keywords (``alpha=0.01``). The default
        alpha is the paper's own (``alpha`` in ``paper.toml``), else 0.05.

    Returns
    -------
    DataFrame with the columns of :data:`CLAIM_COLUMNS`.
    """
    settings = settings or Settings(**{"alpha": float(paper.meta.get("alpha", 0.05)), **choices})
    inp = _Inputs(paper, settings)
    claims = [_Claim(r) for r in _records(paper.descriptives) if r["statistic"] == "percent"]
    claims += [_Claim(r) for r in _records(paper.inferences)]
    for c in claims:
        try:
            (_percent if "statistic" in c.row else _inference)(c, inp)
        except ValueError as e:
            raise AuditError(c.row["id"], str(e)) from None
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
                "verdict": c.verdict,
                "significance_flip": c.flip,
                "recomputed_p": c.p,
                "note": "; ".join(n for n in c.notes if n),
            }
        )
    df = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    df["verdict"] = pd.Categorical(df["verdict"], categories=VERDICTS)
    return df


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
                "verdict": verdict,
                "significance_flip": None,
                "recomputed_p": None,
                "note": note,
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
    and after); empty when no choice changes anything.
    """
    from dataclasses import replace

    base = audit(paper, settings).set_index("claim_id")
    rows = []
    for name, values in alternatives.items():
        for value in values:
            if getattr(settings, name) == value:
                continue
            other = audit(paper, replace(settings, **{name: value})).set_index("claim_id")
            for cid in base.index:
                b, o = base.loc[cid], other.loc[cid]
                if str(b.verdict) != str(o.verdict) or bool(b.significance_flip) != bool(o.significance_flip):
                    rows.append(
                        {
                            "setting": name,
                            "value": value,
                            "claim_id": cid,
                            "reported": b.reported,
                            "verdict": f"{b.verdict} -> {o.verdict}"
                            if str(b.verdict) != str(o.verdict)
                            else str(b.verdict),
                            "recomputed": o.recomputed,
                            "flip": f"{bool(b.significance_flip)} -> {bool(o.significance_flip)}",
                        }
                    )
    return pd.DataFrame(rows, columns=["setting", "value", "claim_id", "reported", "verdict", "recomputed", "flip"])


def summary(claims: pd.DataFrame) -> pd.DataFrame:
    """Counts of verdicts by kind of claim (a tidy table)."""
    table = pd.crosstab(claims["kind"], claims["verdict"], dropna=False)
    table = table.reindex(columns=list(VERDICTS), fill_value=0)
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
    candidate population whose n reproduces each printed number (see :meth:`_Inputs.ns`), with
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
        fits = inp.counts(found[0])
        if not fits:
            raise ValueError(f"no count reproduces {found[0]['id']} ({found[0]['value']}) with any candidate n")
        population, n, k = fits[0]
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
