"""Notebook parameters: one place that says what each parameter may be, and checks it.

The cell after a notebook's ``parameters`` cell calls :func:`check_parameters` with
every parameter. A bad value stops the run with one line naming the parameter, the
value and what is allowed. Values are only ever compared and converted, never
evaluated, so a value with quotes, newlines or code in it stays data.

The runner (``python -m reanalysis.run``) also calls :func:`check_notebook` for each notebook
before any kernel starts: it checks what one value alone cannot show, the combinations and
the data a value points to (``margin`` against the control arms the notebook analyses,
``data_dir`` holding a data package).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .vocabulary import (
    CHOSEN_POPULATIONS,
    CI_METHODS,
    ITT_ASSUMPTIONS,
    PRIOR_SPELLINGS,
    PRIORS,
    TWO_BY_TWO_RULES,
    TWO_BY_TWO_TESTS,
)

__all__ = ["ParameterError", "SPEC", "PRIOR_TABLES", "check_parameters", "check_notebook", "allowed"]


class ParameterError(ValueError):
    """A notebook parameter has a value that is not allowed."""

    def __init__(self, name: str, value: Any, allowed: str):
        self.name, self.value, self.allowed = name, value, allowed
        super().__init__(f"parameter {name} = {value!r} is not allowed: expected {allowed}")


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]
    help: str
    spellings: tuple[tuple[str, str], ...] = ()  # other accepted spellings and the option each means

    def check(self, name: str, value: Any) -> str:
        value = dict(self.spellings).get(value, value) if isinstance(value, str) else value
        if not isinstance(value, str) or value not in self.options:
            raise ParameterError(name, value, "one of " + ", ".join(repr(o) for o in self.options))
        return value

    def describe(self) -> str:
        return " | ".join(self.options)


@dataclass(frozen=True)
class Number:
    low: float
    high: float
    help: str
    open_low: bool = True
    open_high: bool = True

    def check(self, name: str, value: Any) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok:
            lo_ok = value > self.low if self.open_low else value >= self.low
            hi_ok = value < self.high if self.open_high else value <= self.high
            ok = lo_ok and hi_ok
        if not ok:
            raise ParameterError(name, value, f"a number in {self.describe()}")
        return float(value)

    def describe(self) -> str:
        return f"{'(' if self.open_low else '['}{self.low:g}, {self.high:g}{')' if self.open_high else ']'}"


@dataclass(frozen=True)
class Folder:
    """A folder that must exist; ``""`` means the default (resolved by the caller)."""

    help: str
    must_exist: bool = True

    def check(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise ParameterError(name, value, "a folder path as text")
        if "\n" in value or "\x00" in value:
            raise ParameterError(name, value, "a folder path on one line")
        if value and self.must_exist and not Path(value).expanduser().is_dir():
            raise ParameterError(name, value, "an existing folder (or '' for the default)")
        return value

    def describe(self) -> str:
        return "folder path, '' for the default"


@dataclass(frozen=True)
class Package:
    """A data package: an id under the project's ``data/`` or a folder holding a ``paper.toml``."""

    help: str

    def check(self, name: str, value: Any) -> str:
        from .packages import available  # the data layer knows where packages live

        if not isinstance(value, str) or "\n" in value or "\x00" in value:
            raise ParameterError(name, value, "a paper id or a data package folder, as one line of text")
        if value in available() or (Path(value).expanduser() / "paper.toml").is_file():
            return value
        raise ParameterError(name, value, f"one of {available()} or a folder with a paper.toml")

    def describe(self) -> str:
        return "paper id or data package folder"


#: Every parameter any notebook may take, with what it allows. Notebooks document the
#: same in their parameters cell; ``tests/test_params.py`` checks the two agree.
SPEC: dict[str, Choice | Number | Folder | Package] = {
    "paper_dir": Package("the data package to audit: a paper id under data/ or a folder (see data/README.md)"),
    "alpha": Number(0, 1, "significance level for marking results significant"),
    "two_by_two_test": Choice(
        TWO_BY_TWO_TESTS + TWO_BY_TWO_RULES,
        "test for a 2x2 table of counts",
    ),
    "ci_method": Choice(
        CI_METHODS,
        "confidence interval for a difference of proportions",
    ),
    "population": Choice(
        CHOSEN_POPULATIONS,
        "denominators first tried: the n the paper says it analysed, all assigned (randomised), those who "
        "completed, or the n the printed percentages imply",
    ),
    "itt_assumption": Choice(
        ITT_ASSUMPTIONS,
        "how participants who discontinued count in the primary comparison",
    ),
    "prepost_correlation": Number(-1, 1, "assumed correlation between a patient's visits, for within-group tests"),
    "prior": Choice(PRIORS, "prior for the Bayesian reanalysis", tuple(PRIOR_SPELLINGS.items())),
    "margin": Number(
        0,
        1,
        "clinically relevant risk difference: for P(benefit > margin), and the hypothesised benefit "
        "of the sceptical and enthusiastic priors",
    ),
    "data_dir": Folder("a data package folder; '' for the paper's own package under data/"),
    "results_dir": Folder("where to write machine-readable results; '' to write nothing", must_exist=False),
}


def allowed(name: str) -> str:
    """What a parameter allows, in words (for documentation and error messages)."""
    return SPEC[name].describe()


def check_parameters(**values: Any) -> SimpleNamespace:
    """Check every notebook parameter against :data:`SPEC` and return them as a namespace.

    Raises
    ------
    ParameterError
        For the first parameter that is unknown or has a value that is not allowed.
    """
    checked = {}
    for name, value in values.items():
        if name not in SPEC:
            raise ParameterError(name, value, "a known parameter: " + ", ".join(sorted(SPEC)))
        checked[name] = SPEC[name].check(name, value)
    return SimpleNamespace(**checked)


#: The 2x2 tables each notebook analyses under every named prior (``sensitivity.posteriors`` and
#: ``robustness`` compute all four whatever ``prior`` is, the sceptical and enthusiastic ones built
#: on ``margin`` as the hypothesised benefit, so any margin in (0, 1) is allowed for any data), as
#: (parameter naming the data package or None, default package, variable, timepoint).
#: ``tests/test_params.py`` checks that each notebook still analyses these.
PRIOR_TABLES: dict[str, list[tuple[str | None, str, str, str]]] = {
    "lu2021": [("data_dir", "lu2021", "clinical_remission", "m12")],
    "zang2022": [("data_dir", "zang2022", "primary_endpoint", "w48")],
    "synthesis": [(None, "zang2022", "primary_endpoint", "w48"), (None, "lu2021", "clinical_remission", "m12")],
}


def check_notebook(notebook: str, values: dict[str, Any]) -> None:
    """What the runner checks for one notebook beyond :func:`check_parameters`: ``values`` are the
    notebook's parameters as it will run (given or default).

    Raises
    ------
    ParameterError
        For a ``data_dir`` that holds no data package.
    """
    data_dir = values.get("data_dir")
    if isinstance(data_dir, str) and data_dir and not (Path(data_dir).expanduser() / "paper.toml").is_file():
        raise ParameterError(
            "data_dir", data_dir, "a data package folder (one with a paper.toml), or '' for the default"
        )
