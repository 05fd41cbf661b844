# Every target bootstraps .venv itself: a fresh machine needs only Python 3.11 and pip.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export PYTHONHASHSEED := 0
# Offline installs (workshops): `make wheelhouse` fills this folder; `make lab WHEELHOUSE=path` installs from it.
WHEELHOUSE ?=
PIP_SOURCE := $(if $(WHEELHOUSE),--no-index --find-links $(abspath $(WHEELHOUSE)),)

.PHONY: reproduce test lab notebooks counts workshop pdf lint clean distclean venv wheelhouse wheelhouse-check

venv: $(STAMP)

# Installs only when pyproject.toml changed since the last install (the stamp carries its checksum).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(WHEELHOUSE),,$(BIN)/python -m pip install --quiet --upgrade pip)
	$(BIN)/python -m pip install --quiet $(PIP_SOURCE) -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (reanalysis)" >/dev/null
	@rm -f $(VENV)/.installed-*
	@touch $@

## reproduce: execute every notebook into build/, render build/site/, write build/<paper_id>/
reproduce: $(STAMP)
	$(BIN)/python -m reanalysis.run

## test: lint, unit tests, then nbval over the committed notebooks
# Bytecode is cached (in __pycache__/, ignored by git) even where PYTHONDONTWRITEBYTECODE is set:
# without it each pytest worker compiles the package and rewrites every test module's asserts again
# (about 2 s of each worker's start).
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks conftest.py
	$(BIN)/ruff format --check src tests benchmarks conftest.py
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

## lab: JupyterLab in the project's environment
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## notebooks: (maintainers) re-execute notebooks/ in place with the default parameters
notebooks: $(STAMP)
	$(BIN)/python -m reanalysis.run --refresh

## workshop: (maintainers) regenerate the workshop's exercise notebooks from their solutions (a test checks them)
workshop: $(STAMP)
	$(BIN)/python -m reanalysis.workshop

## pdf: print each reader page and each paper's findings report to build/pdf/ (headless Chromium; after make reproduce)
pdf: $(STAMP)
	$(BIN)/python -m reanalysis.pdf

## counts: regenerate the table of transcribed numbers in data/README.md (a test checks it)
counts: $(STAMP)
	$(BIN)/python -m reanalysis.data --write-readme data/README.md

## wheelhouse: every wheel the project needs, in ./wheelhouse, for installing with no network
wheelhouse: $(STAMP)
	$(BIN)/python -m pip download --quiet -d wheelhouse setuptools wheel pip
	$(BIN)/python -m pip download --quiet -d wheelhouse '.[dev]'
	@echo "copy ./wheelhouse to the workshop machines, then: make lab WHEELHOUSE=wheelhouse"

## wheelhouse-check: install the project into a scratch venv from ./wheelhouse alone (no index, no pip config)
wheelhouse-check:
	rm -rf build/wheelhouse-venv && $(PYTHON) -m venv build/wheelhouse-venv
	PIP_CONFIG_FILE=/dev/null build/wheelhouse-venv/bin/python -m pip install --quiet --no-index \
	    --find-links wheelhouse -e '.[dev]'
	build/wheelhouse-venv/bin/python -c "import reanalysis, papermill, nbval, jupyterlab; print('installed from wheelhouse/ alone')"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks conftest.py
	$(BIN)/ruff format --check src tests benchmarks conftest.py

clean:
	rm -rf build .build.lock .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) src/*.egg-info
