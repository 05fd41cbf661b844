"""Findings: a paper's claims grouped into a few distinct findings, one cause each.

A count like "21 inconsistent" hides that most of those numbers share one cause (the placebo
percentages fit 44 patients, not the 46 randomised). This module groups every claim the audit
could not confirm by the route the paper states (inconsistent, not reproducible, or reproduced
only by another route) into findings, each with a one-sentence statement, its consequence
(:data:`reanalysis.vocabulary.CONSEQUENCES`), the claims it covers with their quotes,
recomputations and routes, and the innocent explanations that fit it.

The grouping is generic (any data package): by cause (:data:`reanalysis.vocabulary.FINDING_CAUSES`)
and, within a cause, by the analysis population and n, the test, the rounding rule, the kind of
number or the method that would be needed. A package may word its findings for readers in an
optional ``findings.toml`` (validated by :mod:`reanalysis.data`); the counts always come from
the computation. The findings are written to ``findings.json`` (schema: :data:`SCHEMA`,
documented in ``docs/findings.md``) and ``findings.md`` (a report to attach to a letter), and
the paper pages and the site index are built from them.
"""

from __future__ import annotations

import fnmatch
import json
import math
import os
from pathlib import Path

import pandas as pd

from . import checks
from .audit import Settings, implied_n
from .data import Paper
from .findings_file import index_entry, numbers_phrase, read_findings
from .markup import Prose, escape_markdown
from .vocabulary import CONSEQUENCE_WORDS, CONSEQUENCES, FINDING_CAUSES, VERDICTS, stated_methods

__all__ = [
    "SCHEMA",
    "CONSEQUENCE_WORDS",
    "in_scope",
    "findings",
    "verdict",
    "report",
    "write_findings",
    "read_findings",
    "index_entry",
]

#: The rounding rule the audit assumes unless a number says otherwise.
_USUAL_ROUNDING = "half_up"

#: The innocent explanations that fit each cause (a package's ``findings.toml`` may replace them).
_EXPLANATIONS = {
    "denominator": [
        "the tables were computed on another analysis population (for instance the patients who "
        "completed treatment) than the n the paper gives, and the paper does not say so",
        "an error in the n printed for the arm (in the text or a table header)",
    ],
    "population": [
        "the comparison used the patients measured at that visit (the paper does not print the n per "
        "visit), not everyone randomised",
        "a coincidence: the more routes a search tries, the easier a spurious match",
    ],
    "test": [
        "the analysis used another test than the one the Methods name (a software default, or a rule "
        "such as Fisher's exact test where an expected count is small)",
        "a coincidence: the more routes a search tries, the easier a spurious match",
    ],
    "rounding": ["the software printed the value truncated rather than rounded"],
    "inconsistent": [
        "a test, software default or analysis population the audit does not try",
        "a typographical or transcription error in the paper",
        "a loose phrase in the text rather than a computed number",
    ],
    "unchecked": [
        "the paper does not publish what these numbers need (individual data, SDs, a within-patient "
        "correlation); being unable to recompute them says nothing against them",
    ],
}

_KIND_WORDS = {
    "percent": "percentages",
    "p_value": "p-values",
    "ci": "confidence intervals",
    "change": "changes",
    "ratio": "ratios",
    "percent_change": "percentage changes",
    "power": "power statements",
    "odds_ratio": "odds ratios",
    "grim": "means (whole-number check)",
    "grimmer": "SDs (whole-number check)",
    "debit": "SDs (0/1 check)",
    "sd_bound": "SDs (range check)",
}

_POPULATION_WORDS = {
    "printed": "the n printed with the number",
    "table": "the n of the table's header",
    "analysed": "the analysed n",
    "assigned": "the randomised n",
    "completed": "the completers' n",
    "implied": "the n the percentages imply",
}

