package pod_no_host_path_test

import data.fixtures
import data.pod_no_host_path

# The compliant release passes.
test_allows_compliant_release if {
	count(pod_no_host_path.deny) == 0 with input as fixtures.release
}

test_denies_host_path if {
	messages := pod_no_host_path.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/volumes/-", "value": {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[POD-002] ")
	}
}
