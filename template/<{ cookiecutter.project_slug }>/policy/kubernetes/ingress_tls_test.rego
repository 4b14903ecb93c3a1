package ingress_tls_test

import data.fixtures
import data.ingress_tls

# The compliant release passes.
test_allows_compliant_release if {
	count(ingress_tls.deny) == 0 with input as fixtures.release
}

test_denies_no_tls if {
	messages := ingress_tls.deny with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/spec/tls"}])
	named(messages)
}

test_denies_host_not_covered if {
	messages := ingress_tls.deny with input as fixtures.patched("Ingress", [{"op": "add", "path": "/spec/rules/-", "value": {"host": "other.example.com"}}])
	named(messages)
}

test_denies_no_secret if {
	messages := ingress_tls.deny with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/spec/tls/0/secretName"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ING-001] ")
	}
}
