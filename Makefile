# The two commands: `make run` and `make test`. Everything else is a helper they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test install lock lint bench scaleout clean

# The exact versions (with their hashes) that `make` installs; `make lock` refreshes them.
LOCK := requirements/dev.txt

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP)

## make lock: re-resolve every dependency to the newest release pyproject.toml allows, pinned
## with hashes: requirements/main.txt (production, with its extra) and requirements/dev.txt
## (make's own: the dev and production extras, so the tests use Redis as production does)
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --upgrade --quiet
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet 'uv>=0.5,<1'
	$(UV_COMPILE) --extra production -o requirements/main.txt
	$(UV_COMPILE) --extra dev --extra production -o requirements/dev.txt
	$(BIN)/uv pip compile requirements/locust.in --python-version 3.11 --generate-hashes \
		--quiet -o requirements/locust.txt

## make run: install, migrate, seed demo data if empty, print demo logins, serve on :5000 (PORT=…)
## with the mail worker alongside (retries, scheduled jobs); it stops when the web process stops.
## Without BASE_URL, pages' links follow the address served and the worker's point at PORT.
PORT ?= 5000
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) demo-logins
	BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(FLASK) worker & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; $(FLASK) run --host 127.0.0.1 --port $(PORT)

## make test: install, lint (ruff), type-check (mypy) and run the whole suite
## (set TEST_DATABASE_URL for PostgreSQL)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## make scaleout: nginx before two app servers, two workers, PostgreSQL, Redis and SeaweedFS on
## loopback, as deploy/ ships them, under a bounded locust run with kills (bench/scaleout/run.py;
## SCALEOUT_ARGS="--seconds 60 --users 40"). Locust has a virtualenv of its own.
LOCUST_VENV := .venv-locust
scaleout: $(STAMP)
	test -x $(LOCUST_VENV)/bin/locust || ($(PYTHON) -m venv $(LOCUST_VENV) && \
		$(LOCUST_VENV)/bin/pip install --quiet --require-hashes -r requirements/locust.txt)
	$(BIN)/python bench/scaleout/run.py $(SCALEOUT_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_browse.py
	$(BIN)/python bench/bench_ladder.py
	$(BIN)/python bench/bench_outbox.py
	$(BIN)/python bench/bench_media.py
	$(BIN)/python bench/bench_judging.py
	$(BIN)/python bench/bench_partners.py
	$(BIN)/python bench/bench_placements.py
	$(BIN)/python bench/bench_reports.py
	$(BIN)/python bench/contact_figures.py

clean:
	rm -rf $(VENV) .pytest_cache
