# Policies (policy/, Rego for conftest): unit tests, formatting, and the Gatekeeper
# ConstraintTemplates generated from the same Rego. docs/policies.md lists every rule.
POLICY_DIR := policy
# Advisory rules (warn) do not fail CI; set POLICY_FAIL_ON_WARN=1 to make them.
POLICY_FAIL_ON_WARN ?=
CONFTEST_TEST := conftest test --combine --all-namespaces --no-color --parser yaml --policy $(POLICY_DIR) \
	$(if $(POLICY_FAIL_ON_WARN),--fail-on-warn)

.PHONY: policy-test policy-fmt-check policy-gatekeeper policy-gatekeeper-check

policy-test: ## Run the policies' unit tests (allow and deny fixtures) with conftest verify
	conftest verify --no-color --policy $(POLICY_DIR)

policy-fmt-check: ## Check that the Rego is formatted and compiles strictly
	opa check --strict $(POLICY_DIR)
	@unformatted="$$(opa fmt --list $(POLICY_DIR))"; \
	if [ -n "$$unformatted" ]; then echo "not formatted (run 'opa fmt -w $(POLICY_DIR)'):" >&2; echo "$$unformatted" >&2; exit 1; fi

policy-gatekeeper: ## Regenerate the Gatekeeper ConstraintTemplates and Constraints from the Rego
	python3 $(POLICY_DIR)/gatekeeper/generate.py

policy-gatekeeper-check: ## Check the Gatekeeper files are in sync with the Rego and valid
	python3 $(POLICY_DIR)/gatekeeper/generate.py --check
	$(KUBECONFORM) $(POLICY_DIR)/gatekeeper/templates

CI_CHECKS += policy-test policy-fmt-check policy-gatekeeper-check
