# bzpeer: `make run` to try it, `make test` to check it. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench install migrate demo lock clean

$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark on SQLite and on PostgreSQL (DATABASE_URL; without it that half is skipped),
# then one summary table (bench/suite.py). BENCH_QUICK=1: smaller sizes and shorter load runs,
# for spotting a regression; the full run is the one to quote against the targets.
bench: $(STAMP)
	$(PY) bench/suite.py

# Regenerate both locks after editing pyproject.toml dependencies:
# requirements.lock (production image), requirements-dev.lock (adds the dev group).
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --python-version 3.11 \
		--generate-hashes -o requirements.lock
	$(PYTHON) -m uv pip compile pyproject.toml --group dev --python-version 3.11 \
		--generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Production shape (README, "Production"). `static`: static files built as the image builds them
# (production storage, hashed names and manifest). `smoke-production`: what CI runs after the
# tests (needs DATABASE_URL to an empty PostgreSQL database and REDIS_URL). `run-stack`:
# PostgreSQL, Redis, gunicorn, worker and beat on this machine under honcho; Ctrl-C stops them.
.PHONY: static smoke-production run-stack

static: $(STAMP)
	bin/build-static

smoke-production: $(STAMP)
	bin/smoke-production

run-stack: $(STAMP)
	bin/run-stack

# Operations (docs/operations.md). `backup`: pg_dump of DATABASE_URL into var/backups/ (custom
# format). `restore BACKUP=file`: pg_restore of that file into DATABASE_URL, which should be a
# fresh, empty database. `faults`: kill workers, Redis and PostgreSQL on purpose on a private
# PostgreSQL and Redis (ports 8650-8652, FAULTS_ARGS="--port-base N" to move them), and print
# what was lost; slow, never part of `make test`.
.PHONY: backup restore faults
# The newest installed PostgreSQL client (pg_dump must not be older than the server), else PATH's.
PG_BIN ?= $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin)))
PG_DUMP := $(if $(PG_BIN),$(PG_BIN)/pg_dump,pg_dump)
PG_RESTORE := $(if $(PG_BIN),$(PG_BIN)/pg_restore,pg_restore)
BACKUP_DIR ?= var/backups

backup:
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to the database to back up."; exit 1; }
	@mkdir -p $(BACKUP_DIR)
	$(PG_DUMP) --format=custom --no-owner --dbname="$$DATABASE_URL" \
		--file=$(BACKUP_DIR)/bzpeer-$$(date -u +%Y%m%dT%H%M%SZ).dump
	@ls -t $(BACKUP_DIR)/bzpeer-*.dump | head -1

restore:
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to the (empty) database to restore into."; exit 1; }
	@test -n "$(BACKUP)" || { echo "Name the dump: make restore BACKUP=var/backups/bzpeer-....dump"; exit 1; }
	$(PG_RESTORE) --no-owner --exit-on-error --single-transaction \
		--dbname="$$DATABASE_URL" $(BACKUP)

faults: $(STAMP)
	$(PY) -m bench.faults.run $(FAULTS_ARGS)
