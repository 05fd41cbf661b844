"""Presentation: the audit's tables for readers, sentences written from results, saving results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .audit import VERDICTS
from .data import Paper

__all__ = ["Prose", "claims_table", "headline", "flow_sentence", "save_results"]


class Prose:
    """A paragraph written from results: rendered as Markdown, and as itself in plain text
    (so nbval compares the sentence, not an object's name)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(self.text.replace("**", ""))

    def __str__(self) -> str:
        return self.text


#: The columns a reader needs, in reading order.
READER_COLUMNS = ["claim_id", "location", "reported", "recomputed", "method", "verdict", "note"]


def claims_table(claims: pd.DataFrame, columns: list[str] | None = None, **where: str | list[str]) -> pd.DataFrame:
    """The claims matching ``where`` (column=value or list of values), with the reader's columns
    (or ``columns``).

    Text from the data stays text: pandas escapes it when the table is rendered as HTML.
    """
    mask = pd.Series(True, index=claims.index)
    for col, value in where.items():
        values = [value] if isinstance(value, str) else list(value)
        mask &= claims[col].astype(str).isin(values)
    return claims.loc[mask, ["claim_id", *(columns or READER_COLUMNS[1:])]].set_index("claim_id")


def headline(paper: Paper, claims: pd.DataFrame) -> Prose:
    """One paragraph, written from the audit's counts: how many claims hold, and how."""
    counts = claims["verdict"].value_counts().reindex(VERDICTS, fill_value=0)
    flips = int(claims["significance_flip"].fillna(False).astype(bool).sum())
    words = {
        "reproduced": "reproduced exactly",
        "consistent": "consistent only within rounding",
        "inconsistent": "inconsistent with every method and population we tried",
        "not_reproducible": "not reproducible from the published numbers",
    }
    parts = [f"**{counts[v]}** {words[v]}" for v in VERDICTS]
    text = (
        f"We audited **{len(claims)}** printed percentages and inferences of {paper.meta['citation']} "
        f"Of these, {', '.join(parts[:-1])} and {parts[-1]}. "
        f"Under the chosen analysis settings, **{flips}** recomputed p-value(s) fall on the other side of "
        "the significance level from the printed one."
    )
    return Prose(text)


def flow_sentence(paper: Paper) -> Prose:
    """The arms' assigned, analysed and (where printed) completed n, from ``paper.toml``."""
    parts = []
    for arm in paper.arms.values():
        bits = [f"{arm['assigned']} assigned", f"{arm['analysed']} analysed"]
        if "completed" in arm:
            bits.append(f"{arm['completed']} completed")
        parts.append(f"{arm['label']}: " + ", ".join(bits))
    return Prose("; ".join(parts) + ".")


def save_results(results_dir: str | Path, **tables: pd.DataFrame) -> list[Path]:
    """Write each table as ``<results_dir>/<name>.csv``; nothing when ``results_dir`` is ''."""
    if not results_dir:
        return []
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        table.to_csv(path, index=not isinstance(table.index, pd.RangeIndex))
        written.append(path)
    return written
