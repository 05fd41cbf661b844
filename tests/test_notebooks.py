"""Every notebook runs with every choice of every parameter, and its prose states what it computes.

The sweep runs the notebooks' code cells in this process (as papermill would after injecting the
parameters, but without a kernel per run), so that every choice is exercised in seconds; papermill
itself is exercised by tests/test_run.py and nbval.
"""

from __future__ import annotations

import json

import matplotlib
import pandas as pd
import papermill
import pytest

from reanalysis.audit import audit
from reanalysis.data import load
from reanalysis.params import SPEC, Choice
from reanalysis.run import ROOT, find_notebooks
from reanalysis.tables import arm_counts, compare_tests
from reanalysis.tipping import tipping_grid
from reanalysis.vocabulary import CONCLUSION_LABELS

matplotlib.use("Agg")


def run(notebook, **overrides) -> dict:
    """Execute the notebook's code cells with ``overrides`` injected after its parameters cell."""
    import matplotlib.pyplot as plt

    namespace: dict = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        exec(compile("".join(cell["source"]), str(notebook), "exec"), namespace)  # noqa: S102
        if "parameters" in cell["metadata"].get("tags", []):
            namespace.update(overrides)
    plt.close("all")
    return namespace


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
def test_notebook_runs_with_every_choice(notebook, name, value):
    namespace = run(notebook, **{name: value})
    assert getattr(namespace["params"], name) == value
    assert namespace.get("written") == []  # ran to its last cell; results_dir '' writes nothing


@pytest.mark.parametrize("notebook", find_notebooks(), ids=lambda p: p.stem)
def test_notebook_writes_its_results_when_asked(notebook, tmp_path):
    namespace = run(notebook, results_dir=str(tmp_path))
    assert namespace["written"] and all(p.exists() for p in namespace["written"])
    if notebook.stem == "synthesis":
        assert (tmp_path / "effects.csv").exists()
        return
    claims = (tmp_path / "claims.csv").read_text(encoding="utf-8").splitlines()
    header = claims[0].split(",")
    for col in ("claim_id", "location", "quote", "reported", "recomputed", "method", "verdict", "note"):
        assert col in header


@pytest.mark.parametrize("paper", ["lu2021", "zang2022"])
def test_claims_csv_accounts_for_every_number(paper, tmp_path):
    run(ROOT / "notebooks" / f"{paper}.ipynb", results_dir=str(tmp_path))
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
