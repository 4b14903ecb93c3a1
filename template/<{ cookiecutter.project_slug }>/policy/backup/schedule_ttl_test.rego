package backup_schedule_ttl_test

import data.backup_schedule_ttl

schedule := {
	"apiVersion": "velero.io/v1",
	"kind": "Schedule",
	"metadata": {"name": "svc-daily", "namespace": "velero"},
	"spec": {"schedule": "43 2 * * *", "template": {"includedNamespaces": ["svc"], "ttl": "720h0m0s"}},
}

test_allows_schedule_with_ttl if {
	count(backup_schedule_ttl.deny) == 0 with input as schedule
}

test_allows_backup_with_ttl if {
	count(backup_schedule_ttl.deny) == 0 with input as {"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "b"}, "spec": {"ttl": "1h"}}
}

test_denies_schedule_without_ttl if {
	messages := backup_schedule_ttl.deny with input as json.remove(schedule, ["spec/template/ttl"])
	count(messages) == 1
	some m in messages
	startswith(m, "[BKP-002] Schedule/svc-daily: ")
}

test_denies_zero_ttl if {
	count(backup_schedule_ttl.deny) == 1 with input as json.patch(schedule, [{"op": "replace", "path": "/spec/template/ttl", "value": "0h0m0s"}])
}

test_denies_through_gatekeeper_review if {
	count(backup_schedule_ttl.deny) == 1 with input as {"review": {"object": json.remove(schedule, ["spec/template/ttl"])}}
}

test_ignores_other_kinds if {
	count(backup_schedule_ttl.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
}
