# isotp: `make run` serves the demo; `make test` runs every check CI runs. Both set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_WORKERS ?= 2
# e.g. make pytest PYTEST_WORKERS=0 PYTEST_ARGS="tests/sessions -x -q": a part of the suite
PYTEST_ARGS ?=
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# `make run`: the demo, served as production serves it (DJANGO_DEBUG off, so Django's technical pages never appear:
# every error is the service's own GOV.UK page), with only what plain HTTP on 127.0.0.1 needs relaxed. A SQLite file
# in the checkout, Celery tasks in-process, console email, the collected static files (WhiteNoise), and a random
# secret key made once and kept in the git-ignored RUN_SECRET_KEY_FILE. ISOTP_DEMO lets the demo helpers
# (demo_logins, totp_code) run.
RUN_SECRET_KEY_FILE := .run-secret-key
RUN_ENV := DJANGO_DEBUG=false ISOTP_DEMO=true DJANGO_SECRET_KEY=$$(cat $(RUN_SECRET_KEY_FILE)) \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false \
	DJANGO_HSTS_SECONDS=0 CELERY_TASK_ALWAYS_EAGER=true DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 \
	SERVICE_URL=http://127.0.0.1:$(PORT) EMAIL_URL=consolemail:// REDIS_URL=

# `make test`: the real PostgreSQL and Redis on this machine (override DATABASE_URL / REDIS_URL to point elsewhere).
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/isotp
REDIS_HOST ?= 127.0.0.1
REDIS_PORT ?= 6379
# Redis databases for the cache and the Celery broker (several checkouts on one machine can use others).
REDIS_CACHE_DB ?= 14
REDIS_BROKER_DB ?= 15
TEST_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DATABASE_URL=$(DATABASE_URL) \
	REDIS_URL=redis://$(REDIS_HOST):$(REDIS_PORT)/$(REDIS_CACHE_DB) CELERY_BROKER_URL=redis://$(REDIS_HOST):$(REDIS_PORT)/$(REDIS_BROKER_DB) \
	CELERY_RESULT_BACKEND=redis://$(REDIS_HOST):$(REDIS_PORT)/$(REDIS_BROKER_DB) EMAIL_URL=consolemail:// \
	DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false DJANGO_HSTS_SECONDS=0

# What `manage.py check --deploy` sees: production values, nothing relaxed.
DEPLOY_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n') \
	DJANGO_ALLOWED_HOSTS=isotp.example.org DATABASE_URL=$(DATABASE_URL) REDIS_URL=redis://$(REDIS_HOST):$(REDIS_PORT)/14 \
	EMAIL_URL=smtp+tls://user:password@smtp.example.org:587

SCHEMA_TMP := $(shell mktemp -u /tmp/isotp-openapi-XXXXXX.yaml)

.PHONY: backup restore help schema run test setup python-deps node-deps css collectstatic totp services chromium pdf-deps poppler lint typecheck checks pytest e2e bench loadtest clean

help:
	@echo "make run    serve the demo at http://127.0.0.1:$(PORT) (SQLite, tasks in-process)"
	@echo "make test   lint, type-check, Django checks, compose check, and the whole test suite on PostgreSQL"

# --- set-up ------------------------------------------------------------------------------------------

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python "$$(command -v $(PYTHON))"
	@touch $@

python-deps: $(VENV)/.synced

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node-deps: node_modules/.installed

