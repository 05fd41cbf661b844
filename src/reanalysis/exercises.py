"""Answer checks for the workshop notebooks in ``notebooks/workshop/``.

``check("1a", answer)`` says whether an attendee's answer is right, without showing the right one:
**Correct**, **Not yet** with a hint, or **Not answered yet** while the answer is still ``...``.
The right answer is recomputed at every check from the data packages (:func:`reanalysis.data.load`)
with the package's own functions, so the checks follow the data and hold no number copied from an
output.

How an answer is compared:

- A number is right when the exact answer rounds to it at the precision it is given (round half
  either way, as :meth:`reanalysis.printed.Printed.contains`): 0.0268 and 0.026771807 both pass for
  0.0267718..., 0.03 does not. At least two significant digits are asked for.
- A wrong number that matches a known stumble (Yates' correction, the randomised n, a function's
  default test, a proportion where a percentage is asked for, ...) gets a hint about that stumble;
  any other wrong number is told only whether it is too large or too small.
- A whole number must match exactly; a choice is one of a few words, compared without case.

The exercises are registered in :data:`EXERCISES` (id -> function that returns an
:class:`Expected`); the first line of each function's docstring is its title.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from . import tables
from .audit import endpoint_counts, implied_denominators
from .bayes import PRIORS, posterior
from .checks import percent_denominators
from .data import Paper, load
from .fragility import fragility_index
from .inference import power_two_proportions, proportion_difference_ci, two_by_two
from .printed import Printed, parse
from .tipping import tipping_grid
from .vocabulary import PRIOR_SPELLINGS, TWO_BY_TWO_TESTS

__all__ = ["Feedback", "Expected", "EXERCISES", "check", "titles"]

TESTS = TWO_BY_TWO_TESTS
_UNANSWERED = "Not answered yet: replace the `...` with your answer and run this cell again."


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    Attributes
    ----------
    exercise : the exercise id, e.g. ``"1a"``.
    status : ``"correct"``, ``"not_yet"`` or ``"unanswered"``.
    message : what to tell the attendee; never contains the right answer.
    """

    exercise: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        """Whether the answer was right."""
        return self.status == "correct"

    def __repr__(self) -> str:
        return f"{self.exercise}: {self.message}"

    def _repr_markdown_(self) -> str:
        return f"**{self.exercise}**: {self.message}"


@dataclass(frozen=True)
class Expected:
    """What an exercise expects, computed when it is checked.

    Attributes
    ----------
    kind : ``"number"``, ``"whole"`` (a whole number), ``"pair"`` (two numbers) or ``"choice"``.
    answer : the right answer; for a choice, the tuple of right options.
    noun : what the answer is, for the messages ("p-value", "fragility index").
    source : what the answer is compared with, for the messages ("the one the counts give").
    stumbles : plausible wrong answers, each with what to say about it.
    hint : added to a wrong answer that is not a known stumble.
    options : for a choice, the allowed answers; for a pair, the names of its two parts.
    bounds : for a number, the range it must lie in (a p-value: 0 to 1).
    """

    kind: str
    answer: object
    noun: str
    source: str = "the right one"
    stumbles: tuple[tuple[object, str], ...] = ()
    hint: str = ""
    options: tuple[str, ...] = ()
    bounds: tuple[float, float] = (-math.inf, math.inf)


#: Exercise id -> function computing its :class:`Expected`; see :func:`titles`.
EXERCISES: dict[str, Callable[[], Expected]] = {}


def _exercise(exercise_id: str):
    """Register the decorated function as the exercise ``exercise_id``."""

    def register(func: Callable[[], Expected]) -> Callable[[], Expected]:
        EXERCISES[exercise_id] = func
        return func

    return register


def titles() -> dict[str, str]:
    """Exercise id -> title (the first line of its docstring)."""
    return {key: (func.__doc__ or "").strip().splitlines()[0] for key, func in EXERCISES.items()}


