# METADATA
# title: Terraform policy test fixtures
# description: >-
#   Compliant Terraform in the shape `conftest --parser hcl2 --combine` presents it (one entry
#   per file), and a helper that replaces one file, so that each Terraform rule's tests show an
#   allow case and a deny case. Test-only.
package terraform.fixtures

tags := {
	"service": "svc",
	"team": "platform",
	"environment": "prod",
	"cost-center": "platform",
	"managed-by": "terraform",
}

versions := {"terraform": [{
	"required_version": ">= 1.10.0",
	"backend": {"s3": [{
		"bucket": "svc-tfstate",
		"key": "svc/prod/terraform.tfstate",
		"region": "us-east-1",
		"encrypt": true,
		"use_lockfile": true,
	}]},
}]}

providers := {
	"provider": {"aws": [{"region": "${var.aws_region}", "default_tags": [{"tags": "${local.tags}"}]}]},
	"locals": [{"tags": tags}],
}

env_main := {"module": {"database": [{
	"source": "../../modules/database",
	"deletion_protection": true,
	"backup_retention_days": 14,
	"tags": "${local.tags}",
}]}}

database := {"resource": {
	"aws_db_instance": {"this": [{
		"engine": "postgres",
		"storage_encrypted": true,
		"kms_key_id": "${aws_kms_key.this.arn}",
		"publicly_accessible": false,
		"deletion_protection": "${var.deletion_protection}",
		"backup_retention_period": "${var.backup_retention_days}",
		"tags": "${var.tags}",
	}]},
	"aws_kms_key": {"this": [{"enable_key_rotation": true, "tags": "${var.tags}"}]},
	"aws_security_group": {"this": [{
		"ingress": [{"from_port": 5432, "to_port": 5432, "protocol": "tcp", "security_groups": "${var.allowed}"}],
		"tags": "${var.tags}",
	}]},
	"aws_db_instance_automated_backups_replication": {"this": [{"source_db_instance_arn": "${aws_db_instance.this.arn}"}]},
}}

registry := {"resource": {"aws_ecr_repository": {"this": [{
	"name": "svc",
	"image_tag_mutability": "IMMUTABLE",
	"image_scanning_configuration": [{"scan_on_push": true}],
	"encryption_configuration": [{"encryption_type": "KMS", "kms_key": "${aws_kms_key.this.arn}"}],
	"tags": "${var.tags}",
}]}}}

trust := {"data": {"aws_iam_policy_document": {"trust": [{"dynamic": {"statement": [{
	"for_each": "${var.oidc_providers}",
	"content": [{
		"actions": ["sts:AssumeRoleWithWebIdentity"],
		"principals": [{"type": "Federated", "identifiers": ["${statement.value.arn}"]}],
		"condition": [
			{"test": "StringEquals", "variable": "${statement.value.issuer}:sub", "values": ["system:serviceaccount:${var.namespace}:svc"]},
			{"test": "StringEquals", "variable": "${statement.value.issuer}:aud", "values": ["sts.amazonaws.com"]},
		],
	}],
}]}}]}}}

dns := {"resource": {
	"aws_route53_health_check": {"this": [{
		"for_each": "${var.endpoints}",
		"type": "HTTPS",
		"resource_path": "/readyz",
		"tags": "${var.tags}",
	}]},
	"aws_route53_record": {"this": [{
		"for_each": "${var.endpoints}",
		"type": "CNAME",
		"set_identifier": "${each.key}",
		"health_check_id": "${aws_route53_health_check.this[each.key].id}",
		"failover_routing_policy": [{"type": "${upper(each.key)}"}],
	}]},
}}

files := {
	"infra/envs/prod/versions.tf": versions,
	"infra/envs/prod/providers.tf": providers,
	"infra/envs/prod/main.tf": env_main,
	"infra/modules/database/main.tf": database,
	"infra/modules/registry/main.tf": registry,
	"infra/modules/service-iam/main.tf": trust,
	"infra/modules/dns/main.tf": dns,
}

# The compliant configuration, as `conftest --combine` passes it.
combined := [{"path": path, "contents": contents} | some path, contents in files]

# The configuration with one file replaced.
with_file(path, contents) := [{"path": p, "contents": c} | some p, c in object.union(files, {path: contents})]
