# Python: the virtualenv, lint, type-check, tests and running the service locally.
#
# The virtualenv (.venv) is built only from the hash-pinned lock files, so every machine and CI
# run installs exactly the same distributions. The internal pavedroad-* libraries come from the
# package index that pip is configured with (PIP_INDEX_URL / PIP_FIND_LINKS; docs/dependencies.md).
PYTHON ?= python<{ cookiecutter.python_version }>
VENV := .venv
VENV_BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
# The runtime half of .venv: what the image installs (requirements.lock and the internal
# libraries), enough for `make run` and `make simulate`; `make venv` adds the dev lock to it.
RUNTIME_STAMP := $(VENV)/.runtime
# The service runs from src/ without an install (an editable install needs the build backend,
# which only the dev lock holds).
RUN_PYTHON = PYTHONPATH=$(CURDIR)/src $(VENV_BIN)/python
PACKAGE := <{ cookiecutter.package_name }>
REPORTS := reports
# Python code linted and formatted here; other concerns append their own directories.
PYTHON_SOURCES := src tests migrations scripts charts
# uv records this command (less --quiet) in each lock file's header, and Renovate re-runs the
# header's command to refresh a lock (renovate.json5), so it takes only options Renovate's
# pip-compile manager accepts, each as --option=value; the rest is in pyproject's [tool.uv.pip].
UV_COMPILE = $(VENV_BIN)/uv pip compile pyproject.toml --universal --python-version=<{ cookiecutter.python_version }> \
	--generate-hashes --no-emit-package=pavedroad-observability --no-emit-package=pavedroad-secrets --quiet

# The internal pavedroad-* distributions come only from the company index (PIP_INDEX_URL) or a
# local wheelhouse (PIP_FIND_LINKS, then with no index at all), never from PyPI, where anyone can
# publish the same names (dependency confusion). Without either, this fails before installing.
INTERNAL_SOURCE = $$(if [ -n "$${PIP_FIND_LINKS:-}" ]; then echo --no-index; \
	elif [ -n "$${PIP_INDEX_URL:-}" ] && [[ "$${PIP_INDEX_URL}" != *//pypi.org/* ]]; then \
		echo "--index-url=$${PIP_INDEX_URL}"; \
	else echo "the internal pavedroad-* libraries install only from the company index or a local" \
		"wheelhouse: set PIP_INDEX_URL to the company index (the PIP_INDEX_URL secret in CI) or" \
		"PIP_FIND_LINKS to a wheelhouse (docs/dependencies.md); PyPI is never used for them" >&2; \
		exit 1; fi)

$(RUNTIME_STAMP): requirements.lock requirements-internal.txt
	@source=$(INTERNAL_SOURCE) || exit 1
	$(PYTHON) -m venv --clear $(VENV)
	$(VENV_BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		--only-binary :all: -r requirements.lock
	$(VENV_BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		--only-binary :all: $(INTERNAL_SOURCE) -r requirements-internal.txt
	$(VENV_BIN)/python -m pip check
	touch $@

$(VENV_STAMP): $(RUNTIME_STAMP) requirements-dev.lock pyproject.toml
	$(VENV_BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		--only-binary :all: -r requirements-dev.lock
	$(VENV_BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(VENV_BIN)/python -m pip check
	touch $@

.PHONY: venv venv-runtime lint-python typecheck test run lock
venv: $(VENV_STAMP) ## Create .venv from the lock files
venv-runtime: $(RUNTIME_STAMP) ## Create .venv with the runtime lock only: all `make run` needs

lint-python: $(VENV_STAMP) ## Lint and format-check the Python code (ruff)
	$(VENV_BIN)/ruff check $(PYTHON_SOURCES)
	$(VENV_BIN)/ruff format --check $(PYTHON_SOURCES)

typecheck: $(VENV_STAMP) ## Type-check the service (mypy --strict)
	$(VENV_BIN)/mypy

<% if cookiecutter.database == 'postgresql' -%>
test: $(VENV_STAMP) ## Run the tests with coverage, on SQLite and a throwaway PostgreSQL
	@mkdir -p $(REPORTS)
	$(VENV_BIN)/coverage erase
	$(VENV_BIN)/python scripts/throwaway_postgres.py -- \
		$(VENV_BIN)/coverage run -m pytest --junitxml=$(REPORTS)/junit.xml $(PYTEST_ARGS)
<%- else -%>
test: $(VENV_STAMP) ## Run the tests with coverage
	@mkdir -p $(REPORTS)
	$(VENV_BIN)/coverage erase
	$(VENV_BIN)/coverage run -m pytest --junitxml=$(REPORTS)/junit.xml $(PYTEST_ARGS)
<%- endif %>
	$(VENV_BIN)/coverage combine --quiet
	$(VENV_BIN)/coverage xml -o $(REPORTS)/coverage.xml
	$(VENV_BIN)/coverage report

<% if cookiecutter.slack_app -%>
# `make run` and `make simulate` share a signing secret and bot token of this checkout only
# (random, in var/, which git ignores) and a loopback Slack Web API that `simulate` answers, so
# the Slack endpoints work without a Slack workspace. Variables already set in the environment
# (a real workspace's references) win.
LOCAL_SLACK := var/local-slack
LOCAL_SLACK_ENV = \
	APP_SLACK_SIGNING_SECRET_REF="$${APP_SLACK_SIGNING_SECRET_REF:-file:$(CURDIR)/$(LOCAL_SLACK)/signing-secret}" \
	APP_SLACK_BOT_TOKEN_REF="$${APP_SLACK_BOT_TOKEN_REF:-file:$(CURDIR)/$(LOCAL_SLACK)/bot-token}" \
	APP_SLACK_API_BASE_URL="$${APP_SLACK_API_BASE_URL:-http://127.0.0.1:$(LOCAL_SLACK_API_PORT)/api/}"
LOCAL_SLACK_API_PORT ?= 8099
TEXT ?= /notes add buy milk

$(LOCAL_SLACK)/signing-secret $(LOCAL_SLACK)/bot-token:
	@mkdir -p $(@D)
	@umask 077 && $(PYTHON) -c 'import secrets, sys; print(sys.argv[1] + secrets.token_hex(32))' \
		"$(if $(findstring bot-token,$@),xoxb-local-)" > $@

.PHONY: simulate
run: $(RUNTIME_STAMP) $(LOCAL_SLACK)/signing-secret $(LOCAL_SLACK)/bot-token ## Start the service locally (http://127.0.0.1:8000<% if cookiecutter.database == 'postgresql' %>, SQLite in var/<% endif %>)
	$(LOCAL_SLACK_ENV) $(RUN_PYTHON) -m $(PACKAGE) serve

simulate: $(RUNTIME_STAMP) $(LOCAL_SLACK)/signing-secret $(LOCAL_SLACK)/bot-token ## Send TEXT="/notes add buy milk" to `make run`'s service as Slack would; print the reply
	@$(LOCAL_SLACK_ENV) $(RUN_PYTHON) -m $(PACKAGE) simulate "$(TEXT)"
<% else -%>
run: $(RUNTIME_STAMP) ## Start the service locally (http://127.0.0.1:8000<% if cookiecutter.database == 'postgresql' %>, SQLite in var/<% endif %>)
	$(RUN_PYTHON) -m $(PACKAGE) serve
<% endif -%>

lock: $(VENV_STAMP) ## Re-resolve requirements*.lock from pyproject.toml (needs the package index)
	$(UV_COMPILE) --output-file=requirements.lock
	$(UV_COMPILE) --group=pyproject.toml:dev --output-file=requirements-dev.lock

CI_CHECKS += lint-python typecheck test