# --------------------------------------------------------------------------- comparing answers
def _precision(x: float) -> Printed:
    """The answer as if printed: its value with the decimals it was given to."""
    return parse(format(Decimal(repr(float(x))).normalize(), "f"))  # 68.0 is given to units, like 68


def _significant(x: float) -> int:
    """Significant digits of the answer as given (0.0268 has 3)."""
    return len(Decimal(repr(abs(float(x)))).normalize().as_tuple().digits)


def _agrees(answer: float, value: float) -> bool:
    """Whether ``value`` rounds to ``answer`` at the answer's precision (or they agree to 1e-6, relative)."""
    return math.isclose(answer, value, rel_tol=1e-6, abs_tol=1e-12) or _precision(answer).contains(value)


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


# A result object passed whole, recognised by an attribute, and the field(s) to take from it; the
# first match wins, so a result with several (a fragility result has `.index` and `.pvalue`) is
# recognised by what is particular to it.
_FIELDS = {
    "index": "`.index`",
    "prob_above_margin": "`.prob_above_margin`",
    "pvalue": "`.pvalue`",
    "low": "`.low` and `.high`",
    "power": "`.power`",
}


def _not_a_number(x, what: str) -> str:
    """What to say when the answer is not the kind of thing asked for (often a whole result object)."""
    for attribute, fields in _FIELDS.items():
        if hasattr(x, attribute) and not isinstance(x, tuple | list | str):
            return f"Not yet: the answer should be {what}, not a whole result; take its {fields}."
    return f"Not yet: the answer should be {what}; got {type(x).__name__} {x!r}."


def _direction(answer: float, right: float, name: str, source: str) -> str:
    """Which way the answer is off, without saying by how much."""
    return f"your {name} is {'larger' if answer > right else 'smaller'} than {source}"


def _judge_number(e: Expected, answer) -> tuple[str, str]:
    """(status, message) for a number: right at its precision, a known stumble, out of bounds, or which way off."""
    if not _is_number(answer):
        return "not_yet", _not_a_number(answer, "a number")
    precise = _significant(answer) >= 2  # one digit could match anything nearby
    if math.isclose(answer, e.answer, rel_tol=1e-6) or (precise and _agrees(answer, e.answer)):
        return "correct", "Correct."
    for value, message in e.stumbles if precise else ():
        if _agrees(answer, value):
            return "not_yet", f"Not yet: {message}"
    if not e.bounds[0] <= answer <= e.bounds[1]:
        lo, hi = e.bounds
        return "not_yet", f"Not yet: a {e.noun} lies between {lo:g} and {hi:g}; check what you computed."
    if not precise:
        return "not_yet", "Not yet: give at least two significant digits (more is fine), so the check can tell."
    return "not_yet", f"Not yet: {_direction(answer, e.answer, e.noun, e.source)}. {e.hint}".strip()


def _judge_whole(e: Expected, answer) -> tuple[str, str]:
    """(status, message) for a whole number: exactly right, a known stumble, or which way off."""
    if not _is_number(answer) or not float(answer).is_integer():
        return "not_yet", _not_a_number(answer, "a whole number")
    if int(answer) == e.answer:
        return "correct", "Correct."
    for value, message in e.stumbles:
        if int(answer) == value:
            return "not_yet", f"Not yet: {message}"
    return "not_yet", f"Not yet: {_direction(answer, e.answer, e.noun, e.source)}. {e.hint}".strip()


def _judge_pair(e: Expected, answer) -> tuple[str, str]:
    """(status, message) for two numbers (an interval): each compared as a number."""
    if hasattr(answer, "__len__") and not isinstance(answer, str):  # a tuple, list or array
        answer = tuple(answer)
    if not isinstance(answer, tuple) or len(answer) != 2 or not all(_is_number(x) for x in answer):
        return "not_yet", _not_a_number(answer, f"two numbers, ({e.options[0]}, {e.options[1]})")
    if min(_significant(x) for x in answer) < 2:
        return "not_yet", "Not yet: give both numbers to at least two significant digits (more is fine)."
    if all(_agrees(a, r) for a, r in zip(answer, e.answer, strict=True)):
        return "correct", "Correct."
    for value, message in e.stumbles:
        if all(_agrees(a, v) for a, v in zip(answer, value, strict=True)):
            return "not_yet", f"Not yet: {message}"
    off = [
        _direction(a, r, name, e.source)
        for a, r, name in zip(answer, e.answer, e.options, strict=True)
        if not _agrees(a, r)
    ]
    return "not_yet", f"Not yet: {'; '.join(off)}. {e.hint}".strip()


