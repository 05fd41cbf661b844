"""Notebook parameters: every value checked, one clear line for a bad one, values never executed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import papermill
import pytest

from reanalysis.params import SPEC, ParameterError, check_parameters
from reanalysis.run import find_notebooks


@pytest.mark.parametrize("alpha", [0.05, 0.01, 1e-6, 0.999])
def test_alpha_inside_unit_interval_is_accepted(alpha):
    assert check_parameters(alpha=alpha).alpha == alpha


@pytest.mark.parametrize("alpha", [0, 1, 1.5, -0.05, math.nan, math.inf, "0.05", True, None])
def test_alpha_outside_unit_interval_is_refused(alpha):
    with pytest.raises(ParameterError) as info:
        check_parameters(alpha=alpha)
    message = str(info.value)
    assert message.startswith("parameter alpha = ") and "expected a number in (0, 1)" in message
    assert "\n" not in message


def test_unknown_choice_names_what_is_allowed():
    with pytest.raises(ParameterError, match=r"two_by_two_test = 'chisq' .* one of 'chi2', 'chi2_yates', 'fisher'"):
        check_parameters(two_by_two_test="chisq")


def test_unknown_parameter_is_refused():
    with pytest.raises(ParameterError, match="a known parameter"):
        check_parameters(alhpa=0.05)


def test_missing_folder_is_refused(tmp_path):
    assert check_parameters(data_dir=str(tmp_path)).data_dir == str(tmp_path)
    assert check_parameters(data_dir="").data_dir == ""
    with pytest.raises(ParameterError, match="an existing folder"):
        check_parameters(data_dir=str(tmp_path / "nope"))


@pytest.mark.parametrize(
    "value",
    ['"; import os; os.system("touch PWNED"); "', "x'\ny = 1\n'", "__import__('os').system('touch PWNED')", "a\x00b"],
)
def test_code_in_a_value_is_only_data(value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError) as info:
        check_parameters(data_dir=value)
    assert info.value.value == value
    assert not (tmp_path / "PWNED").exists()


# --------------------------------------------------------------------------- the notebooks' parameters


@pytest.fixture(scope="module", params=[p.name for p in find_notebooks()])
def notebook(request):
    return Path(__file__).resolve().parents[1] / "notebooks" / request.param


def test_every_parameter_is_documented_for_help_notebook(notebook):
    """``papermill --help-notebook`` shows a type, a default and a one-line help for each parameter."""
    declared = papermill.inspect_notebook(str(notebook))
    assert declared, f"{notebook.name} has no parameters cell"
    for name, p in declared.items():
        assert name in SPEC, f"{notebook.name}: parameter {name} is not in reanalysis.params.SPEC"
        assert p["inferred_type_name"] != "None", f"{notebook.name}: {name} has no type annotation"
        assert p["help"].strip(), f"{notebook.name}: {name} has no trailing comment"


def test_cell_after_parameters_checks_every_parameter(notebook):
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    i = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    check = "".join(cells[i + 1]["source"])
    assert "check_parameters(" in check
    for name in papermill.inspect_notebook(str(notebook)):
        assert f"{name}={name}" in check, f"{notebook.name}: {name} is not checked"


def test_notebooks_define_no_functions(notebook):
    """Notebooks call the package; they do not grow their own helpers."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for c in cells:
        if c["cell_type"] == "code":
            src = "".join(c["source"])
            assert "def " not in src and "class " not in src and "lambda" not in src, src[:80]


def test_prior_tables_are_the_tables_the_notebooks_analyse_under_every_prior():
    """``PRIOR_TABLES`` names the tables each notebook analyses under every prior; the notebooks agree."""
    from reanalysis.params import PRIOR_TABLES

    stems = {p.stem for p in find_notebooks()}
    for stem, tables in PRIOR_TABLES.items():
        assert stem in stems, stem
        source = "".join(
            "".join(c["source"])
            for c in json.loads((find_notebooks()[0].parent / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"
        )
        assert "margin=margin" in source
        for param, default, variable, timepoint in tables:
            assert f'"{variable}", "{timepoint}"' in source, (stem, variable, timepoint)
            assert (f'{param} or "{default}"' if param else f'load("{default}")') in source, (stem, default)
    for path in find_notebooks():  # every notebook that takes margin is covered
        if "margin" in papermill.inspect_notebook(str(path)):
            assert path.stem in PRIOR_TABLES, path.name


def test_check_notebook_wants_a_data_package(tmp_path):
    from reanalysis.params import check_notebook

    check_notebook("lu2021", {"margin": 0.87, "data_dir": ""})
    with pytest.raises(ParameterError, match=r"^parameter data_dir = .* a data package folder \(one with a paper"):
        check_notebook("lu2021", {"data_dir": str(tmp_path)})
    check_notebook("lu2021", {"margin": 0.88, "data_dir": ""})  # the priors on the effect take any margin
