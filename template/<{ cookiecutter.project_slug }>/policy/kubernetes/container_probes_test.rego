package container_probes_test

import data.container_probes
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_probes.deny) == 0 with input as fixtures.release
}

test_allows_job_without_probes if {
	count(container_probes.deny) == 0 with input as fixtures.release
}

test_denies_no_liveness if {
	messages := container_probes.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/livenessProbe"}])
	named(messages)
}

test_denies_no_readiness if {
	messages := container_probes.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/readinessProbe"}])
	named(messages)
}

test_denies_no_startup if {
	messages := container_probes.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/containers/0/startupProbe"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-008] ")
	}
}