def _judge_choice(e: Expected, answer) -> tuple[str, str]:
    """(status, message) for one of a few words, compared without case or surrounding spaces."""
    allowed = ", ".join(f'"{o}"' for o in e.options)
    choice = answer.strip().lower() if isinstance(answer, str) else None
    choice = PRIOR_SPELLINGS.get(choice, choice)  # "skeptical" is "sceptical"
    if choice not in e.options:
        return "not_yet", f"Not yet: answer with one of {allowed} (as text, in quotes)."
    if choice in e.answer:
        return "correct", "Correct."
    for value, message in e.stumbles:
        if choice == value:
            return "not_yet", f"Not yet: {message}"
    return "not_yet", f"Not yet: {e.hint.format(choice=choice)}".strip()


_JUDGES = {"number": _judge_number, "whole": _judge_whole, "pair": _judge_pair, "choice": _judge_choice}


def check(exercise_id: str, answer) -> Feedback:
    """Check an answer to one exercise.

    Parameters
    ----------
    exercise_id : the exercise's id, e.g. ``"1a"`` (see :func:`titles`).
    answer : the attendee's answer; ``...``, ``None`` or ``"..."`` mean not answered yet.

    Returns
    -------
    Feedback
        Says "Correct.", "Not yet: <hint>" or "Not answered yet"; it never shows the right answer.

    Raises
    ------
    ValueError
        If ``exercise_id`` is not a known exercise (the message lists the known ids).
    """
    if exercise_id not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise_id!r}; known exercises: {', '.join(EXERCISES)}")
    if answer is ... or answer is None or (isinstance(answer, str) and answer.strip() in ("", "...")):
        return Feedback(exercise_id, "unanswered", _UNANSWERED)
    expected = EXERCISES[exercise_id]()
    status, message = _JUDGES[expected.kind](expected, answer)
    return Feedback(exercise_id, status, message)


# --------------------------------------------------------------------------- the trials' numbers
@cache
def _paper(paper_id: str) -> Paper:
    return load(paper_id)


def _printed(paper_id: str, row_id: str) -> Printed:
    """A printed number of a data package, by its row id (descriptives or inferences)."""
    paper = _paper(paper_id)
    for frame in (paper.descriptives, paper.inferences):
        rows = frame[frame["id"] == row_id]
        if len(rows):
            return parse(rows["value"].iloc[0])
    raise KeyError(f"{paper_id} has no row {row_id!r}")


def _lu_remission() -> tuple[int, int, int, int]:
    """Lu 2021, clinical remission at one year per protocol: (events, n) of the MSC arm, then control."""
    counts = tables.arm_counts(_paper("lu2021"), "clinical_remission", "m12")
    (e1, e2), (n1, n2) = (int(x) for x in counts["events"]), (int(x) for x in counts["n"])
    return e1, n1, e2, n2


def _lu_lost() -> tuple[int, int]:
    lost = tables.losses(_paper("lu2021"))["lost"]
    return int(lost.iloc[0]), int(lost.iloc[1])


def _zang_primary() -> tuple[int, int, int, int]:
    """Zang 2022, the primary endpoint at 48 weeks: the counts and n its printed percentages fit."""
    counts = endpoint_counts(_paper("zang2022"), "primary_endpoint", "w48")
    (e1, e2), (n1, n2) = (int(x) for x in counts["events"]), (int(x) for x in counts["n"])
    return e1, n1, e2, n2


def _zang_randomised(arm: str) -> int:
    return int(_paper("zang2022").arms[arm]["assigned"])


