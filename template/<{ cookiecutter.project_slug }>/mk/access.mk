# Access governance (docs/access.md): just-in-time grants, the periodic access review, and the
# checks of the break-glass checklist and the compliance mapping.
ACCESS_GRANTS := out/access/grants
ACCESS_REVIEW_OUT := out/access/review.json
ROLE ?= operator
HOURS ?= 4
REASON ?=
TICKET ?=

.PHONY: grant-access access-review compliance-check break-glass-check

grant-access: ## Write a time-bound RoleBinding: make grant-access USER=<idp user> ROLE=operator HOURS=4 REASON=...
	@if [ "$(origin USER)" != "command line" ] && [ -z "$(GROUP)" ]; then \
		echo "grant-access: give USER=<IdP user> (or GROUP=<IdP group>) on the command line; the shell's \$$USER is never used" >&2; exit 2; fi
	@file="$$($(PYTHON) scripts/grant_access.py \
		$(if $(GROUP),--group "$(GROUP)",--user "$(USER)") --role "$(ROLE)" --hours "$(HOURS)" \
		--reason "$(REASON)" --ticket "$(TICKET)" --release $(CHART_RELEASE) --namespace $(CHART_NAMESPACE) \
		--out $(ACCESS_GRANTS))"; \
	$(CONFTEST_TEST) "$$file" || { rm -f "$$file"; echo "grant-access: the grant failed the access policies" >&2; exit 1; }; \
	echo "wrote $$file; apply it with: kubectl apply -f $$file"

access-review: ## Review file of every RoleBinding and IAM principal with its last use (docs/audit.md#access-review)
	$(PYTHON) scripts/access_review.py --output $(ACCESS_REVIEW_OUT) $(ACCESS_REVIEW_ARGS)

COMPLIANCE_MAP := docs/compliance/controls.yaml
COMPLIANCE_PATHS := out/compliance/repository.json
BREAK_GLASS_CHECKLIST := docs/break-glass-checklist.yaml
BREAK_GLASS_SAMPLES := tests/fixtures/break-glass
RECORD ?=

compliance-check: ## Every covered control in docs/compliance/controls.yaml maps to artifacts that exist (CMP-001)
	@mkdir -p $(dir $(COMPLIANCE_PATHS))
	@$(PYTHON) -c 'import json, pathlib, sys; skip = {".git", ".venv", ".tools", "out", "reports", "node_modules"}; \
		paths = sorted(str(p) for p in pathlib.Path(".").rglob("*") if not skip & set(p.parts)); \
		json.dump({"repository": {"paths": paths}}, open(sys.argv[1], "w"))' $(COMPLIANCE_PATHS)
	$(CONFTEST_TEST) --data $(COMPLIANCE_PATHS) $(COMPLIANCE_MAP)

break-glass-check: ## Walk the break-glass samples (or RECORD=<incident record>) through docs/break-glass-checklist.yaml (BGL-001)
ifneq ($(RECORD),)
	$(CONFTEST_TEST) $(BREAK_GLASS_CHECKLIST) $(RECORD)
else
	$(CONFTEST_TEST) $(BREAK_GLASS_CHECKLIST) $(BREAK_GLASS_SAMPLES)/complete.yaml
	@out="$$($(CONFTEST_TEST) $(BREAK_GLASS_CHECKLIST) $(BREAK_GLASS_SAMPLES)/incomplete.yaml 2>&1)" \
		&& { echo "break-glass-check: the incomplete sample passed the checklist" >&2; exit 1; }; \
	for expect in 'step "notify-security"' 'step "revoke" was late' 'mandatory review'; do \
		grep -qF -- "$$expect" <<<"$$out" || { echo "break-glass-check: the incomplete sample was not rejected for: $$expect" >&2; echo "$$out" >&2; exit 1; }; \
	done; echo "break-glass-check: the incomplete sample is rejected (missing step, late step, absent review)"
endif

CI_CHECKS += compliance-check break-glass-check
