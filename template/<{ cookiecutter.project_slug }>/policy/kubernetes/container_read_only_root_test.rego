package container_read_only_root_test

import data.container_read_only_root
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_read_only_root.deny) == 0 with input as fixtures.release
}

test_denies_writable_root if {
	messages := container_read_only_root.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem", "value": false}])
	named(messages)
}

test_denies_unset if {
	messages := container_read_only_root.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem"}])
	named(messages)
}

test_denies_at_admission if {
	messages := container_read_only_root.deny with input as fixtures.admission(json.patch(fixtures.deployment, [{"op": "remove", "path": "/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem"}]))
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-002] ")
	}
}
