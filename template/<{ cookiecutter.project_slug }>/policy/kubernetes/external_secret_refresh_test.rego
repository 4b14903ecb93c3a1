package external_secret_refresh_test

import data.external_secret_refresh
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(external_secret_refresh.deny) == 0 with input as fixtures.release
}

test_denies_never if {
	messages := external_secret_refresh.deny with input as fixtures.patched("ExternalSecret", [{"op": "replace", "path": "/spec/refreshInterval", "value": "0"}])
	named(messages)
}

test_denies_zero_seconds if {
	messages := external_secret_refresh.deny with input as fixtures.patched("ExternalSecret", [{"op": "replace", "path": "/spec/refreshInterval", "value": "0s"}])
	named(messages)
}

test_denies_unset if {
	messages := external_secret_refresh.deny with input as fixtures.patched("ExternalSecret", [{"op": "remove", "path": "/spec/refreshInterval"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[SEC-005] ")
	}
}
