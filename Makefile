# motion-ops: `make demo` and `make test` do all set-up themselves (.venv, packages, Airflow's DB).
# The local Airflow environment itself is built in one place: devkit/env.py.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

# motion_ops (plugins/) and the dev kit (devkit/) for every python below
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR)

.PHONY: demo test venv airflow-db bench status related stop-db clean airflow stop shell serve demo-pilot

demo: $(STAMP)  ## one full nightly run on embedded defaults, with a report
	$(BIN)/python -m devkit demo

test: $(STAMP) airflow-db  ## lint (ruff: the rules in pyproject.toml), then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup  # two processes: tests/conftest.py GROUPS

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# requirements-dev.txt under constraints.txt, then the project (its connection types' entry point): with uv,
	# given pip's own configuration, or with pip as before if uv fails (devkit/install.py)
	$(BIN)/python -m devkit.install $(BIN)/python
	@touch $(STAMP)

airflow-db: $(STAMP)  ## migrate the metadata DB of `airflow dags test` and the tests (.airflow/)
	$(BIN)/python -m devkit airflow-db

bench: $(STAMP)  ## all benchmarks (installs faiss-cpu for the similarity one)
	$(BIN)/python -m pip install -q -r requirements-bench.txt -c constraints.txt
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/sync_latency.py
	$(BIN)/python bench/embed.py
	$(BIN)/python bench/similarity.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/summaries.py
	$(BIN)/python bench/alerts.py

PGDATA ?= .pgdata
# the embedded store's URI (starts its Postgres if needed; `make stop` or `make stop-db` stops it)
STORE_DSN = $$($(BIN)/python -c 'from devkit import pgembedded; print(pgembedded.ensure("$(PGDATA)"))')

status: $(STAMP)  ## counts of the embedded store
	$(BIN)/python -m motion_ops --dsn "$(STORE_DSN)" status

related: $(STAMP)  ## one motion's related motions and earlier versions in the embedded store: make related ID=<nummer|id>
	@test -n "$(ID)" || { echo "usage: make related ID=<nummer or id>, e.g. make related ID=2026Z36885" >&2; exit 2; }
	$(BIN)/python -m motion_ops --dsn "$(STORE_DSN)" related "$(ID)"

PORT ?= 8000
serve: $(STAMP)  ## the explore page and read API over the demo store (http://127.0.0.1:$(PORT)/)
	@DSN="$(STORE_DSN)"; \
	  $(BIN)/python -m motion_ops --dsn "$$DSN" migrate && \
	  $(BIN)/python -m motion_ops --dsn "$$DSN" serve --port $(PORT)

stop-db:  ## stop the embedded Postgres if it runs
	$(BIN)/python -c 'from devkit import pgembedded; pgembedded.stop("$(PGDATA)")'

clean: stop-db
	rm -rf .pgdata .pgdata-bench-* .airflow .reports

EXECUTOR ?= local
airflow: $(STAMP)  ## Airflow with the UI on embedded defaults (LocalExecutor; EXECUTOR=celery: redis + 2 Celery workers)
	$(BIN)/python -m devkit.local_airflow start --executor $(EXECUTOR)

demo-pilot: $(STAMP)  ## Airflow with a priced embedding stand-in: see and answer the pilot's approval in the UI
	$(BIN)/python -m devkit.local_airflow pilot

stop:  ## stop what `make airflow` started, and the embedded Postgres (also one `make status`/`make serve` started)
	$(BIN)/python -m devkit.local_airflow stop

shell: $(STAMP)  ## a shell whose airflow / python -m motion_ops commands reach the `make airflow` instance
	$(BIN)/python -m devkit.local_airflow shell
