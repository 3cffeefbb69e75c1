# Quick start: `make run` (install + start the routing service), `make test` (install + whole suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install test run lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "lapor-nlp needs Python >= 3.11, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[service,dev,notebooks,dask]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Local service: bundled default model, SQLite in .lapor-nlp/, keys created once in .lapor-nlp/keys.env (printed).
run: install
	$(VENV)/bin/lapor-nlp serve --model models/default --database-url sqlite:///.lapor-nlp/lapor-nlp.db \
		--local-keys .lapor-nlp/keys.env $(SERVE_ARGS)

lint: install
	$(VENV)/bin/ruff check src service tests benchmarks

bench: install
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
