"""Each of a paper's own conclusions against the reanalysis, labelled by a stated rule.

A conclusion is data (``data/<id>/conclusions.csv``): its verbatim quote and location, and what it
rests on, as ``;``-separated references to rows of the audit (``claim:<claim id>``; a claim printed
for several visits is matched at every ``<id>@<visit>``) and of ``sensitivity.csv``
(``sensitivity:<analysis>`` for every row of that analysis, ``sensitivity:<analysis>|<setting>`` for
one). :func:`assess` gives each conclusion one of :data:`reanalysis.vocabulary.CONCLUSION_LABELS`,
computed, never typed in.

The rule, first for each piece of evidence:

- a claim is **unknown** when ``not_reproducible``; it **fails** when its recomputation loses the
  significance the paper prints (``significance_flip`` with a recomputed p at or above the level, or
  no recomputed p to tell the direction), or when it is ``inconsistent`` and is not a p-value (a
  p-value that misses its printed value but keeps its side still says what the conclusion needs);
  a flip the other way (the paper prints a difference as not significant, the recomputation finds it
  significant) **holds**: the conclusions transcribed assert an effect, and a difference stronger
  than printed does not weigh against one; it holds **only by a choice** when reproduced or
  consistent only by a route the paper does not state (``as_stated`` False), unless it is a p-value
  whose recomputation by the stated route keeps its side of the level (``significance_flip`` False:
  the conclusion does not hang on the route); otherwise it **holds**;
- a sensitivity row **holds** when ``significant`` is True and **fails** when False; an ``events per
  variable`` row holds at :data:`reanalysis.regression.EPV_MINIMUM` or more and fails below it; any
  other row (a posterior probability, a count) is **unknown**.

Then for the conclusion: no evidence, or none known → "not checkable"; everything known holds →
"supported" (the ``checkable`` column says how much of the evidence was known); nothing known
holds (by any route) → "not supported by the printed numbers"; else (some holds, some fails or
holds only by a choice) → "supported only under a stated choice", and
``depends_on`` names the evidence that fails or holds only by a choice.
"""

from __future__ import annotations

import pandas as pd

from .data import Paper
from .markup import escape_markdown
from .regression import EPV_MINIMUM
from .tables import Prose
from .vocabulary import CONCLUSION_LABELS

__all__ = ["evidence", "assess", "summary", "table", "STATUSES"]

#: The status of one piece of evidence (see the module docstring).
STATUSES = ("holds", "holds by a choice", "fails", "unknown")

SUPPORTED, BY_CHOICE, NOT_SUPPORTED, NOT_CHECKABLE = CONCLUSION_LABELS


def _truth(value) -> bool | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return bool(value)


def _claim_status(row: pd.Series, alpha: float = 0.05, reader: bool = False) -> tuple[str, str]:
    verdict = str(row["verdict"])
    label = str(row.get("label") or "") if reader else ""
    label = "" if label == "nan" else label
    shown = f"{label or row['claim_id']} ({verdict.replace('_', ' ') if reader else verdict}"
    if verdict == "not_reproducible":
        return "unknown", shown + ")"
    if _truth(row.get("significance_flip")) is True:
        p = pd.to_numeric(pd.Series([row.get("recomputed_p")]), errors="coerce").iloc[0]
        if pd.notna(p) and p < alpha:  # printed not significant, recomputed significant
            return "holds", shown + f", recomputed p = {p:.3g} is significant where the paper prints it not)"
        return "fails", shown + ", significance flips)"
    if verdict == "inconsistent":
        if row["kind"] == "p_value":
            return "holds", shown + ", same side of the significance level)"
        return "fails", shown + ")"
    if _truth(row.get("as_stated")) is False:
        route = row.get("method") if reader else row.get("route")
        if row["kind"] == "p_value" and _truth(row.get("significance_flip")) is False:
            # the stated route gives another p but on the same side: the conclusion does not hang on the route
            return "holds", shown + f", by {route or 'another route'}; the stated route keeps its side)"
        return "holds by a choice", shown + f", only by {route or 'a route the paper does not state'})"
    return "holds", shown + ")"


def _sensitivity_status(row: pd.Series) -> tuple[str, str]:
    shown = f"{row['analysis']}: {row['setting']}"
    if row["analysis"] == "events per variable":
        ok = float(row["estimate"]) >= EPV_MINIMUM
        return ("holds" if ok else "fails"), shown
    significant = _truth(row["significant"])
    if significant is None:
        return "unknown", shown
    p = row.get("p")
    shown += f" (p = {float(p):.3g})" if p is not None and p == p else ""
    return ("holds" if significant else "fails"), shown


def evidence(
    rests_on: str, claims: pd.DataFrame, sensitivity: pd.DataFrame, alpha: float = 0.05, reader: bool = False
) -> list[tuple[str, str]]:
    """(status, what) for each row a ``rests_on`` text refers to (``alpha``: the paper's level); with
    ``reader``, a claim is named by its reader label and its route in words (the method), not by its
    id and route.

    Raises
    ------
    ValueError
        If a reference matches no row of ``claims`` or ``sensitivity`` (a typo must not pass as
        "not checkable").
    """
    return _statuses(_referenced(rests_on, claims, sensitivity), alpha, reader)


