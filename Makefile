# Förändra: `make run` serves the demo, `make test` runs every quality gate.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/forandra
HOST ?= 127.0.0.1
PORT ?= 8000
ONLY ?=

.PHONY: run test setup lint types migrations-check pytest bench messages makemessages clean-venv

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

src/forandra/locale/%/LC_MESSAGES/django.mo: src/forandra/locale/%/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	msgfmt --check-format -o $@ $<

messages: src/forandra/locale/sv/LC_MESSAGES/django.mo src/forandra/locale/en/LC_MESSAGES/django.mo

setup: $(VENV)/.installed messages
	$(MANAGE) migrate --no-input --verbosity 0
	$(MANAGE) register_load

run: setup
	$(MANAGE) demo
	@echo "Förändra: http://$(HOST):$(PORT)/"
	@# Background tasks (feed scans) run in `forandra worker` beside the server. Both run in the
	@# background of this shell, which waits for the server; Ctrl-C, or SIGTERM to make, stops both.
	$(MANAGE) worker --verbosity 0 & worker=$$!; \
	$(MANAGE) runserver --noreload $(HOST):$(PORT) & server=$$!; \
	trap 'kill $$server $$worker 2>/dev/null; wait; exit 130' INT TERM; \
	trap 'kill $$server $$worker 2>/dev/null' EXIT; \
	wait $$server

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(VENV)/.installed
	$(BIN)/mypy src

migrations-check: $(VENV)/.installed
	$(MANAGE) makemigrations --check --dry-run

pytest: setup
	$(BIN)/pytest

test: setup lint types migrations-check pytest

bench: setup
	$(BIN)/python bench/run.py $(ONLY)

# Refresh the catalogues after changing user-facing strings; then translate the new entries.
makemessages: $(VENV)/.installed
	cd src/forandra && ../../$(MANAGE) makemessages --locale sv --locale en --no-obsolete \
		--ignore 'static/*' --add-location file
