# Set-up, run and test. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run run-cluster test lint ci build install install-dev servers-for-tests browser-for-tests bench clean

run: install build
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	@DEBUG=$${DEBUG:-1} $(BIN)/python manage.py ensure_dev_account --url http://$(HOST):$(PORT) || true
	DEBUG=$${DEBUG:-1} $(BIN)/python -m collab_site.serve

# Two app processes behind a proxy on PORT, with their own PostgreSQL and Redis (data in .cluster/).
run-cluster: install build servers-for-tests
	$(BIN)/python deploy/cluster.py

test: install-dev build servers-for-tests browser-for-tests
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

build: node_modules/.installed
	npm run --silent build

# The suite starts its own PostgreSQL and Redis from Debian's binaries; install them if missing.
servers-for-tests:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && command -v redis-server >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get install -y -q postgresql redis-server >/dev/null; \
	    else echo "Install PostgreSQL and Redis: sudo apt-get install -y postgresql redis-server"; exit 1; fi; }

# Browser tests drive Debian's Chromium; they are skipped (with a reason) when it is missing.
browser-for-tests:
	@command -v chromium >/dev/null || { if [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y -q chromium >/dev/null 2>&1 || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "No chromium: browser tests will be skipped (sudo apt-get install -y chromium)"; fi; }

bench: install-dev build
	$(BIN)/python -m bench.run --ours-stack $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles
