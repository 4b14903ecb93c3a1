# METADATA
# title: Terraform data is encrypted at rest with customer keys
# description: >-
#   Databases, image repositories, secrets, Kubernetes Secrets in EKS and log groups are encrypted
#   with a KMS key of the service's, and every KMS key rotates, so that no data of the service is
#   stored in plain text or under a key nobody manages.
# custom:
#   id: TFM-002
#   severity: deny
#   scope: file
#   remediation: >-
#     Set storage_encrypted = true and kms_key_id (RDS), encryption_configuration with KMS (ECR),
#     kms_key_id (Secrets Manager, CloudWatch Logs), encryption_config (EKS), enable_key_rotation
#     = true (KMS).
package terraform.encryption

import data.lib.terraform as tf

deny contains tf.msg("TFM-002", r, "storage_encrypted must be true") if {
	some r in tf.resources
	r.type == "aws_db_instance"
	not r.body.storage_encrypted == true
}

deny contains tf.msg("TFM-002", r, "needs kms_key_id: a customer key of the service's") if {
	some r in tf.resources
	r.type in {"aws_db_instance", "aws_secretsmanager_secret", "aws_cloudwatch_log_group"}
	not r.body.kms_key_id
}

deny contains tf.msg("TFM-002", r, "needs encryption_configuration { encryption_type = \"KMS\" }") if {
	some r in tf.resources
	r.type == "aws_ecr_repository"
	not _ecr_kms(r.body)
}

deny contains tf.msg("TFM-002", r, "needs encryption_config for secrets with a KMS key") if {
	some r in tf.resources
	r.type == "aws_eks_cluster"
	not _eks_secrets_encrypted(r.body)
}

deny contains tf.msg("TFM-002", r, "enable_key_rotation must be true") if {
	some r in tf.resources
	r.type == "aws_kms_key"
	not r.body.enable_key_rotation == true
}

_ecr_kms(body) if {
	some config in tf.blocks(body, "encryption_configuration")
	config.encryption_type == "KMS"
}

_eks_secrets_encrypted(body) if {
	some config in tf.blocks(body, "encryption_config")
	"secrets" in config.resources
	count(tf.blocks(config, "provider")) > 0
}
