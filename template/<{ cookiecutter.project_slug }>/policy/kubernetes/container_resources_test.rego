package container_resources_test

import data.container_resources
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_resources.deny) == 0 with input as fixtures.release
}

test_denies_no_limits if {
	messages := container_resources.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/resources/limits"}])
	named(messages)
}

test_denies_no_cpu_request if {
	messages := container_resources.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/resources/requests/cpu"}])
	named(messages)
}

test_denies_job_without_resources if {
	messages := container_resources.deny with input as fixtures.patched("Job", [{"op": "remove", "path": "/spec/template/spec/containers/0/resources"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-007] ")
	}
}