#: The JSON schema of ``findings.json`` (draft 2020-12).
SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "findings.json: a paper's claims grouped into findings",
    "type": "object",
    "required": ["schema_version", "paper", "settings", "counts", "findings"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": 1},
        "paper": {
            "type": "object",
            "required": ["id", "citation", "title", "design", "primary_endpoint", "concluded"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string"},
                "citation": {"type": "string"},
                "title": {"type": "string"},
                "design": {"type": "string"},
                "primary_endpoint": {"type": "string"},
                "concluded": {
                    "type": ["object", "null"],
                    "required": ["text", "location"],
                    "additionalProperties": False,
                    "properties": {"text": {"type": "string"}, "location": {"type": "string"}},
                },
            },
        },
        "settings": {"type": "object"},
        "counts": {
            "type": "object",
            "required": ["claims", "verdicts", "as_stated", "in_findings"],
            "additionalProperties": False,
            "properties": {
                "claims": {"type": "integer", "minimum": 0},
                "verdicts": {
                    "type": "object",
                    "required": list(VERDICTS),
                    "additionalProperties": False,
                    "properties": {v: {"type": "integer", "minimum": 0} for v in VERDICTS},
                },
                "as_stated": {
                    "type": "object",
                    "required": ["reproduced", "consistent"],
                    "additionalProperties": False,
                    "properties": {
                        "reproduced": {"type": "integer", "minimum": 0},
                        "consistent": {"type": "integer", "minimum": 0},
                    },
                },
                "in_findings": {"type": "integer", "minimum": 0},
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "statement",
                    "cause",
                    "consequence",
                    "claim_ids",
                    "claims",
                    "route",
                    "recomputation",
                    "explanations",
                    "curated",
                ],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]*$"},
                    "statement": {"type": "string", "minLength": 1},
                    "cause": {"enum": list(FINDING_CAUSES)},
                    "consequence": {"enum": list(CONSEQUENCES)},
                    "claim_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "claims": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": [
                                "claim_id",
                                "label",
                                "location",
                                "quote",
                                "reported",
                                "recomputed",
                                "route",
                                "verdict",
                                "as_stated",
                                "significance_flip",
                                "note",
                            ],
                            "additionalProperties": False,
                            "properties": {
                                "claim_id": {"type": "string"},
                                "label": {"type": "string"},
                                "location": {"type": "string"},
                                "quote": {"type": "string"},
                                "reported": {"type": "string"},
                                "recomputed": {"type": "string"},
                                "route": {"type": "string"},
                                "verdict": {"enum": list(VERDICTS)},
                                "as_stated": {"type": ["boolean", "null"]},
                                "significance_flip": {"type": ["boolean", "null"]},
                                "note": {"type": "string"},
                            },
                        },
                    },
                    "route": {"type": "string"},
                    "recomputation": {"type": "string"},
                    "explanations": {"type": "array", "items": {"type": "string"}},
                    "curated": {"type": "boolean"},
                },
            },
        },
    },
}


# --------------------------------------------------------------------------- grouping


