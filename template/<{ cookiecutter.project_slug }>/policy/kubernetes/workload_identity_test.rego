package workload_identity_test

import data.fixtures
import data.workload_identity

# The compliant release passes.
test_allows_compliant_release if {
	count(workload_identity.deny) == 0 with input as fixtures.release
}

test_denies_no_annotation if {
	messages := workload_identity.deny with input as fixtures.patched("ServiceAccount", [{"op": "remove", "path": "/metadata/annotations"}])
	named(messages)
}

test_denies_not_an_arn if {
	messages := workload_identity.deny with input as fixtures.patched("ServiceAccount", [{"op": "replace", "path": "/metadata/annotations", "value": {"eks.amazonaws.com/role-arn": "svc-role"}}])
	named(messages)
}

test_denies_at_admission if {
	messages := workload_identity.deny with input as fixtures.admission(json.patch(fixtures.service_account, [{"op": "remove", "path": "/metadata/annotations"}]))
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[IAM-001] ")
	}
}
