package terraform.public_database_test

import data.terraform.fixtures
import data.terraform.public_database

test_allows_compliant_configuration if {
	count(public_database.deny) == 0 with input as fixtures.combined
}

test_denies_public_database if {
	database := json.patch(fixtures.database, [{"op": "replace", "path": "/resource/aws_db_instance/this/0/publicly_accessible", "value": true}])
	named(public_database.deny) with input as fixtures.with_file("infra/modules/database/main.tf", database)
}

test_denies_database_without_explicit_setting if {
	database := json.remove(fixtures.database, ["resource/aws_db_instance/this/0/publicly_accessible"])
	named(public_database.deny) with input as fixtures.with_file("infra/modules/database/main.tf", database)
}

test_denies_open_ingress if {
	database := json.patch(fixtures.database, [{"op": "add", "path": "/resource/aws_security_group/this/0/ingress/0/cidr_blocks", "value": ["0.0.0.0/0"]}])
	named(public_database.deny) with input as fixtures.with_file("infra/modules/database/main.tf", database)
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-004] ")
	}
}
