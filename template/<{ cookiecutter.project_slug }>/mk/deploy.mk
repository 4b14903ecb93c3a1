# Delivery (docs/gitops.md, docs/delivery.md, docs/mesh.md): the Argo CD tree in deploy/ validated
# and checked against the policies, the project against what each environment renders (the chart
# renders themselves are validated per environment by mk/helm.mk), Slack's retry budget on the
# mesh routes, promotion by digest, and migrations that must not contract in a code release.
DEPLOY_DIR := deploy/argocd
DEPLOY_MANIFESTS := $(sort $(wildcard $(DEPLOY_DIR)/*.yaml $(DEPLOY_DIR)/apps/*.yaml))
DEPLOY_ENVIRONMENTS := dev staging prod
# The environments' chart renders (mk/helm.mk, included after this file, writes them to out/chart).
DEPLOY_RENDERS := $(foreach env,$(DEPLOY_ENVIRONMENTS),out/chart/$(env).manifests)
# The release the migration check compares with: the latest tag by default (none: nothing to compare).
PREVIOUS_RELEASE ?= $(shell git describe --tags --abbrev=0 2>/dev/null)

.PHONY: deploy-kubeconform deploy-policy deploy-check mesh-retry-budget promote promotion-record promotion-check migrations-release-check migrations-release-fixtures

deploy-kubeconform: ## Validate the Argo CD AppProject and Applications (strict, offline CRD schemas)
	$(KUBECONFORM) $(DEPLOY_MANIFESTS)

deploy-policy: ## Check the Argo CD manifests against the policies (GIT-001, GIT-002)
	$(CONFTEST_TEST) $(DEPLOY_MANIFESTS)

deploy-policy-%: out/chart/%.manifests ## What Argo CD deploys to one environment (its render and the Argo CD tree), against the policies
	$(CONFTEST_TEST) out/chart/$*.manifests $(DEPLOY_MANIFESTS)

deploy-check: .venv/.installed $(DEPLOY_RENDERS) ## Each environment's Application deploys its values; the project allows every kind they render
	$(VENV_BIN)/python scripts/check_deploy.py out/chart

mesh-retry-budget: $(DEPLOY_RENDERS) ## Routes set timeouts and retries; /slack/ stays within Slack's 3 s (MSH-003)
	@for env in $(DEPLOY_ENVIRONMENTS); do \
		echo "retry budget: $$env"; \
		conftest test --combine --no-color --parser yaml --policy $(POLICY_DIR) --namespace route_timeouts out/chart/$$env.manifests || exit 1; \
	done

promote: ## Promote by digest: ENV=staging (from dev) or ENV=prod (from staging); ENV=dev DIGEST=sha256:...
	@test -n "$(ENV)" || { echo "usage: make promote ENV=staging|prod (or ENV=dev DIGEST=sha256:...)" >&2; exit 1; }
	$(VENV_BIN)/python scripts/promote.py promote $(ENV) $(if $(DIGEST),--digest $(DIGEST))

promotion-record: ## Record ENV's digest as having passed ENV's checks (the promote workflow runs it)
	@test -n "$(ENV)" || { echo "usage: make promotion-record ENV=dev|staging" >&2; exit 1; }
	$(VENV_BIN)/python scripts/promote.py record $(ENV)

promotion-check: .venv/.installed ## Every environment runs a digest that passed the environment before it
	$(VENV_BIN)/python scripts/promote.py check

migrations-release-check: .venv/.installed ## Refuse a contract migration that drops what the previous release still reads
	$(VENV_BIN)/python scripts/check_release_migrations.py $(if $(PREVIOUS_RELEASE),--previous-release $(PREVIOUS_RELEASE))

migrations-release-fixtures: .venv/.installed ## Prove the release check passes an expand and refuses a drop in the same release
	$(VENV_BIN)/python scripts/check_release_migrations.py --previous-src src tests/fixtures/migrations/expand_add_column.py
	@if out="$$($(VENV_BIN)/python scripts/check_release_migrations.py --previous-src src tests/fixtures/migrations/contract_drop_column.py 2>&1)"; then \
		echo "the release check accepted a column drop in the release that stops reading it" >&2; exit 1; \
	fi; \
	grep -qF "notes.text" <<<"$$out" || { echo "refused, but without naming notes.text:" >&2; echo "$$out" >&2; exit 1; }; \
	echo "refused as expected: $$out"

CI_CHECKS += deploy-kubeconform deploy-policy deploy-check mesh-retry-budget promotion-check migrations-release-check migrations-release-fixtures
