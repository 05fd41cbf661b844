"""Every notebook runs with every choice of every parameter, and its prose states what it computes.

The sweep runs the notebooks' code cells in this process (as papermill would after injecting the
parameters, but without a kernel per run): each notebook once with its defaults, then each other
value re-executing only the statements that value can change (tests/downstream.py), so that every
choice is exercised in seconds; papermill itself is exercised by tests/test_run.py and nbval.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pandas as pd
import papermill
import pytest
from downstream import Run, reached, rerun, run, statements  # tests/downstream.py

from reanalysis.audit import audit
from reanalysis.data import load
from reanalysis.params import SPEC, Choice
from reanalysis.run import ROOT, find_notebooks
from reanalysis.tables import arm_counts, compare_tests
from reanalysis.tipping import tipping_grid
from reanalysis.vocabulary import CONCLUSION_LABELS

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """``default_run(notebook, results=False)``: the notebook's run with every parameter at its
    default (results written to a folder of their own when ``results``), made once per test
    process and shared by every test that checks that same run: the sweep's values that are the
    defaults, the results and conclusion tests. The tests only read the run it returns. With
    ``results`` it is a rerun of the default run with ``results_dir`` set (tests/downstream.py)."""
    made: dict = {}

    def get(notebook, results: bool = False) -> Run:
        key = (str(notebook), results)
        if key not in made:
            if results:
                folder = str(tmp_path_factory.mktemp(notebook.stem))
                made[key] = rerun(get(notebook), results_dir=folder)
            else:
                made[key] = run(notebook)
        return made[key]

    return get


def sweep():
    for nb in find_notebooks():
        declared = papermill.inspect_notebook(str(nb))
        for name in declared:
            spec = SPEC[name]
            values = list(spec.options) if isinstance(spec, Choice) else []
            values += {"alpha": [0.01, 0.1], "prepost_correlation": [0.0, 0.9]}.get(name, [])
            for value in values:
                yield pytest.param(nb, name, value, id=f"{nb.stem}-{name}={value}")


@pytest.mark.parametrize(("notebook", "name", "value"), list(sweep()))
def test_notebook_runs_with_every_choice(notebook, name, value, default_run):
    """Every statement the value can change is executed with it (tests/downstream.py): the rest
    read what they read in the default run, which executes every statement."""
    default = default_run(notebook)
    same = getattr(default.namespace["params"], name) == value  # the default's run is this run
    changed = default if same else rerun(default, **{name: value})
    assert getattr(changed.namespace["params"], name) == value
    assert changed.namespace.get("written") == []  # results_dir '' writes nothing


def _same(a, b) -> bool:
    """Equal values: frames by content (NaN equal to NaN), containers and dataclasses item by item."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, pd.DataFrame | pd.Series):
        return a.equals(b) and list(a.index) == list(b.index)
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if dataclasses.is_dataclass(a) or isinstance(a, SimpleNamespace):
        return _same(vars(a), vars(b))
    return bool(a == b)


def _halfway(notebook, defaults) -> tuple[str, object]:
    """The sweep's case of this notebook (not a default) whose rerun executes nearest half of the
    statements: the most of each kind, executed and replayed, to compare."""
    cases = [(n, v) for nb, n, v in (p.values for p in sweep()) if nb == notebook and getattr(defaults, n) != v]
    total = len(statements(notebook))
    return min(cases, key=lambda case: abs(reached(notebook, case[0]) - total / 2))


@pytest.mark.parametrize("notebook", find_notebooks(), ids=lambda p: p.stem)
def test_a_rerun_ends_as_a_full_run_ends(notebook, default_run):
    """The sweep's premise (tests/downstream.py): executing only what a parameter changes ends with
    every name bound to what executing every statement gives."""
    name, value = _halfway(notebook, default_run(notebook).namespace["params"])
    full, changed = run(notebook, **{name: value}), rerun(default_run(notebook), **{name: value})
    assert 0 < changed.executed < full.executed
    names = {k for k in full.namespace if not k.startswith("__")}
    assert names == {k for k in changed.namespace if not k.startswith("__")}
    for key in sorted(names):
        assert _same(full.namespace[key], changed.namespace[key]), f"{notebook.stem} with {name}={value}: {key}"