def _text(value: object) -> str:
    """A cell as text: '' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _flag(value: object) -> bool | None:
    """True, False or None from a cell that may hold a bool, 'True'/'False' text or nothing."""
    text = _text(value)
    return {"True": True, "False": False}.get(text)


def _route(route: str) -> dict[str, str]:
    """``test=chi2;n=45/44;population=implied`` as a dict."""
    return dict(part.split("=", 1) for part in _text(route).split(";") if "=" in part)


def in_scope(claims: pd.DataFrame) -> pd.Series:
    """Which claims belong in a finding: inconsistent or not reproducible, reproduced (or consistent)
    only by a route the paper does not state, or only under another rounding rule than the usual."""
    verdict = claims["verdict"].astype(str)
    other_route = claims["as_stated"].map(_flag).eq(False) & verdict.isin(["reproduced", "consistent"])
    rounding = claims["route"].map(lambda r: _route(r).get("rounding", _USUAL_ROUNDING)) != _USUAL_ROUNDING
    return verdict.isin(["inconsistent", "not_reproducible"]) | other_route | (rounding & verdict.ne("inconsistent"))


def _rows(paper: Paper) -> tuple[dict[str, dict], dict[str, dict]]:
    d = {r["id"]: r for r in paper.descriptives.astype(object).where(paper.descriptives.notna(), "").to_dict("records")}
    i = {r["id"]: r for r in paper.inferences.astype(object).where(paper.inferences.notna(), "").to_dict("records")}
    return d, i


def _source(claim_id: str, d: dict, i: dict) -> tuple[dict | None, dict | None]:
    """The descriptive row (a percentage, or a mean/SD under a granularity check) or the inference
    row a claim comes from."""
    base = claim_id.split("@")[0]
    if base in d:
        return d[base], None
    if base in i:
        return None, i[base]
    stem = base.rsplit(".", 1)[0]
    return (d.get(stem), None) if stem in d else (None, None)


def _fits_implied(claim: pd.Series, row: dict, n: int, d: dict) -> bool:
    """Whether a descriptive claim that fails at its stated n holds at the arm's implied n."""
    kind = claim["kind"]
    try:
        if kind == "percent":
            return bool(checks.fitting_denominators(row["value"], range(n, n + 1)))
        if kind == "grim":
            return bool(checks.grim(row["value"], n).consistent)
        if kind == "grimmer":
            mean = next(
                (
                    r
                    for r in d.values()
                    if r["statistic"] == "mean"
                    and all(r[k] == row[k] for k in ("arm", "variable", "timepoint", "subgroup", "section"))
                ),
                None,
            )
            return mean is not None and bool(checks.grimmer(mean["value"], row["value"], n).consistent)
    except (ValueError, ArithmeticError):
        return False
    return False


def _key(claim: pd.Series, paper: Paper, implied: dict[str, int], d: dict, i: dict) -> tuple:
    """The cause of one claim, as a grouping key: (cause, detail...)."""
    verdict = str(claim["verdict"])
    route = _route(claim["route"])
    drow, irow = _source(claim["claim_id"], d, i)
    if verdict == "not_reproducible":
        methods = stated_methods(irow["method_stated"]) if irow else ()
        note = _text(claim["note"])
        if note.startswith("no ") and "gives the printed value" in note:  # no assumed value reaches it
            return ("unchecked", _text(claim["cause"]), "none-fits", claim["claim_id"])
        if methods:
            return ("unchecked", _text(claim["cause"]), methods[0])
        return ("unchecked", _text(claim["cause"]), (irow or {}).get("comparison", ""), claim["kind"])
    moved = {a: n for a, n in implied.items() if n not in (paper.arms[a]["assigned"], paper.arms[a]["analysed"])}
    if route.get("population") == "implied" and _flag(claim["as_stated"]) is False:
        return ("denominator",)
    if verdict == "inconsistent" and drow is not None and drow["arm"] in moved:
        if _fits_implied(claim, drow, moved[drow["arm"]], d):
            return ("denominator",)
    if verdict == "inconsistent":
        return ("inconsistent", claim["kind"], route.get("test", ""))
    if _flag(claim["as_stated"]) is False:
        note = _text(claim["note"])
        population = route.get("population", "")
        if population and f"the {population} n instead of" in note:
            return ("population", population, route.get("n", ""))
        return ("test", route.get("test", ""))
    return ("rounding", route.get("rounding", ""))


def _slug(key: tuple) -> str:
    parts = [str(p) for p in key if str(p)]
    return "-".join(p.replace("/", "-").replace("_", "-").replace(" ", "-").lower() for p in parts)[:80]


def _arms_words(paper: Paper, arms: dict[str, int]) -> tuple[str, str, str]:
    """(arm labels, stated n, implied n) of the arms whose implied n differs from the stated one."""
    labels = [paper.arms[a]["label"] for a in arms]
    stated = [str(paper.arms[a]["analysed"]) for a in arms]
    return " and ".join(labels), " and ".join(stated), " and ".join(str(n) for n in arms.values())


