variable "tags" {
  description = "Tags for every taggable resource: service, team, environment, cost-center and managed-by (the environment root passes them; the provider's default_tags carry the same)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in ["service", "team", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), key)])
    error_message = "tags must contain service, team, environment, cost-center and managed-by."
  }
}

variable "name" {
  description = "Name prefix of the network's resources, e.g. \"team-notes-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC (a /16 to /20); subnets are carved from it."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.cidr_block)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be an IPv4 CIDR with a prefix between /16 and /20, e.g. \"10.0.0.0/16\"."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread the subnets (and NAT gateways) over."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "az_count must be between 2 and 4 (EKS and Multi-AZ RDS need at least 2)."
  }
}

variable "single_nat_gateway" {
  description = "Use one NAT gateway for all zones (cheaper, for dev) instead of one per zone."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days to keep the VPC flow logs in CloudWatch Logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a value CloudWatch Logs accepts, e.g. 90, 365 or 731."
  }
}
