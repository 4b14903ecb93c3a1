# The service's IRSA role. Its trust policy admits exactly the chart's ServiceAccounts in the
# release namespace (StringEquals on :sub, never a wildcard) with the STS audience, from each
# cluster's OIDC provider; its permissions read only the service's secrets and decrypt only with
# their key (through Secrets Manager).
data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = var.oidc_providers

    content {
      sid     = "ServiceAccountsOfCluster${statement.key}"
      effect  = "Allow"
      actions = ["sts:AssumeRoleWithWebIdentity"]

      principals {
        type        = "Federated"
        identifiers = [statement.value.arn]
      }

      condition {
        test     = "StringEquals"
        variable = "${statement.value.issuer}:sub"
        values   = [for sa in var.service_accounts : "system:serviceaccount:${var.namespace}:${sa}"]
      }

      condition {
        test     = "StringEquals"
        variable = "${statement.value.issuer}:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  description          = "IRSA role of ${join(", ", var.service_accounts)} in namespace ${var.namespace}"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration

  tags = var.tags
}

locals {
  reads_secrets = length(var.secret_arns) > 0
  # A service without secrets and database gets a role without permissions (no empty policy).
  has_permissions = local.reads_secrets || var.db_connect != null
}

data "aws_iam_policy_document" "permissions" {
  dynamic "statement" {
    for_each = local.reads_secrets ? [1] : []

    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
      resources = var.secret_arns
    }
  }

  dynamic "statement" {
    for_each = local.reads_secrets ? [1] : []

    content {
      sid       = "DecryptOwnSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.kms_key_arns

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["secretsmanager.*.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.db_connect == null ? [] : [var.db_connect]

    content {
      sid       = "ConnectToOwnDatabase"
      actions   = ["rds-db:connect"]
      resources = ["arn:${data.aws_partition.current.partition}:rds-db:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:dbuser:${statement.value.resource_id}/${statement.value.username}"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = local.has_permissions ? 1 : 0

  name   = "${var.role_name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.permissions.json
}
