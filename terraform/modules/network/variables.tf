variable "name" {
  description = "Name prefix, e.g. kavak-production."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC (a /16 is split into /20 subnets)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "availability_zones" {
  description = "Availability Zone names, e.g. [\"us-east-1a\", \"us-east-1b\"] (at least 2: ALB, RDS Multi-AZ, ElastiCache failover)."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "At least two Availability Zones are required."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs (cheaper, staging) instead of one per AZ (production)."
  type        = bool
  default     = false
}

variable "app_port" {
  description = "Port gunicorn listens on inside the web tasks."
  type        = number
  default     = 8000
}


variable "kms_key_arn" {
  description = "KMS key encrypting the flow-log log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the VPC flow logs."
  type        = number
  default     = 30
}
