package container_non_root_test

import data.container_non_root
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_non_root.deny) == 0 with input as fixtures.release
}

test_denies_missing_run_as_non_root if {
	messages := container_non_root.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/securityContext/runAsNonRoot"}, {"op": "remove", "path": "/spec/template/spec/securityContext/runAsNonRoot"}])
	named(messages)
}

test_denies_root_user if {
	messages := container_non_root.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/runAsUser", "value": 0}])
	named(messages)
}

test_denies_missing_group if {
	messages := container_non_root.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/securityContext/runAsGroup"}, {"op": "remove", "path": "/spec/template/spec/securityContext/runAsGroup"}])
	named(messages)
}

test_denies_at_admission if {
	messages := container_non_root.deny with input as fixtures.admission(json.patch(fixtures.deployment, [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/runAsNonRoot", "value": false}]))
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-001] ")
	}
}
