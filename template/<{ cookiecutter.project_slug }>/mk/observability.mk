# Observability: the SLO spec, the Prometheus rules and their tests, Alertmanager routing, the
# dashboard and the OpenTelemetry Collector configuration. docs/slo.md and
# docs/observability.md explain them; observability/ holds the sources, and the chart ships the
# rule files and the dashboard from charts/<{ cookiecutter.project_slug }>/files/.
OBS := observability
OBS_FILES := charts/<{ cookiecutter.project_slug }>/files
SLO_SPEC := $(OBS)/slos.yaml
SLO_RULES := $(OBS_FILES)/prometheus/slo-rules.yaml
RULE_FILES := $(OBS_FILES)/prometheus/recording-rules.yaml $(SLO_RULES)
RULE_TESTS := $(sort $(wildcard $(OBS)/rules/tests/*.yaml))
ALERTMANAGER_CONFIG := $(OBS)/alertmanager/alertmanager.yaml
COLLECTOR_CONFIG := $(OBS)/collector/config.yaml
OBS_OUT := out/observability
# The virtualenv comes from mk/python.mk (included later, hence the literal stamp path .venv/.installed).
# sloth's SLO period: the 30-day window, whose alert windows are the SRE workbook's
# (page 14.4x 1h/5m and 6x 6h/30m, ticket 3x 1d/2h and 1x 3d/6h).
SLOTH_GENERATE = sloth generate --default-slo-period=30d --input $(SLO_SPEC)
CHECK_OBSERVABILITY = $(VENV_BIN)/python scripts/check_observability.py

.PHONY: slo-rules slo-spec-check slo-rules-check slo-buckets-check rules-check rules-test \
	alert-metadata-check promql-check alertmanager-check collector-check

slo-rules: slo-spec-check ## Regenerate the SLO rules from observability/slos.yaml (sloth)
	$(SLOTH_GENERATE) --out $(SLO_RULES)

slo-spec-check: .venv/.installed ## Check that the SLO spec is well formed (fields, objectives in (0, 100))
	$(CHECK_OBSERVABILITY) spec

slo-rules-check: slo-spec-check ## Fail when the committed SLO rules are not what sloth generates from the spec
	@mkdir -p $(OBS_OUT)
	@$(SLOTH_GENERATE) --out $(OBS_OUT)/slo-rules.yaml 2>$(OBS_OUT)/sloth.log \
		|| { cat $(OBS_OUT)/sloth.log >&2; exit 1; }
	@diff -u $(SLO_RULES) $(OBS_OUT)/slo-rules.yaml \
		|| { echo "slo-rules-check: $(SLO_RULES) is stale; run 'make slo-rules' and commit it" >&2; exit 1; }

slo-buckets-check: .venv/.installed ## Check that every SLO latency threshold is a histogram bucket boundary
	$(CHECK_OBSERVABILITY) buckets

rules-check: ## promtool check rules and pint lint the rule files
	promtool check rules $(RULE_FILES)
	pint --offline --no-color --config $(OBS)/pint.hcl lint $(RULE_FILES)

rules-test: ## Run the promtool rule tests (every alert fires when it must and stays quiet otherwise)
	promtool test rules $(RULE_TESTS)

alert-metadata-check: .venv/.installed ## Check the labels, annotations and runbooks of every alert
	$(CHECK_OBSERVABILITY) alerts

promql-check: .venv/.installed ## Check that every rule and dashboard query parses and reads known metrics
	$(CHECK_OBSERVABILITY) promql

alertmanager-check: .venv/.installed ## amtool check-config and a routes test for every alert
	amtool check-config $(ALERTMANAGER_CONFIG)
	$(CHECK_OBSERVABILITY) routes

collector-check: ## Validate the OpenTelemetry Collector configuration with the pinned collector build
	otelcol-pavedroad validate --config $(COLLECTOR_CONFIG)

CI_CHECKS += slo-spec-check slo-rules-check slo-buckets-check rules-check rules-test \
	alert-metadata-check promql-check alertmanager-check collector-check
