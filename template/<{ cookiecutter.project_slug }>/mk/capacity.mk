# Load test and capacity plan (docs/capacity.md): `make loadtest` measures the service, and
# `make capacity-plan` checks that the chart's autoscaling agrees with the measurement.
LOADTEST_DURATION ?= 30
LOADTEST_CONCURRENCY ?= 8
LOADTEST_ARGS ?=
CAPACITY_BASELINE := docs/capacity/baseline.json
CAPACITY_ENVS ?= default prod
CAPACITY_MARGIN ?= 0.25

.PHONY: loadtest capacity-plan

# mk/ files are included in name order, so the virtualenv and the renders (python.mk, helm.mk) are
# built through recipes, where their variables are already defined.
loadtest: ## Bounded headless load test of a local instance; writes docs/capacity/baseline.json
	@$(MAKE) --no-print-directory venv
	$(VENV_BIN)/python scripts/loadtest.py --duration $(LOADTEST_DURATION) --concurrency $(LOADTEST_CONCURRENCY) \
		--output $(CAPACITY_BASELINE) $(LOADTEST_ARGS)

capacity-plan: ## Check replicas and HPA targets against the baseline and the expected peak
	@$(MAKE) --no-print-directory $(foreach env,$(CAPACITY_ENVS),$(CHART_OUT)/$(env).manifests)
	@for env in $(CAPACITY_ENVS); do \
		$(PYTHON) scripts/capacity_plan.py --baseline $(CAPACITY_BASELINE) --margin $(CAPACITY_MARGIN) \
			--manifests $(CHART_OUT)/$$env.manifests --output out/capacity/$$env.json || exit 1; \
	done

CI_CHECKS += capacity-plan
