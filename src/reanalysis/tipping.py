"""Tipping-point analysis of a binary outcome with missing participants.

A per-protocol comparison leaves out everyone who did not finish. Put them back: every split of
each arm's missing participants into events and non-events gives a complete table, its p-value
and risk difference. The grid shows which assumptions about the missing keep the conclusion and
where it tips. Written by hand (it is a loop over :func:`reanalysis.closedform.p_value`);
no library offers it for summary data.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import pandas as pd

from .closedform import p_value
from .vocabulary import ITT_ASSUMPTIONS, TWO_BY_TWO_RULES, TWO_BY_TWO_TESTS

__all__ = ["tipping_grid", "from_counts", "TippingSummary", "tipping_summary", "ITT_ASSUMPTIONS", "itt_table"]

#: How the missing participants are counted (the notebooks' ``itt_assumption``).


def _check(events: int, n: int, missing: int, arm: str) -> tuple[int, int, int]:
    out = []
    for name, x in (("events", events), ("n", n), ("missing", missing)):
        if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 0:
            raise ValueError(f"{arm}: {name} must be a whole number >= 0, got {x!r}")
        out.append(int(x))
    if events > n or n == 0:
        raise ValueError(f"{arm}: events ({events}) must be between 0 and n ({n}), with n >= 1")
    return out[0], out[1], out[2]


def tipping_grid(
    events1: int,
    n1: int,
    missing1: int,
    events2: int,
    n2: int,
    missing2: int,
    test: str = "fisher",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Every split of the missing participants: one row per (events among arm 1's missing,
    events among arm 2's missing), with both arms' events and n, the risk difference, p and
    whether p < alpha.

    Parameters
    ----------
    events1, n1, missing1 : arm 1's events and n as analysed, and how many are missing.
    events2, n2, missing2 : the same for arm 2.
    test : any 2x2 test of :mod:`reanalysis.inference` ("fisher", "chi2", ...).
    alpha : the significance level.
    """
    events1, n1, missing1 = _check(events1, n1, missing1, "arm 1")
    events2, n2, missing2 = _check(events2, n2, missing2, "arm 2")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
    if test not in TWO_BY_TWO_TESTS + TWO_BY_TWO_RULES:
        raise ValueError(f"test must be one of {TWO_BY_TWO_TESTS + TWO_BY_TWO_RULES}, got {test!r}")
    rows = []
    t1, t2 = n1 + missing1, n2 + missing2
    for i in range(missing1 + 1):
        for j in range(missing2 + 1):
            k1, k2 = events1 + i, events2 + j
            p = p_value(k1, t1, k2, t2, test)
            rows.append(
                {
                    "missing_events1": i,
                    "missing_events2": j,
                    "events1": k1,
                    "n1": t1,
                    "events2": k2,
                    "n2": t2,
                    "risk_difference": k1 / t1 - k2 / t2,
                    "p": p,
                    "significant": p < alpha,
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TippingSummary:
    """What the grid says: the per-protocol verdict, the extremes, and how many splits keep it."""

    per_protocol_significant: bool
    worst_case_p: float
    best_case_p: float
    cells: int
    cells_significant: int
    sentence: str

    def __repr__(self) -> str:
        return self.sentence

    def _repr_markdown_(self) -> str:
        return self.sentence


def tipping_summary(grid: pd.DataFrame, per_protocol_p: float, alpha: float = 0.05) -> TippingSummary:
    """Worst case (no missing participant of arm 1 and every one of arm 2 has the event), best case
    (the reverse), and the share of splits that keep the per-protocol conclusion, in words."""
    m1, m2 = grid["missing_events1"].max(), grid["missing_events2"].max()
    cell = grid.set_index(["missing_events1", "missing_events2"])
    worst, best = cell.loc[(0, m2), "p"], cell.loc[(m1, 0), "p"]
    significant = per_protocol_p < alpha
    same = int((grid["significant"] == significant).sum())
    verdict = "significant" if significant else "not significant"

    def fmt(p: float) -> str:
        return f"p = {p:.3f}" if p >= 0.001 else "p < 0.001"

    sentence = (
        f"Per protocol the difference is {verdict} ({fmt(per_protocol_p)}). With all {m1 + m2} missing "
        f"participants put back, {same} of {len(grid)} ways of splitting them keep that; the worst case gives "
        f"{fmt(worst)} and the best case {fmt(best)}."
    )
    return TippingSummary(significant, float(worst), float(best), len(grid), int(grid["significant"].sum()), sentence)


def itt_table(grid: pd.DataFrame, per_protocol: dict, assumption: str) -> pd.DataFrame:
    """The primary comparison under an ``itt_assumption``: one row (or the whole grid for "tipping_point").

    ``per_protocol`` holds the analysed events1, n1, events2, n2 and p.
    """
    if assumption not in ITT_ASSUMPTIONS:
        raise ValueError(f"itt_assumption must be one of {ITT_ASSUMPTIONS}, got {assumption!r}")
    cols = ["events1", "n1", "events2", "n2", "risk_difference", "p", "significant"]
    m1, m2 = grid["missing_events1"].max(), grid["missing_events2"].max()
    cell = grid.set_index(["missing_events1", "missing_events2"])
    if assumption == "per_protocol":
        pp = dict(per_protocol)
        pp["risk_difference"] = pp["events1"] / pp["n1"] - pp["events2"] / pp["n2"]
        out = pd.DataFrame([pp])
        out["significant"] = out["p"] < per_protocol.get("alpha", 0.05)
        return out[cols].rename(index={0: "per protocol"})
    if assumption == "worst_case":
        return cell.loc[[(0, m2)], cols].set_axis(["worst case"])
    if assumption == "best_case":
        return cell.loc[[(m1, 0)], cols].set_axis(["best case"])
    return grid[cols]


def from_counts(counts: pd.DataFrame, lost: pd.Series, test: str = "fisher", alpha: float = 0.05):
    """The grid and the per-protocol comparison for two arms' printed counts (rows with ``events``
    and ``n``, as :func:`reanalysis.tables.arm_counts` gives) and the number lost per arm.

    Returns
    -------
    (grid, per_protocol) : the :func:`tipping_grid` and a dict with events1, n1, events2, n2, p, alpha.
    """
    (k1, k2), (n1, n2), (m1, m2) = (
        (int(x) for x in counts["events"]),
        (int(x) for x in counts["n"]),
        (int(x) for x in lost),
    )
    grid = tipping_grid(k1, n1, m1, k2, n2, m2, test=test, alpha=alpha)
    per_protocol = dict(events1=k1, n1=n1, events2=k2, n2=n2, p=p_value(k1, n1, k2, n2, test), alpha=alpha)
    return grid, per_protocol
