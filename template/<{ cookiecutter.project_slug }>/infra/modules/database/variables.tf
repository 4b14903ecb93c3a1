variable "tags" {
  description = "Tags for every taggable resource: service, team, environment, cost-center and managed-by (the environment root passes them; the provider's default_tags carry the same)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in ["service", "team", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), key)])
    error_message = "tags must contain service, team, environment, cost-center and managed-by."
  }
}

variable "identifier" {
  description = "RDS instance identifier, e.g. \"team-notes-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,58}[a-z0-9]$", var.identifier)) && !strcontains(var.identifier, "--")
    error_message = "identifier must be 2-60 lowercase letters, digits or single '-', starting with a letter."
  }
}

variable "engine_version" {
  description = "PostgreSQL major version, e.g. \"17\" (minor versions are upgraded automatically)."
  type        = string
  default     = "17"

  validation {
    condition     = contains(["15", "16", "17"], var.engine_version)
    error_message = "engine_version must be a supported PostgreSQL major version: 15, 16 or 17."
  }
}

variable "instance_class" {
  description = "RDS instance class, e.g. \"db.t4g.medium\"."
  type        = string

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like \"db.t4g.medium\"."
  }
}

variable "allocated_storage_gb" {
  description = "Initial storage in GiB; storage autoscaling grows it up to max_allocated_storage_gb."
  type        = number
  default     = 50

  validation {
    condition     = var.allocated_storage_gb >= 20
    error_message = "allocated_storage_gb must be at least 20 (the gp3 minimum)."
  }
}

variable "max_allocated_storage_gb" {
  description = "Upper bound of storage autoscaling in GiB."
  type        = number
  default     = 500
}

variable "database_name" {
  description = "Name of the application database."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a letter and contain only lowercase letters, digits and '_'."
  }
}

variable "master_username" {
  description = "Master user name. Its password is generated and rotated by RDS in Secrets Manager; the service never uses it."
  type        = string
  default     = "postgres_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.master_username)) && var.master_username != "postgres"
    error_message = "master_username must be 1-16 lowercase letters, digits or '_', start with a letter, and not be \"postgres\"."
  }
}

variable "multi_az" {
  description = "Run a synchronous standby in a second availability zone."
  type        = bool
  default     = true
}

variable "subnet_ids" {
  description = "Private subnets of the DB subnet group (at least two zones)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different availability zones."
  }
}

variable "vpc_id" {
  description = "VPC of the database's security group."
  type        = string
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (the EKS cluster security group)."
  type        = list(string)

  validation {
    condition     = length(var.allowed_security_group_ids) > 0
    error_message = "allowed_security_group_ids must name at least one security group: the database is reachable only from inside the VPC."
  }
}

variable "backup_retention_days" {
  description = "Days of automated backups and point-in-time recovery (7 or more in staging and prod; policy TFM-003 checks prod)."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35 (0 would disable backups and PITR)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (must stay true in prod; policy TFM-003 checks it)."
  type        = bool
  default     = true
}

variable "backup_window" {
  description = "Daily UTC window of the automated backup, hh24:mi-hh24:mi."
  type        = string
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  description = "Weekly UTC maintenance window, ddd:hh24:mi-ddd:hh24:mi (must not overlap backup_window)."
  type        = string
  default     = "sun:04:30-sun:05:30"
}

variable "performance_insights_retention_days" {
  description = "Days of Performance Insights history (7 is the free tier; or a multiple of 31 up to 731)."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_days == 7 || var.performance_insights_retention_days == 731 || (var.performance_insights_retention_days % 31 == 0 && var.performance_insights_retention_days <= 713)
    error_message = "performance_insights_retention_days must be 7, 731, or a number of months times 31 (31, 62, ..., 713)."
  }
}

variable "backup_replication_enabled" {
  description = "Replicate automated backups (and PITR) to the aws.secondary region for regional failover."
  type        = bool
  default     = true
}

variable "backup_replication_retention_days" {
  description = "Days of replicated backups kept in the secondary region."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_replication_retention_days >= 1 && var.backup_replication_retention_days <= 35
    error_message = "backup_replication_retention_days must be between 1 and 35."
  }
}
