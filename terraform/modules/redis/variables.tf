variable "name" {
  description = "Replication group ID, e.g. kavak-production (at most 40 characters)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets of the cache subnet group."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group (ingress only from web and worker tasks)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for encryption at rest and the slow-log group."
  type        = string
}

variable "auth_token" {
  description = "Redis AUTH token (generated in modules/secrets, 16-128 characters)."
  type        = string
  sensitive   = true
}

variable "auth_token_update_strategy" {
  description = "ROTATE (old and new token both valid) or SET (only the new one)."
  type        = string
  default     = "ROTATE"

  validation {
    condition     = contains(["ROTATE", "SET"], var.auth_token_update_strategy)
    error_message = "Use ROTATE or SET."
  }
}

variable "engine_version" {
  description = "Redis engine version."
  type        = string
  default     = "7.1"
}

variable "parameter_group_family" {
  description = "Parameter group family matching engine_version."
  type        = string
  default     = "redis7"
}

variable "node_type" {
  description = "Cache node type."
  type        = string
}

variable "num_cache_nodes" {
  description = "Primary plus replicas; 2 or more enables automatic failover and Multi-AZ."
  type        = number
  default     = 1

  validation {
    condition     = var.num_cache_nodes >= 1 && var.num_cache_nodes <= 6
    error_message = "Between 1 and 6 nodes."
  }
}

variable "snapshot_retention_days" {
  description = "Daily snapshot retention (0 disables snapshots)."
  type        = number
  default     = 1
}

variable "apply_immediately" {
  description = "Apply modifications now instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the slow-log group."
  type        = number
  default     = 30
}