def _statement(key: tuple, group: pd.DataFrame, paper: Paper, moved: dict[str, int]) -> str:
    count = len(group)
    numbers = f"{count} printed number{'s' if count != 1 else ''}"
    cause = key[0]
    kinds = ", ".join(dict.fromkeys(_KIND_WORDS.get(k, k.replace("_", " ")) for k in group["kind"]))
    are = "are" if count != 1 else "is"
    if cause == "denominator":
        arms, stated, implied = _arms_words(paper, moved)
        return (
            f"The percentages of the {arms} arm fit {implied} patients, not the {stated} the paper gives: "
            f"{numbers} ({kinds}) hold only with that n."
        )
    if cause == "population":
        population, n = key[1], key[2]
        return (
            f"{numbers} ({kinds}) {are} reproduced only with {_POPULATION_WORDS.get(population, population)} "
            f"({n}), not the n the paper states."
        )
    if cause == "test":
        return f"{numbers} ({kinds}) {are} reproduced only by another test ({key[1]}) than the one the paper names."
    if cause == "rounding":
        rule = {"truncate": "truncated", "half_even": "rounded half to even"}.get(key[1], key[1])
        return f"{numbers} ({kinds}) {are} reproduced only if the value was {rule}, not rounded as usual."
    if cause == "inconsistent":
        first = group.iloc[0]
        if count == 1:
            return (
                f"The printed {_text(first['reported'])} ({first['label']}) is reproduced by no plausible method "
                "or population."
            )
        return (
            f"{numbers} ({kinds}, by {key[2] or 'every method'}) are reproduced by no plausible method or population."
        )
    # unchecked
    if key[2] == "none-fits":
        first = group.iloc[0]
        printed = _text(first["reported"])
        return f"The printed {printed} ({first['label']}) holds under no assumption tried: {first['note']}."
    reasons = list(dict.fromkeys(_text(r) for r in group["reason"] if _text(r)))
    shown = "; ".join(reasons[:2]) + (f"; and {len(reasons) - 2} other reasons" if len(reasons) > 2 else "")
    return f"{numbers} ({kinds}) cannot be recomputed from what is published: {shown}."


def _consequence(key: tuple, group: pd.DataFrame, alpha: float = 0.05) -> str:
    if key[0] == "unchecked":
        return "cannot_be_checked"
    flipped = group[group["significance_flip"].map(_flag).eq(True)]
    recomputed = pd.to_numeric(flipped.get("recomputed_p", pd.Series(dtype=float)), errors="coerce")
    # a flip that finds significance where the paper prints none strengthens the paper's case: it
    # changes a number, not a conclusion; one that loses a printed significance (or whose direction
    # is unknown) changes a conclusion -- under one reading only when every flipped number is
    # reproduced by another route (another analysis population, say), the route used being open
    if len(flipped) and not (recomputed < alpha).all():
        if not {"verdict", "as_stated"} <= set(flipped.columns):
            return "changes_a_conclusion"
        other_route = flipped["verdict"].astype(str).isin(["reproduced", "consistent"]) & flipped["as_stated"].map(
            _flag
        ).eq(False)
        return "changes_a_conclusion_under_one_reading" if other_route.all() else "changes_a_conclusion"
    if key[0] == "rounding":
        return "presentation_only"
    return "changes_a_number"


def _route_summary(group: pd.DataFrame, key: tuple = ()) -> str:
    routes = [r for r in dict.fromkeys(_text(r) for r in group["route"]) if r]
    if not routes:
        return "none: the inputs are not published"
    parsed = [_route(r) for r in routes]
    if key and key[0] == "denominator":
        tests = ", ".join(dict.fromkeys(p.get("test", "") for p in parsed if p.get("population") == "implied"))
        return (
            "each number at the n the arm's percentages imply (population = implied) in place of the n the paper "
            f"gives; the percentages themselves fail at the paper's n; tests: {tests or 'none'}"
        )
    keys = dict.fromkeys(k for p in parsed for k in p)
    out = []
    for k in keys:
        values = list(dict.fromkeys(p.get(k, "") for p in parsed if p.get(k)))
        out.append(f"{k} = {', '.join(values[:4])}{' ...' if len(values) > 4 else ''}")
    return "; ".join(out)


