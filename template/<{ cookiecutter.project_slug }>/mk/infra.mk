# Terraform (infra/): every check that can run without cloud credentials. Each one prints what it
# ran; a check that cannot run here says so and why (docs/infra.md#checks), never silently.
INFRA_DIR := infra
INFRA_ENVS := dev staging prod
INFRA_MODULES := $(sort $(notdir $(wildcard $(INFRA_DIR)/modules/*)))
INFRA_ROOTS := $(addprefix $(INFRA_DIR)/modules/,$(INFRA_MODULES)) $(addprefix $(INFRA_DIR)/envs/,$(INFRA_ENVS))
INFRA_TF_FILES = $(sort $(wildcard $(addsuffix /*.tf,$(INFRA_ROOTS))))
TOFU ?= tofu
# The Terraform rules (policy/terraform/*.rego, not their tests or fixtures), as conftest namespaces.
INFRA_POLICY_NAMESPACES = $(sort $(shell sed -n 's/^package \(terraform\.[a-z_]*\)$$/\1/p' policy/terraform/*.rego | grep -v -e '_test$$'))
# validate: auto = when the hashicorp/aws provider is installable (a mirror at INFRA_PROVIDER_MIRROR,
# or registry access: set INFRA_VALIDATE=required, as the GitHub workflow does); off = never.
INFRA_VALIDATE ?= auto
INFRA_PROVIDER_MIRROR ?= $(HOME)/.terraform.d/plugins
export BC_SKIP_MAPPING := TRUE
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2 := false

.PHONY: infra-fmt-check infra-fmt infra-validate infra-lint infra-docs infra-docs-check infra-policy infra-checkov infra-check

infra-fmt-check: ## Check the Terraform formatting (tofu fmt parses every file)
	$(TOFU) fmt -check -diff -recursive $(INFRA_DIR)
	@echo "infra-fmt-check: ran tofu fmt -check on $(words $(INFRA_TF_FILES)) files"

infra-fmt: ## Format the Terraform
	$(TOFU) fmt -recursive $(INFRA_DIR)

infra-validate: ## tofu init -backend=false + validate each root (needs the hashicorp/aws provider)
	@if [ "$(INFRA_VALIDATE)" = off ]; then echo "infra-validate: NOT RUN (INFRA_VALIDATE=off)"; exit 0; fi; \
	if [ "$(INFRA_VALIDATE)" = auto ] && [ ! -d "$(INFRA_PROVIDER_MIRROR)/registry.opentofu.org/hashicorp/aws" ]; then \
		echo "infra-validate: NOT RUN: tofu init/validate need the hashicorp/aws provider, and none is installable here" \
			"(no provider mirror at $(INFRA_PROVIDER_MIRROR); set INFRA_VALIDATE=required where the registry is reachable," \
			"as the GitHub workflow does). Ran instead: fmt, tflint (Terraform ruleset), terraform-docs, conftest, checkov."; \
		exit 0; \
	fi; \
	for root in $(INFRA_ROOTS); do \
		echo "infra-validate: $$root"; \
		$(TOFU) -chdir=$$root init -backend=false -input=false -no-color >/dev/null || exit 1; \
		$(TOFU) -chdir=$$root validate -no-color || exit 1; \
	done

infra-lint: ## tflint with the Terraform language ruleset on every module and environment
	tflint --version
	tflint --chdir=$(INFRA_DIR) --recursive --config=$(CURDIR)/$(INFRA_DIR)/.tflint.hcl --format=compact
	@echo "infra-lint: ran tflint (Terraform ruleset, preset all) on $(words $(INFRA_ROOTS)) roots; AWS ruleset: in the GitHub workflow only"

infra-docs: ## Regenerate the modules' README.md inputs/outputs tables
	for module in $(INFRA_MODULES); do \
		terraform-docs --config $(INFRA_DIR)/.terraform-docs.yml $(INFRA_DIR)/modules/$$module || exit 1; \
	done

infra-docs-check: ## Check the modules' README.md tables are current
	@for module in $(INFRA_MODULES); do \
		terraform-docs --config $(INFRA_DIR)/.terraform-docs.yml --output-check $(INFRA_DIR)/modules/$$module \
			|| { echo "$(INFRA_DIR)/modules/$$module/README.md is out of date: run 'make infra-docs'" >&2; exit 1; }; \
	done
	@echo "infra-docs-check: $(words $(INFRA_MODULES)) module READMEs are current"

infra-policy: ## conftest: the Terraform rules (policy/terraform) on all of infra/ at once
	conftest test --combine --parser hcl2 --no-color --policy policy \
		$(addprefix --namespace ,$(INFRA_POLICY_NAMESPACES)) $(INFRA_TF_FILES)

infra-checkov: ## checkov on infra/ (offline; triaged skips in infra/.checkov.yaml)
	checkov --config-file $(INFRA_DIR)/.checkov.yaml --directory $(INFRA_DIR)

infra-check: infra-fmt-check infra-validate infra-lint infra-docs-check infra-policy infra-checkov ## Every Terraform check

CI_CHECKS += infra-fmt-check infra-validate infra-lint infra-docs-check infra-policy infra-checkov
