# Quick start: `make run` builds the graph from corpus/ into out/; `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint bench bench-big bench-scale bench-view clean eval

$(BIN)/policykg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

setup: $(BIN)/policykg

run: setup
	$(BIN)/python build_graph.py

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

# Extraction scores: the shared real-document dev set (its scorer, when ../shared/eval is there) and the bundled
# corpus against its hand-made gold. Score another folder: ../shared/eval/run -v SETDIR (SETDIR/docs, SETDIR/gold.json).
EVAL ?= ../shared/eval/run
eval: setup
	@if [ -x $(EVAL) ]; then $(EVAL); else echo "no shared eval set at $(EVAL); set EVAL=path/to/run"; fi
	@$(BIN)/policykg eval --gold tests/gold/corpus.json --no-show-misses

bench: setup
	$(BIN)/python bench/bench_store.py

# one generated 20 MB source file through the whole build: wall time per step and peak RSS (takes long)
bench-big: setup
	$(BIN)/python bench/bench_big_input.py --json bench/big_input.json

clean:
	rm -rf out out.partial-* out.previous-* out.serving-*

# issue 12: N = 10, 100, 1000 generated documents: wall, peak RSS, stages, rebuild after one change, query p50s
SIZES ?= 10,100,1000
bench-scale: setup
	$(BIN)/python bench/bench_scale.py --sizes $(SIZES) --json bench/scale.json

# issue 12: a synthetic overview of 1,000 / 5,000 / 10,000 nodes in headless chromium: first frame, pan and zoomed-out
# frame cost, search (needs apt chromium)
bench-view: setup
	$(BIN)/python bench/bench_view.py --nodes 1000,5000,10000 --json bench/view.json
