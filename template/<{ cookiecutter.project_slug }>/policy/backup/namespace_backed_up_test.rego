package backup_namespace_backed_up_test

import data.backup_namespace_backed_up
import data.fixtures

schedule := {
	"apiVersion": "velero.io/v1",
	"kind": "Schedule",
	"metadata": {"name": "svc-hourly", "namespace": "velero", "labels": fixtures.labels},
	"spec": {"schedule": "17 * * * *", "template": {"includedNamespaces": ["svc"], "ttl": "24h0m0s"}},
}

deployment_in(ns) := object.union(fixtures.deployment, {"metadata": object.union(fixtures.deployment.metadata, {"namespace": ns})})

test_allows_release_with_its_schedule if {
	count(backup_namespace_backed_up.deny) == 0 with input as fixtures.combine(array.concat(fixtures.objects, [schedule]))
}

test_allows_named_namespace_covered if {
	count(backup_namespace_backed_up.deny) == 0 with input as fixtures.combine([deployment_in("svc"), schedule])
}

test_allows_all_namespaces_schedule if {
	everything := json.patch(schedule, [{"op": "replace", "path": "/spec/template/includedNamespaces", "value": ["*"]}])
	count(backup_namespace_backed_up.deny) == 0 with input as fixtures.combine([deployment_in("payments"), everything])
}

test_denies_release_without_schedule if {
	messages := backup_namespace_backed_up.deny with input as fixtures.combine(fixtures.objects)
	count(messages) > 0
	every m in messages {
		startswith(m, "[BKP-001] ")
		contains(m, "backup.schedules")
	}
}

test_denies_schedule_of_another_namespace if {
	messages := backup_namespace_backed_up.deny with input as fixtures.combine([deployment_in("payments"), schedule])
	count(messages) == 1
	some m in messages
	contains(m, "namespace payments")
}

test_denies_excluded_namespace if {
	excluding := json.patch(schedule, [
		{"op": "replace", "path": "/spec/template/includedNamespaces", "value": ["*"]},
		{"op": "add", "path": "/spec/template/excludedNamespaces", "value": ["svc"]},
	])
	count(backup_namespace_backed_up.deny) == 1 with input as fixtures.combine([deployment_in("svc"), excluding])
}

test_denies_paused_schedule if {
	paused := json.patch(schedule, [{"op": "add", "path": "/spec/paused", "value": true}])
	count(backup_namespace_backed_up.deny) > 0 with input as fixtures.combine(array.concat(fixtures.objects, [paused]))
}

test_ignores_documents_without_pods if {
	count(backup_namespace_backed_up.deny) == 0 with input as {"kind": "RoleBinding", "metadata": {"name": "b"}}
}
