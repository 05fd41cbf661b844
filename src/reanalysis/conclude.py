"""A paper page's conclusion, written by the computation from a curated template.

The argument of a conclusion (what stands, what depends on a choice, what does not reproduce,
what the design leaves open, with its hedges) is words a person chooses; its numbers are not.
A package words its conclusion in ``findings.toml`` as ``[[conclusion]]`` paragraphs, each a
``title`` and a ``text`` template whose fields name a value of the computation, and whose
literal text holds no digit (the loader checks: :data:`reanalysis.data.CONCLUSION_FIELDS`).
:func:`conclusion` fills them: printed values appear as printed (their string in the data),
recomputed values formatted from the computation.

The fields, each ``name[key]``:

``printed[<id>]``
    a claim's printed value (``reported``), else a transcribed row's value, as printed.
``recomputed[<id>]``
    the leading number of a claim's recomputation (by the route that reached its verdict).
``route_n[<id>]``, ``stated_p[<id>]``
    the n of a claim's route (``37/36``), and the p a claim gets by the route the paper states.
``assigned[<arm>]``, ``analysed[<arm>]``, ``completed[<arm>]``, ``implied[<arm>]``, ``lost[<arm>]``
    an arm's n (``all``: the arms' sum); ``implied``: the n its percentages fit; ``lost``:
    assigned minus analysed.
``events[<arm>]``, ``n[<arm>]``
    the counts behind the primary endpoint (``endpoint`` and ``timepoint`` of the
    ``[conclusion_endpoint]`` table), in the population whose n reproduces its percentages.
``p[<test>]``
    the primary endpoint's p under a 2×2 test (:func:`reanalysis.inference.two_by_two`), four
    decimals; ``p[min]`` and ``p[max]`` over the usual tests.
``fragility[<test>]``
    the primary endpoint's fragility index under a test.
``sensitivity_p[<analysis>]``
    the p of the first sensitivity row of that analysis (two significant digits).
``labels[<label>]``
    how many of the paper's conclusions carry a label (``all``: how many were transcribed).
``count[<pattern>]``
    how many claims match a shell-style pattern over claim ids.
``timepoint[<id>]``
    a visit's label (``paper.toml``).
``alpha[level]``
    the significance level.
"""

from __future__ import annotations

import fnmatch
import math
import re
import string
from collections.abc import Callable

import pandas as pd

from . import inference
from .audit import Settings, endpoint_counts, implied_n
from .data import Paper
from .fragility import fragility_index
from .markup import Prose, escape_markdown
from .vocabulary import CONCLUSION_LABELS

__all__ = ["USUAL_TESTS", "conclusion", "values"]

#: The 2×2 tests whose p-values ``p[min]`` and ``p[max]`` range over.
USUAL_TESTS = ("chi2", "chi2_yates", "fisher", "barnard", "boschloo")

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class _Lookup(dict):
    """A field's values by key; a missing key names the field (``printed[x]``)."""

    def __init__(self, name: str, get: Callable[[str], str]):
        super().__init__()
        self.name, self.get_value = name, get

    def __missing__(self, key: str) -> str:
        try:
            value = self.get_value(key)
        except (KeyError, IndexError, ValueError) as e:
            raise KeyError(f"{self.name}[{key}]: {e}") from None
        self[key] = value
        return value


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _significant(x: float, digits: int = 2) -> str:
    """``x`` to ``digits`` significant digits, as a decimal (0.0095, 0.99)."""
    if x == 0 or not math.isfinite(x):
        return str(x)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}"


