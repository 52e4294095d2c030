# Two commands do all the set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
INSTALL_STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
TEST_STAMP := $(VENV)/.installed-test-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DEV := DJANGO_SETTINGS_MODULE=cms.settings.dev

.PHONY: run install install-test migrate demo serve test test-es lint format bench bench-scale clean system-deps

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(INSTALL_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	rm -f $(VENV)/.installed-* && touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-test-* && touch $@ $(INSTALL_STAMP)

install: $(INSTALL_STAMP)
install-test: $(TEST_STAMP)

migrate: install
	$(DEV) $(PY) manage.py migrate --no-input -v0

demo: migrate
	$(DEV) $(PY) manage.py setup_dev
	$(DEV) $(PY) manage.py load_demo
	$(DEV) $(PY) manage.py search_index rebuild

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on PostgreSQL (started here unless DATABASE_URL is given), then on SQLite,
# then the migration check and the linter. Installs what it needs from Debian's packages when root.
test: install-test
	bash tests/run.sh

test-es: install-test
	@if [ -z "$$ELASTICSEARCH_URL" ]; then echo "make test-es needs ELASTICSEARCH_URL (e.g. http://localhost:9200)"; exit 2; fi
	$(PY) -m pytest tests/search -m "elasticsearch or engine" -p no:cacheprovider

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-test
	bash bench/run.sh

# The catalog at national size (BENCH_SCALE, default 100,000 procedures), outside `make bench`.
bench-scale: install-test
	bash bench/run_scale.sh

clean:
	rm -rf var .pytest_cache .ruff_cache
