"""The project's named choices, each spelled out once.

Verdicts, the 2x2 tests, t-test variants, CI methods, power formulas, the analysis
populations a denominator can come from, the rounding rules a paper may print with, and the
names of tests a paper may state (``inferences.csv:method_stated``) mapped onto them.
Every other module reads these; none defines its own copy.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "VERDICTS",
    "NOT_REPRODUCIBLE_CAUSES",
    "PRIORS",
    "PRIOR_SPELLINGS",
    "ITT_ASSUMPTIONS",
    "TWO_BY_TWO_TESTS",
    "TWO_BY_TWO_RULES",
    "CHOSEN_POPULATIONS",
    "T_METHODS",
    "CI_METHODS",
    "POWER_METHODS",
    "POPULATIONS",
    "ROUNDING_RULES",
    "RANK_TESTS",
    "VERBAL_P",
    "CONSEQUENCES",
    "CONSEQUENCE_WORDS",
    "FINDING_CAUSES",
    "stated_methods",
    "verbal_p",
    "CONCLUSION_LABELS",
    "REGISTRATION_FIELDS",
    "REGISTRATION_AGREEMENT",
    "NOT_AVAILABLE",
    "is_randomised",
    "SETTING_WORDS",
]

#: The analysis choices (notebook parameters and :class:`reanalysis.audit.Settings` fields) in a
#: reader's words: the reader edition names a choice by these, never by its identifier.
SETTING_WORDS = {
    "alpha": "significance level",
    "two_by_two_test": "2×2 test",
    "ci_method": "interval for a difference of proportions",
    "population": "analysis population",
    "t_method": "t-test",
    "prepost_correlation": "correlation between visits",
    "itt_assumption": "assumption about the missing participants",
    "prior": "prior",
    "margin": "clinically relevant difference",
    "paper_dir": "data package",
    "data_dir": "data package",
    "results_dir": "results folder",
}

#: The four verdicts, in order of how well a printed number holds.
VERDICTS = ("reproduced", "consistent", "inconsistent", "not_reproducible")

#: Why a number is ``not_reproducible``: it needs data the paper does not publish, or a
#: method the package does not implement (rare; the README lists each such method).
NOT_REPRODUCIBLE_CAUSES = ("needs_unpublished_data", "method_not_implemented")

#: What a finding (a group of claims with one cause, :mod:`reanalysis.findings`) does to the
#: paper, most serious first: it changes a conclusion (a significance flips under the route the
#: paper states and no route reproduces the printed value), changes a conclusion under one reading
#: (the printed value is reproduced by another route, and the route the paper states would flip
#: its significance: which route the paper used is an open question), changes a number, is a
#: matter of presentation only, or cannot be checked.
CONSEQUENCES = (
    "changes_a_conclusion",
    "changes_a_conclusion_under_one_reading",
    "changes_a_number",
    "presentation_only",
    "cannot_be_checked",
)

#: The consequences in a reader's words.
CONSEQUENCE_WORDS = {
    "changes_a_conclusion": "changes a conclusion",
    "changes_a_conclusion_under_one_reading": "changes a conclusion under one reading",
    "changes_a_number": "changes a number",
    "presentation_only": "presentation only",
    "cannot_be_checked": "cannot be checked",
}

#: The causes a finding groups its claims by: the n that the printed percentages imply
#: (``denominator``), another analysis population, another test or another rounding rule than the
#: paper states, a number nothing plausible reproduces (``inconsistent``), and a number that needs
#: data the paper does not publish (``unchecked``).
FINDING_CAUSES = ("denominator", "population", "test", "rounding", "inconsistent", "unchecked")

#: Priors of the Bayesian reanalysis (:mod:`reanalysis.bayes` defines each): two vague priors on each
#: arm's rate, and Spiegelhalter's sceptical and enthusiastic priors on the effect (the risk difference).
PRIORS = ("uniform", "jeffreys", "sceptical", "enthusiastic")
#: Other spellings accepted for a prior (American English).
PRIOR_SPELLINGS = {"skeptical": "sceptical"}

#: How participants who discontinued count in a primary comparison (:mod:`reanalysis.tipping`).
ITT_ASSUMPTIONS = ("per_protocol", "worst_case", "best_case", "tipping_point")

#: Tests for a 2x2 table; ``chi2_or_fisher`` is the switch rule "chi-squared, or Fisher's
#: exact test where an expected count is below 5".
TWO_BY_TWO_TESTS = ("chi2", "chi2_yates", "fisher", "barnard", "boschloo")
TWO_BY_TWO_RULES = ("chi2_or_fisher",)
T_METHODS = ("student", "welch")
CI_METHODS = ("wald", "newcombe", "agresti_caffo", "score")
POWER_METHODS = ("pooled", "unpooled", "arcsine")

#: Where a denominator comes from, in the order the audit prefers them: the n printed
#: with the number itself or in its table's header, then the arm's n from ``paper.toml``
#: (the n the paper says it analysed, then the randomised and completed n), then the n
#: that the arm's printed percentages imply.
POPULATIONS = ("printed", "table", "analysed", "assigned", "completed", "implied")
#: The populations a reader can choose for the recomputed value (the notebooks' ``population``).
CHOSEN_POPULATIONS = ("analysed", "assigned", "completed", "implied")

#: Rules by which a computed value may be printed: all three are legitimate.
ROUNDING_RULES = ("half_up", "half_even", "truncate")

#: Rank-based tests: a p from one needs the individual data.
RANK_TESTS = ("mann_whitney", "wilcoxon_signed_rank", "kruskal_wallis")

# Names a paper may use for a test, as regular expressions over the lower-cased text of
# ``method_stated``, mapped to the canonical name. Order matters: the first match of a
# span wins (so "paired t-test" is not also read as a two-sample t-test).
_NAMES: tuple[tuple[str, str], ...] = (
    (r"fisher[-\s]*freeman[-\s]*halton|freeman[-\s]*halton", "fisher_freeman_halton"),
    (r"mann[-\s]*whitney|wilcoxon rank[-\s]*sum|rank[-\s]*sum", "mann_whitney"),
    (r"kruskal[-\s]*wallis", "kruskal_wallis"),
    (r"wilcoxon( signed[-\s]*rank)?", "wilcoxon_signed_rank"),
    (r"paired t|paired[-\s]*samples? t", "paired_t"),
    (r"welch", "welch"),
    (r"student", "student"),
    (r"\bt[-\s]*tests?\b|\bt tests?\b|\bt-test", "t_test"),
    (r"\byates", "chi2_yates"),
    (r"chi[-\s]*squared?|chi[-\s]*square|χ2|χ²|\bchi2\b", "chi2"),
    (r"fisher", "fisher"),
    (r"barnard", "barnard"),
    (r"boschloo", "boschloo"),
    (r"ancova|analysis of covariance", "ancova"),
    (r"anova|analysis of variance", "anova"),
    (r"mixed[-\s]*(effects?)?[-\s]*model|repeated[-\s]*measures", "mixed_model"),
    (r"logistic regression", "logistic_regression"),
    (r"cox|proportional hazards", "cox"),
    (r"log[-\s]*rank", "log_rank"),
    (r"pearson|correlation", "correlation"),
    (r"power", "power"),
)


@lru_cache(maxsize=4096)
def stated_methods(text: str | None) -> tuple[str, ...]:
    """Canonical names of the tests a ``method_stated`` text names, in the order named.

    "t-test" (unqualified) stays ``t_test``: Student's and Welch's are both that test.
    A text naming the chi-squared test and Fisher's exact test with the condition that picks
    one ("Fisher's exact test where an expected count was below 5", "as appropriate") names
    the switch rule ``chi2_or_fisher`` alone; without a condition, both tests are named.

    >>> stated_methods("Student's t test or Mann-Whitney U test")
    ('student', 'mann_whitney')
    >>> stated_methods("chi-squared or Fisher")
    ('chi2', 'fisher')
    >>> stated_methods("chi-squared test, or Fisher's exact test where an expected count was below 5")
    ('chi2_or_fisher',)
    """
    low = (text or "").lower()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, name in _NAMES:
        for m in re.finditer(pattern, low):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), name))
    names = [n for _, n in sorted(found)]
    out = list(dict.fromkeys(names))
    if "chi2_yates" in out and "chi2" in out:  # "chi-squared with Yates' correction" is one test
        out.remove("chi2")
    if ("student" in out or "welch" in out) and "t_test" in out:  # "Student's t test" names one variant
        out.remove("t_test")
    if "chi2" in out and "fisher" in out and _CONDITION.search(low):
        out = ["chi2_or_fisher"] + [t for t in out if t not in ("chi2", "fisher")]
    return tuple(out)


# The condition of the switch rule: "where an expected count is below 5", "as appropriate".
_CONDITION = re.compile(r"expected|<\s*5|less than 5|below 5|fewer than 5|appropriate")


#: Significance stated in words (or an "n.s." cell) in place of a p-value: the comparator
#: it stands for against the paper's alpha ("not significant" = p > alpha).
VERBAL_P = {
    "ns": ">",
    "n.s.": ">",
    "n.s": ">",
    "not significant": ">",
    "significant": "<",
}


def verbal_p(text: str | None) -> str | None:
    """The comparator a verbal p-value stands for (``">"`` for "n.s."), else None."""
    return VERBAL_P.get(re.sub(r"\s+", " ", (text or "").strip().lower()))


#: How a paper's own conclusion stands against the reanalysis (:mod:`reanalysis.conclusions`
#: assigns one from the claims and sensitivity rows the conclusion rests on).
CONCLUSION_LABELS = (
    "supported",
    "supported only under a stated choice",
    "not supported by the printed numbers",
    "not checkable",
)

#: The fields of a registry record compared with the paper (``registration.csv:field``).
REGISTRATION_FIELDS = (
    "registered",  # the date the record was registered (or first posted)
    "first_enrolment",  # the first participant enrolled (the registry's start date)
    "last_follow_up",  # end of follow-up (the registry's completion date)
    "enrolment",  # how many participants were planned or enrolled
    "design",  # allocation and masking
    "dose",  # the intervention's dose
    "schedule",  # how often and when it was given
    "primary_outcome",  # the primary outcome and its time point
)
#: Whether a registry field agrees with the paper (``registration.csv:agrees``); ``not_available``
#: when either side was not read or is not printed.
REGISTRATION_AGREEMENT = ("yes", "partly", "no", "not_available")
#: What a registry field or source says when the record could not be read: never filled from memory.
NOT_AVAILABLE = "not available"


_NON_RANDOMISED = re.compile(r"\b(non|not)[-\s]?randomi[sz]ed|\bnonrandomi[sz]ed|\bunrandomi[sz]ed|\bobservational\b")
_RANDOMISED = re.compile(r"\brandomi[sz]ed\b|\brandomly (assigned|allocated)")


def is_randomised(design: str | None) -> bool | None:
    """Whether a design description (``paper.toml:design``) is a randomised comparison.

    None when the text says neither ("parallel controlled study").

    >>> is_randomised("double-blind, randomised, placebo-controlled phase II trial")
    True
    >>> is_randomised("open-label, non-randomised, parallel controlled study")
    False
    """
    low = (design or "").lower()
    if _NON_RANDOMISED.search(low):
        return False
    if _RANDOMISED.search(low):
        return True
    return None