def _route_words(route: str) -> str:
    """A machine-readable route (``test=chi2;n=45/44;population=implied;...``) in words."""
    r = _route(route)
    if not r:
        return ""
    words = r.get("test", "")
    if r.get("n"):
        words += f", n = {r['n']}" + (
            f" ({_POPULATION_WORDS.get(r['population'], r['population'])})" if r.get("population") else ""
        )
    if r.get("rounding") and r["rounding"] != _USUAL_ROUNDING:
        words += f", printed by {r['rounding'].replace('_', ' ')}"
    if r.get("assumed"):
        words += f", assuming {r['assumed']}"
    return words


def _recomputation(group: pd.DataFrame) -> str:
    first = group.iloc[0]
    recomputed = _text(first["recomputed"]) or "nothing (the inputs are not published)"
    more = f" (and {len(group) - 1} more like it)" if len(group) > 1 else ""
    return f"printed {_text(first['reported'])}; recomputed {recomputed}{more}"


def _p_words(p: float) -> str:
    """A recomputed p-value for a sentence: three decimals, or '< 0.001'."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _fields(paper: Paper, group: pd.DataFrame) -> dict[str, str]:
    """The statement fields a group fills beyond the denominator's (see
    :data:`reanalysis.data.STATEMENT_FIELDS`): the n of the routes that reproduce its numbers
    (``route_n``), the n the paper says it analysed (``paper_n``) and the p-values its numbers get
    by the route the paper states (``stated_p``)."""
    route_n = " and ".join(dict.fromkeys(n for n in (_route(r).get("n", "") for r in group["route"]) if n))
    paper_n = "/".join(str(arm["analysed"]) for arm in paper.arms.values())
    ps = pd.to_numeric(group.get("recomputed_p", pd.Series(dtype=float)), errors="coerce").dropna()
    return {"route_n": route_n, "paper_n": paper_n, "stated_p": ", ".join(_p_words(float(p)) for p in ps)}


def _curated_entry(paper: Paper, cause: str, ids: list[str]) -> dict | None:
    """The first ``[[finding]]`` of ``findings.toml`` with this cause and a pattern matching a claim."""
    for entry in paper.curated.get("finding", []):
        if entry["cause"] == cause and any(
            fnmatch.fnmatchcase(cid, pattern) for cid in ids for pattern in entry["claims"]
        ):
            return entry
    return None


def _settings(settings: Settings | None) -> dict:
    if settings is None:
        return {}
    return {k: getattr(settings, k) for k in settings.__dataclass_fields__}


def findings(paper: Paper, claims: pd.DataFrame, settings: Settings | None = None) -> dict:
    """The paper's findings as data (the content of ``findings.json``; see :data:`SCHEMA`).

    Parameters
    ----------
    paper : the loaded data package.
    claims : the audit's claims (:func:`reanalysis.audit.audit`; input rows of
        :func:`reanalysis.audit.account`, if given, are left out).
    settings : the run's analysis choices, recorded with the findings.

    Every claim that is inconsistent, not reproducible or reproduced only by another route than the
    paper states belongs to exactly one finding.
    """
    if "role" in claims:
        claims = claims[claims["role"].astype(str) == "claim"]
    claims = claims.reset_index(drop=True)
    if "label" not in claims:
        claims = claims.assign(label=claims["claim_id"])
    d, i = _rows(paper)
    implied = implied_n(paper)
    moved = {a: n for a, n in implied.items() if n not in (paper.arms[a]["assigned"], paper.arms[a]["analysed"])}
    reasons = []
    for _, c in claims.iterrows():
        _, irow = _source(str(c["claim_id"]), d, i)
        reasons.append(_text((irow or {}).get("reason")) or _text(c["note"]))
    claims = claims.assign(reason=reasons)
    scoped = claims[in_scope(claims)]
    keys = [_key(c, paper, implied, d, i) for _, c in scoped.iterrows()]
    groups: dict[tuple, list[int]] = {}
    for index, key in zip(scoped.index, keys, strict=True):
        groups.setdefault(key, []).append(index)
    order = {c: n for n, c in enumerate(FINDING_CAUSES)}
    out = []
    for key, rows in groups.items():
        group = claims.loc[rows]
        ids = [str(c) for c in group["claim_id"]]
        entry = _curated_entry(paper, key[0], ids)
        arms, stated, implied_words = _arms_words(paper, moved) if moved else ("", "", "")
        statement = _statement(key, group, paper, moved)
        if entry and "statement" in entry:
            statement = entry["statement"].format(
                count=len(group), arms=arms, stated_n=stated, implied_n=implied_words, **_fields(paper, group)
            )
        consequence = _consequence(key, group, settings.alpha if settings is not None else 0.05)
        if entry and "consequence" in entry and not consequence.startswith("changes_a_conclusion"):
            consequence = entry["consequence"]  # the wording may soften a number, never a flip
        out.append(
            {
                "id": _slug(key),
                "statement": statement,
                "cause": key[0],
                "consequence": consequence,
                "claim_ids": ids,
                "claims": [
                    {
                        "claim_id": str(c["claim_id"]),
                        "label": _text(c["label"]),
                        "location": _text(c["location"]),
                        "quote": _text(c["quote"]),
                        "reported": _text(c["reported"]),
                        "recomputed": _text(c["recomputed"]),
                        "route": _text(c["route"]),
                        "verdict": str(c["verdict"]),
                        "as_stated": _flag(c["as_stated"]),
                        "significance_flip": _flag(c["significance_flip"]),
                        "note": _text(c["note"]),
                    }
                    for _, c in group.iterrows()
                ],
                "route": _route_summary(group, key),
                "recomputation": _recomputation(group),
                "explanations": list(entry["explanations"])
                if entry and "explanations" in entry
                else list(_EXPLANATIONS[key[0]]),
                "curated": entry is not None,
            }
        )
    severity = {c: n for n, c in enumerate(CONSEQUENCES)}
    out.sort(key=lambda f: (severity[f["consequence"]], order[f["cause"]], -len(f["claim_ids"]), f["id"]))
    seen: dict[str, int] = {}
    for f in out:  # ids unique within a paper
        seen[f["id"]] = seen.get(f["id"], 0) + 1
        if seen[f["id"]] > 1:
            f["id"] += f"-{seen[f['id']]}"
    verdicts = claims["verdict"].astype(str).value_counts()
    stated = claims["as_stated"].map(_flag).eq(True)
    meta = paper.meta
    concluded = paper.curated.get("concluded")
    return {
        "schema_version": 1,
        "paper": {
            "id": paper.id,
            "citation": meta["citation"],
            "title": meta.get("title", ""),
            "design": meta.get("design", ""),
            "primary_endpoint": meta.get("primary_endpoint", ""),
            "concluded": {"text": concluded, "location": paper.curated.get("concluded_location", "")}
            if concluded
            else None,
        },
        "settings": _settings(settings),
        "counts": {
            "claims": len(claims),
            "verdicts": {v: int(verdicts.get(v, 0)) for v in VERDICTS},
            "as_stated": {
                v: int((stated & claims["verdict"].astype(str).eq(v) & ~in_scope(claims)).sum())
                for v in ("reproduced", "consistent")
            },
            "in_findings": len(scoped),
        },
        "findings": out,
    }


# --------------------------------------------------------------------------- readers' text


def _md(text: object) -> str:
    return escape_markdown(text)


_SECTIONS = (
    ("What depends on analysis choices.", ("denominator", "population", "test", "rounding")),
    ("What does not reproduce.", ("inconsistent",)),
    ("What could not be checked.", ("unchecked",)),
)


def verdict(found: dict) -> Prose:
    """The one-screen verdict of a paper page, from its findings: what the paper concluded, what
    holds, what depends on analysis choices, what does not reproduce and what could not be checked
    (a :class:`reanalysis.markup.Prose`; every text from the data package escaped in its Markdown)."""
    return Prose(_verdict(found, _md, "**", "*"), _verdict(found, str, "", ""))


def _verdict(found: dict, esc, bold: str, italic: str) -> str:
    paper, counts = found["paper"], found["counts"]
    lines = []
    concluded = paper["concluded"]
    if concluded:
        lines.append(f"{bold}What the paper concluded.{bold} “{esc(concluded['text'])}” ({esc(concluded['location'])})")
    elif paper["primary_endpoint"]:
        lines.append(f"{bold}What the paper concluded.{bold} Its primary endpoint: {esc(paper['primary_endpoint'])}.")
    held = counts["as_stated"]
    n = len(found["findings"])
    lines.append(
        f"{bold}What holds.{bold} {held['reproduced'] + held['consistent']} of the {counts['claims']} printed "
        f"numbers audited are reproduced by the route the paper states ({held['reproduced']} exactly, "
        f"{held['consistent']} within rounding). The other {counts['in_findings']} fall into {n} "
        f"finding{'s' if n != 1 else ''}, one cause each."
    )
    for title, causes in _SECTIONS:
        items = [f for f in found["findings"] if f["cause"] in causes]
        if not items:
            continue
        lines.append(f"{bold}{title}{bold}")
        lines.append(
            "\n".join(
                f"- {esc(f['statement'])} {italic}({CONSEQUENCE_WORDS[f['consequence']]}; {numbers_phrase(f)}){italic}"
                for f in items
            )
        )
    lines.append(
        "The sections below give each number with its quote, recomputation and route; the findings "
        "report (findings.md) gives each finding's innocent explanations."
    )
    return "\n\n".join(lines)


def report(found: dict) -> str:
    """``findings.md``: every finding with its quotes, recomputation, route and innocent
    explanations, for a reader to attach to a letter (Markdown; data text escaped)."""
    paper = found["paper"]
    counts = found["counts"]
    lines = [
        f"# Findings: {_md(paper['citation'])}",
        "",
        f"*{_md(paper['title'])}*" if paper["title"] else "",
        "",
        f"We recomputed the {counts['claims']} printed percentages and inferences of this paper from the "
        "other numbers it prints, under every plausible method and analysis population. "
        f"{counts['as_stated']['reproduced'] + counts['as_stated']['consistent']} are reproduced by the route the "
        f"paper states. The other {counts['in_findings']} group into the {len(found['findings'])} findings below, "
        "each with one cause. A finding is a question for the authors, not an accusation: each comes with the "
        "innocent explanations that would account for it.",
        "",
    ]
    for n, f in enumerate(found["findings"], 1):
        lines += [
            f"## {n}. {_md(f['statement'])}",
            "",
            f"- **Consequence:** {CONSEQUENCE_WORDS[f['consequence']]}",
            f"- **Numbers:** {len(f['claim_ids'])}",
            f"- **Recomputation:** {_md(f['recomputation'])}",
            f"- **Route:** {_md(f['route'])}",
            "",
        ]
        if f["explanations"]:
            lines += ["**Possible explanations:**", ""] + [f"- {_md(x)}" for x in f["explanations"]] + [""]
        lines += ["**The numbers, as printed:**", ""]
        for c in f["claims"]:
            recomputed = (
                _md(c["recomputed"])
                if c["recomputed"]
                else ("nothing (inputs not published)" if c["verdict"] == "not_reproducible" else "see the route")
            )
            route = _route_words(c["route"])
            lines.append(
                f"- {_md(c['label'])}: printed **{_md(c['reported'])}**; recomputed at this run's settings: "
                f"{recomputed}; verdict: {c['verdict'].replace('_', ' ')}"
                + (f", by the route {_md(route)}" + ("" if c["as_stated"] is not False else " (not the one stated)"))
                * bool(route)
                + f". Quote: “{_md(c['quote'])}”"
                + (f" Note: {_md(c['note'])}." if c["note"] else "")
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_findings(results_dir: str | Path, found: dict) -> list[Path]:
    """Write ``<results_dir>/findings.json`` and ``findings.md``; nothing when ``results_dir`` is ''."""
    if not results_dir:
        return []
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("findings.json", json.dumps(found, indent=1, ensure_ascii=False, default=str) + "\n"),
        ("findings.md", report(found)),
    ):
        path = folder / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written
