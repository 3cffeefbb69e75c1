# Quick start: `make run` (install + start the routing service), `make test` (install + whole suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install test test-fast run lint typecheck bench docs clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "lapor-nlp needs Python >= 3.11, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[service,dev,notebooks,dask,docs]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

# The whole suite: lint, types, then every test (slow, integration, browser and postgres included;
# those whose server or data is missing skip with a reason).
test: lint typecheck
	$(PY) -m pytest $(PYTEST_ARGS)

# The quick loop: no test that trains or loads a model, runs a notebook, a browser or a database server.
test-fast: install
	$(PY) -m pytest -q -m "not slow and not integration and not browser and not postgres" $(PYTEST_ARGS)

# Local service: bundled default model, SQLite in .lapor-nlp/, keys created once in .lapor-nlp/keys.env (printed).
run: install
	$(VENV)/bin/lapor-nlp serve --model models/default --database-url sqlite:///.lapor-nlp/lapor-nlp.db \
		--local-keys .lapor-nlp/keys.env $(SERVE_ARGS)

lint: install
	$(VENV)/bin/ruff check src service tests benchmarks conftest.py docs/hooks.py

# mypy on the library (strict for the modules listed in pyproject.toml) and, strict, on the service.
typecheck: install
	$(VENV)/bin/mypy src
	$(VENV)/bin/mypy --strict service/app

# The docs site (MkDocs + Material) into site/; reference pages generated from the code; no network.
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

bench: install
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build site *.egg-info src/*.egg-info .pytest_cache
