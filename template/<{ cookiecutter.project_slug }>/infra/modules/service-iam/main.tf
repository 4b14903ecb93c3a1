# An IRSA role of the service: the server's, the rotation job's or Velero's. Its trust policy
# admits exactly the named ServiceAccounts in one namespace (StringEquals on :sub, never a
# wildcard) with the STS audience, from each cluster's OIDC provider. Its permissions are only
# the ones asked for: reading the service's secrets, rotating its database secret, connecting to
# its database, or writing its backups; KMS only through Secrets Manager.
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
  reads_secrets   = length(var.secret_arns) > 0
  rotates_secrets = length(var.rotated_secret_arns) > 0
  # A role asked for nothing gets no permissions (and no empty policy).
  has_permissions = local.reads_secrets || local.rotates_secrets || var.db_connect != null || var.backup != null
  ec2_arn         = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}"
  # EBS volume ARNs carry the account; snapshot ARNs have none.
  volumes   = "${local.ec2_arn}:${data.aws_caller_identity.current.account_id}:volume/*"
  snapshots = "${local.ec2_arn}::snapshot/*"
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

  # The rotation job's four-step protocol (docs/rotation.md): read, put the pending version,
  # move the AWSCURRENT label; on this service's rotated secrets only.
  dynamic "statement" {
    for_each = local.rotates_secrets ? [1] : []

    content {
      sid = "RotateOwnSecrets"
      actions = [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
      ]
      resources = var.rotated_secret_arns
    }
  }

  dynamic "statement" {
    for_each = local.rotates_secrets ? [1] : []

    content {
      sid       = "EncryptRotatedSecrets"
      actions   = ["kms:GenerateDataKey"]
      resources = var.kms_key_arns

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["secretsmanager.*.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.reads_secrets || local.rotates_secrets ? [1] : []

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

  # Velero (velero-plugin-for-aws): the backups under this service's prefix of the bucket.
  dynamic "statement" {
    for_each = var.backup == null ? [] : [var.backup]

    content {
      sid = "WriteOwnBackups"
      actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ]
      resources = ["arn:${data.aws_partition.current.partition}:s3:::${statement.value.bucket}/${statement.value.prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.backup == null ? [] : [var.backup]

    content {
      sid       = "ListOwnBackups"
      actions   = ["s3:ListBucket"]
      resources = ["arn:${data.aws_partition.current.partition}:s3:::${statement.value.bucket}"]

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [statement.value.prefix, "${statement.value.prefix}/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.backup == null ? [] : (length(var.backup.kms_key_arns) > 0 ? [var.backup] : [])

    content {
      sid       = "EncryptOwnBackups"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = statement.value.kms_key_arns

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["s3.*.amazonaws.com", "ec2.*.amazonaws.com"]
      }
    }
  }

  # EBS snapshots of the namespace's volumes. Describe* cannot be scoped to resources.
  dynamic "statement" {
    for_each = var.backup == null ? [] : [var.backup]

    content {
      sid       = "DescribeVolumesAndSnapshots"
      actions   = ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.backup == null ? [] : [var.backup]

    content {
      sid       = "SnapshotVolumes"
      actions   = ["ec2:CreateSnapshot", "ec2:CreateVolume", "ec2:CreateTags"]
      resources = [local.volumes, local.snapshots]
    }
  }

  dynamic "statement" {
    for_each = var.backup == null ? [] : [var.backup]

    content {
      sid       = "DeleteExpiredSnapshots"
      actions   = ["ec2:DeleteSnapshot"]
      resources = [local.snapshots]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = local.has_permissions ? 1 : 0

  name   = "${var.role_name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.permissions.json
}
