package container_drop_all_capabilities_test

import data.container_drop_all_capabilities
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(container_drop_all_capabilities.deny) == 0 with input as fixtures.release
}

test_allows_lowercase_all if {
	count(container_drop_all_capabilities.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/capabilities/drop", "value": ["all"]}])
}

test_denies_drops_some if {
	messages := container_drop_all_capabilities.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/capabilities/drop", "value": ["NET_RAW"]}])
	named(messages)
}

test_denies_adds if {
	messages := container_drop_all_capabilities.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/securityContext/capabilities/add", "value": ["NET_ADMIN"]}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[CTR-004] ")
	}
}
