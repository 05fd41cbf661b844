"""The audit against independent expectations on trials the project was not built on.

Each data package with a file ``tests/expected/<id>.csv`` was transcribed, and the verdict of each
of its reported p-values written down from a recomputation in R (``tests/expected/<id>.R``), before
the audit ran on it. This test keeps the comparison: the audit must agree on at least 95% of
them, must never call "reproduced" or "consistent" what the independent check finds
inconsistent, and must never call "inconsistent" what the independent check finds holds or
cannot be checked (a false flag accuses a paper of an error it did not make).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reanalysis.audit import audit
from reanalysis.data import load

EXPECTED = Path(__file__).parent / "expected"
PACKAGES = sorted(p.stem for p in EXPECTED.glob("*.csv"))


def comparison(package: str) -> pd.DataFrame:
    """Expected against audited verdict, one row per expected claim."""
    expected = pd.read_csv(EXPECTED / f"{package}.csv", dtype=str, keep_default_na=False)
    claims = audit(load(package)).set_index("claim_id")
    missing = sorted(set(expected.claim_id) - set(claims.index))
    assert not missing, f"{package}: the audit has no claim {missing}"
    got = claims.loc[expected.claim_id]
    return expected.assign(verdict=got.verdict.astype(str).to_numpy(), note=got.note.to_numpy())


def agreement() -> tuple[int, int]:
    """(claims where the audit's verdict equals the expected one, all expected claims)."""
    every = pd.concat([comparison(p) for p in PACKAGES])
    return int((every.verdict == every.expected_verdict).sum()), len(every)


def test_there_are_at_least_three_unseen_packages():
    assert len(PACKAGES) >= 3
    for p in PACKAGES:
        assert (EXPECTED / f"{p}.R").is_file(), f"the R script that made tests/expected/{p}.csv"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_false_pass_and_no_false_flag(package):
    c = comparison(package)
    false_pass = c[(c.expected_verdict == "inconsistent") & c.verdict.isin(["reproduced", "consistent"])]
    assert false_pass.empty, false_pass[["claim_id", "reported", "verdict", "note"]].to_string()
    false_flag = c[(c.expected_verdict != "inconsistent") & (c.verdict == "inconsistent")]
    assert false_flag.empty, false_flag[["claim_id", "reported", "expected_verdict", "note"]].to_string()


def test_agreement_is_at_least_95_percent_and_the_readme_says_how_much():
    agree, total = agreement()
    assert agree / total >= 0.95, f"{agree}/{total}"
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8").split())
    assert f"agrees with the independent expectation on {agree} of {total} reported p-values" in readme
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    assert f"The {words.get(total - agree, total - agree)} it decides differently" in readme
