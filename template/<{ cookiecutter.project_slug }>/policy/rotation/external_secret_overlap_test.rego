package rotation_external_secret_overlap_test

import data.fixtures
import data.rotation_external_secret_overlap

annotated(overlap, refresh) := fixtures.patched("ExternalSecret", [
	{"op": "add", "path": "/metadata/annotations", "value": {"rotation.pavedroad.io/overlap": overlap}},
	{"op": "replace", "path": "/spec/refreshInterval", "value": refresh},
])

# Allow: refreshed every hour, the old value works for a week.
test_allows_refresh_shorter_than_overlap if {
	count(rotation_external_secret_overlap.deny) == 0 with input as annotated("168h", "1h")
}

# Deny: the overlap is not stated.
test_denies_missing_overlap if {
	named(rotation_external_secret_overlap.deny) with input as fixtures.release
}

# Deny: refreshed less often than the overlap lasts.
test_denies_refresh_longer_than_overlap if {
	messages := rotation_external_secret_overlap.deny with input as annotated("24h", "48h")
	named(messages)
}

test_denies_refresh_equal_to_overlap if {
	named(rotation_external_secret_overlap.deny) with input as annotated("1h", "60m")
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ROT-002] ")
	}
}