@pytest.mark.parametrize("notebook", find_notebooks(), ids=lambda p: p.stem)
def test_notebook_writes_its_results_when_asked(notebook, default_run):
    namespace = default_run(notebook, results=True).namespace
    tmp_path = Path(namespace["params"].results_dir)
    assert namespace["written"] and all(p.exists() for p in namespace["written"])
    if notebook.stem == "synthesis":
        assert (tmp_path / "effects.csv").exists()
        return
    claims = (tmp_path / "claims.csv").read_text(encoding="utf-8").splitlines()
    header = claims[0].split(",")
    for col in ("claim_id", "location", "quote", "reported", "recomputed", "method", "verdict", "note"):
        assert col in header


@pytest.mark.parametrize("paper", ["lu2021", "zang2022"])
def test_claims_csv_accounts_for_every_number(paper, default_run):
    tmp_path = Path(default_run(ROOT / "notebooks" / f"{paper}.ipynb", results=True).namespace["params"].results_dir)
    written = pd.read_csv(tmp_path / "claims.csv", dtype=str)
    p = load(paper)
    # a claim printed for several visits is one row per visit (<id>@<visit>); granularity checks
    # of a printed mean or SD are rows of their own (<id>.grim, <id>.grimmer, <id>.sd_bound)
    base = written.claim_id.str.replace(r"@[a-z0-9_]+$", "", regex=True)
    base = base.str.replace(r"\.(grim|grimmer|sd_bound)$", "", regex=True)
    assert set(base) == set(p.descriptives.id) | set(p.inferences.id)
    assert {"route", "as_stated", "cause"} <= set(written.columns)
    assert written.verdict.notna().all()
    # issue 12's additions write their numbers to sensitivity.csv and the labels to conclusions.csv
    sensitivity = pd.read_csv(tmp_path / "sensitivity.csv", dtype=str)
    analyses = set(sensitivity.analysis)
    assert "registration: months from first enrolment to registration" in analyses
    assert any(a.startswith("baseline balance (Carlisle)") for a in analyses)
    if paper == "lu2021":
        assert {"events per variable", "risk ratio implied by the printed odds ratio (Zhang & Yu 1998)"} <= analyses
    labelled = pd.read_csv(tmp_path / "conclusions.csv", dtype=str)
    assert list(labelled.conclusion) == list(p.conclusions["id"])
    assert set(labelled.label) <= set(CONCLUSION_LABELS)


def test_lu2021_conclusion_states_what_is_computed():
    """The conclusion's sentences, checked against the computation (the prose is typed, so it is tested)."""
    p = load("lu2021")
    claims = audit(p).set_index("claim_id")
    counts = arm_counts(p, "clinical_remission", "m12")
    assert list(zip(counts.events, counts.n, strict=True)) == [(11, 27), (3, 26)]
    assert (compare_tests(counts)["p"] < 0.05).all(), "every standard test gives p below 0.05 per protocol"
    for cid in ("res.remission.p", "disc.remission.ratio"):
        assert claims.loc[cid, "verdict"] == "inconsistent", cid
    power = claims.loc["res.remission.power"]  # "reproduced only if ... truncated rather than rounded"
    assert power.verdict == "reproduced" and "rounding=truncate" in power.route
    for cid in ("flow.male.all.percent", "flow.adult.all.percent", "flow.dka.all.percent"):
        assert claims.loc[cid, "verdict"] == "reproduced", cid
    worst = tipping_grid(11, 27, 5, 3, 26, 9).set_index(["missing_events1", "missing_events2"]).loc[(0, 9)]
    assert abs(worst.risk_difference) < 0.01 and worst.p > 0.5, "the worst case removes the difference"


