package network_restricted_ingress_test

import data.fixtures
import data.network_restricted_ingress

# The compliant release passes.
test_allows_compliant_release if {
	count(network_restricted_ingress.deny) == 0 with input as fixtures.release
}

test_denies_rule_without_peers if {
	messages := network_restricted_ingress.deny with input as fixtures.patched_named("svc", [{"op": "remove", "path": "/spec/ingress/0/from"}])
	named(messages)
}

test_denies_whole_internet if {
	messages := network_restricted_ingress.deny with input as fixtures.patched_named("svc", [{"op": "replace", "path": "/spec/ingress/0/from", "value": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[NET-003] ")
	}
}
