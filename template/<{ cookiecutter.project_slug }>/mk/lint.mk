# Repository-wide linters that are not tied to one language.
.PHONY: lint-yaml
lint-yaml: ## Lint every YAML file (Helm templates are checked by helm instead)
	yamllint --strict .

CI_CHECKS += lint-yaml
