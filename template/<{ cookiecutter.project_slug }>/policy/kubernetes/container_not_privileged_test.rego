package container_not_privileged_test

import data.container_not_privileged
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_not_privileged.deny) == 0 with input as fixtures.release
}

test_denies_privileged if {
	messages := container_not_privileged.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": true}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-006] ")
	}
}
