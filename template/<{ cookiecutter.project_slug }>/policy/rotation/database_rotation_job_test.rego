package rotation_database_rotation_job_test

import data.fixtures
import data.rotation_database_rotation_job

rotation_cronjob(policy) := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "svc-rotate-database"},
	"spec": {
		"schedule": "17 3 * * 1",
		"concurrencyPolicy": policy,
		"jobTemplate": {"spec": {"template": {"spec": {"containers": [{
			"name": "rotate",
			"image": "registry.example.com/svc-rotation:1.0.0",
			"args": ["rotate", "aws-sm:svc/dev/database-url", "--strategy", "postgres-alternating-users"],
		}]}}}},
	},
}

# Allow: the database credential comes with its rotation CronJob.
test_allows_release_with_rotation if {
	count(rotation_database_rotation_job.deny) == 0 with input as fixtures.with_objects([rotation_cronjob("Forbid")])
}

# Allow: a release without a database credential needs no rotation.
test_allows_release_without_database if {
	count(rotation_database_rotation_job.deny) == 0 with input as fixtures.without("ExternalSecret")
}

# Allow: the scheduled GitHub workflow rotates it, and the ExternalSecret says so.
test_allows_rotation_by_github_actions if {
	release := fixtures.patched("ExternalSecret", [{"op": "add", "path": "/metadata/annotations", "value": {"rotation.pavedroad.io/rotated-by": "github-actions"}}])
	count(rotation_database_rotation_job.deny) == 0 with input as release
}

# Deny: the database credential without a rotation CronJob.
test_denies_missing_rotation if {
	named(rotation_database_rotation_job.deny) with input as fixtures.release
}

# Deny: a rotation CronJob that may run twice at once does not count.
test_denies_concurrent_rotation if {
	named(rotation_database_rotation_job.deny) with input as fixtures.with_objects([rotation_cronjob("Allow")])
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ROT-003] ")
	}
}
