# pavedroad: the service template and its two libraries.
#   make demo   render the default service and run it locally on its embedded defaults
#   make test   run every test tier (installs the pinned toolchain first)
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
DEMO_VENV := .venv-demo
TOOLS_DIR ?= $(CURDIR)/.tools
PIP_VERSION := 26.3
LIB_EXTRAS_OBSERVABILITY := test,fastapi,grpc
LIB_EXTRAS_SECRETS := test,aws,vault
DEMO_DIR ?= out/team-notes
PYTEST_ARGS ?=
# Test files run in parallel, one per worker (--dist loadfile keeps a file's module fixtures in
# one process). Most tiers drive one single-threaded tool at a time, so two workers use both
# cores of the machines this runs on. PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= 2
XDIST = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

export PAVEDROAD_TOOLS_DIR := $(TOOLS_DIR)
export PATH := $(TOOLS_DIR)/bin:$(CURDIR)/$(VENV)/bin:$(PATH)

# pytest exits 5 when it collects no tests: for this suite that is a misconfiguration, never a
# pass, so say so plainly and fail.
define pytest
$(VENV_PY) -m pytest $(1) || { status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests for: $(1)" >&2; fi; exit $$status; }
endef

.PHONY: help bootstrap venv lint typecheck test test-fast demo bench wheels check-locks clean release

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'

bootstrap: ## Install the pinned toolchain into .tools/ (idempotent; seconds when warm)
	$(PYTHON) tools/bootstrap.py

$(VENV)/.installed: pyproject.toml libs/observability/pyproject.toml libs/secrets/pyproject.toml
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(VENV_PY) -m pip install --quiet --group dev \
		-e "libs/observability[$(LIB_EXTRAS_OBSERVABILITY)]" \
		-e "libs/secrets[$(LIB_EXTRAS_SECRETS)]"
	touch $@

venv: $(VENV)/.installed ## Create .venv with the dev tools and both libraries (editable)

lint: venv ## Lint the repository's own Python (libraries, hooks, tools, tests, benchmarks)
	$(VENV_PY) -m ruff check .
	$(VENV_PY) -m hooks.cookiecutter_config --check
	$(VENV_PY) libs/observability/tools/settings_readme.py --check
	$(VENV_PY) -m ruff format --check .

typecheck: venv ## Type-check the libraries, hooks, tools and tests with mypy --strict
	$(VENV_PY) -m mypy libs/observability/src libs/secrets/src hooks tools tests

test: bootstrap venv lint typecheck ## Run every test tier, the slow ones included
	$(call pytest,-p no:copie -p cookies tests/cookies $(PYTEST_ARGS))
	$(call pytest,$(XDIST) $(PYTEST_ARGS))

test-fast: venv ## Run the fast tiers only (no toolchain, no generated CI, no end to end)
	$(call pytest,$(XDIST) -m "not slow and not toolchain and not generated_ci and not e2e" $(PYTEST_ARGS))

# The one way wheels are built (make wheels, make demo): $(1) is the Python that has `build`.
# SOURCE_DATE_EPOCH is fixed (tools/internal_hashes.py) so the wheels are byte-reproducible.
define build_wheels
rm -rf dist/wheelhouse
SOURCE_DATE_EPOCH=1580601600 $(1) -m build --wheel --no-isolation -o dist/wheelhouse libs/observability
SOURCE_DATE_EPOCH=1580601600 $(1) -m build --wheel --no-isolation -o dist/wheelhouse libs/secrets
endef

wheels: venv ## Build both libraries' wheels into dist/wheelhouse and record their hashes in the template
	$(call build_wheels,$(VENV_PY))
	$(VENV_PY) -m tools.internal_hashes dist/wheelhouse

# make demo needs only the "demo" group (copier and the wheel build), not the whole dev venv.
$(DEMO_VENV)/.installed: pyproject.toml
	test -x $(DEMO_VENV)/bin/python || $(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(DEMO_VENV)/bin/python -m pip install --quiet --group demo
	touch $@

demo: $(DEMO_VENV)/.installed ## Render the default service into out/ and run it (Python only: no toolchain; Ctrl-C stops it)
	$(call build_wheels,$(DEMO_VENV)/bin/python)
	rm -rf $(DEMO_DIR)
	$(DEMO_VENV)/bin/python -m copier copy --defaults --vcs-ref HEAD --data-file examples/default.yml . $(DEMO_DIR)
	PIP_FIND_LINKS=$(CURDIR)/dist/wheelhouse $(MAKE) -C $(DEMO_DIR) venv-runtime
	@port=$${APP_PORT:-8000}; \
	echo; \
	echo "The service starts below on http://127.0.0.1:$$port (Ctrl-C stops it):"; \
	echo "  http://127.0.0.1:$$port/livez  /readyz  /startupz  /metrics"; \
	echo "Then, in another terminal, play Slack for one slash command (no workspace needed):"; \
	echo "  make -C $(DEMO_DIR) simulate TEXT='/notes add buy milk'"; \
	echo
	$(MAKE) -C $(DEMO_DIR) run

check-locks: venv ## Check the template's lock files against today's PyPI (maintenance)
	PAVEDROAD_CHECK_LOCKS=1 $(VENV_PY) -m pytest tests/test_service_lock.py

bench: venv ## Run the benchmarks and print their figures
	$(VENV_PY) benchmarks/render.py
	$(VENV_PY) benchmarks/policy/bench.py
	@echo "library and service benchmarks: see benchmarks/*/README.md (they need extra packages)"

clean: ## Remove build output, caches and renders (keeps .tools and .venv)
	rm -rf out build dist $(DEMO_VENV) .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -not -path './.tools/*' -exec rm -rf {} +

release: $(if $(LIBS),venv) ## Release the template: make release VERSION=X.Y.Z [LIBS="observability=0.2.2 secrets=0.1.2"] (RELEASING.md)
	@test -n "$(VERSION)" || { echo "give the version: make release VERSION=X.Y.Z" >&2; exit 1; }
	$(if $(LIBS),$(VENV_PY),$(PYTHON)) tools/release.py $(VERSION) $(foreach lib,$(LIBS),--lib $(lib))