# --------------------------------------------------------------------------- notebook 01
@_exercise("1a")
def _lu_chi2() -> Expected:
    """Lu 2021: Pearson's chi-squared p of the remission counts, without continuity correction."""
    e1, n1, e2, n2 = table = _lu_remission()
    assigned = (e1, n1 + _lu_lost()[0], e2, n2 + _lu_lost()[1])
    result = two_by_two(*table, test="chi2")
    return Expected(
        "number",
        result.pvalue,
        "p-value",
        "the one the counts give",
        stumbles=(
            (
                two_by_two(*table, test="chi2_yates").pvalue,
                "your p-value is larger than the one the counts give. Did you apply a continuity correction? "
                "`scipy.stats.chi2_contingency` applies Yates' correction to a 2×2 table unless `correction=False`.",
            ),
            (two_by_two(*table, test="fisher").pvalue, "that is Fisher's exact test; the task asks for Pearson's χ²."),
            (
                two_by_two(*assigned, test="chi2").pvalue,
                "that uses everyone assigned as the denominator; the paper analysed only those who completed.",
            ),
            (_printed("lu2021", "res.remission.p").value, "that is the printed p; recompute it from the counts."),
            (result.statistic, "that is the χ² statistic; the task asks for its p-value."),
        ),
        hint="Check the four numbers of the table (events and n per arm) and the test.",
        bounds=(0.0, 1.0),
    )


@_exercise("1b")
def _lu_which_test() -> Expected:
    """Lu 2021: which 2x2 test, if any, gives the printed p = 0.041 at its printed precision?"""
    printed = _printed("lu2021", "res.remission.p")
    table = _lu_remission()
    matching = tuple(t for t in TESTS if printed.contains(two_by_two(*table, test=t).pvalue))
    return Expected(
        "choice",
        matching or ("none",),
        "test",
        options=(*TESTS, "none"),
        stumbles=(("none", "one of the tests does give it; compare every test's p at three decimals."),),
        hint=f'the "{{choice}}" p-value does not round to the printed {printed.text}. Compute every test before '
        "you decide.",
    )


@_exercise("1c")
def _lu_power() -> Expected:
    """Lu 2021: post hoc power (%) of the remission comparison, pooled formula (R's power.prop.test)."""
    e1, n1, e2, n2 = _lu_remission()
    lost1, lost2 = _lu_lost()

    def power(method: str, m1: int = n1, m2: int = n2) -> float:
        return 100 * power_two_proportions(e1 / n1, e2 / n2, m1, m2, method=method).power

    right = power("pooled")
    return Expected(
        "number",
        right,
        "power",
        "the one the observed proportions give",
        stumbles=(
            (right / 100, "that looks like a proportion; give the power in percent, as the paper does."),
            (power("unpooled"), 'that is the unpooled formula; the task asks for the pooled one (`method="pooled"`).'),
            (power("arcsine"), "that is the arcsine (Cohen's h) formula; the task asks for the pooled one."),
            (power("pooled", n1 + lost1, n2 + lost2), "that uses everyone assigned; use the n analysed."),
            (_printed("lu2021", "res.remission.power").value, "that is the printed power; recompute it."),
        ),
        hint="Use the observed proportions (events / n), the analysed n of each arm and alpha = 0.05.",
        bounds=(0.0, 100.0),
    )


# --------------------------------------------------------------------------- notebook 02
@_exercise("2a")
def _zang_gender_n() -> Expected:
    """Zang 2022, Table 1: the placebo denominator that "30 (68.18%)" male fits."""
    percent, count = _printed("zang2022", "t1.male.placebo.percent"), _printed("zang2022", "t1.male.placebo.count")
    k = int(count.value)
    fits = percent_denominators(percent, k, range(max(k, 1), 10 * k)).denominators
    randomised, other = _zang_randomised("placebo"), _zang_randomised("ucmsc")
    return Expected(
        "whole",
        fits[0],
        "n",
        "the n that the percentage fits",
        stumbles=(
            (randomised, f"that is the n in the table's header, but {k} of it does not print as {percent.text}%."),
            (other, "that is the UC-MSC arm's n; the question is about the placebo arm."),
        ),
        hint=f"Try n around the randomised n: which gives 100 × {k} / n = {percent.text} at two decimals?",
    )


