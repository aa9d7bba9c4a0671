# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the demo needs only the package; the tests also need the dev extra (torch & co. for the training tests)
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: install demo test eval bench clean

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/crossread analyze examples/seeds -o out/demo
	@echo "Open out/demo/report.html in a browser; the records are in out/demo/analysis.json"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_analyze.py examples/seeds

clean:
	rm -rf out build dist *.egg-info src/*.egg-info
