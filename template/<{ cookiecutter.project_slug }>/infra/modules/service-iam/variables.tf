variable "tags" {
  description = "Tags for every taggable resource: service, team, environment, cost-center and managed-by (the environment root passes them; the provider's default_tags carry the same)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in ["service", "team", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), key)])
    error_message = "tags must contain service, team, environment, cost-center and managed-by."
  }
}

variable "role_name" {
  description = "Name of the IAM role, as the chart's values name it: serviceAccount.awsRoleArn (\"<service>-<environment>\"), rotation.awsRoleArn (\"<service>-<environment>-rotation\") or backup.storageLocation.irsaRoleArn (\"<service>-velero-<environment>\")."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "oidc_providers" {
  description = "IAM OIDC providers of the clusters the service runs in (one per region): the provider ARN and the issuer without https://."
  type = list(object({
    arn    = string
    issuer = string
  }))

  validation {
    condition     = length(var.oidc_providers) > 0 && alltrue([for p in var.oidc_providers : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/", p.arn)) && !startswith(p.issuer, "https://")])
    error_message = "oidc_providers must list at least one provider with an oidc-provider ARN and an issuer without the https:// prefix."
  }
}

variable "namespace" {
  description = "Kubernetes namespace of the ServiceAccounts (the chart's release namespace, or Velero's)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label (no wildcards)."
  }
}

variable "service_accounts" {
  description = "Names of the ServiceAccounts that may assume the role: the chart's \"<release>\" and \"<release>-migrate\", its \"<release>-rotate-database\", or Velero's server."
  type        = list(string)

  validation {
    condition     = length(var.service_accounts) > 0 && alltrue([for sa in var.service_accounts : can(regex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", sa))])
    error_message = "service_accounts must list ServiceAccount names (DNS subdomains, no wildcards)."
  }
}

variable "secret_arns" {
  description = "ARNs of the secrets the role reads (and nothing else); empty for none."
  type        = list(string)
  default     = []
}

variable "kms_key_arns" {
  description = "KMS keys that encrypt the secrets read or rotated (the primary key and its replica)."
  type        = list(string)
  default     = []
}

variable "rotated_secret_arns" {
  description = "ARNs of the secrets this role rotates (the rotation job's: the database secret), with put and label moves; empty for none."
  type        = list(string)
  default     = []
}

variable "backup" {
  description = "Velero's access: the S3 bucket and key prefix of the service's backups, the KMS keys that encrypt them (may be empty) and EBS snapshots; null to grant none."
  type = object({
    bucket       = string
    prefix       = string
    kms_key_arns = list(string)
  })
  default = null

  validation {
    condition     = var.backup == null || (can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.backup.bucket)) && can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]$", var.backup.prefix)))
    error_message = "backup.bucket must be an S3 bucket name and backup.prefix a key prefix without leading or trailing slash or wildcard."
  }
}

variable "db_connect" {
  description = "IAM database authentication: the RDS resource ID and the database user the service logs in as; null to grant none."
  type = object({
    resource_id = string
    username    = string
  })
  default = null
}

variable "max_session_duration" {
  description = "Maximum session length in seconds."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}
