package job_bounded_test

import data.fixtures
import data.job_bounded

# The compliant release passes.
test_allows_compliant_release if {
	count(job_bounded.deny) == 0 with input as fixtures.release
}

test_denies_no_ttl if {
	messages := job_bounded.deny with input as fixtures.patched("Job", [{"op": "remove", "path": "/spec/ttlSecondsAfterFinished"}])
	named(messages)
}

test_denies_no_deadline if {
	messages := job_bounded.deny with input as fixtures.patched("Job", [{"op": "remove", "path": "/spec/activeDeadlineSeconds"}])
	named(messages)
}

test_denies_no_backoff_limit if {
	messages := job_bounded.deny with input as fixtures.patched("Job", [{"op": "remove", "path": "/spec/backoffLimit"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[JOB-001] ")
	}
}
