package terraform.prod_database_test

import data.terraform.fixtures
import data.terraform.prod_database

test_allows_compliant_configuration if {
	count(prod_database.deny) == 0 with input as fixtures.combined
}

test_denies_prod_without_deletion_protection if {
	env := json.patch(fixtures.env_main, [{"op": "replace", "path": "/module/database/0/deletion_protection", "value": false}])
	messages := prod_database.deny with input as fixtures.with_file("infra/envs/prod/main.tf", env)
	named(messages)
	some m in messages
	contains(m, "deletion_protection")
}

test_denies_prod_with_short_retention if {
	env := json.patch(fixtures.env_main, [{"op": "replace", "path": "/module/database/0/backup_retention_days", "value": 3}])
	named(prod_database.deny) with input as fixtures.with_file("infra/envs/prod/main.tf", env)
}

test_denies_prod_with_variable_retention if {
	env := json.patch(fixtures.env_main, [{"op": "replace", "path": "/module/database/0/backup_retention_days", "value": "${var.retention}"}])
	named(prod_database.deny) with input as fixtures.with_file("infra/envs/prod/main.tf", env)
}

test_allows_dev_without_deletion_protection if {
	env := json.patch(fixtures.env_main, [{"op": "replace", "path": "/module/database/0/deletion_protection", "value": false}])
	count(prod_database.deny) == 0 with input as [{"path": "infra/envs/dev/main.tf", "contents": env}]
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-003] ")
	}
}
