# The two commands: `make run` (serve the product on embedded defaults) and `make test` (everything CI runs).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
RUN_REQS := requirements/base.txt requirements/constraints.txt
TEST_REQS := $(RUN_REQS) requirements/production.txt requirements/local.txt requirements/terraform.txt \
	requirements/browser.txt
TEST_ENV := DJANGO_SETTINGS_MODULE=kavak.settings.test
APPS := kavak conversations leads catalog knowledge channels backoffice spanish
# pytest-xdist processes for `make test` (each has its own test database, cache namespace, Celery
# queues and logs); `auto` is one per CPU. PYTEST_WORKERS=0 runs the suite in this one process.
PYTEST_WORKERS ?= auto
# A realistic production environment for `check --deploy` (nothing is contacted).
DEPLOY_ENV := DJANGO_SETTINGS_MODULE=kavak.settings.production \
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	DJANGO_ALLOWED_HOSTS=agente.kavak.example DJANGO_CSRF_TRUSTED_ORIGINS=https://agente.kavak.example \
	PUBLIC_BASE_URL=https://agente.kavak.example \
	DATABASE_URL=postgres://kavak@db.internal:5432/kavak REDIS_URL=rediss://cache.internal:6379/0 \
	CELERY_BROKER_URL=rediss://cache.internal:6379/1 AXES_IPWARE_PROXY_COUNT=1 EMAIL_URL=ses://us-east-1

.PHONY: help run test test-static test-checkov lint fmt check-deploy worker reset-admin reset-staff clean bench-catalog bench-kb \
	bench-whatsapp chaos-whatsapp bench-chat bench-llm typecheck

help:
	@echo "make run      - install, migrate, load demo data, create dev admin, serve on http://$(HOST):$(PORT)"
	@echo "make test     - lint, size limits, checks, and the whole test suite on PostgreSQL + Redis"
	@echo "make typecheck - mypy (django-stubs, drf-stubs), strict but for the listed modules"
	@echo "make worker   - a Celery worker against the local Redis (export CELERY_BROKER_URL for make run too)"
	@echo "make fmt      - ruff format + autofix"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed (the stamp is newer than every input).
$(VENV)/.run-stamp: $(RUN_REQS) | $(PY)
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.test-stamp: $(TEST_REQS) | $(PY)
	$(BIN)/pip install --quiet -r requirements/local.txt -r requirements/terraform.txt \
		-r requirements/browser.txt -c requirements/constraints.txt
	touch $@ $(VENV)/.run-stamp

var/staticfiles:
	mkdir -p $@

# One process for the set-up steps (migrate only when needed, demo data, dev users), then serve.
run: $(VENV)/.run-stamp | var/staticfiles
	$(MANAGE) dev_run $(HOST):$(PORT)

reset-admin: $(VENV)/.run-stamp | var/staticfiles
	$(MANAGE) ensure_dev_admin --reset

reset-staff: $(VENV)/.run-stamp | var/staticfiles
	$(MANAGE) ensure_dev_staff --reset

worker: $(VENV)/.run-stamp
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/celery -A kavak worker -B -l INFO -Q messages,turns --pool=threads --concurrency=8

lint: $(VENV)/.test-stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(PY) scripts/typecheck.py
	$(PY) scripts/code_sizes.py

# mypy with [tool.mypy] of pyproject.toml, then the check that its relaxed lists only shrink.
typecheck: $(VENV)/.test-stamp
	$(PY) scripts/typecheck.py

fmt: $(VENV)/.test-stamp
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(VENV)/.test-stamp
	$(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING

# The static checks run one step at a time on one CPU: checkov (with, in a clean clone, its
# virtualenv's installation) runs beside them on the other; then pytest has every CPU.
test: $(VENV)/.test-stamp | var/staticfiles
	bash scripts/ensure_services.sh
	bash scripts/ensure_chromium.sh
	$(MAKE) --no-print-directory -j2 --output-sync=target test-static test-checkov
	$(BIN)/coverage erase
	$(TEST_ENV) $(BIN)/pytest --create-db --cov --cov-report=term -p no:cacheprovider \
		-n $(PYTEST_WORKERS) --dist worksteal

# Parts of `make test` (it installs the tools first).
test-static:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(PY) scripts/typecheck.py
	$(PY) scripts/code_sizes.py
	$(BIN)/bandit -q -r $(APPS) -ll -x '*/migrations/*'
	$(TEST_ENV) $(MANAGE) check --fail-level WARNING
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy

test-checkov:
	@if [ -f scripts/checkov.sh ]; then bash scripts/checkov.sh; fi

clean:
	rm -rf var .pytest_cache .coverage .coverage.* htmlcov

# Benchmarks print figures; they are never part of `make test`. Scripts that import the project or
# tests.support run as modules from the repository root (`python -m scripts.x`: no sys.path edits).
bench-catalog: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.bench_catalog

bench-kb: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.bench_kb

bench-whatsapp: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.bench_whatsapp

chaos-whatsapp: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.chaos_whatsapp

bench-chat: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.bench_chat

bench-llm: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.bench_llm

# Fault suite and soak (figures, loopback only; see OPERATIONS.md). `make chaos` restarts the local
# PostgreSQL and Redis for a few seconds each: never run it against servers others depend on.
chaos: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.chaos

# Scenario (e) of the fault suite alone: slow clients against gthread workers with production
# settings. Stops neither PostgreSQL nor Redis.
chaos-slow-clients: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.chaos --only slow-clients

soak: $(VENV)/.test-stamp
	bash scripts/ensure_services.sh
	$(TEST_ENV) $(PY) -m scripts.soak

.PHONY: chaos chaos-slow-clients soak
