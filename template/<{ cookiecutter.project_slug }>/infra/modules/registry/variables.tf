variable "tags" {
  description = "Tags for every taggable resource: service, team, environment, cost-center and managed-by (the environment root passes them; the provider's default_tags carry the same)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in ["service", "team", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), key)])
    error_message = "tags must contain service, team, environment, cost-center and managed-by."
  }
}

variable "repository_name" {
  description = "Name of the ECR repository, e.g. \"acme/team-notes\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.repository_name)) && length(var.repository_name) <= 256
    error_message = "repository_name must be lowercase path components of letters, digits and . _ - separated by /."
  }
}

variable "keep_tagged_images" {
  description = "Number of release-tagged images (tags starting with keep_tag_prefixes) the lifecycle policy keeps."
  type        = number
  default     = 100

  validation {
    condition     = var.keep_tagged_images >= 10
    error_message = "keep_tagged_images must be at least 10 so that rollbacks find their image."
  }
}

variable "keep_tag_prefixes" {
  description = "Tag prefixes of release images, kept by count (the newest keep_tagged_images)."
  type        = list(string)
  default     = ["v"]

  validation {
    condition     = length(var.keep_tag_prefixes) > 0
    error_message = "keep_tag_prefixes must list at least one prefix."
  }
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images (superseded builds) expire."
  type        = number
  default     = 14

  validation {
    condition     = var.untagged_expiry_days >= 1
    error_message = "untagged_expiry_days must be at least 1."
  }
}