def values(
    paper: Paper,
    claims: pd.DataFrame,
    conclusions: pd.DataFrame | None = None,
    sensitivity: pd.DataFrame | None = None,
    settings: Settings | None = None,
) -> dict[str, _Lookup]:
    """The values a conclusion template may name, one lookup per field (see the module docstring).

    Parameters
    ----------
    paper : the loaded data package.
    claims : the audit's claims, with the input rows of :func:`reanalysis.audit.account` if given.
    conclusions : :func:`reanalysis.conclusions.assess` (for ``labels``).
    sensitivity : the sensitivity rows (for ``sensitivity_p``).
    settings : the run's analysis choices (alpha, population).
    """
    settings = settings or Settings(alpha=float(paper.meta.get("alpha", 0.05)))
    by_id = claims.drop_duplicates("claim_id").set_index("claim_id")
    rows = {str(r["id"]): r for _, r in pd.concat([paper.descriptives, paper.inferences]).iterrows()}
    arms = paper.arms
    implied = implied_n(paper)

    def printed(key: str) -> str:
        if key in by_id.index and _text(by_id.loc[key, "reported"]):
            return _text(by_id.loc[key, "reported"])
        return _text(rows[key]["value"])

    def recomputed(key: str) -> str:
        found = _NUMBER.search(_text(by_id.loc[key, "recomputed"]))
        if not found:
            raise ValueError("no recomputed number")
        return found[0]

    def route(key: str) -> dict[str, str]:
        return dict(part.split("=", 1) for part in _text(by_id.loc[key, "route"]).split(";") if "=" in part)

    def stated_p(key: str) -> str:
        p = float(by_id.loc[key, "recomputed_p"])
        if math.isnan(p):
            raise ValueError("no recomputed p")
        return "< 0.001" if p < 0.001 else f"{p:.3f}"

    def arm_n(field: str) -> Callable[[str], str]:
        def get(key: str) -> str:
            def one(a: str) -> int:
                if field == "implied":
                    return implied.get(a, arms[a]["analysed"])
                if field == "lost":
                    return arms[a]["assigned"] - arms[a]["analysed"]
                return arms[a][field]

            return str(sum(one(a) for a in arms) if key == "all" else one(key))

        return get

    endpoint = paper.curated.get("conclusion_endpoint", {})
    counts = (
        endpoint_counts(paper, endpoint["endpoint"], endpoint.get("timepoint", ""), settings).set_index("arm")
        if endpoint
        else None
    )

    def table() -> tuple[int, int, int, int]:
        if counts is None:
            raise ValueError("no [conclusion_endpoint] in findings.toml")
        (e1, n1), (e2, n2) = counts[["events", "n"]].to_numpy().tolist()
        return int(e1), int(n1), int(e2), int(n2)

    def p(key: str) -> str:
        if key in ("min", "max"):
            ps = [inference.two_by_two(*table(), test=t).pvalue for t in USUAL_TESTS]
            return f"{(min if key == 'min' else max)(ps):.4f}"
        return f"{inference.two_by_two(*table(), test=key).pvalue:.4f}"

    def fragility(key: str) -> str:
        return str(fragility_index(*table(), test=key, alpha=settings.alpha).index)

    def sensitivity_p(key: str) -> str:
        if sensitivity is None:
            raise ValueError("no sensitivity rows")
        match = sensitivity[sensitivity["analysis"].astype(str) == key]
        return _significant(float(match.iloc[0]["p"]))

    def labels(key: str) -> str:
        if conclusions is None:
            raise ValueError("no conclusions table")
        if key == "all":
            return str(len(conclusions))
        if key not in CONCLUSION_LABELS:
            raise ValueError(f"expected one of {CONCLUSION_LABELS}")
        return str(int((conclusions["label"] == key).sum()))

    def count(key: str) -> str:
        return str(sum(fnmatch.fnmatchcase(str(c), key) for c in by_id.index))

    def cell(column: str) -> Callable[[str], str]:
        def get(key: str) -> str:
            if counts is None:
                raise ValueError("no [conclusion_endpoint] in findings.toml")
            return str(int(counts.loc[key, column]))

        return get

    timepoints = {t["id"]: t.get("label", t["id"]) for t in paper.meta.get("timepoints", [])}
    return {
        "printed": _Lookup("printed", printed),
        "recomputed": _Lookup("recomputed", recomputed),
        "route_n": _Lookup("route_n", lambda k: route(k)["n"]),
        "stated_p": _Lookup("stated_p", stated_p),
        **{f: _Lookup(f, arm_n(f)) for f in ("assigned", "analysed", "completed", "implied", "lost")},
        "events": _Lookup("events", cell("events")),
        "n": _Lookup("n", cell("n")),
        "p": _Lookup("p", p),
        "fragility": _Lookup("fragility", fragility),
        "sensitivity_p": _Lookup("sensitivity_p", sensitivity_p),
        "labels": _Lookup("labels", labels),
        "count": _Lookup("count", count),
        "timepoint": _Lookup("timepoint", lambda k: timepoints[k]),
        "alpha": _Lookup("alpha", lambda k: {"level": f"{settings.alpha:g}"}[k]),
    }


def _fill(template: str, lookups: dict[str, _Lookup]) -> str:
    """``template`` with its fields filled from the computation (no conversion, no format spec)."""
    out = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(str(string.Formatter().get_field(field, (), lookups)[0]))
    return "".join(out)


def conclusion(
    paper: Paper,
    claims: pd.DataFrame,
    conclusions: pd.DataFrame | None = None,
    sensitivity: pd.DataFrame | None = None,
    settings: Settings | None = None,
) -> Prose:
    """The paper page's conclusion: the ``[[conclusion]]`` paragraphs of ``findings.toml``, their
    fields filled from the computation (see the module docstring; every value escaped in the
    Markdown, the template's words with them). Empty when the package words no conclusion.

    Raises
    ------
    KeyError
        If a template names a value the computation does not have (the field and key are named).
    """
    paragraphs = paper.curated.get("conclusion", [])
    lookups = values(paper, claims, conclusions, sensitivity, settings)
    markdown, plain = [], []
    for paragraph in paragraphs:
        text = " ".join(paragraph["text"].split())
        filled = _fill(text, lookups)  # the whole paragraph escaped: the template is data too
        markdown.append(f"**{escape_markdown(paragraph['title'])}** {escape_markdown(filled)}")
        plain.append(f"{paragraph['title']} {filled}")
    return Prose("\n\n".join(markdown), "\n\n".join(plain))
