# Toolchain: every tool and its pinned version is listed in .tool-versions (mise and asdf read
# it; the GitHub workflows install from it with mise). `make tools` installs what is missing and
# the offline kubeconform schemas (scripts/install_tools.py, docs/toolchain.md): what it builds
# lives in TOOLS_CACHE, shared by every checkout, and is linked into .tools/, first on PATH here.
TOOL_VERSIONS := .tool-versions
TOOLS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/pavedroad-service-tools
export TOOLS_CACHE
export PATH := $(CURDIR)/.tools/bin:$(PATH)

.PHONY: tools check-tools
tools: venv ## Install the pinned tools that are missing (mise, else from source) and the kubeconform schemas
	$(VENV_BIN)/python scripts/install_tools.py

check-tools: ## Check that every tool pinned in .tool-versions is on PATH at exactly that version
	$(PYTHON) scripts/check_tools.py $(TOOL_VERSIONS)

CI_CHECKS += check-tools
