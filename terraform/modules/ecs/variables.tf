variable "name" {
  description = "Cluster name and prefix of task families and log groups, e.g. kavak-production."
  type        = string
}

variable "aws_region" {
  description = "Region of the log groups (awslogs driver)."
  type        = string
}

variable "domain_name" {
  description = "Public host name (ALLOWED_HOSTS, CSRF origin, PUBLIC_BASE_URL)."
  type        = string
}

variable "extra_allowed_hosts" {
  description = "Additional DJANGO_ALLOWED_HOSTS entries."
  type        = list(string)
  default     = []
}

variable "ecr_repository_url" {
  description = "Image repository."
  type        = string
}

variable "image_tag" {
  description = "Image tag (git SHA) used when Terraform creates task definitions; CI deploys newer ones."
  type        = string
}

variable "cpu_architecture" {
  description = "X86_64 (images built on GitHub's x86 runners) or ARM64."
  type        = string
  default     = "X86_64"
}

variable "app_port" {
  description = "Port gunicorn listens on."
  type        = number
  default     = 8000
}

variable "execution_role_arn" {
  description = "Task execution role (modules/iam)."
  type        = string
}

variable "task_role_arn" {
  description = "Task role (modules/iam)."
  type        = string
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into running tasks."
  type        = bool
  default     = false
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks."
  type        = list(string)
}

variable "web_security_group_id" {
  description = "Security group of the web tasks."
  type        = string
}

variable "worker_security_group_id" {
  description = "Security group of the worker and migration tasks."
  type        = string
}

variable "target_group_arn" {
  description = "ALB target group of the web service."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ALB ARN suffix (request-count scaling)."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "Target group ARN suffix (request-count scaling)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the log groups."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the application log groups."
  type        = number
  default     = 30
}

variable "secret_arns" {
  description = "Secret ARN per variable name: DJANGO_SECRET_KEY, DATABASE_PASSWORD, REDIS_PASSWORD, TWILIO_AUTH_TOKEN, OPENAI_API_KEY (every container) and METRICS_TOKEN (web only)."
  type        = map(string)
}

variable "database_host" {
  description = "RDS address."
  type        = string
}

variable "database_port" {
  description = "RDS port."
  type        = number
  default     = 5432
}

variable "database_name" {
  description = "Database name."
  type        = string
  default     = "kavak"
}

variable "database_username" {
  description = "Database user."
  type        = string
  default     = "kavak"
}

variable "redis_host" {
  description = "ElastiCache primary endpoint."
  type        = string
}

variable "redis_port" {
  description = "Redis port."
  type        = number
  default     = 6379
}

variable "twilio_account_sid" {
  description = "Twilio Account SID (an identifier, not a secret)."
  type        = string

  validation {
    condition     = can(regex("^AC[0-9a-fA-F]{32}$", var.twilio_account_sid))
    error_message = "twilio_account_sid must be a Twilio Account SID: AC followed by 32 hexadecimal characters."
  }
}

variable "whatsapp_enabled" {
  description = "WHATSAPP_ENABLED: turn the WhatsApp channel on (the app then requires TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER)."
  type        = bool
  default     = true
}

variable "twilio_whatsapp_number" {
  description = "TWILIO_WHATSAPP_NUMBER: the WhatsApp sender, e.g. whatsapp:+5215500000000."
  type        = string

  validation {
    condition     = can(regex("^whatsapp:\\+[1-9][0-9]{6,14}$", var.twilio_whatsapp_number))
    error_message = "twilio_whatsapp_number must be whatsapp:+<country code and number> (E.164), e.g. whatsapp:+5215500000000."
  }
}

variable "twilio_sales_template_content_sid" {
  description = "TWILIO_SALES_TEMPLATE_CONTENT_SID: approved template (ContentSid, HX...) of the WhatsApp notification to salespeople; empty: not set, no notification."
  type        = string
  default     = ""

  validation {
    condition     = var.twilio_sales_template_content_sid == "" || startswith(var.twilio_sales_template_content_sid, "HX")
    error_message = "twilio_sales_template_content_sid must be empty or a Content API ContentSid (HX...)."
  }
}

variable "twilio_staff_template_content_sid" {
  description = "TWILIO_STAFF_TEMPLATE_CONTENT_SID: approved template (ContentSid, HX...) staff send outside the 24-hour window; empty: not set."
  type        = string
  default     = ""

  validation {
    condition     = var.twilio_staff_template_content_sid == "" || startswith(var.twilio_staff_template_content_sid, "HX")
    error_message = "twilio_staff_template_content_sid must be empty or a Content API ContentSid (HX...)."
  }
}

variable "llm_enabled" {
  description = "LLM_ENABLED: let the OpenAI model phrase replies."
  type        = bool
  default     = true
}

variable "gunicorn_workers" {
  description = "GUNICORN_WORKERS per web task (about 2 x vCPU for sync workers)."
  type        = number
  default     = 2
}

variable "gunicorn_threads" {
  description = "GUNICORN_THREADS per gunicorn worker."
  type        = number
  default     = 1
}

variable "web_cpu" {
  description = "CPU units per web task (1024 = 1 vCPU)."
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

variable "beat_cpu" {
  description = "CPU units of the single Celery beat task (it only enqueues periodic tasks)."
  type        = number
  default     = 256
}

variable "beat_memory" {
  description = "Memory (MiB) of the Celery beat task."
  type        = number
  default     = 512
}

variable "celery_metrics_port" {
  description = "CELERY_METRICS_PORT: port of the worker's Prometheus endpoint (reachable from inside the VPC only; modules/network opens the same port)."
  type        = number
  default     = 9808
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

variable "cpu_target_percent" {
  description = "Target average CPU for autoscaling."
  type        = number
  default     = 60
}

variable "requests_per_task_target" {
  description = "Target ALB requests per web task per minute."
  type        = number
  default     = 1000
}
