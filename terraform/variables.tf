# Same file in every environment; values live in terraform.tfvars.

variable "environment" {
  description = "Environment name: staging or production (also the GitHub environment allowed to deploy)."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "aws_region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "domain_name" {
  description = "Public host name of the service; the Twilio webhook is https://<domain_name>/channels/whatsapp/webhook."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name (null: create the DNS records by hand)."
  type        = string
  default     = null
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose Actions may deploy."
  type        = string
}

variable "create_github_oidc_provider" {
  description = "Create the account-wide GitHub OIDC provider; false when another environment in the same account already did."
  type        = bool
  default     = true
}

variable "image_tag" {
  description = "Image tag used when Terraform (re)creates task definitions. CI deploys newer images itself."
  type        = string
  default     = "bootstrap"
}

variable "twilio_account_sid" {
  description = "Twilio Account SID (not secret; the auth token is in Secrets Manager)."
  type        = string
}

variable "whatsapp_enabled" {
  description = "WHATSAPP_ENABLED for the application (needs twilio_account_sid, twilio_whatsapp_number and the TWILIO_AUTH_TOKEN secret)."
  type        = bool
  default     = true
}

variable "twilio_whatsapp_number" {
  description = "WhatsApp sender of this environment, whatsapp:+<E.164 number>."
  type        = string
}

variable "twilio_sales_template_content_sid" {
  description = "Approved WhatsApp template (ContentSid, HX...) notifying salespeople; empty: no notification."
  type        = string
  default     = ""
}

variable "twilio_staff_template_content_sid" {
  description = "Approved WhatsApp template (ContentSid, HX...) staff send outside the 24-hour window; empty: not set."
  type        = string
  default     = ""
}

variable "llm_enabled" {
  description = "LLM_ENABLED for the application."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "E-mail addresses receiving CloudWatch alarms."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Deletion protection on RDS and the ALB, final DB snapshot, no force-delete of ECR/S3."
  type        = bool
}

variable "multi_az" {
  description = "RDS Multi-AZ standby."
  type        = bool
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into running tasks (debugging)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group."
  type        = number
  default     = 30
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can be restored."
  type        = number
  default     = 30
}

# --- network ------------------------------------------------------------------

variable "vpc_cidr" {
  description = "VPC CIDR block."
  type        = string
  default     = "10.0.0.0/16"
}

variable "availability_zones" {
  description = "Two (or more) Availability Zones of aws_region."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ."
  type        = bool
}

# --- ECS ----------------------------------------------------------------------

variable "web_cpu" {
  description = "CPU units per web task."
  type        = number
}

variable "web_memory" {
  description = "Memory (MiB) per web task."
  type        = number
}

variable "worker_cpu" {
  description = "CPU units per worker task."
  type        = number
}

variable "worker_memory" {
  description = "Memory (MiB) per worker task."
  type        = number
}

variable "web_min_count" {
  description = "Minimum web tasks."
  type        = number
}

variable "web_max_count" {
  description = "Maximum web tasks."
  type        = number
}

variable "worker_min_count" {
  description = "Minimum worker tasks."
  type        = number
}

variable "worker_max_count" {
  description = "Maximum worker tasks."
  type        = number
}

variable "gunicorn_workers" {
  description = "GUNICORN_WORKERS per web task."
  type        = number
}

variable "gunicorn_threads" {
  description = "GUNICORN_THREADS per gunicorn worker."
  type        = number
  default     = 1
}

# --- RDS ----------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "db_allocated_storage_gb" {
  description = "Initial RDS storage (GB)."
  type        = number
}

variable "db_max_allocated_storage_gb" {
  description = "RDS storage autoscaling ceiling (GB)."
  type        = number
}

variable "db_backup_retention_days" {
  description = "RDS automated backup retention."
  type        = number
}

variable "db_connections_alarm_threshold" {
  description = "Alarm above this many database connections."
  type        = number
}

# --- ElastiCache --------------------------------------------------------------

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "redis_num_cache_nodes" {
  description = "Redis nodes (2+ enables failover and Multi-AZ)."
  type        = number
}

variable "redis_snapshot_retention_days" {
  description = "Redis snapshot retention."
  type        = number
}
