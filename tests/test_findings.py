"""Findings: every claim the audit cannot confirm as stated belongs to exactly one finding; the
written findings.json follows its documented schema; findings.toml is validated; text is escaped."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from reanalysis import checks, findings
from reanalysis.audit import account, audit
from reanalysis.data import DataError, available, data_root, load
from reanalysis.markup import escape_markdown

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def found() -> dict[str, tuple]:
    out = {}
    for pid in available():
        paper = load(pid)
        claims = audit(paper)
        out[pid] = (paper, claims, findings.findings(paper, account(paper, claims)))
    return out


def test_every_claim_in_scope_is_in_exactly_one_finding(found):
    for pid, (_paper, claims, f) in found.items():
        scoped = set(claims.loc[findings.in_scope(claims), "claim_id"])
        listed = [cid for x in f["findings"] for cid in x["claim_ids"]]
        assert len(listed) == len(set(listed)), f"{pid}: a claim is in two findings"
        assert set(listed) == scoped, f"{pid}: findings and the claims in scope differ"
        assert f["counts"]["in_findings"] == len(scoped)
        # every inconsistent, not reproducible and alternative-route claim is in scope
        verdict = claims["verdict"].astype(str)
        other = claims["as_stated"].astype(str).eq("False") & verdict.isin(["reproduced", "consistent"])
        must = set(claims.loc[verdict.isin(["inconsistent", "not_reproducible"]) | other, "claim_id"])
        assert must <= scoped, f"{pid}: {sorted(must - scoped)[:5]} in no finding"


def test_findings_are_few_distinct_causes(found):
    for pid, (_paper, _claims, f) in found.items():
        ids = [x["id"] for x in f["findings"]]
        assert len(ids) == len(set(ids)), pid
        scoped = f["counts"]["in_findings"]
        assert len(ids) <= max(1, scoped), pid
        for x in f["findings"]:
            assert x["statement"].strip() and len(x["claims"]) == len(x["claim_ids"])


def test_zang2022_placebo_percentages_are_one_finding(found):
    """The paper gives 46 placebo patients; every placebo percentage that does not fit 46 but does
    fit 44 (checked here directly with the printed value) is in the one denominator finding."""
    paper, claims, f = found["zang2022"]
    denominator = [x for x in f["findings"] if x["cause"] == "denominator"]
    assert len(denominator) == 1
    held = set(denominator[0]["claim_ids"])
    d = paper.descriptives.set_index("id")
    expected = set()
    for cid in claims.loc[claims["kind"] == "percent", "claim_id"]:
        row = d.loc[cid]
        if row["arm"] == "placebo" and (pd.isna(row["subgroup"]) or row["subgroup"] == ""):
            fits = checks.fitting_denominators(row["value"], range(44, 47))
            if 44 in fits and 46 not in fits:
                expected.add(cid)
    assert len(expected) >= 10
    assert expected <= held
    assert "44" in denominator[0]["statement"] and "46" in denominator[0]["statement"]


def test_significance_flip_makes_a_finding_change_a_conclusion(found):
    """A flip that loses a printed significance changes a conclusion (under one reading only, when
    every such number is reproduced by another route: the route the paper used is the open
    question); one that finds significance the paper does not print strengthens the paper's case
    and changes a number (tests/test_review.py pins zang2022's 32-week finding against R)."""
    for _pid, (_paper, claims, f) in found.items():
        p = claims.set_index("claim_id")["recomputed_p"]
        for x in f["findings"]:
            flipped = [c for c in x["claims"] if c["significance_flip"]]
            if not flipped:
                continue
            if all(float(p[c["claim_id"]]) < 0.05 for c in flipped):
                assert x["consequence"] == "changes_a_number"
                continue
            other_route = all(c["verdict"] in ("reproduced", "consistent") and c["as_stated"] is False for c in flipped)
            expected = "changes_a_conclusion_under_one_reading" if other_route else "changes_a_conclusion"
            assert x["consequence"] == expected


def test_zang2022_32_week_finding_gives_the_n_that_fits_each_p(found):
    """Issue 12: the paper prints no n per visit; at the completers' n the 32-week p-values hold, at
    the randomised n they would be significant. The statement says both, with computed numbers."""
    from scipy.stats import ttest_ind_from_stats

    paper, claims, f = found["zang2022"]
    (x,) = [x for x in f["findings"] if x["cause"] == "population"]
    assert set(x["claim_ids"]) == {"res.insulin_day.w32.p", "res.hba1c.w32.p"}
    assert x["consequence"] == "changes_a_number"  # significant at 45/46 would strengthen the paper's case
    arms = list(paper.arms.values())
    completed = "/".join(str(a["completed"]) for a in arms)
    randomised = "/".join(str(a["assigned"]) for a in arms)
    assert [a["assigned"] for a in arms] == [a["analysed"] for a in arms]  # "randomised" = the analysed n
    statement = x["statement"]
    assert "prints no n per visit" in statement and "open question" in statement
    assert f"completers' {completed};" in statement and f"with all {randomised} randomised" in statement
    assert "the n the paper gives, both differences would be significant" not in statement  # the old wording
    d = paper.descriptives.set_index("id")
    stated_p = []
    for variable in ("insulin_u_day", "hba1c"):
        rows = d[(d.variable == variable) & (d.timepoint == "w32") & (d.subgroup.fillna("") == "")]
        mean = {r.arm: float(r.value) for r in rows[rows.statistic == "mean"].itertuples()}
        sd = {r.arm: float(r.value) for r in rows[rows.statistic == "sd"].itertuples()}

        def p(n1, n2, mean=mean, sd=sd):  # Student's t-test, as the Methods name
            return ttest_ind_from_stats(mean["ucmsc"], sd["ucmsc"], n1, mean["placebo"], sd["placebo"], n2).pvalue

        assert p(arms[0]["completed"], arms[1]["completed"]) > 0.05  # the printed "p˃0.05" holds
        stated_p.append(p(arms[0]["assigned"], arms[1]["assigned"]))
        assert stated_p[-1] < 0.05  # at the randomised n it would not
    assert f"(p = {stated_p[0]:.3f}, {stated_p[1]:.3f})" in statement


def _doc_schema() -> dict:
    text = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)\n```", text, re.S)
    assert block, "docs/findings.md holds the schema in a ```json block"
    return json.loads(block[1])


