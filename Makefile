# The two commands a newcomer needs: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 5000
THREADS ?= 16
# Processes under gunicorn (Linux, macOS): 0 = one per core, 2 to 4. Windows: one Waitress process.
WORKERS ?= 0
# auto: gunicorn (one process per core) where the platform forks, else Waitress; SERVER=waitress forces one process.
SERVER ?= auto
BIN     = $(VENV)/bin
FLASK   = $(BIN)/flask --app lms

.PHONY: install run serve test lint setup clean-db

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 atau lebih baru dibutuhkan (ditemukan %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

setup: install
	$(FLASK) db upgrade
	$(FLASK) content sync
	$(FLASK) demo --if-empty

run: setup
	@echo "LMS Bimtek berjalan di http://$(HOST):$(PORT)  (hentikan dengan Ctrl+C)"
	@# The job worker (bulk certificate issue) runs beside the web server and stops with it.
	@$(BIN)/huey_consumer lms.worker.huey --workers 1 --quiet > instance/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m lms.serve --host=$(HOST) --port=$(PORT) --threads=$(THREADS) --server=$(SERVER) --workers=$(WORKERS) --connection-limit=1000 --channel-timeout=60 --ident=lms

test: install
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

clean-db:
	rm -f instance/lms.sqlite3 instance/lms.sqlite3-wal instance/lms.sqlite3-shm instance/lms.sqlite3.lock instance/demo-logins.txt
