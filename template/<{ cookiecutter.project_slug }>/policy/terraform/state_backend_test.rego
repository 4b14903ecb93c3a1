package terraform.state_backend_test

import data.terraform.fixtures
import data.terraform.state_backend

test_allows_compliant_configuration if {
	count(state_backend.deny) == 0 with input as fixtures.combined
}

test_allows_dynamodb_locking if {
	versions := json.patch(fixtures.versions, [
		{"op": "remove", "path": "/terraform/0/backend/s3/0/use_lockfile"},
		{"op": "add", "path": "/terraform/0/backend/s3/0/dynamodb_table", "value": "svc-tflock"},
	])
	count(state_backend.deny) == 0 with input as fixtures.with_file("infra/envs/prod/versions.tf", versions)
}

test_denies_backend_without_locking if {
	versions := json.remove(fixtures.versions, ["terraform/0/backend/s3/0/use_lockfile"])
	messages := state_backend.deny with input as fixtures.with_file("infra/envs/prod/versions.tf", versions)
	named(messages)
	some m in messages
	contains(m, "locking")
}

test_denies_unencrypted_state if {
	versions := json.patch(fixtures.versions, [{"op": "replace", "path": "/terraform/0/backend/s3/0/encrypt", "value": false}])
	named(state_backend.deny) with input as fixtures.with_file("infra/envs/prod/versions.tf", versions)
}

test_denies_local_backend if {
	named(state_backend.deny) with input as {"terraform": [{"backend": {"local": [{"path": "terraform.tfstate"}]}}]}
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-006] ")
	}
}