@_exercise("2b")
def _zang_placebo_fits() -> Expected:
    """Zang 2022: how many of the placebo arm's printed percentages fit its randomised n?"""
    denominators = implied_denominators(_paper("zang2022"))
    placebo = denominators[denominators["arm"] == "placebo"]
    fit = int(placebo["fits_assigned"].sum())
    return Expected(
        "whole",
        fit,
        "count",
        "the number of placebo percentages that fit",
        stumbles=(
            (int(denominators["fits_assigned"].sum()), "you counted both arms; keep only the placebo rows."),
            (len(placebo), "that is how many placebo percentages there are; how many of them fit the randomised n?"),
            (len(placebo) - fit, "that counts the percentages that do *not* fit the randomised n."),
        ),
        hint="Filter the table to the placebo arm, then count the rows where `fits_assigned` is True.",
    )


@_exercise("2c")
def _zang_w48_p() -> Expected:
    """Zang 2022, Table 2: the 48-week chi-squared p recomputed from the counts the percentages fit."""
    e1, n1, e2, n2 = table = _zang_primary()
    randomised = (e1, n1, e2, _zang_randomised("placebo"))
    return Expected(
        "number",
        two_by_two(*table, test="chi2").pvalue,
        "p-value",
        "the one the counts give",
        stumbles=(
            (
                two_by_two(*randomised, test="chi2").pvalue,
                "your p-value is smaller than the one the counts give. Which n did you use for the placebo arm? "
                "Check which n its 4.55% fits.",
            ),
            (
                two_by_two(*table, test="chi2_yates").pvalue,
                "your p-value is larger than the one the counts give. Did you apply a continuity correction?",
            ),
            (two_by_two(*table, test="fisher").pvalue, "that is Fisher's exact test; the paper names the χ² test."),
            (two_by_two(*randomised, test="fisher").pvalue, "that is Fisher's exact test, and with the randomised n."),
        ),
        hint="Turn each percentage into a whole count of its arm's n, then run the χ² test without correction.",
        bounds=(0.0, 1.0),
    )


@_exercise("2d")
def _zang_w48_ci() -> Expected:
    """Zang 2022: the 95% Wald CI of the 48-week rate difference, in percentage points."""
    e1, n1, e2, n2 = table = _zang_primary()
    randomised = (e1, n1, e2, _zang_randomised("placebo"))

    def ci(method: str, counts=table) -> tuple[float, float]:
        interval = proportion_difference_ci(*counts, method=method)
        return 100 * interval.low, 100 * interval.high

    right = ci("wald")
    others = [
        (ci(m), f"that is the {proportion_difference_ci(*table, method=m).method} interval; the task asks for Wald.")
        for m in ("newcombe", "agresti_caffo", "score")
    ]
    return Expected(
        "pair",
        right,
        "limit",
        "the one the counts give",
        stumbles=(
            ((right[0] / 100, right[1] / 100), "those are proportions; give percentage points, as the paper does."),
            ((-right[1], -right[0]), "that is placebo minus UC-MSCs; the paper gives UC-MSCs minus placebo."),
            (ci("wald", randomised), "that uses the randomised n for placebo; use the n its percentage fits."),
            *others,
        ),
        hint="Wald: difference ± 1.96 × its standard error; UC-MSCs minus placebo.",
        options=("lower limit", "upper limit"),
    )


