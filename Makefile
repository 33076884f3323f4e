PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test bench clean

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

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench:
	@echo "make bench: the benchmark suite is not built yet (issue 6)."

clean:
	rm -rf $(VENV) build *.egg-info
