"""Recall and precision of the drafting assistant (``python -m reanalysis.draft``) against hand transcriptions.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/draft_recall.py`` (nothing is fetched; one core).

Papers: the JATS XML in ``benchmarks/draft_articles/`` (CC BY; see its README), measured against
``data/<id>/`` (roman2016, heckmann2011, huh2009: the project's hand-made packages) or against
``benchmarks/draft_truth/<id>.csv`` (columns arm, statistic, value, location; Table 1 numbers and
the Results' p-values typed by hand). A paper whose article or truth is missing is skipped with a
message.

Measures, per paper and overall:

- **table recall**: the hand-transcribed numbers of the tables the hand transcription covers
  (descriptives, header n and the tables' printed p-values) that the draft has with the same table,
  arm, statistic and value (a multiset match; ``p`` for a table's p-value, arm empty);
- **in-text p recall**: the hand-transcribed p-values printed in the Results' sentences (section
  ``results``; a number, not significance in words) that the draft has among its in-text p-values
  (value match, as a multiset);
- **precision**: of the drafted table rows in the covered tables, and of the drafted in-text
  p-values in sentences the hand transcription covers (for ``data/`` packages: a sentence that
  contains, or is contained in, a quote of one of its results rows; for ``draft_truth`` files,
  which transcribe every Results p-value: all of them), the share that match a hand-transcribed number.

Papers are listed as ``DEVELOPMENT`` (in-sample: the assistant was developed on them) and
``HELD_OUT`` (out-of-sample: chosen and transcribed by hand before the assistant was first run on
them, nothing tuned after); the overall is printed for each group and for all.

Draft arm ids are mapped onto the hand transcription's arms by name (equal, or one a prefix of
the other) and otherwise by column order. Targets (issue 14): table recall >= 90%, in-text
p recall >= 80%, precision >= 95%; and a draft -> validate -> audit round trip under a minute.
"""

from __future__ import annotations

import csv
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from reanalysis.audit import audit
from reanalysis.data import load
from reanalysis.draft import _arm_id, _same_arm, draft_package, read_article, write_package
from reanalysis.printed import normalise
from reanalysis.vocabulary import verbal_p

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "benchmarks" / "draft_articles"
TRUTH = ROOT / "benchmarks" / "draft_truth"
DEVELOPMENT = ("roman2016", "heckmann2011", "huh2009", "alamri2011", "ahmad2017")  # the assistant was built on these
# Transcribed blind and measured before any change (benchmarks/draft_heldout.md keeps that result: table
# recall 96.0%, precision 98.2%). Three kinds of error found there were then fixed, so these papers are
# no longer out of sample: the line printed for them is labelled so. A new held-out set needs new papers.
HELD_OUT = ("chang2012", "amstrup2015", "wiecha2015")
PAPERS = DEVELOPMENT + HELD_OUT


def _value(v: str) -> str:
    s = normalise(v).replace(" ", "").lower()
    return "n.s." if verbal_p(s) == ">" and s in ("ns", "n.s.", "n.s") else s


def _table(section: str, location: str) -> int | None:
    m = re.match(r"table(\d+)$", section or "")
    if m:
        return int(m[1])
    m = re.match(r"Table[\s-]*(\d+|[IVX]+)\b", location or "")
    if not m:
        return None
    if m[1].isdigit():
        return int(m[1])
    return {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}.get(m[1])


def truth_of(pid: str) -> dict | None:
    """The hand transcription: table keys (table, arm, statistic, value), in-text p values, quotes, arms."""
    folder = ROOT / "data" / pid
    if (folder / "descriptives.csv").exists():
        paper = load(folder)
        table, text, quotes = [], [], []
        for r in paper.descriptives.to_dict("records"):
            t = _table(r["section"], r["location"])
            if t is not None:
                table.append((t, r["arm"], r["statistic"], _value(r["value"])))
        for r in paper.inferences.to_dict("records"):
            if r["kind"] != "p_value" or not r["value"] or verbal_p(r["value"]) or r["value"].lower() == "na":
                continue
            t = _table(r["section"], r["location"])
            if t is not None and r["section"].startswith("table"):
                table.append((t, "", "p", _value(r["value"])))
            elif r["section"] == "results":
                text.append((normalise(r["quote"]), _value(r["value"])))
        for r in paper.inferences.to_dict("records") + paper.descriptives.to_dict("records"):
            if r["section"] == "results":
                quotes.append(normalise(r["quote"]))
        # a p printed once may be transcribed once per variable it covers: count each printed p once
        text_values = [v for _, v in dict.fromkeys(text)]
        return dict(table=table, text=text_values, quotes=quotes, arms=list(paper.meta["arms"]), complete_text=False)
    path = TRUTH / f"{pid}.csv"
    if not path.exists():
        return None
    table, text, arms = [], [], []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            arm = _arm_id(r["arm"]) if r["arm"] else ""
            if arm and arm not in arms:
                arms.append(arm)
            t = _table("", r["location"])
            if t is not None:
                table.append((t, arm, r["statistic"], _value(r["value"])))
            elif r["location"].startswith("Results"):
                text.append(_value(r["value"]))
    return dict(table=table, text=text, quotes=[], arms=arms, complete_text=True)


