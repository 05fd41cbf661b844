"""Presentation: the audit's tables for readers, sentences written from results, saving results."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import inference
from .data import Paper
from .editions import ANALYST_MIME, analyst_edition, reader_edition
from .markup import Prose, escape_markdown
from .printed import normalise, parse
from .vocabulary import TWO_BY_TWO_TESTS, VERDICTS

__all__ = [
    "Prose",
    "escape_markdown",
    "claims_table",
    "ClaimsTable",
    "ANALYST_MIME",
    "analyst_edition",
    "reader_edition",
    "headline",
    "flow_sentence",
    "save_results",
    "arm_counts",
    "compare_tests",
    "compare_power",
    "odds_ratios",
    "losses",
    "course",
    "marks",
]


#: The columns a reader needs, in reading order.
READER_COLUMNS = ["claim_id", "location", "reported", "recomputed", "method", "verdict", "note"]

#: Column names for readers.
READER_NAMES = {
    "reported": "printed",
    "recomputed": "recomputed",
    "recomputed_p": "recomputed p",
    "significance_flip": "significance changes",
    "as_stated": "route the paper states",
    "quote": "quote",
    "method": "method",
    "verdict": "verdict",
    "note": "note",
}

#: Reader tables wrap their text (notes are shown whole) and keep a readable measure.
_READER_CSS = (
    "<style>table.reanalysis-reader td, table.reanalysis-reader th {white-space: normal; "
    "text-align: left; vertical-align: top; max-width: 36em; overflow-wrap: anywhere}</style>"
)


def _cell(value: object) -> str:
    """A cell for readers: '' for a missing value, yes/no for a flag, a p-value to 3 significant digits."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "< 0.001" if 0 < value < 0.001 else f"{value:.3g}"
    text = str(value)
    return {"None": "", "nan": "", "NaN": "", "<NA>": "", "True": "yes", "False": "no"}.get(text, text)


class ClaimsTable:
    """Claims as two tables: ``reader`` (rows labelled by where in the paper and what the number is,
    reader column names, every cell text, no missing-value marks) and ``analyst`` (indexed by claim
    id, the columns as the audit names them).

    Displayed, it shows the reader's table (whole notes, wrapped); the analyst's travels in the same
    output under :data:`ANALYST_MIME` for the site's analyst edition. Text from the data stays text:
    both are rendered by pandas with ``escape=True``.
    """

    def __init__(self, analyst: pd.DataFrame, reader: pd.DataFrame):
        self.analyst, self.reader = analyst, reader

    def __len__(self) -> int:
        return len(self.analyst)

    def __repr__(self) -> str:
        return self._plain()

    def _plain(self) -> str:
        if self.reader.empty:
            return "(no claims)"
        with pd.option_context("display.max_colwidth", None, "display.width", 10_000):
            return self.reader.to_string()

    def _repr_html_(self) -> str:  # an empty table keeps its header: the page has the same tables
        return _READER_CSS + self.reader.to_html(escape=True, classes="reanalysis-reader", border=0, na_rep="")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        with pd.option_context("display.max_colwidth", None):
            analyst = self.analyst.to_html(escape=True, na_rep="")
        return {"text/plain": self._plain(), "text/html": self._repr_html_(), ANALYST_MIME: analyst}


