# Sans Rupture — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv: the one on PATH, else a private copy installed from PyPI into .tools/ (no root needed).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
MANAGE := $(PY) manage.py
# Debian packages the app needs: gettext (messages), pango + fonts (WeasyPrint PDFs), chromium (browser tests).
SYSTEM_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core python3-venv chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] && echo "" || (command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && echo sudo) || echo NONE)

.PHONY: help
help:
	@echo "make run          install everything, load demo data, start web + Celery worker + beat (Ctrl-C stops all)"
	@echo "make test         run the whole test suite (SQLite; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"
	@echo "make lint         ruff, djlint, the floors of the apps (import-linter), makemigrations --check"
	@echo "make audit        check the locked dependencies for known vulnerabilities (pip-audit, needs PyPI)"
	@echo "make bench        run the benchmarks on PostgreSQL + Redis (DATABASE_URL/REDIS_URL); ONLY=<name> runs one"
	@echo "make system-deps  install the Debian packages (as root or with sudo)"
	@echo "make messages     extract translatable strings into locale/"

.PHONY: system-deps
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "System packages: all present."; \
	elif [ "$(SUDO)" = "NONE" ]; then \
	  echo "Missing Debian packages: $$missing"; \
	  echo "Install them with: sudo apt-get install -y $$missing   (tests needing them will be skipped, saying why)"; \
	else \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

.tools/bin/uv:
	@command -v uv >/dev/null 2>&1 || { \
	  echo "Installing uv into .tools/ ..."; \
	  python3 -m venv .tools || { echo "python3-venv is missing: run 'make system-deps' (as root or with sudo)"; exit 1; }; \
	  .tools/bin/pip install -q uv; }

.PHONY: install
install: system-deps $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen
	@if command -v msgfmt >/dev/null 2>&1; then $(MANAGE) compilemessages --ignore=.venv --ignore=.tools -v 0; \
	else echo "gettext (msgfmt) is missing: pages will be in French only until 'make system-deps' installs it."; fi

.PHONY: run
run: install
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_demo
	$(UV) run --frozen honcho -f Procfile.dev start

# The tests run in three processes (pytest-xdist: on two cores, three overlap the tests' waits on PostgreSQL, Redis
# and workers better than two), each with its own test database, Redis database and broker folder
# (config/settings/test.py); each process runs its share in pytest-django's order (transactional tests last).
# `make test PYTEST_JOBS=0` runs them all in one process, `PYTEST_ARGS` adds pytest options.
PYTEST_JOBS ?= 3
.PHONY: test
test: install
	$(UV) run --frozen pytest --numprocesses=$(PYTEST_JOBS) --dist=load $(PYTEST_ARGS)

# Benchmarks (bench/README.md): PostgreSQL and Redis from DATABASE_URL/REDIS_URL, in a database of their own.
.PHONY: bench
bench: install
	$(UV) run --frozen python -m bench $(ONLY)

.PHONY: lint
lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen djlint templates --check
	$(UV) run --frozen djlint templates --lint
	PYTHONPATH=. $(UV) run --frozen lint-imports
	$(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-messages

# Dependency audit of uv.lock against PyPI's advisories (pip-audit); fails with what to do (.ci/audit).
.PHONY: audit
audit: install
	UV=$(UV) bash .ci/audit

# Every French string of the code has an English translation (extract into a scratch copy, then count the gaps).
.PHONY: check-messages
check-messages:
	@command -v msgattrib >/dev/null || { echo "gettext is missing: run 'make system-deps'"; exit 1; }
	@backup=$$(mktemp) && cp locale/en/LC_MESSAGES/django.po $$backup && \
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=.tools --ignore=staticfiles --no-obsolete -v 0 && \
	missing=$$(msgattrib --untranslated --no-fuzzy locale/en/LC_MESSAGES/django.po; msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po); \
	cp $$backup locale/en/LC_MESSAGES/django.po; rm -f $$backup; \
	if [ -n "$$missing" ]; then echo "Strings without an English translation (run 'make messages' and translate):"; \
	  echo "$$missing" | grep '^msgid' | grep -v '^msgid ""$$'; exit 1; fi; \
	echo "Translations: complete."

.PHONY: format
format:
	$(UV) run ruff check --fix .
	$(UV) run ruff format .
	$(UV) run djlint templates --reformat

.PHONY: messages
messages:
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=.tools --ignore=staticfiles --no-obsolete
