# motion-ops: `make demo` and `make test` do all set-up themselves (.venv, packages, Airflow's DB).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export PYTHONPATH := $(CURDIR)/plugins

.PHONY: demo test venv airflow-db bench status stop-db clean airflow stop

demo: $(STAMP) airflow-db  ## one full nightly run on embedded defaults, with a report
	$(BIN)/python -m motion_ops demo --root $(CURDIR)

test: $(STAMP) airflow-db  ## the whole test suite
	$(BIN)/python -m pytest -q -p no:cacheprovider

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -c constraints.txt
	@touch $(STAMP)

airflow-db: $(AIRFLOW_HOME)/.migrated

$(AIRFLOW_HOME)/.migrated: $(STAMP)
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (tail -20 $(AIRFLOW_HOME)/db-migrate.log; exit 1)
	@touch $@

bench: $(STAMP)  ## all benchmarks (installs faiss-cpu for the similarity one)
	$(BIN)/python -m pip install -q -r requirements-bench.txt -c constraints.txt
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/embed.py
	$(BIN)/python bench/similarity.py

status: $(STAMP)  ## counts of the embedded store
	$(BIN)/python -m motion_ops --dsn "$$($(BIN)/python -c 'from motion_ops import pgembedded; print(pgembedded.ensure(".pgdata"))')" status

stop-db:  ## stop the embedded Postgres if it runs
	$(BIN)/python -c 'from motion_ops import pgembedded; pgembedded.stop(".pgdata")'

clean: stop-db
	rm -rf .pgdata .airflow .reports

airflow: $(STAMP)  ## Airflow with the UI on embedded defaults (LocalExecutor); prints URL and login
	$(BIN)/python scripts/local_airflow.py start

stop:  ## stop what `make airflow` started
	$(BIN)/python scripts/local_airflow.py stop
