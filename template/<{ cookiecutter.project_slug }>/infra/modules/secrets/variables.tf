variable "tags" {
  description = "Tags for every taggable resource: service, team, environment, cost-center and managed-by (the environment root passes them; the provider's default_tags carry the same)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in ["service", "team", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), key)])
    error_message = "tags must contain service, team, environment, cost-center and managed-by."
  }
}

variable "name_prefix" {
  description = "Prefix of the secret names, \"<service>/<environment>\"; the chart's externalSecrets.remoteKeys use the same names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*/(dev|staging|prod)$", var.name_prefix))
    error_message = "name_prefix must be \"<service>/<environment>\" with environment dev, staging or prod, e.g. \"team-notes/prod\"."
  }
}

variable "secrets" {
  description = "Secrets to create, by name under name_prefix, with a description. Values are never written by Terraform: they are put by the owner (Slack tokens) or by the rotation function (database-url)."
  type        = map(string)

  validation {
    condition     = alltrue([for name in keys(var.secrets) : can(regex("^[a-z][a-z0-9-]*$", name))])
    error_message = "secret names must be lowercase letters, digits and '-', e.g. \"database-url\"."
  }
}

variable "rotated_secrets" {
  description = "Names (keys of secrets) that Secrets Manager rotates with rotation_lambda_arn."
  type        = set(string)
  default     = []
}

variable "rotation_lambda_arn" {
  description = "ARN of the rotation function running pavedroad-secrets' handler (pavedroad.secrets.rotation.lambda_handler). Required when rotated_secrets is not empty."
  type        = string
  default     = null

  validation {
    condition     = var.rotation_lambda_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", var.rotation_lambda_arn))
    error_message = "rotation_lambda_arn must be a Lambda function ARN, e.g. \"arn:aws:lambda:us-east-1:123456789012:function:team-notes-prod-rotation\"."
  }
}

variable "rotation_days" {
  description = "Rotate the rotated secrets every this many days (the database-password class allows 30 at most)."
  type        = number
  default     = 7

  validation {
    condition     = var.rotation_days >= 1 && var.rotation_days <= 30
    error_message = "rotation_days must be between 1 and 30."
  }
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_days >= 7 && var.recovery_window_days <= 30
    error_message = "recovery_window_days must be between 7 and 30."
  }
}

variable "replica_region" {
  description = "Region to replicate the secrets to (the aws.secondary provider's region); empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.replica_region == "" || can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.replica_region))
    error_message = "replica_region must be an AWS region name such as \"us-west-2\", or empty."
  }
}
