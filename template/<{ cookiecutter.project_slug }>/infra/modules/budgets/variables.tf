variable "tags" {
  description = "Tags for every taggable resource: service, team, environment, cost-center and managed-by (the environment root passes them; the provider's default_tags carry the same)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in ["service", "team", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), key)])
    error_message = "tags must contain service, team, environment, cost-center and managed-by."
  }
}

variable "name" {
  description = "Name of the budget and the anomaly monitor, e.g. \"team-notes\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,60}$", var.name))
    error_message = "name must be 2-61 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "service_tag" {
  description = "Value of the service cost-allocation tag whose costs the budget and the anomaly monitor track."
  type        = string
}

variable "monthly_limit_usd" {
  description = "Monthly budget in USD."
  type        = number

  validation {
    condition     = var.monthly_limit_usd > 0
    error_message = "monthly_limit_usd must be positive."
  }
}

variable "alert_emails" {
  description = "Addresses (the owning team's) that receive the budget alerts and the anomaly alerts."
  type        = list(string)

  validation {
    condition     = length(var.alert_emails) > 0 && length(var.alert_emails) <= 10 && alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", e))])
    error_message = "alert_emails must list 1-10 email addresses."
  }
}

variable "alert_thresholds_percent" {
  description = "Percentages of the budget at which actual and forecast spend alert."
  type        = list(number)
  default     = [80, 100]

  validation {
    condition     = length(var.alert_thresholds_percent) > 0 && alltrue([for t in var.alert_thresholds_percent : t > 0 && t <= 200])
    error_message = "alert_thresholds_percent must list percentages between 1 and 200."
  }
}

variable "anomaly_threshold_usd" {
  description = "Alert on cost anomalies whose total impact is at least this many USD."
  type        = number
  default     = 50

  validation {
    condition     = var.anomaly_threshold_usd > 0
    error_message = "anomaly_threshold_usd must be positive."
  }
}
