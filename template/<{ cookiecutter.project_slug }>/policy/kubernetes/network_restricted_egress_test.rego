package network_restricted_egress_test

import data.fixtures
import data.network_restricted_egress

# The compliant release passes.
test_allows_compliant_release if {
	count(network_restricted_egress.deny) == 0 with input as fixtures.release
}

test_denies_rule_without_ports if {
	messages := network_restricted_egress.deny with input as fixtures.patched_named("svc", [{"op": "remove", "path": "/spec/egress/0/ports"}])
	named(messages)
}

test_denies_rule_without_peers if {
	messages := network_restricted_egress.deny with input as fixtures.patched_named("svc", [{"op": "remove", "path": "/spec/egress/0/to"}])
	named(messages)
}

test_denies_metadata_endpoint_reachable if {
	messages := network_restricted_egress.deny with input as fixtures.patched_named("svc", [{"op": "replace", "path": "/spec/egress/1/to/0/ipBlock/except", "value": ["10.0.0.0/8"]}])
	named(messages)
}

test_denies_at_admission if {
	messages := network_restricted_egress.deny with input as fixtures.admission(json.patch(fixtures.allow_policy, [{"op": "add", "path": "/spec/egress/-", "value": {"ports": [{"port": 443}]}}]))
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[NET-002] ")
	}
}
