variable "name" {
  description = "Instance identifier, e.g. kavak-production."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets of the DB subnet group (two AZs)."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the instance (ingress only from web and worker tasks)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and log encryption."
  type        = string
}

variable "max_connections" {
  description = "PostgreSQL max_connections (parameter group); the connections alarm fires at a share of it."
  type        = number

  validation {
    condition     = var.max_connections >= 50 && var.max_connections <= 5000
    error_message = "max_connections must be between 50 and 5000."
  }
}

variable "engine_version" {
  description = "PostgreSQL major version (RDS picks the minor; minor upgrades are automatic)."
  type        = string
  default     = "16"
}

variable "parameter_group_family" {
  description = "Parameter group family matching engine_version."
  type        = string
  default     = "postgres16"
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "allocated_storage_gb" {
  description = "Initial gp3 storage."
  type        = number
  default     = 20
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling."
  type        = number
  default     = 100
}

variable "multi_az" {
  description = "Synchronous standby in a second AZ (production)."
  type        = bool
}

variable "deletion_protection" {
  description = "Block deletion; also takes a final snapshot and keeps automated backups on destroy."
  type        = bool
}

variable "backup_retention_days" {
  description = "Automated backup (point-in-time recovery) retention."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1
    error_message = "Automated backups must be enabled (at least 1 day)."
  }
}

variable "apply_immediately" {
  description = "Apply modifications now instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "log_min_duration_ms" {
  description = "Log statements slower than this (ms)."
  type        = number
  default     = 500
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL logs."
  type        = number
  default     = 30
}
