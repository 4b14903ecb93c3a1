variable "tags" {
  description = "Tags for every taggable resource: service, team, environment, cost-center and managed-by (the environment root passes them; the provider's default_tags carry the same)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in ["service", "team", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), key)])
    error_message = "tags must contain service, team, environment, cost-center and managed-by."
  }
}

variable "zone_name" {
  description = "Public Route53 hosted zone that holds the record, e.g. \"example.com\"."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.zone_name))
    error_message = "zone_name must be a DNS domain such as \"example.com\" (no trailing dot)."
  }
}

variable "record_name" {
  description = "Service hostname that fails over, e.g. \"team-notes.prod.example.com\"."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.record_name))
    error_message = "record_name must be a fully qualified host name such as \"team-notes.prod.example.com\"."
  }
}

variable "endpoints" {
  description = "The two regional endpoints, keyed \"primary\" and \"secondary\": the record target (the region's load balancer host name) and the host name the health check requests /readyz from (served by that region's ingress)."
  type = map(object({
    region            = string
    target            = string
    health_check_fqdn = string
  }))

  validation {
    condition     = length(var.endpoints) == 2 && contains(keys(var.endpoints), "primary") && contains(keys(var.endpoints), "secondary")
    error_message = "endpoints must have exactly the keys \"primary\" and \"secondary\"."
  }

  validation {
    condition     = length(var.endpoints) != 2 || var.endpoints["primary"].region != var.endpoints["secondary"].region
    error_message = "the primary and secondary endpoints must be in different regions."
  }
}

variable "health_check_path" {
  description = "Path the health checks request; the service's readiness endpoint."
  type        = string
  default     = "/readyz"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with \"/\"."
  }
}

variable "ttl_seconds" {
  description = "TTL of the failover records: how long resolvers keep answering with a failed region."
  type        = number
  default     = 60

  validation {
    condition     = var.ttl_seconds >= 10 && var.ttl_seconds <= 300
    error_message = "ttl_seconds must be between 10 and 300 for failover to take effect quickly."
  }
}

variable "request_interval_seconds" {
  description = "Seconds between health checks from each checker: 10 (fast, extra cost) or 30."
  type        = number
  default     = 30

  validation {
    condition     = contains([10, 30], var.request_interval_seconds)
    error_message = "request_interval_seconds must be 10 or 30 (the values Route53 accepts)."
  }
}

variable "failure_threshold" {
  description = "Consecutive failed checks before an endpoint counts as unhealthy (and passed ones before it recovers)."
  type        = number
  default     = 3

  validation {
    condition     = var.failure_threshold >= 1 && var.failure_threshold <= 10
    error_message = "failure_threshold must be between 1 and 10."
  }
}
