"""Fragility of a 2x2 result: how many patients' outcomes its (non-)significance rests on.

The fragility index (Walsh et al., J Clin Epidemiol 2014;67:622) of a significant result is the
number of patients in one arm whose outcome must change from non-event to event (n fixed) before
p >= alpha. For a non-significant result the reverse fragility index (Khan et al., JAMA Netw Open
2020;3:e2012469) counts the changes that make it significant. Written by hand: neither scipy nor
statsmodels has either; the p-values come from :func:`reanalysis.closedform.p_value` (closed forms for
chi2, chi2_yates and Fisher, :func:`reanalysis.inference.two_by_two` for the rest).

The rules, where the papers leave room:

- Significant, ``rule="walsh"``: add events to the arm with the *lower event proportion*. Walsh's
  arm "with fewer events" is the same arm when the arms are the same size; with unequal arms the arm
  with fewer events can have the higher proportion, and adding events there moves away from the null
  (3/3 vs 4/15 never loses significance that way: Heston, Cureus 2026, "Nonattainability of the
  Fragility Index").
- Significant, ``rule="fastest"``: the fewer moves of two: events added to the lower arm, or removed
  from the higher arm (the single-arm version of the smallest modification that FragilityTools'
  ``bin.fi`` searches for).
- Not significant (either rule): the fewest moves that widen the observed difference, events removed
  from the lower arm or added to the higher arm (any of the four moves if the proportions are equal);
  this is the direction in which p falls fastest. Moves that cross the null and build the opposite
  effect are not counted.

Ties between directions go to the one whose final p lies further past alpha. An index that no move
in one arm reaches is ``None`` (as R's ``fragility`` package returns NA).

Search: galloping and bisection find a crossing quickly; the moves before it are then checked one by
one, so the index is the first crossing even where p is not monotone along the path (Fisher's p can
dip slightly: by up to 2.4% of itself, at P between 0.076 and 0.56, in all tables up to 25 per arm).
A hypothesis test found a 52/52 vs 0/241 table where bisection alone overshot by two moves.
tests/test_fragility.py checks the search against a one-by-one scan. A trial of 10,000 per arm
costs about as many p-values as its index (benchmarks/sensitivity.py). Fisher's P sums only the outcomes
near the observed one (:func:`reanalysis.closedform.log_p_fisher`), so 100000/10^6 v 120000/10^6 (index
19,100, every move checked) takes seconds, not the 273 s it took; Barnard's and Boschloo's tests raise
:class:`reanalysis.inference.TableTooLarge` above ``EXACT_UNCONDITIONAL_MAX_N`` per arm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .closedform import p_value
from .inference import _TESTS, _choose, _counts, _open01, _repr

__all__ = ["RULES", "FragilityResult", "LossComparison", "fragility_index", "fragility_vs_loss"]

RULES = ("walsh", "fastest")
_SCAN = 32  # the first stride of the galloping search


@dataclass(frozen=True, repr=False)
class FragilityResult:
    """A (reverse) fragility index with the table it ends at.

    Attributes
    ----------
    index : moves needed (None if no single-arm move reaches the other side of alpha).
    kind : "fragility" (the result was significant) or "reverse fragility" (it was not).
    quotient : index / (n1 + n2), the fragility quotient.
    direction : in words, e.g. "events added to arm 2".
    arm, step : the arm moved (1 or 2) and +1 (events added, non-events removed) or -1 (events removed).
    table : (events1, n1, events2, n2) after the moves; pvalue : its p.
    original_pvalue, test, alpha, rule : the starting point and the settings.
    """

    index: int | None
    kind: str
    quotient: float | None
    direction: str
    arm: int | None
    step: int | None
    table: tuple[int, int, int, int] | None
    pvalue: float | None
    original_pvalue: float
    test: str
    alpha: float
    rule: str
    __repr__ = _repr


@dataclass(frozen=True, repr=False)
class LossComparison:
    """The fragility index beside the patients lost to follow-up: ``fragile`` when lost1 + lost2 >= index."""

    index: int | None
    lost1: int
    lost2: int
    fragile: bool
    sentence: str
    __repr__ = _repr


def _first(crosses, hi: int) -> int | None:
    """Smallest k in 1..hi with crosses(k), or None, exactly (p need not be monotone along the path).

    Galloping and bisection find a crossing k* quickly; the moves before it are then checked one by
    one, so an earlier crossing where p dips is never missed (Fisher's p is not monotone). With no
    crossing found, every move is checked.
    """
    bound = None
    lo, stride = 0, _SCAN
    while lo < hi:
        k = min(lo + stride, hi)
        if crosses(k):
            while k - lo > 1:
                mid = (lo + k) // 2
                lo, k = (lo, mid) if crosses(mid) else (mid, k)
            bound = k
            break
        lo, stride = k, 2 * stride
    return next((k for k in range(1, (bound or hi) + 1) if crosses(k)), None)


def fragility_index(
    events1: int, n1: int, events2: int, n2: int, test: str = "fisher", alpha: float = 0.05, rule: str = "walsh"
) -> FragilityResult:
    """Fragility index of a significant result, reverse fragility index of a non-significant one.

    Parameters
    ----------
    events1, n1, events2, n2 : the 2x2 table as events and n per arm.
    test : any test of :func:`reanalysis.inference.two_by_two` ("fisher", as Walsh et al.; "chi2", ...).
    alpha : significance level; significant means p < alpha.
    rule : "walsh" or "fastest" (see the module docstring; they differ only for significant results).

    Returns
    -------
    FragilityResult
    """
    _choose("test", test, _TESTS)
    _choose("rule", rule, RULES)
    e1, m1, e2, m2 = _counts(events1, n1, events2, n2)
    alpha = _open01("alpha", alpha)
    events, sizes = (e1, e2), (m1, m2)
    p0 = p_value(e1, m1, e2, m2, test)
    significant = p0 < alpha
    lower = 1 if e1 * m2 <= e2 * m1 else 2  # arm with the lower proportion (arm 1 when equal)
    higher = 3 - lower
    equal = e1 * m2 == e2 * m1
    if significant:
        moves = [(lower, 1)] + ([(higher, -1)] if rule == "fastest" else [])
    elif equal:
        moves = [(1, 1), (1, -1), (2, 1), (2, -1)]
    else:
        moves = [(lower, -1), (higher, 1)]

    found = []
    for arm, step in moves:

        @cache
        def p_after(k: int, arm: int = arm, step: int = step) -> float:
            t = [e1, m1, e2, m2]
            t[2 * (arm - 1)] += step * k
            return p_value(*t, test)

        e, m = events[arm - 1], sizes[arm - 1]
        room = m - e if step > 0 else e
        if significant:  # toward the null: stop at the table nearest equal proportions, where p peaks
            eo, mo = events[2 - arm], sizes[2 - arm]
            room = -(-abs(e * mo - eo * m) // mo)  # ceil: the first move at or past equal proportions
            if room > 1 and p_after(room) < alpha <= p_after(room - 1):
                room -= 1  # the peak is the table just before

        def crosses(k: int, p_after=p_after) -> bool:
            return (p_after(k) >= alpha) if significant else (p_after(k) < alpha)

        k = _first(crosses, room)
        if k is not None:
            found.append((k, -abs(p_after(k) - alpha), arm, step, p_after(k)))

    kind = "fragility" if significant else "reverse fragility"
    if not found:
        how = "adding events to the lower arm" if rule == "walsh" and significant else "moving events in one arm"
        return FragilityResult(
            None, kind, None, f"none: {how} never crosses alpha", None, None, None, None, p0, test, alpha, rule
        )
    k, _, arm, step, p = min(found)
    table = [e1, m1, e2, m2]
    table[2 * (arm - 1)] += step * k
    direction = f"events {'added to' if step > 0 else 'removed from'} arm {arm}"
    return FragilityResult(k, kind, k / (m1 + m2), direction, arm, step, tuple(table), p, p0, test, alpha, rule)


def fragility_vs_loss(
    index: FragilityResult | int | None, lost1: int, lost2: int, missing: str = "lost to follow-up"
) -> LossComparison:
    """Compare a fragility index with the patients lost to follow-up (Walsh et al. 2014).

    The result is fragile to missing data when lost1 + lost2 >= index: had the missing outcomes been
    known, as few patients as were lost could have changed its significance. ``index`` is a
    :class:`FragilityResult` or the index itself; a result also names the arm its moves were in.
    ``missing`` says what the counts are, in words ("lost to follow-up", or "missing from the
    denominators the percentages fit" when they are inferred rather than reported).
    """
    result = index if isinstance(index, FragilityResult) else None
    fi = result.index if result is not None else index
    if fi is not None and (isinstance(fi, bool) or not isinstance(fi, int) or fi < 0):
        raise ValueError(f"index must be a whole number >= 0 or None, got {fi!r}")
    for label, x in (("lost1", lost1), ("lost2", lost2)):
        if isinstance(x, bool) or not isinstance(x, int) or x < 0:
            raise ValueError(f"{label} must be a whole number >= 0, got {x!r}")
    lost = lost1 + lost2
    who = f"{lost} patient{'' if lost == 1 else 's'} {'was' if lost == 1 else 'were'} {missing}"
    who += f" ({lost1} in arm 1, {lost2} in arm 2)"
    if fi is None:
        return LossComparison(None, lost1, lost2, False, f"{who}; the result has no fragility index to compare.")
    change = "changed its significance"
    if result is not None:
        change = "made it non-significant" if result.kind == "fragility" else "made it significant"
    name = f"{result.kind if result else 'fragility'} index of {fi}"
    if lost >= fi:
        sentence = f"{who}, at least the {name}: their outcomes alone could have {change}."
        if result is not None and result.arm is not None:
            in_arm = (lost1, lost2)[result.arm - 1]
            enough = "enough" if in_arm >= fi else "not enough"
            sentence += f" Arm {result.arm}, where the index moves events, lost {in_arm}: {enough} on its own."
        return LossComparison(fi, lost1, lost2, True, sentence)
    sentence = f"{who}, fewer than the {name}."
    return LossComparison(fi, lost1, lost2, False, sentence)
