package pod_host_namespaces_test

import data.fixtures
import data.pod_host_namespaces

# The compliant release passes.
test_allows_compliant_release if {
	count(pod_host_namespaces.deny) == 0 with input as fixtures.release
}

test_denies_host_network if {
	messages := pod_host_namespaces.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}])
	named(messages)
}

test_denies_host_pid if {
	messages := pod_host_namespaces.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/hostPID", "value": true}])
	named(messages)
}

test_denies_host_ipc if {
	messages := pod_host_namespaces.deny with input as fixtures.patched("Job", [{"op": "add", "path": "/spec/template/spec/hostIPC", "value": true}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[POD-001] ")
	}
}
