# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint typecheck bench load clean venv

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

venv: $(BIN)/activate

# axe-core and the Nu Html Checker (vnu.jar) for the quality gates; vnu runs on the machine's
# Java, so its postinstall (which would download a Java runtime) is skipped.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

## make run: install, migrate, load the rubrics, seed the demo and serve on http://127.0.0.1:5000
run: venv
	$(FLASK) db upgrade
	$(FLASK) rubrics load
	$(FLASK) demo seed --orgs 60 --state OH $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)",)
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	RUBRIC_APP_SESSION_COOKIE_SECURE=false RUBRIC_APP_REMEMBER_COOKIE_SECURE=false \
		$(FLASK) run --host $(HOST) --port $(PORT)

# Browser journeys write one screenshot per step into a folder named after the run.
SCREENSHOT_DIR ?= test-artifacts/screenshots/$(shell date +%Y%m%d-%H%M%S)
export SCREENSHOT_DIR

## make test: lint, type-check and run the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: venv node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

## make bench: run every benchmarks/bench_*.py against its same-run baseline; table in BENCHMARKS.md
bench: venv
	$(BIN)/python benchmarks/run_all.py

## make load: 50 users on gunicorn (4 workers) and PostgreSQL for 60 s; figures in BENCHMARKS.md
load: venv
	$(BIN)/python loadtest/run.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache

## make migration-reset: regenerate the initial migration from the models (only until the first release)
migration-reset: venv
	rm -rf /tmp/rubric-app-migration && mkdir -p /tmp/rubric-app-migration
	rm -f migrations/versions/*.py
	DATABASE_URL=sqlite:////tmp/rubric-app-migration/db.sqlite3 RUBRIC_APP_INSTANCE_PATH=/tmp/rubric-app-migration \
		$(BIN)/alembic revision --autogenerate -m "initial schema"
	$(BIN)/ruff format migrations/versions
