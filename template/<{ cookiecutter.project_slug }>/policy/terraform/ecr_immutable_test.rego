package terraform.ecr_immutable_test

import data.terraform.ecr_immutable
import data.terraform.fixtures

test_allows_compliant_configuration if {
	count(ecr_immutable.deny) == 0 with input as fixtures.combined
}

test_denies_mutable_tags if {
	registry := json.patch(fixtures.registry, [{"op": "replace", "path": "/resource/aws_ecr_repository/this/0/image_tag_mutability", "value": "MUTABLE"}])
	messages := ecr_immutable.deny with input as fixtures.with_file("infra/modules/registry/main.tf", registry)
	named(messages)
	some m in messages
	contains(m, "IMMUTABLE")
}

test_denies_default_mutability if {
	registry := json.remove(fixtures.registry, ["resource/aws_ecr_repository/this/0/image_tag_mutability"])
	named(ecr_immutable.deny) with input as fixtures.with_file("infra/modules/registry/main.tf", registry)
}

test_denies_no_scan_on_push if {
	registry := json.remove(fixtures.registry, ["resource/aws_ecr_repository/this/0/image_scanning_configuration"])
	named(ecr_immutable.deny) with input as fixtures.with_file("infra/modules/registry/main.tf", registry)
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-005] ")
	}
}
