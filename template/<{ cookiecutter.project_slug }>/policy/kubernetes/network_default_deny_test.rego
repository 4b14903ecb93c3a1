package network_default_deny_test

import data.fixtures
import data.network_default_deny

# The compliant release passes.
test_allows_compliant_release if {
	count(network_default_deny.deny) == 0 with input as fixtures.release
}

test_denies_no_default_deny if {
	messages := network_default_deny.deny with input as fixtures.without_named("NetworkPolicy", "svc-default-deny")
	named(messages)
}

test_denies_ingress_only if {
	messages := network_default_deny.deny with input as fixtures.patched_named("svc-default-deny", [{"op": "replace", "path": "/spec/policyTypes", "value": ["Ingress"]}])
	named(messages)
}

test_denies_selects_other_pods if {
	messages := network_default_deny.deny with input as fixtures.patched_named("svc-default-deny", [{"op": "replace", "path": "/spec/podSelector/matchLabels", "value": {"app": "other"}}])
	named(messages)
}

test_denies_allows_traffic if {
	messages := network_default_deny.deny with input as fixtures.patched_named("svc-default-deny", [{"op": "add", "path": "/spec/egress", "value": [{"to": [{"podSelector": {}}], "ports": [{"port": 53}]}]}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[NET-001] ")
	}
}
