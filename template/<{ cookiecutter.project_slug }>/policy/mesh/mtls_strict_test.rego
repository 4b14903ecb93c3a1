package mtls_strict_test

import data.mtls_strict

pa(spec) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default"}, "spec": spec}

test_allows_strict if {
	count(mtls_strict.deny) == 0 with input as pa({"mtls": {"mode": "STRICT"}})
}

test_ignores_other_kinds if {
	count(mtls_strict.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "svc"}, "spec": {}}
}

test_denies_permissive if {
	messages := mtls_strict.deny with input as pa({"mtls": {"mode": "PERMISSIVE"}})
	some m in messages
	m == "[MSH-001] PeerAuthentication/default: spec.mtls.mode is \"PERMISSIVE\"; set it to STRICT"
}

test_denies_unset if {
	count(mtls_strict.deny) == 1 with input as pa({})
}

test_denies_permissive_port if {
	messages := mtls_strict.deny with input as pa({"mtls": {"mode": "STRICT"}, "portLevelMtls": {"8000": {"mode": "PERMISSIVE"}}})
	count(messages) == 1
	some m in messages
	startswith(m, "[MSH-001] ")
}