def test_documented_schema_is_the_one_in_the_code():
    assert _doc_schema() == json.loads(json.dumps(findings.SCHEMA))


def test_written_findings_follow_the_schema(found, tmp_path):
    for pid, (_paper, _claims, f) in found.items():
        written = findings.write_findings(tmp_path / pid, f)
        assert [p.name for p in written] == ["findings.json", "findings.md"]
        data = json.loads((tmp_path / pid / "findings.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, _doc_schema())
        assert findings.read_findings(tmp_path / pid) == data
        md = (tmp_path / pid / "findings.md").read_text(encoding="utf-8")
        for x in data["findings"]:
            assert escape_markdown(x["statement"]) in md
    assert findings.write_findings("", found["lu2021"][2]) == []


def test_schema_rejects_a_broken_file(found):
    data = json.loads(json.dumps(found["lu2021"][2]))
    data["findings"][0]["consequence"] = "terrible"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, findings.SCHEMA)


def test_verdict_has_its_four_parts(found):
    for pid in ("zang2022", "lu2021"):
        text = findings.verdict(found[pid][2]).plain
        for part in ("What the paper concluded.", "What holds.", "What could not be checked."):
            assert part in text, (pid, part)
    assert "What depends on analysis choices." in findings.verdict(found["zang2022"][2]).plain


def test_index_entry_from_findings_json(found, tmp_path):
    f = found["zang2022"][2]
    findings.write_findings(tmp_path, f)
    entry = findings.index_entry(tmp_path)
    assert f"{f['counts']['claims']} printed numbers audited" in entry
    assert entry.count("<li>") == len(f["findings"])
    assert findings.index_entry(tmp_path / "missing") == ""


# --------------------------------------------------------------------------- findings.toml


def _package(tmp_path: Path, curated: str) -> Path:
    folder = tmp_path / "lu2021"
    shutil.copytree(data_root() / "lu2021", folder)
    (folder / "findings.toml").write_text(curated, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("curated", "line", "message"),
    [
        ('concluded = "x"\nwhatever = 1\n', 2, "unknown key"),
        ('[[finding]]\ncause = "denominator"\nclaims = ["a"]\nconsequence = "bad"\n', 4, "expected one of"),
        ('[[finding]]\ncause = "nothing"\nclaims = ["a"]\n', 2, "expected one of"),
        ('[[finding]]\ncause = "test"\nclaims = []\n', 3, "claim-id patterns"),
        ('[[finding]]\ncause = "test"\nclaims = ["a"]\nstatement = "{oops}"\n', 4, "unknown field"),
        ('concluded = "words the paper never printed"\n', 1, "not found in paper.txt"),
        ("concluded = \n", 1, "not valid TOML"),
        ('[[conclusion]]\ntitle = "What stands."\ntext = "p = 0.041"\n', 3, "a typed number ('0.041')"),
        ('[[conclusion]]\ntitle = "In 2021"\ntext = "x"\n', 2, "a digit in the title"),
        ('[[conclusion]]\ntitle = "T"\ntext = "{printd[x]}"\n', 3, "unknown field {printd[x]}"),
        ('[[conclusion]]\ntitle = "T"\ntext = "{p[chi2]:.2f}"\n', 3, "unknown field"),
        ('[[conclusion]]\ntitle = "T"\n', 1, "with a title and a text"),
        ('[conclusion_endpoint]\ntimepoint = "m12"\n', 1, "expected a table with an endpoint"),
    ],
)
def test_findings_toml_errors_name_file_and_line(tmp_path, curated, line, message):
    folder = _package(tmp_path, curated)
    with pytest.raises(DataError) as e:
        load(folder)
    assert f"findings.toml:{line}" in str(e.value)
    assert message in str(e.value)


def test_curated_wording_applies_to_its_cause_only(tmp_path):
    folder = _package(
        tmp_path,
        '[[finding]]\ncause = "unchecked"\nclaims = ["res.remission.p"]\nstatement = "never used"\n'
        '[[finding]]\ncause = "inconsistent"\nclaims = ["res.remission.p"]\nstatement = "{count} curated"\n'
        'consequence = "presentation_only"\nexplanations = ["one"]\n',
    )
    paper = load(folder)
    f = findings.findings(paper, audit(paper))
    statements = [x["statement"] for x in f["findings"]]
    assert "never used" not in statements and "1 curated" in statements
    curated = next(x for x in f["findings"] if x["statement"] == "1 curated")
    assert curated["explanations"] == ["one"] and curated["curated"]


def test_conclusion_template_allows_numbers_in_words_and_fields(tmp_path):
    """HbA1c and T1D are words, not typed numbers; a field fills every number; a missing key is named."""
    from reanalysis.conclude import conclusion

    folder = _package(
        tmp_path,
        '[conclusion_endpoint]\nendpoint = "clinical_remission"\ntimepoint = "m12"\n'
        '[[conclusion]]\ntitle = "What stands."\n'
        'text = "In T1D, HbA1c: {events[mscs]} of {n[mscs]}; p {printed[res.remission.p]}."\n',
    )
    paper = load(folder)
    claims = account(paper, audit(paper))
    text = conclusion(paper, claims)
    assert text.plain == "What stands. In T1D, HbA1c: 11 of 27; p 0.041."
    assert text.text.startswith("**What stands.** ")
    paper.curated["conclusion"][0]["text"] = "{printed[no.such.claim]}"
    with pytest.raises(KeyError, match=r"printed\[no.such.claim\]"):
        conclusion(paper, claims)
