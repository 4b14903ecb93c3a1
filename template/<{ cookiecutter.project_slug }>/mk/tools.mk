# Toolchain: every tool and its pinned version is listed in .tool-versions.
TOOL_VERSIONS := .tool-versions

.PHONY: check-tools
check-tools: ## Check that every tool pinned in .tool-versions is on PATH
	@missing=""; \
	while read -r tool version; do \
		case "$$tool" in ""|\#*|python|postgres) continue ;; esac; \
		command -v "$$tool" >/dev/null 2>&1 || missing="$$missing $$tool@$$version"; \
	done < $(TOOL_VERSIONS); \
	if [ -n "$$missing" ]; then \
		echo "missing tools:$$missing" >&2; \
		echo "install them at the versions pinned in $(TOOL_VERSIONS) (asdf/mise read it), then re-run." >&2; \
		exit 1; \
	fi

CI_CHECKS += check-tools
