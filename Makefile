# The two quick-start commands (make demo, make test) and the developer chores.
# Everything runs in a virtualenv made here from the first python3 >= 3.10 found.

PYTHON ?= python3
VENV ?= .venv
# Packaging tools (build, twine) live apart from the package's own virtualenv.
TOOLS ?= .venv-dist
PORT ?= 8000
DB ?= sqlite
PYTEST_ARGS ?=

BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
DEMO := $(BIN)/python example_project/manage.py
EXTRAS_sqlite := test
EXTRAS_postgres := test,postgres
EXTRAS_mariadb := test,mariadb
EXTRAS := $(EXTRAS_$(DB))
STAMP := $(VENV)/.installed-$(DB)
# Tests marked "concurrent" (threads against the database) need a server: selected here, not on SQLite.
MARKS_postgres := -m "concurrent or not concurrent"
MARKS_mariadb := -m "concurrent or not concurrent"

.PHONY: demo test lint clean dist newuser

PYTHON_CHECK := @$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10 or newer is needed (found %s)." % sys.version.split()[0])'

$(VENV)/bin/python:
	$(PYTHON_CHECK)
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python setup.cfg pyproject.toml
	@test -n "$(EXTRAS)" || { echo "DB=$(DB) is not one of sqlite, postgres, mariadb"; exit 2; }
	$(PIP) install --upgrade pip
	$(PIP) install -e ".[$(EXTRAS)]"
	@touch $@

## make demo: the demo shop serving the Connex API on http://127.0.0.1:$(PORT)/connex/
demo: $(VENV)/.installed-sqlite
	$(DEMO) migrate --noinput -v 0
	$(DEMO) seed_demo_shop --orders 200 --seed 1 --if-empty
	$(DEMO) demo_credential --port $(PORT)
	$(DEMO) runserver 127.0.0.1:$(PORT)

## make test [DB=sqlite|postgres|mariadb]: the whole test suite
test: $(STAMP)
	CONNEX_TEST_DB=$(DB) $(BIN)/pytest $(MARKS_$(DB)) $(PYTEST_ARGS)

## make lint: ruff and mypy
lint: $(VENV)/.installed-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

$(VENV)/.installed-lint: $(VENV)/bin/python setup.cfg pyproject.toml
	$(PIP) install -e ".[test,lint]"
	@touch $@

## make dist: the sdist and the wheel, in dist/ (python -m build, from a fresh build/)
dist: $(TOOLS)/.installed-dist
	rm -rf build dist
	$(TOOLS)/bin/python -m build --outdir dist .
	rm -rf build

# readme-renderer[md]: without it, twine check cannot render the Markdown README and passes it unread.
$(TOOLS)/.installed-dist: Makefile
	$(PYTHON_CHECK)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip --disable-pip-version-check -q install build twine "readme-renderer[md]"
	@touch $@

## make newuser: the README's install steps on a bare `django-admin startproject`, with the wheel (tests/newuser/)
newuser: dist
	$(PYTHON) tests/newuser/run.py dist/*.whl

clean:
	rm -rf $(VENV) $(TOOLS) .venv-oscar .tox build dist *.egg-info example_project/db.sqlite3

## make bench [SOURCE=builtin|demo|oscar] [ORDERS=5000] [DB=sqlite|postgres] [STREAM=1] [RUNS=5] [PROFILE=1]: time
## the orders endpoint on SOURCE's own tables against the cheapest correct path, a naive DRF one and (for a host
## shop's source) the built-in store, on a fresh database it seeds and drops (bench/). SOURCE=oscar runs in a
## virtualenv of its own with django-oscar, $(OSCAR_VENV) (made here; OSCAR_VENV=.tox/oscar reuses tox's)
SOURCE ?= builtin
ORDERS ?= 5000
RUNS ?= 5
STREAM ?=
PROFILE ?=
OSCAR_VENV ?= .venv-oscar

ifeq ($(SOURCE),oscar)
BENCH_PYTHON := $(OSCAR_VENV)/bin/python
else
BENCH_PYTHON := $(BIN)/python
endif

.PHONY: bench
bench: $(if $(filter oscar,$(SOURCE)),$(OSCAR_VENV)/bin/python,$(STAMP))
	$(BENCH_PYTHON) -m bench --source $(SOURCE) --orders $(ORDERS) --db $(DB) --runs $(RUNS) $(if $(STREAM),--stream) $(if $(PROFILE),--profile)

# The Oscar shop's virtualenv: tox.ini's env "oscar" (Django 5.2, django-oscar 4), the PostgreSQL driver included.
$(OSCAR_VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10 or newer is needed (found %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv $(OSCAR_VENV)
	$(OSCAR_VENV)/bin/python -m pip --disable-pip-version-check -q install --upgrade pip
	$(OSCAR_VENV)/bin/python -m pip --disable-pip-version-check -q install -e ".[test,postgres]" "Django>=5.2,<6.0" "django-oscar>=4.2,<5"

## make load [SECONDS=20 | REQUESTS=N] [CLIENTS=8] [WORKERS=4] [ORDERS=5000]: the API under gunicorn on PostgreSQL
## (127.0.0.1:5432, user postgres), polled by concurrent clients while a writer changes orders (bench/load.py)
SECONDS ?= 20
REQUESTS ?=
CLIENTS ?= 8
WORKERS ?= 4

.PHONY: load
load:
	@$(MAKE) --no-print-directory DB=postgres $(VENV)/.installed-postgres
	$(BIN)/python -m bench.load --orders $(ORDERS) --seconds $(SECONDS) --clients $(CLIENTS) --workers $(WORKERS) $(if $(REQUESTS),--requests $(REQUESTS))
