variable "aws_region" {
  description = "Primary region."
  type        = string
  default     = "<{ cookiecutter.aws_region }>"
}
<%- if cookiecutter.aws_region_secondary %>

variable "aws_region_secondary" {
  description = "Failover region of the standby, the secrets' replicas and the database's replicated backups."
  type        = string
  default     = "<{ cookiecutter.aws_region_secondary }>"
}
<%- endif %>

variable "aws_account_id" {
  description = "The only AWS account this configuration may change."
  type        = string
  default     = "<{ cookiecutter.aws_account_id }>"

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "cost_center" {
  description = "Value of the cost-center tag (the owning team's cost center)."
  type        = string
  default     = "<{ cookiecutter.owner_team }>"
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version."
  type        = string
  default     = "1.33"
}

<%- if cookiecutter.database == 'postgresql' %>

variable "rotation_lambda_arn" {
  description = "Rotation function that runs pavedroad-secrets' rotation handler for the database credentials (deployed per docs/infra.md)."
  type        = string
  default     = null
}
<%- endif %>
