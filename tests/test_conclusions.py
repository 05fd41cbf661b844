"""Each paper's own conclusions against the reanalysis (reanalysis.conclusions).

The rule is tested on hand-made claims and sensitivity rows, one branch at a time; then on the two
papers, whose labels follow from rows checked elsewhere (the worst case for lu2021's drop-outs,
Yates' χ² for zang2022's primary endpoint, both against R in tests/test_sensitivity.py and
tests/reference/).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reanalysis import conclusions, tables
from reanalysis.audit import Settings, account, audit, endpoint_counts
from reanalysis.data import load
from reanalysis.sensitivity import baseline_balance_rows, robustness
from reanalysis.vocabulary import CONCLUSION_LABELS

SUPPORTED, BY_CHOICE, NOT_SUPPORTED, NOT_CHECKABLE = CONCLUSION_LABELS


def claim(cid, verdict, kind="p_value", as_stated=True, flip=False):
    return {
        "claim_id": cid,
        "kind": kind,
        "verdict": verdict,
        "as_stated": as_stated,
        "significance_flip": flip,
        "route": "test=chi2",
    }


CLAIMS = pd.DataFrame(
    [
        claim("a.p", "reproduced"),
        claim("b.p", "reproduced", as_stated=False, flip=None),  # the stated route's side unknown
        claim("b2.p", "reproduced", as_stated=False),  # the stated route keeps the printed side
        claim("c.p", "inconsistent"),  # misses its printed value, same side of alpha
        claim("d.p", "reproduced", flip=True),
        claim("e.ratio", "inconsistent", kind="ratio", flip=None),
        claim("f.or", "not_reproducible", kind="odds_ratio", as_stated=None, flip=None),
        claim("g.p@w9", "reproduced"),
        claim("g.p@w48", "reproduced", flip=True),
    ]
)
SENS = pd.DataFrame(
    [
        {"analysis": "test", "setting": "chi2", "estimate": 0.2, "p": 0.01, "significant": True},
        {"analysis": "test", "setting": "yates", "estimate": 0.2, "p": 0.06, "significant": False},
        {"analysis": "worst case", "setting": "x", "estimate": 0.0, "p": 0.9, "significant": False},
        {"analysis": "posterior", "setting": "uniform", "estimate": 0.98, "p": math.nan, "significant": None},
        {"analysis": "events per variable", "setting": "m", "estimate": 12.0, "p": math.nan, "significant": None},
        {"analysis": "events per variable", "setting": "n", "estimate": 1.6, "p": math.nan, "significant": None},
    ]
)


@pytest.mark.parametrize(
    "rests_on, label",
    [
        ("", NOT_CHECKABLE),
        ("claim:f.or;sensitivity:posterior", NOT_CHECKABLE),
        ("claim:a.p;claim:c.p;sensitivity:test|chi2", SUPPORTED),
        ("claim:a.p;claim:f.or", SUPPORTED),  # unknown evidence does not count against
        ("sensitivity:events per variable|m", SUPPORTED),
        ("claim:b.p", BY_CHOICE),  # only by a route the paper does not state
        ("claim:b2.p", SUPPORTED),  # another route reproduces it, the stated one keeps its side
        ("claim:a.p;sensitivity:test", BY_CHOICE),  # Yates' test loses it
        ("claim:a.p;sensitivity:worst case", BY_CHOICE),
        ("claim:a.p;sensitivity:events per variable|n", BY_CHOICE),
        ("claim:d.p", NOT_SUPPORTED),
        ("claim:e.ratio;sensitivity:worst case", NOT_SUPPORTED),
        ("claim:g.p", BY_CHOICE),  # split by visit: one visit holds, one flips
    ],
)
def test_the_rule(rests_on, label):
    found = conclusions.evidence(rests_on, CLAIMS, SENS)
    assert conclusions._label([s for s, _ in found]) == label


def test_a_reference_to_nothing_is_an_error_not_a_label():
    with pytest.raises(ValueError, match="no claim"):
        conclusions.evidence("claim:zz.p", CLAIMS, SENS)
    with pytest.raises(ValueError, match="no sensitivity row"):
        conclusions.evidence("sensitivity:test|fisher", CLAIMS, SENS)
    with pytest.raises(ValueError, match="expected claim"):
        conclusions.evidence("table:x", CLAIMS, SENS)


def _assessed(pid):
    paper = load(pid)
    settings = Settings()
    every = account(paper, audit(paper, settings))
    if pid == "zang2022":
        counts = endpoint_counts(paper, "primary_endpoint", "w48", settings)
        lost = counts["lost"]
    else:
        counts = tables.arm_counts(paper, "clinical_remission", "m12")
        lost = tables.losses(paper)["lost"]
    sens = robustness(*counts[["events", "n"]].to_numpy().ravel(), *lost, test="chi2", ci_method="wald")
    from reanalysis import regression

    sens = pd.concat([sens, baseline_balance_rows(paper), regression.regression_rows(paper)], ignore_index=True)
    return paper, conclusions.assess(paper, every, sens)


@pytest.fixture(scope="module")
def lu():
    return _assessed("lu2021")


@pytest.fixture(scope="module")
def zang():
    return _assessed("zang2022")


def test_every_conclusion_is_labelled_from_the_vocabulary(lu, zang):
    for paper, assessed in (lu, zang):
        assert list(assessed.index) == list(paper.conclusions["id"])
        assert set(assessed["label"]) <= set(CONCLUSION_LABELS)


def test_lu2021_conclusions(lu):
    _, a = lu
    assert a.loc["abs.safe", "label"] == NOT_CHECKABLE
    # per protocol every test holds; counting every control drop-out as a remission removes it
    assert a.loc["abs.preservation", "label"] == BY_CHOICE
    assert "worst case for the missing" in a.loc["abs.preservation", "depends_on"]
    # the models' printed CIs agree with their p, but the events per variable are below 10
    assert (
        a.loc["abs.regression", "label"] == BY_CHOICE and "events per variable" in a.loc["abs.regression", "depends_on"]
    )


def test_zang2022_conclusions(zang):
    _, a = zang
    # significant by the χ² test the Methods name, at the n the percentages fit; not with Yates' correction
    assert a.loc["abs.potential", "label"] == BY_CHOICE
    assert "chi2_yates" in a.loc["abs.potential", "depends_on"]
    assert a.loc["concl.insulin_resistance", "label"] == NOT_CHECKABLE  # GIR without SDs
    assert a.loc["concl.insulin", "label"] == SUPPORTED


def test_summary_and_table_are_computed_and_escaped(lu):
    paper, a = lu
    assert f"**{len(a)}** conclusions" in conclusions.summary(a).text
    injected = a.copy()
    injected.loc["abs.safe", "quote"] = "<script>x</script> | *bold*"
    text = conclusions.table(injected).text
    assert "<script>" not in text and "\\|" in text
    assert text.count("\n") == len(a) + 1