def test_zang2022_conclusion_states_what_is_computed():
    """The conclusion's sentences, checked against the computation."""
    from reanalysis.audit import Settings, compare_settings

    p = load("zang2022")
    claims = audit(p).set_index("claim_id")
    for cid in ("t2.primary.w48.p", "res.primary.w48.ci", "t2.primary.w20.p", "t2.primary.w32.p"):
        assert claims.loc[cid, "verdict"] == "reproduced" and "/44" in claims.loc[cid, "method"], cid
        assert not claims.loc[cid, "as_stated"], f"{cid}: 44 is not the n the paper states"
    assert "wald" in claims.loc["res.primary.w48.ci", "method"]
    table1_p = claims[claims.index.str.startswith("t1.") & (claims.kind == "p_value")]
    assert len(table1_p) == 10 and set(table1_p.verdict.astype(str)) <= {"reproduced", "consistent"}
    for cid in (
        "res.insulin_kg.w9.p",
        "res.insulin_kg.w48.p",
        "res.insulin_day.w9.p",
        "res.insulin_day.w48.p",
        "res.hba1c.w9_w48.p@w9",
        "res.hba1c.w9_w48.p@w48",
        "res.hba1c.w20.p",
    ):
        assert claims.loc[cid, "verdict"] == "reproduced", cid
    tests = compare_tests(pd.DataFrame({"events": [9, 2], "n": [45, 44]}))
    assert tests.loc["chi2", "significant"] and tests.loc["barnard", "significant"]
    assert not tests.loc["chi2_yates", "significant"] and 0.045 < tests.loc["fisher", "p"] < 0.05
    flips = compare_settings(p, Settings(), {"population": ["completed"]})
    assert {"res.insulin_day.w32.p", "res.hba1c.w32.p"} <= set(flips.claim_id)
    for cid in (
        "flow.completed.all.percent",
        "abs.hba1c.change.ucmsc",
        "abs.hba1c.change.placebo",
    ):
        assert claims.loc[cid, "verdict"] == "inconsistent", cid
    within = claims.loc["abs.hba1c.w48.placebo.p_within"]  # no r, with a paired t; Wilcoxon also named
    assert within.verdict == "not_reproducible" and "no correlation between visits" in within.note
    placebo = claims[(claims.kind == "percent") & claims.index.str.contains("placebo")]
    misfits = placebo[placebo.verdict == "inconsistent"]
    assert len(misfits) / len(placebo) > 0.8 and misfits.note.str.contains("44").all()


def test_synthesis_pooling_paragraph_states_what_is_computed():
    """'A change in one or two patients' outcomes moves each across the significance line.'"""
    from reanalysis.audit import endpoint_counts
    from reanalysis.sensitivity import fragility_table

    endpoints = {
        "zang2022": endpoint_counts(load("zang2022"), "primary_endpoint", "w48"),
        "lu2021": endpoint_counts(load("lu2021"), "clinical_remission", "m12"),
    }
    for test in ("fisher", "chi2"):
        table = fragility_table(endpoints, test=test)
        assert (table["kind"] == "fragility").all() and (table["index"] <= 2).all(), test


# --------------------------------------------------------------------------- the computed conclusions


def _section(stem: str, heading: str) -> list[dict]:
    """The cells of a notebook's section: from its heading cell to the next '## ' heading."""
    cells = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    start = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith(heading))
    out = [cells[start]]
    for cell in cells[start + 1 :]:
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("## "):
            break
        out.append(cell)
    return out


def _conclusion_text(stem: str) -> str:
    """The plain text of the conclusion the committed notebook shows (its computed output)."""
    section = _section(stem, "## Conclusion")
    (cell,) = [c for c in section if c["cell_type"] == "code"]
    assert "conclusion(" in "".join(cell["source"])
    (output,) = [o for o in cell["outputs"] if "data" in o]
    return " ".join("".join(output["data"]["text/plain"]).split())


@pytest.mark.parametrize("stem", ["zang2022", "lu2021"])
def test_conclusion_markdown_holds_no_typed_number(stem):
    """Every number of a conclusion comes from the computation: its Markdown cells hold no digit
    outside a word (HbA1c, T1D), and its paragraphs are a computed output."""
    from reanalysis.data import TYPED_NUMBER

    for cell in _section(stem, "## Conclusion"):
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            assert not TYPED_NUMBER.search(text), f"{stem}: a typed number in the conclusion: {text!r}"
    for paragraph in load(stem).curated["conclusion"]:  # the templates: digits only inside fields
        literal = re.sub(r"\{[^}]*\}", "", paragraph["text"])
        assert not TYPED_NUMBER.search(literal + paragraph["title"]), paragraph["title"]


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"(?<![^\W\d_])\d+(?:\.\d+)?", text))


