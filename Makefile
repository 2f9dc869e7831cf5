# Two commands are all the set-up there is: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export MOSUL_SOURCES ?= $(CURDIR)/data/sources
export MOSUL_WAREHOUSE ?= $(CURDIR)/data/warehouse
SEED ?= 7

.PHONY: run test ui venv scenario bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

# The default scenario is written only when the sources root is empty, so real snapshots are never overwritten.
scenario: venv
	@if [ -z "$$(ls -A $(MOSUL_SOURCES) 2>/dev/null)" ]; then \
		echo "writing the default scenario (seed $(SEED)) to $(dir $(MOSUL_SOURCES))"; \
		$(PY) -m pipeline.scenario --seed $(SEED) --out $(dir $(MOSUL_SOURCES)); \
	fi

run: venv scenario $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster asset materialize -m pipeline --select '*'
	$(PY) -m pipeline.headline

test: venv $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pytest -n 2 --dist loadfile

ui: venv $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: venv
	$(PY) -m benchmarks.linkage --seeds 5
	$(PY) -m benchmarks.pipeline --seeds 5 --dagster

clean:
	rm -rf data .dagster_home
