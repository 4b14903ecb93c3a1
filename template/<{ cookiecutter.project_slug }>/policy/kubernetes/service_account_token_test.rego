package service_account_token_test

import data.fixtures
import data.service_account_token

# The compliant release passes.
test_allows_compliant_release if {
	count(service_account_token.deny) == 0 with input as fixtures.release
}

test_allows_pod_with_reason if {
	count(service_account_token.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/automountServiceAccountToken"}, {"op": "add", "path": "/spec/template/metadata/annotations", "value": {"pavedroad.io/service-account-token-reason": "leader election"}}])
}

test_denies_pod_default if {
	messages := service_account_token.deny with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/automountServiceAccountToken"}])
	named(messages)
}

test_denies_pod_true if {
	messages := service_account_token.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/automountServiceAccountToken", "value": true}])
	named(messages)
}

test_denies_service_account if {
	messages := service_account_token.deny with input as fixtures.patched("ServiceAccount", [{"op": "remove", "path": "/automountServiceAccountToken"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[POD-003] ")
	}
}