def claims_table(claims: pd.DataFrame, columns: list[str] | None = None, **where: str | list[str]) -> ClaimsTable:
    """The claims matching ``where`` (column=value or list of values), with the reader's columns
    (or ``columns``), as a :class:`ClaimsTable`: the reader edition is labelled by the claims'
    ``label`` (where in the paper, what the number is) and drops ``location`` (the label holds it);
    the analyst edition keeps the ids and every column asked for.
    """
    mask = pd.Series(True, index=claims.index)
    for col, value in where.items():
        values = [value] if isinstance(value, str) else list(value)
        mask &= claims[col].astype(str).isin(values)
    wanted = list(columns or READER_COLUMNS[1:])
    rows = claims.loc[mask]
    analyst = rows[["claim_id", *wanted]].set_index("claim_id")
    shown = [c for c in wanted if c != "location"]
    labels = rows["label"] if "label" in rows else rows["location"]
    reader = pd.DataFrame(
        {READER_NAMES.get(c, c.replace("_", " ")): [_cell(v) for v in rows[c]] for c in shown},
        index=pd.Index([_cell(v) for v in labels]),
    )
    if "verdict" in shown:
        reader["verdict"] = [v.replace("_", " ") for v in reader["verdict"]]
    return ClaimsTable(analyst, reader)


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
    if "as_stated" in claims:
        other = claims["as_stated"].astype(str).eq("False") & claims["verdict"].astype(str).eq("reproduced")
        parts[0] += f" (**{int(other.sum())}** of them only by a test or n the paper does not state)"
    template = (
        f"We audited **{len(claims)}** printed percentages and inferences of {{citation}} "
        f"Of these, {', '.join(parts[:-1])} and {parts[-1]}. "
        f"Under the chosen analysis settings, **{flips}** recomputed p-value(s) fall on the other side of "
        "the significance level from the printed one."
    )
    return Prose.fill(template, citation=paper.meta["citation"])


def flow_sentence(paper: Paper) -> Prose:
    """The arms' assigned, analysed and (where printed) completed n, from ``paper.toml``."""
    parts, labels = [], {}
    for i, arm in enumerate(paper.arms.values()):
        bits = [f"{int(arm['assigned'])} assigned", f"{int(arm['analysed'])} analysed"]
        if "completed" in arm:
            bits.append(f"{int(arm['completed'])} completed")
        parts.append(f"{{arm{i}}}: " + ", ".join(bits))
        labels[f"arm{i}"] = arm["label"]
    return Prose.fill("; ".join(parts) + ".", **labels)


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


def _rows(paper: Paper, **match: str) -> pd.DataFrame:
    d = paper.descriptives
    mask = np.ones(len(d), dtype=bool)
    for col, value in match.items():
        mask &= (d[col] == value).to_numpy(dtype=bool)
    return d[mask]


def arm_counts(paper: Paper, variable: str, timepoint: str = "") -> pd.DataFrame:
    """Events and n per arm for a binary outcome, from the printed count rows (first printed
    occurrence) and the printed n of that outcome, else the arm's analysed n."""
    rows = []
    for arm, spec in paper.arms.items():
        count = _rows(paper, arm=arm, variable=variable, statistic="count", timepoint=timepoint, subgroup="")
        if count.empty:
            continue
        n = _rows(paper, arm=arm, variable=variable, statistic="n", timepoint=timepoint, subgroup="")
        rows.append(
            {
                "arm": arm,
                "label": spec["label"],
                "events": int(parse(count["value"].iloc[0]).value),
                "n": int(parse(n["value"].iloc[0]).value) if len(n) else int(spec["analysed"]),
                "source": count["id"].iloc[0],
            }
        )
    return pd.DataFrame(rows)


