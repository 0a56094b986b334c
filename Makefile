# Amparo: the commands the README names.
#   make run    set up and serve the system on SQLite with a demo desk
#   make test   set up and run the linters, the type checker and the tests
#   make bench  run the benchmarks (one "bench: <name> <value> <unit>" line per figure)
#   make faults run the fault scenarios (one "fault: <name> ..." line per scenario)
#   make lock   refresh requirements.lock (hashes) after changing pyproject.toml

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
APPS := $(patsubst amparo/%/locale,%,$(wildcard amparo/*/locale))

.PHONY: venv lock run test lint typecheck pytest bench faults messages screens clean

# Installs exactly what requirements.lock pins, every file checked against its hash
# (nothing else is fetched: --no-deps), then Amparo itself, editable. The stamp is
# rebuilt whenever the lock or pyproject.toml changes.
LOCK := requirements.lock

$(BIN)/.installed: $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(BIN)/.installed

# Refresh requirements.lock from pyproject.toml: new dependencies are added and
# everything else keeps its pin. To move packages to their newest allowed release
# (e.g. a security fix in a parser of untrusted files):
#   make lock UPGRADE="pillow pikepdf"     or     make lock UPGRADE=all
UPGRADE ?=
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --all-build-deps --allow-unsafe \
		--strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host \
		$(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p))) \
		--output-file $(LOCK) pyproject.toml

run: venv
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py seed_demo_desk --port $(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT)/ — press Ctrl-C to stop."
	exec $(BIN)/gunicorn -c gunicorn.conf.py amparo.wsgi:application --bind 127.0.0.1:$(PORT) \
		--worker-class gthread --workers 2 --threads 4

# 360 px screenshots of the form, urgent path, receipt and follow-up in each
# language, into docs/screens/ (needs Chromium; serves on 127.0.0.1:8160).
screens: venv
	$(BIN)/python tools/screens.py

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy amparo $(wildcard bench/*.py)

# Branch coverage floor (per cent) for each of these packages, measured during
# the normal test run (see [tool.coverage] in pyproject.toml).
COVERAGE_FLOOR ?= 95
COVERED := amparo/crypto amparo/audit amparo/intake/scrub

pytest: venv
	$(BIN)/pytest --cov --cov-report=
	@for package in $(COVERED); do \
		total=$$($(BIN)/coverage report --include="$$package/*" --format=total) || exit 1; \
		echo "branch coverage of $$package: $$total % (floor $(COVERAGE_FLOOR) %)"; \
		$(BIN)/coverage report --include="$$package/*" --fail-under=$(COVERAGE_FLOOR) >/dev/null \
			|| { $(BIN)/coverage report --include="$$package/*"; exit 1; }; \
	done

test: lint typecheck pytest

bench: venv
	@for script in bench/*_bench.py; do $(BIN)/python $$script || exit 1; done

# Fault scenarios against gunicorn on PostgreSQL (root, 127.0.0.1, ports 8170-8173; restarts
# the local PostgreSQL cluster for a few seconds at the end): one "fault: <name> ..." line each.
faults: venv
	$(BIN)/python bench/faults.py

# Refresh the translation catalogs of every app that has a locale/ folder,
# then compile them. Translators edit amparo/<app>/locale/<lang>/LC_MESSAGES/django.po.
messages: venv
	@for app in $(APPS); do \
		(cd amparo/$$app && DJANGO_SETTINGS_MODULE=amparo.settings ../../$(BIN)/django-admin makemessages -l fr -l es -l ar --no-obsolete --no-location -v 0) || exit 1; \
	done
	@for app in $(APPS); do \
		(cd amparo/$$app && DJANGO_SETTINGS_MODULE=amparo.settings ../../$(BIN)/django-admin compilemessages -v 0) || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
