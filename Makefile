# Ventanilla: the README's commands. Each installs what it needs on a fresh machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: demo test test-sqlite test-postgres lint typecheck bench install browser postgres redis messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Developers: refresh the es/ca/en catalogues after changing strings, then translate and compile.
# (a throwaway key and an in-memory database: nothing is written inside the package)
messages: $(STAMP)
	cd ventanilla && SECRET_KEY=makemessages DATABASE_URL=sqlite:///:memory: ../$(BIN)/ventanilla makemessages -l es -l ca -l en --no-obsolete --ignore 'static/*'
	cd ventanilla && SECRET_KEY=makemessages DATABASE_URL=sqlite:///:memory: ../$(BIN)/ventanilla compilemessages

## The whole system with demo data: web, worker, fake providers and citizen simulator.
demo: install
	$(BIN)/ventanilla demo

## Everything the tests need (a browser, PostgreSQL and Redis up), then the suite on both
## databases at once: each run keeps about one core busy, and CI has two.
test: install browser postgres redis lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## mypy with django-stubs over the package: zero errors.
typecheck: $(STAMP)
	$(BIN)/mypy ventanilla

test-sqlite: $(STAMP) redis
	DATABASE_URL=sqlite:///$(CURDIR)/.test.sqlite3 $(BIN)/pytest -q

test-postgres: $(STAMP) postgres redis
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not wheel"

## Debian's chromium for the browser tests, GNU gettext for the catalogue test.
browser:
	@command -v chromium >/dev/null && command -v xgettext >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq chromium gettext >/dev/null)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start"; exit 1

## Redis, for the rq task backend (TASKS_BACKEND=rq) and its tests; installed if missing.
redis:
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || (mkdir -p /var/lib/redis /var/log/redis && \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
	    --dir /var/lib/redis --logfile /var/log/redis/ci.log)
	@for i in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 0.5; done; echo "Redis did not start"; exit 1

bench: install postgres
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)
