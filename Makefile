PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint pytest vscode vscode-skipped vsix code-server bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(STAMP)

demo: $(STAMP)
	@echo "== parity-lsp check examples/demo-repo"
	@$(BIN)/parity-lsp check examples/demo-repo; status=$$?; \
	  echo "== exit status $$status (1: findings at error level, as planted in the example)"; \
	  test $$status -le 1
	@echo "== parity-lsp check examples/kotlin-shop (another shape: Feature | Status | Tests, bare test names)"
	@$(BIN)/parity-lsp check examples/kotlin-shop; status=$$?; \
	  echo "== exit status $$status (1: findings at error level, as planted in the example)"; \
	  test $$status -le 1

# Without Node/npm the extension's tests are skipped with a reason (CI, which sets CI, fails instead).
HAVE_NPM := $(shell command -v npm >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_NPM)$(CI),)
VSCODE_TESTS := vscode-skipped
else
VSCODE_TESTS := vscode
endif

test: lint $(VSCODE_TESTS) pytest  # pytest last: its summary line closes the CI log

vscode-skipped:
	@echo "== SKIPPED: the VS Code extension's tests (npm not found: install Node.js 20 with npm, e.g. apt-get install -y nodejs npm)"

# The gates: formatting, lint and strict types (configured in pyproject.toml).
lint: $(TEST_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

# The Python suite in two processes (pytest-xdist; a file's tests stay in one, so its module
# fixtures are built once); PYTEST_JOBS=0: in this one process.
# PYTHONDONTWRITEBYTECODE is cleared for the run (this machine's environment sets it): the suite
# starts a few hundred Pythons that import parity_lsp (its CLI, servers, helpers), and without
# __pycache__ each compiles the package again (0.40 s for a `check` of the demo instead of 0.21 s),
# and pytest rewrites and compiles every test module again in each worker. The tests that watch a
# process's writes (strace) set it again for the process they watch.
PYTEST_JOBS ?= 2
pytest: $(TEST_STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_JOBS) --dist loadfile --no-loadscope-reorder

# Line and branch coverage of parity_lsp/ over the whole suite, the servers and CLIs the tests
# start included ([tool.coverage] in pyproject.toml); the per-module table is .coverage-data/report.txt
.PHONY: coverage
COVERAGE_DATA := $(CURDIR)/.coverage-data
coverage: $(TEST_STAMP)
	rm -rf $(COVERAGE_DATA) && mkdir -p $(COVERAGE_DATA)
	COVERAGE_FILE=$(COVERAGE_DATA)/.coverage $(BIN)/coverage run -m pytest -n 0; status=$$?; \
	  COVERAGE_FILE=$(COVERAGE_DATA)/.coverage $(BIN)/coverage combine -q $(COVERAGE_DATA) && \
	  COVERAGE_FILE=$(COVERAGE_DATA)/.coverage $(BIN)/coverage report > $(COVERAGE_DATA)/report.txt && \
	  tail -n 1 $(COVERAGE_DATA)/report.txt && exit $$status

# The VS Code extension: unit tests, the real server end to end (from this venv), the .vsix.
VSCODE := editors/vscode
VSCODE_STAMP := $(VSCODE)/node_modules/.installed

$(VSCODE_STAMP): $(VSCODE)/package.json $(VSCODE)/package-lock.json
	cd $(VSCODE) && npm ci --no-audit --no-fund
	touch $@

vscode: $(STAMP) $(VSCODE_STAMP)
	cd $(VSCODE) && PARITY_LSP_VENV=$(CURDIR)/$(VENV) npm test
	cd $(VSCODE) && npm run package

# The .vsix alone (tests/test_editor_vscode.py builds it this way when it is missing or stale).
vsix: $(VSCODE_STAMP)
	cd $(VSCODE) && npm run package

# code-server (VS Code in the browser) for tests/test_editor_vscode.py, from npm into
# ~/.cache/parity-lsp/code-server (a minute or two the first time; nothing to do after that).
code-server:
	$(VSCODE)/scripts/install-code-server.sh

# parity-lsp against VS Code's Markdown server (installed with npm on first use); see benchmarks/README.md
# its last table: issue 19's goals, each measured side by side with the peer in this run
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# the goals table alone (the compare runs, startup and staged diagnostics, the `check` A/B
# against commit 759391e, the scanners), without the file-change, soak and 1000/100 runs
.PHONY: bench-goals
bench-goals: $(STAMP)
	$(BIN)/python benchmarks/bench.py --goals

# .pre-commit-hooks.yaml (both hooks; their pattern of cited code files from the language registry)
# (tests/test_languages.py fails when they disagree)
.PHONY: pre-commit-hooks
pre-commit-hooks: $(STAMP)
	$(BIN)/python scripts/pre_commit_hooks.py .pre-commit-hooks.yaml

clean:
	rm -rf $(VENV) build *.egg-info $(VSCODE)/node_modules $(VSCODE)/dist $(VSCODE)/out $(VSCODE)/*.vsix

# Longer property/fuzz run (issue 7): 20x the examples of the robustness property tests.
# `HYPOTHESIS_PROFILE=fuzz make pytest`: every property test deeper (5x the count each asks for
# with `examples(n)`, tests/conftest.py; the normal run has a third of it).
.PHONY: fuzz
fuzz: $(TEST_STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_robust_fuzz.py --hypothesis-show-statistics
