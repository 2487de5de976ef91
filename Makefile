# Two commands do all the set-up: `make run` and `make test`.
VENV   := .venv
PYTHON := $(VENV)/bin/python
BIN    := $(VENV)/bin
PORT   ?= 8000
SANDBOX_PORT ?= 8001
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_QUEUE_URL    ?= redis://127.0.0.1:6379/15

.PHONY: run test test-postgres test-all bench browser wrk services clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

# Headless Chromium from Debian for the browser tests (Playwright's own download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: browser tests will be skipped"; }

# Web + worker (+ sandbox stores with demo data when no store credentials are configured).
# honcho hands each process its own PORT (8000, 8100, …), so the app's port travels as APP_PORT.
# Every registered platform's demo store (sandbox/<platform>/demo.py) gets a port from
# SANDBOX_PORT on; `python -m sandbox.demo --env` prints the settings that point the app at them.
run: $(VENV)/.installed
	mkdir -p instance
	$(BIN)/flask --app app migrate
	@if $(PYTHON) -m sandbox.demo --wanted; then \
	  echo "No store credentials: starting the sandbox stores with demo data from port $(SANDBOX_PORT)"; \
	  export $$(SANDBOX_PORT=$(SANDBOX_PORT) APP_URL="$${APP_URL:-http://127.0.0.1:$(PORT)}" $(PYTHON) -m sandbox.demo --env) && \
	  DIGEST_ENABLED="$${DIGEST_ENABLED:-1}" MAIL_OUTBOX_DIR="$${MAIL_OUTBOX_DIR:-$(CURDIR)/instance/outbox}" \
	  SANDBOX_PORT=$(SANDBOX_PORT) APP_PORT=$(PORT) APP_URL="$${APP_URL:-http://127.0.0.1:$(PORT)}" \
	  PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev; \
	else \
	  APP_PORT=$(PORT) APP_URL="$${APP_URL:-http://127.0.0.1:$(PORT)}" \
	  PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile; \
	fi

# The whole suite on the embedded defaults (SQLite database, SQLite queue).
test: $(VENV)/.installed browser
	$(BIN)/pytest -q

# The same suite on PostgreSQL + Redis (started by .ci/run when they are down).
test-postgres: $(VENV)/.installed browser
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_QUEUE_URL=$(TEST_QUEUE_URL) $(BIN)/pytest -q

test-all: test test-postgres

# wrk from Debian drives the intake benchmark.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing Debian's wrk for the intake benchmark"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	  || { echo "could not install wrk: make bench needs it"; exit 1; }; }

# Every figure beside its bound, on PostgreSQL + Redis and on SQLite (about 10-15 minutes).
bench: $(VENV)/.installed wrk
	$(PYTHON) -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