# --------------------------------------------------------------------------- notebook 03
@_exercise("3a")
def _lu_fragility() -> Expected:
    """Lu 2021: the fragility index of the remission result with the chi-squared test (Walsh's rule)."""
    table = _lu_remission()
    right = fragility_index(*table, test="chi2").index
    return Expected(
        "whole",
        right,
        "fragility index",
        "the one the counts give with the χ² test",
        stumbles=(
            (
                fragility_index(*table).index,
                'that is the index with Fisher\'s exact test, the default of `fragility_index`; pass `test="chi2"`.',
            ),
            (sum(_lu_lost()), "that is the number lost to follow-up; the index counts outcomes that must change."),
        ),
        hint="Add remissions, one patient at a time, to the arm with the lower rate until p ≥ 0.05.",
    )


@_exercise("3b")
def _lu_worst_case() -> Expected:
    """Lu 2021: the chi-squared p of the worst case, with all participants who discontinued put back."""
    e1, n1, e2, n2 = _lu_remission()
    lost1, lost2 = _lu_lost()
    grid = tipping_grid(e1, n1, lost1, e2, n2, lost2, test="chi2").set_index(["missing_events1", "missing_events2"])
    fisher = tipping_grid(e1, n1, lost1, e2, n2, lost2, test="fisher").set_index(["missing_events1", "missing_events2"])
    return Expected(
        "number",
        float(grid.loc[(0, lost2), "p"]),
        "p-value",
        "the worst case's",
        stumbles=(
            (
                float(grid.loc[(lost1, 0), "p"]),
                "that is the best case for the treatment; the worst case counts every missing control participant "
                "as in remission and no missing treated one.",
            ),
            (two_by_two(e1, n1, e2, n2, test="chi2").pvalue, "that is the per-protocol p; put the missing back."),
            (
                float(grid.loc[(0, 0), "p"]),
                "that adds the missing participants to the denominators only; in the worst case the missing "
                "controls all had the event.",
            ),
            (float(fisher.loc[(0, lost2), "p"]), "that is the worst case with Fisher's exact test; use χ²."),
        ),
        hint="Arm by arm: how many are missing, and how many of them count as events in the worst case?",
        bounds=(0.0, 1.0),
    )


def _zang_posterior(prior: str, margin: float = 0.1, table: tuple[int, int, int, int] | None = None):
    table = table or _zang_primary()
    return posterior(*table, prior=prior, margin=margin)  # the effect priors are built on margin (effect=)


@_exercise("3c")
def _zang_sceptical() -> Expected:
    """Zang 2022: P(risk difference > 0.1) for the primary endpoint under the sceptical prior."""
    e1, n1, e2, n2 = _zang_primary()
    right = _zang_posterior("sceptical")
    others = [
        (_zang_posterior(p).prob_above_margin, f"that is the {p} prior; the task asks for the sceptical one.")
        for p in PRIORS
        if p != "sceptical"
    ]
    return Expected(
        "number",
        right.prob_above_margin,
        "probability",
        "the one the sceptical prior gives",
        stumbles=(
            (right.prob_greater, "that is P(p1 > p2), a benefit of any size; the task asks for a benefit over 0.1."),
            (100 * right.prob_above_margin, "give the probability between 0 and 1, not as a percentage."),
            (
                _zang_posterior("sceptical", table=(e1, n1, e2, _zang_randomised("placebo"))).prob_above_margin,
                "that uses the randomised n for placebo; use the counts the percentages fit.",
            ),
            *others,
        ),
        hint='Use `posterior(..., prior="sceptical", margin=0.1)` (the sceptical prior is built on the hypothesised '
        "benefit `effect`, by default the margin) and read `prob_above_margin`.",
        bounds=(0.0, 1.0),
    )


@_exercise("3d")
def _zang_smallest_prior() -> Expected:
    """Zang 2022: which named prior gives the smallest P(risk difference > 0.1)?"""
    probability = {p: _zang_posterior(p).prob_above_margin for p in PRIORS}
    smallest = min(probability, key=probability.get)
    return Expected(
        "choice",
        (smallest,),
        "prior",
        options=PRIORS,
        hint='under the "{choice}" prior the probability is not the smallest; compute it under all four priors '
        "(the sceptical and enthusiastic ones are built on `effect`, by default the margin 0.1).",
    )
