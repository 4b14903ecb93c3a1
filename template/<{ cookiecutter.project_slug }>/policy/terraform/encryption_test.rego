package terraform.encryption_test

import data.terraform.encryption
import data.terraform.fixtures

test_allows_compliant_configuration if {
	count(encryption.deny) == 0 with input as fixtures.combined
}

test_denies_unencrypted_database if {
	database := json.patch(fixtures.database, [{"op": "replace", "path": "/resource/aws_db_instance/this/0/storage_encrypted", "value": false}])
	messages := encryption.deny with input as fixtures.with_file("infra/modules/database/main.tf", database)
	named(messages)
	some m in messages
	contains(m, "storage_encrypted")
}

test_denies_ecr_without_kms if {
	registry := json.patch(fixtures.registry, [{"op": "replace", "path": "/resource/aws_ecr_repository/this/0/encryption_configuration/0/encryption_type", "value": "AES256"}])
	named(encryption.deny) with input as fixtures.with_file("infra/modules/registry/main.tf", registry)
}

test_denies_key_without_rotation if {
	database := json.remove(fixtures.database, ["resource/aws_kms_key/this/0/enable_key_rotation"])
	named(encryption.deny) with input as fixtures.with_file("infra/modules/database/main.tf", database)
}

test_denies_secret_without_key if {
	named(encryption.deny) with input as {"resource": {"aws_secretsmanager_secret": {"s": [{"name": "x", "tags": "${var.tags}"}]}}}
}

test_denies_cluster_without_secrets_encryption if {
	named(encryption.deny) with input as {"resource": {"aws_eks_cluster": {"c": [{"name": "x", "tags": "${var.tags}"}]}}}
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-002] ")
	}
}
