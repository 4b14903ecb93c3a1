package terraform.irsa_trust_test

import data.terraform.fixtures
import data.terraform.irsa_trust

_sub := "/data/aws_iam_policy_document/trust/0/dynamic/statement/0/content/0/condition/0"

test_allows_compliant_configuration if {
	count(irsa_trust.deny) == 0 with input as fixtures.combined
}

test_denies_wildcard_subject if {
	trust := json.patch(fixtures.trust, [{"op": "replace", "path": concat("", [_sub, "/values"]), "value": ["system:serviceaccount:${var.namespace}:*"]}])
	messages := irsa_trust.deny with input as fixtures.with_file("infra/modules/service-iam/main.tf", trust)
	named(messages)
	some m in messages
	contains(m, "wildcard")
}

test_denies_wildcard_in_a_for_expression if {
	values := "${[for sa in var.service_accounts : \"system:serviceaccount:${var.namespace}:*\"]}"
	trust := json.patch(fixtures.trust, [{"op": "replace", "path": concat("", [_sub, "/values"]), "value": values}])
	named(irsa_trust.deny) with input as fixtures.with_file("infra/modules/service-iam/main.tf", trust)
}

test_allows_exact_subjects_in_a_for_expression if {
	values := "${[for sa in var.service_accounts : \"system:serviceaccount:${var.namespace}:${sa}\"]}"
	trust := json.patch(fixtures.trust, [{"op": "replace", "path": concat("", [_sub, "/values"]), "value": values}])
	count(irsa_trust.deny) == 0 with input as fixtures.with_file("infra/modules/service-iam/main.tf", trust)
}

test_denies_string_like if {
	trust := json.patch(fixtures.trust, [{"op": "replace", "path": concat("", [_sub, "/test"]), "value": "StringLike"}])
	named(irsa_trust.deny) with input as fixtures.with_file("infra/modules/service-iam/main.tf", trust)
}

test_denies_missing_subject_condition if {
	trust := json.remove(fixtures.trust, [concat("", [trim_prefix(_sub, "/")])])
	named(irsa_trust.deny) with input as fixtures.with_file("infra/modules/service-iam/main.tf", trust)
}

test_denies_static_statement_without_conditions if {
	doc := {"data": {"aws_iam_policy_document": {"t": [{"statement": [{"actions": ["sts:AssumeRoleWithWebIdentity"]}]}]}}}
	named(irsa_trust.deny) with input as doc
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-007] ")
	}
}
