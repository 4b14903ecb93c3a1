# Toolchain: every tool and its pinned version is listed in .tool-versions (mise and asdf read
# it; the GitHub workflows install from it with mise).
TOOL_VERSIONS := .tool-versions

.PHONY: check-tools
check-tools: ## Check that every tool pinned in .tool-versions is on PATH at exactly that version
	$(PYTHON) scripts/check_tools.py $(TOOL_VERSIONS)

CI_CHECKS += check-tools
