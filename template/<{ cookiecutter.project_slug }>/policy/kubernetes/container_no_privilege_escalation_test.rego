package container_no_privilege_escalation_test

import data.container_no_privilege_escalation
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_no_privilege_escalation.deny) == 0 with input as fixtures.release
}

test_denies_unset if {
	messages := container_no_privilege_escalation.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"}])
	named(messages)
}

test_denies_allowed if {
	messages := container_no_privilege_escalation.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation", "value": true}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-003] ")
	}
}
