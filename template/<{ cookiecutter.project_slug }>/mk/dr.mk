# Disaster recovery (docs/dr.md): every runbook step names a script or make target that exists<% if cookiecutter.database == 'postgresql' %>,
# and the point-in-time restore of PostgreSQL is planned (dry-run), carried out and rehearsed by
# scripts/restore_drill.py (docs/runbooks/restore.md)<% endif %>. Velero's backup Schedules are in the chart
# (templates/velero.yaml), checked by policy/backup/ in `make chart-policy`. The LitmusChaos
# experiments in chaos/ are linted and policy-checked here; LitmusChaos publishes no Go module
# whose CRDs kubeconform could read, so ChaosEngine is checked by policy CHS-001 and yamllint only.
.PHONY: runbook-check chaos-check<% if cookiecutter.database == 'postgresql' %> restore-plan restore-pitr restore-drill<% endif %>

runbook-check: ## Fail when a runbook step names a script or make target that does not exist
	python3 scripts/check_runbooks.py docs/dr.md docs/runbooks
<%- if cookiecutter.database == 'postgresql' %>

# The backup repository (pg_basebackup base backups in base/, archived WAL in wal/) and the time
# to restore to, ISO 8601 with its zone: make restore-plan BACKUP_REPO=/backups TARGET_TIME=...
BACKUP_REPO ?=
TARGET_TIME ?=
RESTORE_DATA_DIR ?=
RESTORE_PORT ?= 5433

restore-plan: .venv/.installed ## Dry-run: print the restore steps to TARGET_TIME and check their preconditions
	@test -n "$(BACKUP_REPO)" -a -n "$(TARGET_TIME)" || { echo "set BACKUP_REPO and TARGET_TIME (docs/runbooks/restore.md)" >&2; exit 2; }
	$(VENV_BIN)/python scripts/restore_drill.py plan --repo "$(BACKUP_REPO)" --target-time "$(TARGET_TIME)"

restore-pitr: .venv/.installed ## Restore BACKUP_REPO to TARGET_TIME into the new RESTORE_DATA_DIR and promote it
	@test -n "$(BACKUP_REPO)" -a -n "$(TARGET_TIME)" -a -n "$(RESTORE_DATA_DIR)" || { echo "set BACKUP_REPO, TARGET_TIME and RESTORE_DATA_DIR (docs/runbooks/restore.md)" >&2; exit 2; }
	$(VENV_BIN)/python scripts/restore_drill.py restore --repo "$(BACKUP_REPO)" --target-time "$(TARGET_TIME)" \
		--data-dir "$(RESTORE_DATA_DIR)" --port $(RESTORE_PORT)

restore-drill: .venv/.installed ## Rehearse a point-in-time restore on throwaway servers; report rows lost and restore time
	$(VENV_BIN)/python scripts/restore_drill.py drill

# Needs root (network namespaces): sudo make failover-drill. See docs/dr.md.
.PHONY: failover-drill
failover-drill: .venv/.installed ## Two-region failover drill (root): cut the primary off, DNS fails over, promote, fail back; RTO and RPO
	$(VENV_BIN)/python scripts/failover_drill.py
<%- endif %>
<%- if cookiecutter.database == 'postgresql' and cookiecutter.slack_app %>

.PHONY: chaos-local
chaos-local: .venv/.installed ## Chaos under load on real servers: kill the service, restart and cut off PostgreSQL
	$(VENV_BIN)/python scripts/chaos_local.py
<%- endif %>

chaos-check: ## Lint the LitmusChaos experiments in chaos/ and check their SLO steady-state probes (CHS-001)
	yamllint --strict chaos
	$(CONFTEST_TEST) chaos/*.yaml

CI_CHECKS += runbook-check chaos-check
