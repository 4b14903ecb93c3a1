# The Helm chart: lint, docs, schema, and the rendered manifests of every values set, each
# validated by kubeconform (offline schemas, CRDs included) and checked by the policies
# (mk/policy.mk). docs/kubernetes.md explains the matrix and the schema location.
CHART := charts/<{ cookiecutter.project_slug }>
CHART_RELEASE := <{ cookiecutter.project_slug }>
CHART_NAMESPACE := <{ cookiecutter.project_slug }>
# Rendered manifests, one file per values set. Named .manifests, not .yaml: they are helm's build
# output, checked by kubeconform and conftest, not source for yamllint.
CHART_OUT := out/chart

# Values sets rendered by CI: the defaults, each environment, and the edge cases in ci/edge-*.yaml.
# prod adds ci/release.yaml, which plays the release pipeline's part by setting image.digest.
CHART_VALUES_default :=
CHART_VALUES_dev := -f $(CHART)/values-dev.yaml
CHART_VALUES_staging := -f $(CHART)/values-staging.yaml
CHART_VALUES_prod := -f $(CHART)/values-prod.yaml -f $(CHART)/ci/release.yaml
CHART_EDGE_CASES := $(sort $(basename $(notdir $(wildcard $(CHART)/ci/edge-*.yaml))))
$(foreach case,$(CHART_EDGE_CASES),$(eval CHART_VALUES_$(case) := -f $(CHART)/ci/$(case).yaml))
CHART_VALUE_SETS := default dev staging prod $(CHART_EDGE_CASES)

# Offline JSON schemas for kubeconform, in its layout: kubernetes/v<version>-standalone-strict/
# and crds/<group>/<kind>_<version>.json. CI fetches the pinned set into this directory
# (docs/kubernetes.md#schemas); `make tools` links them here; KUBECONFORM_SCHEMAS overrides.
KUBECONFORM_SCHEMAS ?= .tools/schemas
KUBERNETES_VERSION ?= $(shell cat $(KUBECONFORM_SCHEMAS)/kubernetes-version 2>/dev/null || echo 1.35.4)
KUBECONFORM := kubeconform -strict -summary -output text \
	-kubernetes-version $(KUBERNETES_VERSION) \
	-schema-location '$(KUBECONFORM_SCHEMAS)/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json' \
	-schema-location '$(KUBECONFORM_SCHEMAS)/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'

CHART_RENDERS := $(foreach set,$(CHART_VALUE_SETS),$(CHART_OUT)/$(set).manifests)

.PHONY: chart-lint chart-render chart-kubeconform chart-policy chart-schema chart-docs chart-docs-check chart-always

chart-lint: $(addprefix chart-lint-,$(CHART_VALUE_SETS)) ## helm lint --strict the chart with every values set

chart-lint-%: chart-always
	helm lint --strict --quiet $(CHART) --namespace $(CHART_NAMESPACE) --kube-version $(KUBERNETES_VERSION) $(CHART_VALUES_$*)

chart-render: $(CHART_RENDERS) ## Render the chart with every values set into out/chart/<set>.manifests

$(CHART_OUT)/%.manifests: chart-always
	@mkdir -p $(CHART_OUT)
	helm template $(CHART_RELEASE) $(CHART) --namespace $(CHART_NAMESPACE) --kube-version $(KUBERNETES_VERSION) $(CHART_VALUES_$*) > $@.tmp
	@mv $@.tmp $@

chart-kubeconform: chart-render ## Validate every rendered values set with kubeconform (strict, offline schemas)
	@test -d $(KUBECONFORM_SCHEMAS)/kubernetes || { echo "kubeconform schemas not found in $(KUBECONFORM_SCHEMAS): run 'make tools' (docs/kubernetes.md#schemas)" >&2; exit 1; }
	@for file in $(CHART_RENDERS); do \
		echo "kubeconform $$file"; \
		$(KUBECONFORM) - < $$file || exit 1; \
	done

chart-policy: chart-render ## Check every rendered values set against the policies (conftest)
	@failed=""; \
	for file in $(CHART_RENDERS); do \
		echo "conftest test $$file"; \
		$(CONFTEST_TEST) $$file || failed="$$failed $$file"; \
	done; \
	if [ -n "$$failed" ]; then echo "policy violations in:$$failed" >&2; exit 1; fi

chart-schema: ## Prove values.schema.json and the chart reject each ci/invalid/*.yaml with its expected message
	@for file in $(sort $(wildcard $(CHART)/ci/invalid/*.yaml)); do \
		expect="$$(sed -n 's/^# expect: //p' $$file)"; \
		if [ -z "$$expect" ]; then echo "$$file: add a '# expect: <message>' line" >&2; exit 1; fi; \
		if out="$$(helm template $(CHART_RELEASE) $(CHART) --kube-version $(KUBERNETES_VERSION) -f $$file 2>&1)"; then \
			echo "$$file: the chart accepted invalid values" >&2; exit 1; \
		fi; \
		if ! grep -qF -- "$$expect" <<<"$$out"; then \
			echo "$$file: rejected, but without '$$expect':" >&2; echo "$$out" >&2; exit 1; \
		fi; \
		echo "rejected as expected: $$file"; \
	done

chart-docs: ## Regenerate the chart README from the values comments (helm-docs)
	helm-docs --chart-search-root charts --template-files README.md.gotmpl --sort-values-order file --log-level error

chart-docs-check: ## Check that the chart README is in sync with the values comments
	@mkdir -p $(CHART_OUT)
	@helm-docs --chart-search-root charts --template-files README.md.gotmpl --sort-values-order file \
		--dry-run --log-level error > $(CHART_OUT)/README.md.generated
	@diff -u $(CHART)/README.md $(CHART_OUT)/README.md.generated \
		|| { echo "$(CHART)/README.md is out of date; run 'make chart-docs' and commit" >&2; exit 1; }

CI_CHECKS += chart-lint chart-docs-check chart-schema chart-kubeconform chart-policy
