# Two commands for a newcomer: `make demo` and `make test`. Both bootstrap what they need
# from python3 alone: a private uv in .tools/, then the locked workspace in .venv/.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
RUN := $(UV) run --frozen --no-sync

.PHONY: help demo test lint typecheck pytest bench clean example dist

help:
	@echo "make demo   run the main job on the bundled example company (no credentials, no network)"
	@echo "make test   lint, type-check and run the whole test suite"
	@echo "make dist   build a wheel and an sdist of every distribution into dist/"

DIST ?= dist

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml ledgerlink/pyproject.toml core/pyproject.toml cli/pyproject.toml plugins/fortnox/pyproject.toml \
		plugins/fortnox_emulator/pyproject.toml plugins/sie_file/pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

demo: .venv/.synced
	$(RUN) bash scripts/demo.sh

lint: .venv/.synced
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports

typecheck: .venv/.synced
	$(RUN) mypy

pytest: .venv/.synced
	$(RUN) pytest -n 2

test: lint typecheck pytest

# Every distribution of the workspace (ledgerlink, core, cli, the three plugins), wheel and
# sdist: `pip install --find-links dist ledgerlink` installs from them.
dist: $(UV)
	rm -f $(DIST)/ledgerlink*.whl $(DIST)/ledgerlink*.tar.gz
	$(UV) build --all-packages --out-dir $(DIST)

example: .venv/.synced
	$(RUN) python scripts/make_example_company.py

bench: .venv/.synced
	$(RUN) python bench/sie_bench.py
	$(RUN) python bench/diff_bench.py
	$(RUN) python bench/fortnox_bench.py
	$(RUN) python bench/push_bench.py
	$(RUN) python bench/attachments_bench.py
	$(RUN) python bench/startup_bench.py
	$(RUN) python bench/batch_bench.py

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache
