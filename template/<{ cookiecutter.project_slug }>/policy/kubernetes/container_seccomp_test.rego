package container_seccomp_test

import data.container_seccomp
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_seccomp.deny) == 0 with input as fixtures.release
}

test_allows_container_level_only if {
	count(container_seccomp.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/securityContext/seccompProfile"}])
}

test_denies_unset if {
	messages := container_seccomp.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/securityContext/seccompProfile"}, {"op": "remove", "path": "/spec/template/spec/containers/0/securityContext/seccompProfile"}])
	named(messages)
}

test_denies_unconfined if {
	messages := container_seccomp.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/seccompProfile", "value": {"type": "Unconfined"}}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-005] ")
	}
}
