package ingress_cert_manager_test

import data.fixtures
import data.ingress_cert_manager

# The compliant release passes.
test_allows_compliant_release if {
	count(ingress_cert_manager.deny) == 0 with input as fixtures.release
}

test_allows_namespaced_issuer if {
	count(ingress_cert_manager.deny) == 0 with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/metadata/annotations/cert-manager.io~1cluster-issuer"}, {"op": "add", "path": "/metadata/annotations/cert-manager.io~1issuer", "value": "letsencrypt"}])
}

test_denies_no_issuer if {
	messages := ingress_cert_manager.deny with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/metadata/annotations/cert-manager.io~1cluster-issuer"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ING-002] ")
	}
}