def arm_map(draft_arms: list[str], truth_arms: list[str]) -> dict[str, str]:
    """Draft arm id -> truth arm id: by name, else by order among the unmatched."""
    out = {"all": "all", "": ""}
    free = list(truth_arms)
    for a in draft_arms:
        hit = next((t for t in free if _same_arm(a, t) or _same_arm(t, a)), None)
        if hit:
            out[a] = hit
            free.remove(hit)
    for a in draft_arms:
        if a not in out and free:
            out[a] = free.pop(0)
    return out


def measure(pid: str) -> dict | None:
    article = ARTICLES / f"{pid}.nxml"
    if not article.exists():
        print(f"{pid}: skipped (no article at {article.relative_to(ROOT)}; nothing is fetched at run time)")
        return None
    truth = truth_of(pid)
    if truth is None:
        print(f"{pid}: skipped (no hand transcription in data/{pid}/ or benchmarks/draft_truth/{pid}.csv)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / pid
        start = time.perf_counter()
        art = read_article(article)
        d = draft_package(art, pid)
        write_package(d, art.text, folder)
        paper = load(folder)
        claims = audit(paper)
        seconds = time.perf_counter() - start
    amap = arm_map(list(d.meta["arms"]), truth["arms"])
    covered = {k[0] for k in truth["table"]}
    drafted_table = []
    for r in d.descriptives:
        t = _table(r["section"], r["location"])
        if t in covered:
            drafted_table.append((t, amap.get(r["arm"], r["arm"]), r["statistic"], _value(r["value"])))
    for r in d.inferences:
        t = _table(r["section"], r["location"])
        if t in covered and r["kind"] == "p_value":
            drafted_table.append((t, "", "p", _value(r["value"])))
    hit_table = sum((Counter(truth["table"]) & Counter(drafted_table)).values())
    drafted_text = [
        (normalise(r["quote"]), _value(r["value"]))
        for r in d.inferences
        if r["section"] == "results" and r["kind"] == "p_value"
    ]
    all_text_values = [v for _, v in drafted_text]
    hit_text = sum((Counter(truth["text"]) & Counter(all_text_values)).values())
    if truth["complete_text"]:
        in_scope = all_text_values
    else:
        in_scope = [v for q, v in drafted_text if any(t in q or q in t for t in truth["quotes"])]
    hit_scope = sum((Counter(truth["text"]) & Counter(in_scope)).values())
    return dict(
        paper=pid,
        table_truth=len(truth["table"]),
        table_hit=hit_table,
        table_drafted=len(drafted_table),
        text_truth=len(truth["text"]),
        text_hit=hit_text,
        text_drafted=len(in_scope),
        text_drafted_hit=hit_scope,
        text_out_of_scope=len(drafted_text) - len(in_scope),
        seconds=seconds,
        claims=len(claims),
        unsure=len(d.unsure),
        left_out=len(d.left_out),
    )


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "   n/a"


def line(name: str, m) -> str:
    """One row of the table: recall of table rows and in-text p-values, precision, round trip."""
    prec_hit = m["table_hit"] + m["text_drafted_hit"]
    prec_n = m["table_drafted"] + m["text_drafted"]
    return (
        f"{name:<14}"
        f"{pct(m['table_hit'], m['table_truth']):>10} ({m['table_hit']:>3}/{m['table_truth']:>3})"
        f"{pct(m['text_hit'], m['text_truth']):>10} ({m['text_hit']:>2}/{m['text_truth']:>2})"
        f"{pct(prec_hit, prec_n):>10} ({prec_hit:>3}/{prec_n:>3})"
        f"{m['seconds']:>10.2f} s"
    )


def main() -> int:
    rows = [m for pid in PAPERS if (m := measure(pid)) is not None]
    if not rows:
        print("no paper measured")
        return 1
    head = (
        f"{'paper':<14}{'table recall':>22}{'in-text p recall':>20}{'precision':>22}"
        f"{'round trip':>12}{'claims':>8}{'unsure':>8}{'left out':>9}"
    )
    print(head)
    totals = {"development": Counter(), "held-out (since used to fix)": Counter(), "overall": Counter()}
    for m in rows:
        print(line(m["paper"], m) + f"{m['claims']:>8}{m['unsure']:>8}{m['left_out']:>9}")
        group = "held-out (since used to fix)" if m["paper"] in HELD_OUT else "development"
        for k, v in m.items():
            if k != "paper":
                totals[group][k] += v
                totals["overall"][k] += v
    for name, total in totals.items():
        if not total:
            continue
        print(line(name, total))
    total = totals["overall"]
    print(
        f"(precision: table rows of covered tables {pct(total['table_hit'], total['table_drafted']).strip()}, "
        f"in-text p-values {pct(total['text_drafted_hit'], total['text_drafted']).strip()}; "
        f"{total['text_out_of_scope']} drafted in-text p-values fall in sentences the hand transcription "
        "did not cover and are not counted)"
    )
    slowest = max(m["seconds"] for m in rows)
    print(
        "targets: table recall >= 90%, in-text p recall >= 80%, precision >= 95%, "
        f"round trip < 60 s (slowest here {slowest:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