static_build/css/application.css: node_modules/.installed $(wildcard frontend/scss/*.scss) $(wildcard frontend/js/*)
	npm run --silent build

css: static_build/css/application.css

# The tests and `make run` use production static storage (hashed names from the manifest), as gunicorn serves them.
staticfiles/staticfiles.json: static_build/css/application.css $(VENV)/.synced
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --clear -v0

collectstatic: staticfiles/staticfiles.json

setup: python-deps css

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h $(REDIS_HOST) -p $(REDIS_PORT) ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port $(REDIS_PORT) --save "" --appendonly no
	@psql "$(DATABASE_URL)" -c "SELECT 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres "$$(basename "$(DATABASE_URL)")" 2>/dev/null || true

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null; }

# --- the two commands ----------------------------------------------------------------------------------

# WeasyPrint (report PDFs) needs Pango; the tests turn PDFs into text and PNGs with poppler-utils.
pdf-deps:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

poppler:
	@command -v pdftoppm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

$(RUN_SECRET_KEY_FILE):
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(64))" > $@

run: setup collectstatic pdf-deps $(RUN_SECRET_KEY_FILE)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@$(RUN_ENV) $(PY) manage.py demo_logins
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup services chromium lint typecheck checks pytest

# The OpenAPI contract, committed so that reviews show API changes; `make test` fails when it is stale.
schema: python-deps
	$(TEST_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file openapi.yaml

# Backups: the database (pg_dump, or SQLite's backup) and the report files, with a SHA-256 manifest. Run with the
# service's environment (DATABASE_URL, PRIVATE_MEDIA_ROOT, ...); copy BACKUP_DIR off the machine afterwards.
BACKUP_DIR ?= backups
backup: python-deps
	$(PY) manage.py backup --output $(BACKUP_DIR)

# `make restore FROM=backups/isotp-20260101T020000Z` into the (empty) database DATABASE_URL names.
restore: python-deps
	@test -n "$(FROM)" || { echo "make restore FROM=<backup folder>"; exit 1; }
	$(PY) manage.py restore $(FROM) --yes

totp: $(RUN_SECRET_KEY_FILE)
	@$(RUN_ENV) $(PY) manage.py totp_code $(or $(EMAIL),tm@cheshire.example)

lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: python-deps
	$(TEST_ENV) $(VENV)/bin/mypy .

checks: python-deps services
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file $(SCHEMA_TMP)
	@diff -q $(SCHEMA_TMP) openapi.yaml >/dev/null || { echo "openapi.yaml is out of date: run make schema"; exit 1; }
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

pytest: setup collectstatic services chromium pdf-deps poppler
	$(TEST_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: python-deps pdf-deps
	$(PY) bench/run.py
	$(PY) bench/report_render.py

# Issue 11: the national data set in its own databases, the production stack on 127.0.0.1 (gunicorn, a Celery
# worker, a Redis of its own on LOADTEST_REDIS_PORT), locust at SCALE and at SCALE/100, the table and the
# `loadtest:` line. `make loadtest QUICK=1` is the small version; SWEEP="1 2 4 8" adds the saturation sweep
# (SWEEP_SECONDS each, SECONDS by default);
# MIX=weighted requests the mix by its weights instead of every entry equally often (the default, MIX=even);
# THINK="1 5" is how long each user thinks between requests, in seconds (the default).
# Like `make bench`, it exits non-zero (after writing every result) when any endpoint misses a goal, is not
# measured or fails. Growth with scale is judged only when the measured area's data is at least 10 times larger
# at SCALE than at SCALE/100 (not with QUICK=1, where the per-area minimums make the two data sets alike).
# Its own port, 8108 (not make run's 8000), unless PORT= is given; the harness refuses a port already taken.
LOADTEST_PORT = $(if $(filter command line environment,$(origin PORT)),$(PORT),8108)
loadtest: setup collectstatic services
	QUICK=$(QUICK) LOADTEST_MIX=$(MIX) LOADTEST_ROUNDS=$(ROUNDS) LOADTEST_MIN_REQUESTS=$(MIN_REQUESTS) LOADTEST_THINK_SECONDS="$(THINK)" SCALE=$(SCALE) USERS=$(USERS) LOADTEST_SECONDS=$(SECONDS) WORKERS=$(WORKERS) SWEEP="$(SWEEP)" LOADTEST_SWEEP_SECONDS=$(SWEEP_SECONDS) \
	GUNICORN_THREADS=$(GUNICORN_THREADS) PORT=$(LOADTEST_PORT) DATABASE_URL=$(DATABASE_URL) $(PY) bench/loadtest/harness.py

clean:
	rm -rf $(VENV) $(TOOLS) node_modules static_build staticfiles db.sqlite3 artifacts $(RUN_SECRET_KEY_FILE)