def _check_conclusion(text: str, expected: list[str]) -> None:
    """Each expected phrase is in the conclusion, and every number in it is one of theirs."""
    for phrase in expected:
        assert phrase in text, f"{phrase!r} not in the conclusion"
    stray = _numbers(text) - set().union(*(_numbers(e) for e in expected))
    assert not stray, f"numbers in the conclusion no test checks: {sorted(stray)}"


def _row(paper, rid: str) -> str:
    rows = pd.concat([paper.descriptives, paper.inferences]).set_index("id")
    return str(rows.loc[rid, "value"])


def _labels(stem: str, default_run) -> list[str]:
    """The conclusions table's count per label: the notebook's code run here, the labels counted."""
    from reanalysis.audit import account
    from reanalysis.conclusions import assess

    ns = default_run(ROOT / "notebooks" / f"{stem}.ipynb").namespace
    assessed = assess(ns["paper"], account(ns["paper"], ns["claims"]), ns["sensitivity_all"])
    counts = assessed["label"].value_counts()
    first = f"{int(counts.get(CONCLUSION_LABELS[0], 0))} are supported"
    return [f"Of the paper's {len(assessed)} conclusions transcribed, {first}"] + [
        f"{int(counts.get(label, 0))} {label}" for label in CONCLUSION_LABELS[1:]
    ]


def test_zang2022_conclusion_numbers_match_the_audit(default_run):
    """The computed conclusion's numbers, recomputed here from the printed numbers (scipy, not the
    package's tests) or read from the data package as printed."""
    from scipy.stats import chi2_contingency, fisher_exact, ttest_ind_from_stats

    p = load("zang2022")
    text = _conclusion_text("zang2022")
    table = [[9, 45 - 9], [2, 44 - 2]]  # 20.00% of 45 and 4.55% of 44 (the n the placebo percentages fit)
    assert round(100 * 9 / 45, 2) == float(_row(p, "t2.primary.w48.ucmsc.percent"))
    assert round(100 * 2 / 44, 2) == float(_row(p, "t2.primary.w48.placebo.percent"))
    chi2 = chi2_contingency(table, correction=False)[1]
    yates = chi2_contingency(table, correction=True)[1]
    fisher = fisher_exact(table)[1]
    ref = pd.read_csv(ROOT / "tests" / "reference" / "hardening_reference.csv")  # Barnard by hand in R
    row = (ref.case == "9/45 v 2/44") & ref.args.str.contains('"barnard"') & (ref.quantity == "pvalue")
    barnard = float(ref[row].value.iloc[0])  # scipy's barnard_exact drops tied tables (inference.two_by_two)
    ucmsc, placebo = p.arms["ucmsc"], p.arms["placebo"]
    w32 = []
    for variable in ("insulin_u_day", "hba1c"):
        rows = p.descriptives[(p.descriptives.variable == variable) & (p.descriptives.timepoint == "w32")]
        rows = rows[rows.subgroup.fillna("") == ""]
        m = {r.arm: float(r.value) for r in rows[rows.statistic == "mean"].itertuples()}
        s = {r.arm: float(r.value) for r in rows[rows.statistic == "sd"].itertuples()}
        w32.append(ttest_ind_from_stats(m["ucmsc"], s["ucmsc"], 45, m["placebo"], s["placebo"], 46).pvalue)
    hba1c = p.descriptives[(p.descriptives.variable == "hba1c") & (p.descriptives.statistic == "mean")]
    hba1c = hba1c[hba1c.subgroup.fillna("") == ""].drop_duplicates(["arm", "timepoint"])
    hba1c = hba1c.set_index(["arm", "timepoint"])["value"].astype(float)
    drop = {arm: hba1c[(arm, "baseline")] - hba1c[(arm, "w48")] for arm in ("ucmsc", "placebo")}
    completed = int(_row(p, "flow.completed.all.count"))
    randomised = ucmsc["assigned"] + placebo["assigned"]
    within = _row(p, "res.hba1c.placebo.within.p")
    _check_conclusion(
        text,
        [
            f"its p-value at 48 weeks ({_row(p, 't2.primary.w48.p')})",
            "taken to have 44 patients (9/45 vs 2/44)",
            f"(it gives {placebo['analysed']})",
            "insulin dose at 9 weeks and 48 weeks and in HbA1c at 9 weeks, 20 weeks and 48 weeks",
            f"χ² test the paper names (p = {chi2:.4f}) and with Barnard's test (p = {barnard:.4f})",
            f"with Yates' correction it is not (p = {yates:.4f})",
            f"just under 0.05 (p = {fisher:.4f}): its fragility index under Fisher's test is 1,",
            "reproduces all 4 p-values of the primary endpoint's table",
            f"at 32 weeks, its non-significant p-values for the daily insulin dose and HbA1c are reproduced "
            f"with the completers' n ({ucmsc['completed']}/{placebo['completed']}); with the "
            f"{ucmsc['assigned']}/{placebo['assigned']} randomised, both would be significant "
            f"(p = {w32[0]:.3f} and {w32[1]:.3f})",
            f"fit 44 patients, not the {placebo['analysed']} the paper gives; that "
            f"{_row(p, 'flow.incomplete_treatment.placebo.count')} placebo patients",
            f'"{completed} ({_row(p, "flow.completed.all.percent")}%)" does not fit {completed} of {randomised} '
            f"({100 * completed / randomised:.1f}%)",
            f"({_row(p, 'abs.hba1c.change.ucmsc')} and {_row(p, 'abs.hba1c.change.placebo')}) differ from the "
            f"differences of the printed means ({drop['ucmsc']:.2f} and {drop['placebo']:.2f})",
            f'the abstract\'s "p{_row(p, "abs.hba1c.w48.placebo.p_within")}"',
            f'contradicts the results\' "p {within}"',
            *_labels("zang2022", default_run),
        ],
    )
    assert all(x < 0.05 for x in w32) and chi2 < 0.05 < yates and fisher < 0.05


