# The service's secrets in Secrets Manager, encrypted with the service's own multi-Region key and
# replicated to the failover region. Terraform creates the containers only, never the values.
# Rotation: the database credentials rotate through a Lambda function that runs pavedroad-secrets'
# four-step rotation (pavedroad.secrets.rotation.lambda_handler, strategy
# postgres-alternating-users); see docs/infra.md.
locals {
  replicated = var.replica_region != ""
}

resource "aws_kms_key" "this" {
  #checkov:skip=CKV2_AWS_64:default key policy (the account root): IAM policies, such as service-iam's, decide who uses the key
  description             = "Secrets of ${var.name_prefix}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  multi_region            = local.replicated

  tags = var.tags
}

resource "aws_kms_replica_key" "this" {
  count    = local.replicated ? 1 : 0
  provider = aws.secondary

  description             = "Secrets of ${var.name_prefix} (replica)"
  primary_key_arn         = aws_kms_key.this.arn
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:rotated_secrets rotate here (database-url); Slack tokens rotate in Slack, on the cadence pavedroad-secrets' check enforces
  for_each = var.secrets

  name                    = "${var.name_prefix}/${each.key}"
  description             = each.value
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days

  dynamic "replica" {
    for_each = local.replicated ? [var.replica_region] : []

    content {
      region     = replica.value
      kms_key_id = aws_kms_replica_key.this[0].arn
    }
  }

  tags = var.tags
}

resource "aws_secretsmanager_secret_rotation" "this" {
  for_each = var.rotated_secrets

  secret_id           = aws_secretsmanager_secret.this[each.key].id
  rotation_lambda_arn = var.rotation_lambda_arn

  rotation_rules {
    automatically_after_days = var.rotation_days
  }

  lifecycle {
    precondition {
      condition     = var.rotation_lambda_arn != null && contains(keys(var.secrets), each.key)
      error_message = "rotated secret ${each.key} needs rotation_lambda_arn and must be one of secrets."
    }
  }
}
