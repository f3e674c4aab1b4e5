# The two commands: `make run` and `make test`. Everything else is a helper they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, seed demo data if empty, print demo logins, serve on :5000 (PORT=…)
## with the mail worker alongside (retries, scheduled jobs); it stops when the web process stops
PORT ?= 5000
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) demo-logins
	$(FLASK) worker & trap 'kill $$! 2>/dev/null' EXIT INT TERM; $(FLASK) run --host 127.0.0.1 --port $(PORT)

## make test: install and run the whole suite (set TEST_DATABASE_URL for PostgreSQL)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_browse.py
	$(BIN)/python bench/bench_ladder.py
	$(BIN)/python bench/bench_outbox.py

clean:
	rm -rf $(VENV) .pytest_cache