def test_lu2021_conclusion_numbers_match_the_audit(default_run):
    """As for zang2022: every number of lu2021's computed conclusion, recomputed here."""
    from scipy.stats import chi2_contingency

    from reanalysis.conclude import USUAL_TESTS
    from reanalysis.inference import two_by_two

    p = load("lu2021")
    text = _conclusion_text("lu2021")
    table = [[11, 16], [3, 23]]
    chi2, yates = chi2_contingency(table, correction=False)[1], chi2_contingency(table, correction=True)[1]
    usual = [two_by_two(11, 27, 3, 26, test=t).pvalue for t in USUAL_TESTS]
    assert min(usual) == pytest.approx(chi2) and max(usual) == pytest.approx(yates)  # the range's ends
    ps = [chi2, yates]
    assigned = sum(a["assigned"] for a in p.arms.values())
    analysed = sum(a["analysed"] for a in p.arms.values())
    mscs, control = float(_row(p, "res.remission.mscs.percent")), float(_row(p, "res.remission.control.percent"))
    none_missing = chi2_contingency([[11, 21], [3, 32]], correction=False)[1]  # drop-outs as non-remission
    worst = chi2_contingency([[11, 21], [12, 23]], correction=False)[1]  # every missing control a remission
    _check_conclusion(
        text,
        [
            "The remission counts (11 of 27 and 3 of 26)",
            f"p below 0.05 per protocol (from {min(ps):.4f} to {max(ps):.4f})",
            f"fit the {analysed} analysed",
            f"The printed p = {_row(p, 'res.remission.p')} matches none",
            f"the post hoc power of {_row(p, 'res.remission.power')}",
            f'"nearly {_row(p, "disc.remission.ratio")} times higher"',
            f"rather than their ratio ({mscs / control:.2f})",
            f"Once the {assigned - analysed} participants who discontinued",
            f"keeps the difference significant (p = {none_missing:.2g})",
            f"removes the difference entirely (p = {worst:.2g})",
            *_labels("lu2021", default_run),
        ],
    )
    assert max(ps) < 0.05 < worst and none_missing < 0.05