def _statuses(referenced: list[tuple[str, pd.Series]], alpha: float, reader: bool) -> list[tuple[str, str]]:
    return [_claim_status(r, alpha, reader) if kind == "claim" else _sensitivity_status(r) for kind, r in referenced]


def _referenced(
    rests_on: str, claims: pd.DataFrame, sensitivity: pd.DataFrame, ids: pd.Series | None = None
) -> list[tuple[str, pd.Series]]:
    """("claim" or "sensitivity", row) for each row a ``rests_on`` text refers to (see :func:`evidence`);
    ``ids``: ``claims["claim_id"].astype(str)``, when the caller has it."""
    out = []
    for item in (t.strip() for t in str(rests_on or "").split(";")):
        if not item:
            continue
        kind, _, ref = item.partition(":")
        if kind == "claim":
            ids = claims["claim_id"].astype(str) if ids is None else ids
            rows = claims[(ids == ref) | ids.str.startswith(ref + "@")]
            if rows.empty:
                raise ValueError(f"no claim {ref!r} in the audit")
        elif kind == "sensitivity":
            analysis, _, setting = ref.partition("|")
            mask = sensitivity["analysis"].astype(str) == analysis
            if setting:
                mask &= sensitivity["setting"].astype(str) == setting
            rows = sensitivity[mask]
            if rows.empty:
                raise ValueError(f"no sensitivity row {ref!r}")
        else:
            raise ValueError(f"expected claim:<id> or sensitivity:<analysis>[|<setting>], got {item!r}")
        out += [(kind, r) for _, r in rows.iterrows()]
    return out


def _label(statuses: list[str]) -> str:
    known = [s for s in statuses if s != "unknown"]
    if not known:
        return NOT_CHECKABLE
    if all(s == "holds" for s in known):
        return SUPPORTED
    if not any(s in ("holds", "holds by a choice") for s in known):
        return NOT_SUPPORTED
    return BY_CHOICE


def assess(paper: Paper, claims: pd.DataFrame, sensitivity: pd.DataFrame) -> pd.DataFrame:
    """The paper's conclusions (``conclusions.csv``), each labelled from the claims and sensitivity
    rows it rests on by the rule of this module's docstring.

    Columns: location, quote, label, checkable ("k of n": how many pieces of evidence could be checked;
    "supported" means every *checkable* piece holds), depends_on (the evidence that fails or holds only
    by a choice), evidence (every piece with its status), note, and depends_on_words (depends_on as
    readers see it: claims by their labels, not their ids); indexed by the conclusion's id. Empty when
    the package has no ``conclusions.csv``.
    """
    columns = ["location", "quote", "label", "checkable", "depends_on", "evidence", "note", "depends_on_words"]
    if paper.conclusions is None:
        return pd.DataFrame(columns=columns)
    rows = {}
    alpha, ids = float(paper.meta.get("alpha", 0.05)), claims["claim_id"].astype(str)
    for _, c in paper.conclusions.iterrows():
        referenced = _referenced(c["rests_on"], claims, sensitivity, ids)  # once for both wordings
        found = _statuses(referenced, alpha, reader=False)
        label = _label([s for s, _ in found])
        weak = [f"{what} [{s}]" for s, what in found if s in ("fails", "holds by a choice")]
        words = [
            f"{what} [{s}]" for s, what in _statuses(referenced, alpha, True) if s in ("fails", "holds by a choice")
        ]
        rows[str(c["id"])] = {
            "location": c["location"],
            "quote": c["quote"],
            "label": label,
            "checkable": f"{sum(s != 'unknown' for s, _ in found)} of {len(found)}",
            "depends_on": "; ".join(weak) if label == BY_CHOICE else "",
            "evidence": "; ".join(f"{what} [{s}]" for s, what in found) or "none in the printed numbers",
            "note": c["note"],
            "depends_on_words": "; ".join(words) if label == BY_CHOICE else "",
        }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    out.index.name = "conclusion"
    return out


def summary(assessed: pd.DataFrame) -> Prose:
    """How many of the paper's conclusions carry each label, in one sentence (from :func:`assess`)."""
    if assessed.empty:
        return Prose("No conclusions were transcribed (no conclusions.csv).")
    counts = assessed["label"].value_counts()
    parts = [f"**{int(counts.get(label, 0))}** {label}" for label in CONCLUSION_LABELS]
    return Prose(f"Of the paper's **{len(assessed)}** conclusions transcribed: " + ", ".join(parts) + ".")


def table(assessed: pd.DataFrame) -> Prose:
    """The assessed conclusions as a Markdown table for reading: the quote with its location, the
    label, how much was checkable and what it depends on (every field escaped)."""
    if assessed.empty:
        return Prose("No conclusions were transcribed (no conclusions.csv).")
    lines = ["| the paper's conclusion | where | label | checkable | depends on |", "|---|---|---|---|---|"]
    plain = []
    for _, r in assessed.iterrows():
        depends = r.get("depends_on_words", r["depends_on"])  # readers: claims by their labels
        cells = [f"“{r['quote']}”", r["location"], r["label"], r["checkable"], depends or "—"]
        lines.append("| " + " | ".join(escape_markdown(c) for c in cells) + " |")
        plain.append(" | ".join(str(c) for c in cells))
    return Prose("\n".join(lines), "\n".join(plain))
