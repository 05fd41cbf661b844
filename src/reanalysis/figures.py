"""Presentation: figures for readers (matplotlib/seaborn; style from notebooks/matplotlibrc)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .audit import VERDICTS

__all__ = ["VERDICT_COLOURS", "plot_verdicts"]

#: One colour per verdict, colour-blind safe (Okabe-Ito).
VERDICT_COLOURS = {
    "reproduced": "#009E73",
    "consistent": "#56B4E9",
    "inconsistent": "#D55E00",
    "not_reproducible": "#999999",
}


def plot_verdicts(claims: pd.DataFrame, by: str = "section", title: str = "") -> Figure:
    """A stacked bar per ``by`` (section of the paper): how many claims got each verdict."""
    table = pd.crosstab(claims[by], claims["verdict"], dropna=False).reindex(columns=list(VERDICTS), fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1.2))
    left = pd.Series(0, index=table.index)
    for verdict in VERDICTS:
        ax.barh(table.index, table[verdict], left=left, color=VERDICT_COLOURS[verdict], label=verdict.replace("_", " "))
        left += table[verdict]
    ax.set_xlabel("printed numbers audited (count)")
    ax.set_ylabel("")
    ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=9)
    if title:
        ax.set_title(title, pad=28)
    return fig
