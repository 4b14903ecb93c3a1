package terraform.required_tags_test

import data.terraform.fixtures
import data.terraform.required_tags

test_allows_compliant_configuration if {
	count(required_tags.deny) == 0 with input as fixtures.combined
}

test_denies_resource_without_tags if {
	registry := json.remove(fixtures.registry, ["resource/aws_ecr_repository/this/0/tags"])
	messages := required_tags.deny with input as fixtures.with_file("infra/modules/registry/main.tf", registry)
	named(messages)
	some m in messages
	contains(m, "aws_ecr_repository.this")
}

test_denies_provider_without_default_tags if {
	providers := json.remove(fixtures.providers, ["provider/aws/0/default_tags"])
	named(required_tags.deny) with input as fixtures.with_file("infra/envs/prod/providers.tf", providers)
}

test_denies_tags_local_missing_a_key if {
	providers := json.remove(fixtures.providers, ["locals/0/tags/cost-center"])
	messages := required_tags.deny with input as fixtures.with_file("infra/envs/prod/providers.tf", providers)
	named(messages)
	some m in messages
	contains(m, "cost-center")
}

test_untaggable_resource_passes if {
	count(required_tags.deny) == 0 with input as {"resource": {"aws_route_table_association": {"a": [{"subnet_id": "x"}]}}}
}

test_ignores_kubernetes_objects if {
	count(required_tags.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"resource": "x"}}
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-001] ")
	}
}
