"""Baseline balance: Carlisle's check of a trial's baseline p-values, combined by Stouffer's method.

Under random allocation the p-values comparing the arms' baseline means are uniform on (0, 1).
Carlisle (Anaesthesia 2017;72:944) combined them per trial with Stouffer's method and read both
ends of the combined p: near 0 the arms differ more than chance makes likely, near 1 they are more
alike (too-good balance, as when means are invented to match). Convention, as Carlisle's: each p
becomes z = Phi^-1(1 - p), so similar arms (p near 1) give negative z; Z = sum(z) / sqrt(k); the
trial's p is P(N(0, 1) >= Z). That is exactly ``scipy.stats.combine_pvalues(p, method="stouffer")``,
which supplies Z and that p (``p_dissimilar``); the other tail, ``p_similar`` = Phi(Z), is computed
here from Z (not as 1 - p, which would lose digits near 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np
from scipy import stats

from .inference import _open01, _show

__all__ = ["BalanceResult", "CAVEATS", "stouffer"]

CAVEATS = (
    "Stouffer's method assumes independent p-values that are exactly uniform under random allocation. "
    "Few variables: with a handful of p-values one odd variable moves Z, and the check has little power. "
    "Rounding: printed p-values are rounded ('0.99', '1.00', '> 0.05', 'NS' say little); recompute them from "
    "the printed means and SDs where possible, and use the middle of a rounding interval rather than 0 or 1. "
    "Correlation: baseline variables are correlated (weight and BMI, HbA1c and glucose), which widens the spread "
    "of Z in both directions, so both tails are flagged too often. "
    "Categorical variables: their p-values are discrete, not uniform (Fisher's test piles them up near 1); "
    "Carlisle used continuous means only, so leave them out or check them separately. "
    "Stratified variables: randomisation stratified (or minimised) on a variable balances it by design, so its "
    "p-value is not uniform but pushed towards 1; leave it out (Carlisle, Anaesthesia 2017;72:944). "
    "Non-randomised designs: without random allocation the p-values need not be uniform at all, and the check "
    "says nothing about the data's integrity. "
    "A flagged trial is a question to ask the authors, not evidence of misconduct."
)


@dataclass(frozen=True, repr=False)
class BalanceResult:
    """Stouffer's combination of k baseline p-values, both tails.

    Attributes
    ----------
    k : how many p-values. statistic : Z = sum(Phi^-1(1 - p_i)) / sqrt(k).
    p_dissimilar : P(N(0, 1) >= Z), Carlisle's trial p: small when the arms differ more than chance allows.
    p_similar : P(N(0, 1) <= Z) = 1 - p_dissimilar: small when they are more alike than chance allows.
    pvalue : two-sided, 2 * min(p_dissimilar, p_similar).
    alpha : the level each tail is read at. sentence : the reading in words. caveats : see :data:`CAVEATS`.
    variables : the variables combined, where known. excluded : variables left out (those randomisation
    was stratified on). applies : False when the design is not randomised (then k = 0 and nothing is combined).
    """

    k: int
    statistic: float
    p_dissimilar: float
    p_similar: float
    pvalue: float
    alpha: float
    sentence: str
    caveats: str = field(default=CAVEATS, repr=False)
    variables: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    applies: bool = True

    def __repr__(self) -> str:  # the caveats are long and always the same: left out
        shown = ", ".join(f"{f.name}={_show(getattr(self, f.name))}" for f in fields(self) if f.repr)
        return f"BalanceResult({shown})"


def stouffer(pvalues: Iterable[float], alpha: float = 0.05) -> BalanceResult:
    """Combine baseline p-values (two-sided, one per continuous variable) by Stouffer's method, as Carlisle 2017.

    Parameters
    ----------
    pvalues : the p-values, each strictly between 0 and 1.
    alpha : each tail is flagged below alpha: Carlisle counted trials with p within 0.05 of 0 or 1,
        so about 2 * alpha of genuinely randomised trials are flagged.

    Returns
    -------
    BalanceResult
    """
    alpha = _open01("alpha", alpha)
    try:
        p = np.asarray(list(pvalues), dtype=float)
    except (TypeError, ValueError) as e:
        raise ValueError(f"pvalues must be numbers, got {pvalues!r}") from e
    if p.ndim != 1 or p.size == 0:
        raise ValueError("pvalues must be a non-empty list of numbers")
    bad = p[~((p > 0) & (p < 1))]
    if bad.size:
        raise ValueError(
            f"each p-value must be strictly between 0 and 1, got {bad[0]!r}; a printed 1.00 or 0.000 is rounded: "
            "use the middle of its rounding interval (0.9975, 0.00025)"
        )
    res = stats.combine_pvalues(p, method="stouffer")
    z, dissimilar = float(res.statistic), float(res.pvalue)
    similar = float(stats.norm.cdf(z))
    two_sided = min(1.0, 2 * min(dissimilar, similar))
    k = int(p.size)
    head = f"{k} baseline p-value{'s' if k > 1 else ''} combine to Z = {z:.2f}"
    if dissimilar < alpha:
        sentence = f"{head}: the arms differ more than random allocation makes likely (P = {dissimilar:.2g})."
    elif similar < alpha:
        sentence = f"{head}: the arms are more alike than random allocation makes likely (P = {similar:.2g})."
    else:
        sentence = f"{head}: consistent with random allocation (P = {dissimilar:.2g} for too different, "
        sentence += f"{similar:.2g} for too alike)."
    if k < 5:
        sentence += f" Only {k} variable{'s' if k > 1 else ''}: read it with care."
    return BalanceResult(k, z, dissimilar, similar, two_sided, alpha, sentence)
