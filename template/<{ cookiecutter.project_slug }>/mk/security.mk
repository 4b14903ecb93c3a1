# Supply chain and security scans (docs/security-scans.md).
#
# Offline scans, in `make ci`: the suppressions file first (an expired entry fails before any scan
# runs), then semgrep with the committed rules in .semgrep/, bandit (configured in
# pyproject.toml), gitleaks over the working tree and the git history, and actionlint on the
# workflows. Every scanner reads its accepted findings from .security-suppressions.toml.
#
# Image provenance, run against a registry (CI, or a local registry): `make sbom sign verify`.
# They work on the image by digest: IMAGE_REF names it (REGISTRY/NAME@sha256:... or a tag, which
# `sign` resolves once and records in $(SUPPLY_CHAIN_OUT)/digest).
SUPPRESS = $(shell python3 scripts/security_suppressions.py args $(1))
SECURITY_SOURCES := src scripts migrations
SUPPLY_CHAIN_OUT := out/supply-chain
# Offline: no update checks.
export SYFT_CHECK_FOR_APP_UPDATE := false
# Top-level paths that are build output or local environments, not repository content.
GITLEAKS_SKIP := .git .venv .tools out reports build dist var .mypy_cache .ruff_cache .pytest_cache .hypothesis

.PHONY: scan scan-suppressions scan-semgrep scan-bandit scan-gitleaks lint-workflows
scan: scan-suppressions scan-semgrep scan-bandit scan-gitleaks lint-workflows ## Run every offline security scan

scan-suppressions: ## Fail on an expired or malformed entry in .security-suppressions.toml
	python3 scripts/security_suppressions.py check

scan-semgrep: scan-suppressions ## semgrep with the committed rules in .semgrep/ (offline, no registry)
	semgrep scan --config .semgrep --metrics=off --disable-version-check --error --quiet \
		$(call SUPPRESS,semgrep) $(SECURITY_SOURCES) tests

scan-bandit: scan-suppressions ## bandit over the code (fails on medium severity and above; pyproject.toml)
	bandit --quiet -c pyproject.toml --severity-level medium -r $(SECURITY_SOURCES) $(call SUPPRESS,bandit)

scan-gitleaks: scan-suppressions ## gitleaks over the working tree and, in a git checkout, the whole history
	@ignore="$$(mktemp)"; trap 'rm -f "$$ignore"' EXIT; \
	python3 scripts/security_suppressions.py ignorefile gitleaks "$$ignore"; \
	for path in * .[!.]*; do \
		case " $(GITLEAKS_SKIP) " in *" $$path "*) continue ;; esac; \
		[ -e "$$path" ] || continue; \
		gitleaks dir --no-banner --redact --verbose --log-level warn --config .gitleaks.toml \
			--gitleaks-ignore-path "$$ignore" "$$path" || { echo "gitleaks: secrets found in $$path" >&2; exit 1; }; \
	done; \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && git rev-parse --verify --quiet HEAD >/dev/null; then \
		gitleaks git --no-banner --redact --verbose --log-level warn --config .gitleaks.toml \
			--gitleaks-ignore-path "$$ignore" . || { echo "gitleaks: secrets found in the git history" >&2; exit 1; }; \
	fi; \
	echo "gitleaks: no leaks in the working tree or the history"

lint-workflows: ## Lint the GitHub workflows (actionlint, with shellcheck on every run: step)
	actionlint -no-color $(wildcard .github/workflows/*.yml)

CI_CHECKS += scan-suppressions scan-semgrep scan-bandit scan-gitleaks lint-workflows

# ---------------------------------------------------------------------------------------------
# SBOM, signature and attestation of the built image.
IMAGE_REF ?= $(IMAGE):$(IMAGE_TAG)
# The key pair of the local flow lives outside the working tree (gitleaks would flag the private
# key here): cosign generate-key-pair --output-key-prefix ~/.cosign/<{ cookiecutter.project_slug }>
COSIGN_KEY ?= $(HOME)/.cosign/<{ cookiecutter.project_slug }>.key
COSIGN_PUB ?= $(HOME)/.cosign/<{ cookiecutter.project_slug }>.pub
# Set REGISTRY_INSECURE=1 for a plain-HTTP registry on 127.0.0.1 (the end-to-end test's).
REGISTRY_INSECURE ?=
SIGNED_DIGEST = $(SUPPLY_CHAIN_OUT)/digest

SUPPLY_CHAIN = python3 scripts/supply_chain.py $(if $(REGISTRY_INSECURE),--insecure-registry)

.PHONY: sbom sbom-image sbom-python sign verify
sbom: sbom-image sbom-python ## Write the image's and the Python environment's SBOMs (CycloneDX, SPDX)

sbom-image: ## SBOM of the image at IMAGE_REF, by digest (syft; CycloneDX and SPDX JSON)
	@mkdir -p $(SUPPLY_CHAIN_OUT)
	ref="$$($(SUPPLY_CHAIN) resolve $(IMAGE_REF))"; \
	SYFT_REGISTRY_INSECURE_USE_HTTP=$(if $(REGISTRY_INSECURE),true,false) syft scan --quiet "registry:$$ref" \
		-o cyclonedx-json=$(SUPPLY_CHAIN_OUT)/image.cdx.json -o spdx-json=$(SUPPLY_CHAIN_OUT)/image.spdx.json; \
	echo "SBOM of $$ref: $(SUPPLY_CHAIN_OUT)/image.cdx.json, $(SUPPLY_CHAIN_OUT)/image.spdx.json"

sbom-python: ## SBOM of the locked Python dependencies, requirements.lock (cyclonedx-py; CycloneDX and SPDX JSON)
	@mkdir -p $(SUPPLY_CHAIN_OUT)
	cyclonedx-py requirements --pyproject pyproject.toml --of JSON -o $(SUPPLY_CHAIN_OUT)/python.cdx.json requirements.lock
	syft convert --quiet $(SUPPLY_CHAIN_OUT)/python.cdx.json -o spdx-json=$(SUPPLY_CHAIN_OUT)/python.spdx.json

sign: ## Sign IMAGE_REF by digest with COSIGN_KEY and attest its CycloneDX SBOM (after make sbom-image)
	$(SUPPLY_CHAIN) sign $(IMAGE_REF) --key $(COSIGN_KEY) --sbom $(SUPPLY_CHAIN_OUT)/image.cdx.json --record $(SIGNED_DIGEST)

verify: ## Verify IMAGE_REF's signature and SBOM attestation, for the digest that `make sign` recorded
	$(SUPPLY_CHAIN) verify $(IMAGE_REF) --key $(COSIGN_PUB) --signed-digest-file $(SIGNED_DIGEST)

# ---------------------------------------------------------------------------------------------
# DAST: schemathesis against the running service's OpenAPI document (scripts/dast.py). The
# service runs on a free loopback port, on a throwaway SQLite database, without Slack; the
# examples per operation and the run's seconds are bounded. Reports: $(REPORTS)/dast-*.
DAST_MAX_EXAMPLES ?= 25
DAST_TIME_LIMIT ?= 120

.PHONY: dast
dast: $(VENV_STAMP) scan-suppressions ## DAST: schemathesis on the running service (5xx, response schema, crashes)
	$(VENV_BIN)/python scripts/dast.py --reports $(REPORTS) --max-examples $(DAST_MAX_EXAMPLES) \
		--time-limit $(DAST_TIME_LIMIT)

CI_CHECKS += dast
