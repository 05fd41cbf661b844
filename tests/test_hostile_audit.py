"""Hostile packages at the audit (issue 15): former hangs finish in seconds with a clear note, and an
impossible row stops the audit with the file and line it came from, never a bare traceback."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from test_routes import arms, one, paper

import reanalysis
from reanalysis import inference
from reanalysis.audit import AuditError, audit
from reanalysis.data import available, load
from reanalysis.run import ROOT


def percent_rows(pa: str, pb: str):
    return [
        {"id": "a.pc", "arm": "a", "variable": "y", "statistic": "percent", "value": pa},
        {"id": "b.pc", "arm": "b", "variable": "y", "statistic": "percent", "value": pb},
    ]


def timed(f):
    """f's result and seconds, from cold: nothing the package keeps from an earlier call (audits,
    Fisher and exact p per table) makes a former hang look finished."""
    reanalysis.forget()
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def test_integer_percentages_with_a_thousand_per_arm_finish_and_say_what_was_not_run():
    """Formerly: Barnard and Boschloo on every candidate table, > 300 s."""
    inf = [{"id": "y.p", "kind": "p_value", "value": "0.5", "refers_to": "a.pc;b.pc"}]
    claims, seconds = timed(lambda: audit(paper(percent_rows("30", "33"), inf, arms((1000, 1000), (1000, 1000)))))
    assert seconds < 60
    claim = one(claims, "y.p")
    assert claim.verdict == "inconsistent"
    assert "not run: table too large" in claim.note
    assert f"limit {inference.EXACT_UNCONDITIONAL_MAX_N}" in str(
        pytest.raises(inference.TableTooLarge, inference.two_by_two, 300, 1000, 330, 1000, test="barnard").value
    )


def test_a_billion_per_arm_finishes_without_allocating_the_world():
    """Formerly: assigned = analysed = 10**9 tried to allocate 201 GiB."""
    inf = [{"id": "y.p", "kind": "p_value", "value": "0.03", "refers_to": "a.pc;b.pc"}]
    big = arms((10**9, 10**9), (10**9, 10**9))
    claims, seconds = timed(lambda: audit(paper(percent_rows("50", "50"), inf, big)))
    assert seconds < 60
    claim = one(claims, "y.p")
    assert claim.verdict == "inconsistent"
    assert "the lowest, central and highest were tried" in claim.note


def test_a_zero_percent_ratio_denominator_is_a_verdict_not_a_zero_division():
    inf = [{"id": "r", "kind": "ratio", "value": "2.5", "refers_to": "a.pc;b.pc", "quote": "2.5 times higher"}]
    claim = one(audit(paper(percent_rows("40", "0"), inf)), "r")
    assert claim.verdict == "inconsistent" and "is 0: no finite ratio" in claim.note


def test_subgroup_means_without_a_printed_n_are_not_reproducible_not_an_index_error():
    d = [
        {"id": f"{arm}.{s}", "arm": arm, "subgroup": "older", "variable": "x", "statistic": s, "value": v}
        for arm, vals in (("a", ("5.0", "1.0")), ("b", ("6.0", "1.0")))
        for s, v in zip(("mean", "sd"), vals, strict=True)
    ]
    inf = [{"id": "x.p", "kind": "p_value", "value": "0.01", "refers_to": "a.mean;a.sd;b.mean;b.sd"}]
    claim = one(audit(paper(d, inf)), "x.p")
    assert claim.verdict == "not_reproducible" and "no n printed" in claim.note


def test_an_impossible_row_names_its_file_and_line():
    """An SD of 0 is not negative, so the format allows it, but no t-test can use it: the audit
    stops naming the package's file and the line of the claim."""
    d = [
        {"id": f"{arm}.{s}", "arm": arm, "variable": "x", "statistic": s, "value": v}
        for arm, vals in (("a", ("5.0", "0.0")), ("b", ("6.0", "1.0")))
        for s, v in zip(("mean", "sd"), vals, strict=True)
    ]
    inf = [{"id": "x.p", "kind": "p_value", "value": "0.01", "refers_to": "a.mean;a.sd;b.mean;b.sd"}]
    package = paper(d, inf)
    package.inferences.insert(0, "line", [7])  # as data.load records each row's line
    with pytest.raises(AuditError, match=r"inferences\.csv:7: claim x\.p: an SD must be > 0"):
        audit(package)


def test_every_package_audits_in_seconds():
    for pid in available():
        claims, seconds = timed(lambda pid=pid: audit(load(pid)))
        assert seconds < 60 and len(claims) > 0, pid


def test_fragility_and_fisher_at_a_million_per_arm_finish():
    from reanalysis.fragility import fragility_index

    result, seconds = timed(lambda: inference.two_by_two(100_000, 10**6, 120_000, 10**6, test="fisher"))
    assert seconds < 10 and result.pvalue < 1e-300
    index, seconds = timed(lambda: fragility_index(100_000, 10**6, 120_000, 10**6))
    assert seconds < 120 and index.index == 19_100


def test_paths_in_paper_toml_stay_inside(tmp_path):
    folder = tmp_path / "x"
    shutil.copytree(ROOT / "data" / "lu2021", folder)
    toml = (folder / "paper.toml").read_text(encoding="utf-8")
    toml = toml.replace('id = "lu2021"', 'id = "x"').replace('text = "paper.txt"', 'text = "/etc/passwd"')
    (folder / "paper.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=r"paper\.toml.*text"):
        load(Path(folder))