def compare_tests(counts: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every 2x2 test on two arms' printed counts: p-value and whether p < alpha (one row per test)."""
    a, b = counts.iloc[0], counts.iloc[1]
    rows = []
    for test in TWO_BY_TWO_TESTS:
        r = inference.two_by_two(int(a.events), int(a.n), int(b.events), int(b.n), test=test)
        rows.append({"test": test, "method": r.method, "p": round(r.pvalue, 4), "significant": r.pvalue < alpha})
    return pd.DataFrame(rows).set_index("test")


def compare_power(counts: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Post hoc power of the observed difference by each usual formula, and the n per arm a new
    trial would need for 80% and 90% power at the observed proportions."""
    a, b = counts.iloc[0], counts.iloc[1]
    p1, p2 = a.events / a.n, b.events / b.n
    rows = []
    for method in ("pooled", "unpooled", "arcsine"):
        power = inference.power_two_proportions(p1, p2, int(a.n), int(b.n), alpha=alpha, method=method).power
        need = [
            math.ceil(inference.sample_size_two_proportions(p1, p2, power=x, alpha=alpha, method=method).n1)
            for x in (0.8, 0.9)
        ]
        rows.append(
            {"formula": method, "power_%": round(100 * power, 1), "n_per_arm_80%": need[0], "n_per_arm_90%": need[1]}
        )
    return pd.DataFrame(rows).set_index("formula")


def odds_ratios(counts: pd.DataFrame) -> pd.DataFrame:
    """The unadjusted odds ratio of the printed counts with its 95% CIs (Woolf and exact)."""
    a, b = counts.iloc[0], counts.iloc[1]
    rows = []
    for method in ("log", "exact"):
        ci = inference.ratio_ci(int(a.events), int(a.n), int(b.events), int(b.n), measure="or", method=method)
        rows.append(
            {
                "interval": ci.method,
                "odds_ratio": round(ci.estimate, 2),
                "ci_low": round(ci.low, 2),
                "ci_high": round(ci.high, 2),
            }
        )
    return pd.DataFrame(rows).set_index("interval")


def losses(paper: Paper) -> pd.DataFrame:
    """Per arm: assigned, analysed, lost (assigned - analysed) and the share lost, from ``paper.toml``."""
    rows = [
        {
            "arm": spec["label"],
            "assigned": spec["assigned"],
            "analysed": spec["analysed"],
            "lost": spec["assigned"] - spec["analysed"],
            "lost_%": round(100 * (spec["assigned"] - spec["analysed"]) / spec["assigned"], 1),
        }
        for spec in paper.arms.values()
    ]
    return pd.DataFrame(rows).set_index("arm")


def course(paper: Paper, variable: str, statistic: str = "mean") -> pd.DataFrame:
    """Printed mean (or ``statistic``, e.g. percent) and SD of ``variable`` by arm and time point
    (first printed occurrence), for :func:`reanalysis.figures.plot_course`; whole-population rows
    are labelled as such."""
    order = {t["id"]: i for i, t in enumerate(paper.meta["timepoints"])}
    labels = {t["id"]: t.get("label", t["id"]) for t in paper.meta["timepoints"]}
    means = _rows(paper, variable=variable, statistic=statistic, subgroup="").drop_duplicates(["arm", "timepoint"])
    means = means[means["timepoint"] != ""]
    sds: dict = {}  # (arm, time point) -> the first printed SD
    for arm, timepoint, value in _rows(paper, variable=variable, statistic="sd", subgroup="")[
        ["arm", "timepoint", "value"]
    ].itertuples(index=False):
        sds.setdefault((arm, timepoint), value)
    rows = []
    for _, m in means.iterrows():
        sd = sds.get((m.arm, m.timepoint))
        arm = paper.arms[m.arm]["label"] if m.arm in paper.arms else "all participants"
        rows.append(
            {
                "arm": arm if statistic == "mean" else f"{arm} ({statistic})",
                "timepoint": labels.get(m.timepoint, m.timepoint),
                "order": order.get(m.timepoint, 0),
                "mean": parse(m.value).value,
                "sd": parse(sd).value if sd is not None else math.nan,
            }
        )
    return pd.DataFrame(rows).sort_values(["arm", "order"]).reset_index(drop=True)


def marks(paper: Paper, claims: pd.DataFrame, variable: str) -> pd.DataFrame:
    """The paper's between-group p and ours (under the audit's settings) at each time point of
    ``variable``, as short labels for :func:`reanalysis.figures.plot_course`."""
    order = {t["id"]: i for i, t in enumerate(paper.meta["timepoints"])}
    between = claims[(claims["variable"] == variable) & (claims["kind"] == "p_value")]
    ids = set(paper.inferences.loc[paper.inferences["comparison"] == "between", "id"])
    rows = {}
    # a claim printed once for several visits is audited per visit ("<id>@<visit>"): each visit its own p
    base = between["claim_id"].str.split("@").str[0]
    between = between[base.isin(ids)].sort_values("recomputed_p", na_position="last", kind="stable")
    for _, c in between.iterrows():
        for tp in str(c["timepoint"]).split(";"):
            if tp in order and order[tp] not in rows:
                ours = c["recomputed_p"]
                ours = "n/a" if pd.isna(ours) else (f"{ours:.3f}" if ours >= 0.001 else "<0.001")
                rows[order[tp]] = {"order": order[tp], "label": f"paper {normalise(c['reported'])}\nours {ours}"}
    return pd.DataFrame(list(rows.values()), columns=["order", "label"])
