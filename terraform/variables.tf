# One root for every environment; values live in environments/<env>.tfvars.

variable "environment" {
  description = "Environment name: staging or production (also the GitHub environment allowed to deploy)."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "aws_account_id" {
  description = "AWS account of this environment; the provider refuses to touch any other (staging and production may be separate accounts)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be a 12-digit AWS account ID."
  }
}

variable "terraform_state_bucket" {
  description = "S3 bucket of this environment's Terraform state (the same as in environments/<env>.s3.tfbackend; the plan role reads it)."
  type        = string
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
  description = "Image the task definitions run: the full git SHA the pipeline built and pushed (terraform.yml passes -var image_tag=<sha>). No default, never a placeholder tag."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{40}$", var.image_tag))
    error_message = "image_tag must be the full git commit SHA of an image pushed to ECR (40 lowercase hex characters)."
  }
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

variable "twilio_csat_content_sid" {
  description = "TWILIO_CSAT_CONTENT_SID: approved list-picker template (ContentSid, HX..., items choice:1...choice:5) for the satisfaction question; empty: plain text."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.twilio_csat_content_sid == "" || startswith(var.twilio_csat_content_sid, "HX")
    error_message = "twilio_csat_content_sid must be empty or a Content API ContentSid (HX...)."
  }
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

variable "llm_rollout_percent" {
  description = "LLM_ROLLOUT_PERCENT: with llm_enabled, the share (0-100) of new conversations that use the model, fixed per conversation (README, gradual rollout). 100 = every conversation."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.llm_rollout_percent >= 0 && var.llm_rollout_percent <= 100 && floor(var.llm_rollout_percent) == var.llm_rollout_percent
    error_message = "llm_rollout_percent must be a whole number between 0 and 100."
  }
}

variable "whatsapp_providers" {
  description = "WHATSAPP_PROVIDERS: the provider of each business number, comma-separated <number>=twilio or <number>=meta:<phone_number_id> (E.164 numbers, e.g. +525598765432=meta:109876543210987,+5215500000000=twilio). Empty: every number on Twilio. A Meta number gives web and worker the META_* secrets, which must hold their values first (terraform/README.md, \"Meta WhatsApp Cloud API\")."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = can(regex("^(\\+[1-9][0-9]{6,14}=(twilio|meta:[0-9]+)(,\\+[1-9][0-9]{6,14}=(twilio|meta:[0-9]+))*)?$", var.whatsapp_providers))
    error_message = "whatsapp_providers must be empty or comma-separated <+E.164 number>=twilio / <+E.164 number>=meta:<numeric phone number id>, without spaces."
  }
}

variable "meta_sales_template" {
  description = "META_SALES_TEMPLATE: approved Meta template <name>:<language> (e.g. kavak_aviso_ventas:es_MX) notifying salespeople on a Meta number; empty: not set."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.meta_sales_template == "" || (length(var.meta_sales_template) <= 64 && can(regex("^[a-z0-9_]+:[A-Za-z]{2,3}(_[A-Za-z]{2,4})?$", var.meta_sales_template)))
    error_message = "meta_sales_template must be empty or <template name>:<language>, e.g. kavak_aviso_ventas:es_MX (at most 64 characters)."
  }
}

variable "meta_staff_template" {
  description = "META_STAFF_TEMPLATE: approved Meta template <name>:<language> (e.g. kavak_asesor:es_MX) staff send outside the 24-hour window on a Meta number; empty: not set."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.meta_staff_template == "" || (length(var.meta_staff_template) <= 64 && can(regex("^[a-z0-9_]+:[A-Za-z]{2,3}(_[A-Za-z]{2,4})?$", var.meta_staff_template)))
    error_message = "meta_staff_template must be empty or <template name>:<language>, e.g. kavak_asesor:es_MX (at most 64 characters)."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses receiving the alarms (each confirms its subscription once). Production needs at least one address or HTTPS endpoint."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "Every alarm_emails entry must be an e-mail address."
  }

  validation {
    condition     = var.alarm_notifications_opt_out || length(var.alarm_emails) + length(var.alarm_https_endpoints) > 0
    error_message = "Alarms must reach someone: set alarm_emails (or alarm_https_endpoints). Only staging may opt out, with alarm_notifications_opt_out = true."
  }
}

variable "alarm_https_endpoints" {
  description = "HTTPS endpoints subscribed to the alarm topic that confirm SNS subscriptions themselves (PagerDuty, Opsgenie, an incident bot); Slack or Teams through AWS Chatbot on the topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for url in var.alarm_https_endpoints : startswith(url, "https://")])
    error_message = "alarm_https_endpoints must be https:// URLs."
  }
}

variable "alarm_notifications_opt_out" {
  description = "Explicitly run without anyone subscribed to the alarms (staging only)."
  type        = bool
  default     = false

  validation {
    condition     = !(var.alarm_notifications_opt_out && var.environment == "production")
    error_message = "Production cannot opt out of alarm notifications."
  }
}

variable "admin_path" {
  description = "DJANGO_ADMIN_URL: path of the back office, no leading slash (WAF allow-list and app)."
  type        = string
  default     = "admin/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+/$", var.admin_path))
    error_message = "admin_path must be one path segment ending in /, e.g. admin/ or backoffice-7f3a/."
  }
}

variable "admin_allowed_cidrs" {
  description = "IPv4 networks allowed to reach the admin through the WAF (empty: any address; the TOTP second factor applies anyway)."
  type        = list(string)
  default     = []
}

variable "webhook_rate_limit_per_5_minutes" {
  description = "WAF limit of requests per Twilio address per 5 minutes on /channels/."
  type        = number
  default     = 20000
}

variable "data_retention_days" {
  description = "DATA_RETENTION_DAYS of the app: days conversation messages and WhatsApp deliveries are kept before archival (0 = kept; docs/PRODUCTION.md, Data growth)."
  type        = number
  default     = 0

  validation {
    condition     = var.data_retention_days == 0 || var.data_retention_days >= 30
    error_message = "data_retention_days must be 0 (keep) or at least 30."
  }
}

# Personal data retention (README "Retention and erasure of personal data"): days
# each kind of data keeps it before the nightly anonymiser removes it; 0 = keep.
variable "retention_transcript_days" {
  description = "RETENTION_TRANSCRIPT_DAYS: days an idle conversation keeps its personal data (0 = keep; null = data_retention_days, as in the app)."
  type        = number
  default     = null

  validation {
    condition     = var.retention_transcript_days == null ? true : (var.retention_transcript_days == 0 || var.retention_transcript_days >= 30) && floor(var.retention_transcript_days) == var.retention_transcript_days
    error_message = "retention_transcript_days must be null (data_retention_days), 0 (keep) or a whole number of days, at least 30."
  }
}

variable "retention_delivery_days" {
  description = "RETENTION_DELIVERY_DAYS: days WhatsApp messages, contacts and status callbacks keep personal data (0 = keep; null = data_retention_days, as in the app)."
  type        = number
  default     = null

  validation {
    condition     = var.retention_delivery_days == null ? true : (var.retention_delivery_days == 0 || var.retention_delivery_days >= 30) && floor(var.retention_delivery_days) == var.retention_delivery_days
    error_message = "retention_delivery_days must be null (data_retention_days), 0 (keep) or a whole number of days, at least 30."
  }
}

variable "retention_closed_lead_days" {
  description = "RETENTION_CLOSED_LEAD_DAYS: days a sold or lost lead without activity keeps personal data (0 = keep)."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = (var.retention_closed_lead_days == 0 || var.retention_closed_lead_days >= 30) && floor(var.retention_closed_lead_days) == var.retention_closed_lead_days
    error_message = "retention_closed_lead_days must be 0 (keep) or a whole number of days, at least 30."
  }
}

variable "retention_batch_size" {
  description = "RETENTION_BATCH_SIZE: rows per short transaction of the anonymiser."
  type        = number
  default     = 500
  nullable    = false

  validation {
    condition     = var.retention_batch_size >= 10 && var.retention_batch_size <= 10000 && floor(var.retention_batch_size) == var.retention_batch_size
    error_message = "retention_batch_size must be a whole number between 10 and 10000."
  }
}

variable "deletion_protection" {
  description = "Deletion protection on RDS and the ALB, final DB snapshot, no force-delete of ECR/S3."
  type        = bool

  validation {
    condition     = var.deletion_protection || var.environment != "production"
    error_message = "Production keeps deletion protection (deletion_protection = true)."
  }
}

variable "multi_az" {
  description = "RDS Multi-AZ standby."
  type        = bool

  validation {
    condition     = var.multi_az || var.environment != "production"
    error_message = "Production runs RDS Multi-AZ (multi_az = true)."
  }
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

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "The ALB and the subnets need at least two availability_zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ."
  type        = bool

  validation {
    condition     = !var.single_nat_gateway || var.environment != "production"
    error_message = "Production keeps one NAT gateway per AZ (single_nat_gateway = false): one AZ down must not cut the others' egress."
  }
}

# --- ECS ----------------------------------------------------------------------

variable "web_cpu" {
  description = "CPU units per web task."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.web_cpu)
    error_message = "web_cpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192 or 16384)."
  }
}

variable "web_memory" {
  description = "Memory (MiB) per web task."
  type        = number
}

variable "worker_cpu" {
  description = "CPU units per worker task."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.worker_cpu)
    error_message = "worker_cpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192 or 16384)."
  }
}

variable "worker_memory" {
  description = "Memory (MiB) per worker task."
  type        = number
}

variable "web_min_count" {
  description = "Minimum web tasks."
  type        = number

  validation {
    condition     = var.web_min_count >= 1 && var.web_min_count <= var.web_max_count
    error_message = "web_min_count must be at least 1 and at most web_max_count."
  }

  validation {
    condition     = var.web_min_count >= 2 || var.environment != "production"
    error_message = "Production runs at least two web tasks (web_min_count >= 2): one task lost or replaced must not stop the service."
  }
}

variable "web_max_count" {
  description = "Maximum web tasks."
  type        = number
}

variable "worker_turns_min_count" {
  description = "Minimum worker-turns tasks (Celery queue turns: WhatsApp turns on a thread pool)."
  type        = number

  validation {
    condition     = var.worker_turns_min_count >= 1 && var.worker_turns_min_count <= var.worker_turns_max_count
    error_message = "worker_turns_min_count must be at least 1 and at most worker_turns_max_count."
  }

  validation {
    condition     = var.worker_turns_min_count >= 2 || var.environment != "production"
    error_message = "Production runs at least two worker-turns tasks (worker_turns_min_count >= 2): one task lost or replaced must not stop the service."
  }
}

variable "worker_turns_max_count" {
  description = "Maximum worker-turns tasks (autoscaling on the turns queue's backlog and age)."
  type        = number
}

variable "worker_messages_min_count" {
  description = "Minimum worker-messages tasks (Celery's default queue messages: sends, status work, lead notifications, sweeps)."
  type        = number

  validation {
    condition     = var.worker_messages_min_count >= 1 && var.worker_messages_min_count <= var.worker_messages_max_count
    error_message = "worker_messages_min_count must be at least 1 and at most worker_messages_max_count."
  }

  validation {
    condition     = var.worker_messages_min_count >= 2 || var.environment != "production"
    error_message = "Production runs at least two worker-messages tasks (worker_messages_min_count >= 2): one task lost or replaced must not stop the service."
  }
}

variable "worker_messages_max_count" {
  description = "Maximum worker-messages tasks."
  type        = number
}

variable "turn_worker_threads" {
  description = "Threads per worker-turns task (celery -P threads -c N)."
  type        = number
  default     = 64
}

variable "web_gunicorn_workers" {
  description = "GUNICORN_WORKERS per web task."
  type        = number
  default     = 2
}

variable "web_gunicorn_threads" {
  description = "GUNICORN_THREADS per gunicorn worker (gthread workers when above 1)."
  type        = number
  default     = 32
}

variable "lead_email_notifications" {
  description = "Email each lead to sales through Amazon SES (LEAD_EMAIL_NOTIFICATIONS). false turns the email off explicitly."
  type        = bool
  default     = true
}

variable "email_from_address" {
  description = "The SES sender identity (an email address; SES sends it a verification link) and DEFAULT_FROM_EMAIL's address. Required while lead_email_notifications is true."
  type        = string
  default     = ""

  validation {
    condition     = !var.lead_email_notifications || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.email_from_address))
    error_message = "email_from_address must be the sender's email address while lead_email_notifications is true (or set lead_email_notifications = false)."
  }
}

variable "sales_notification_emails" {
  description = "SALES_NOTIFICATION_EMAILS: the sales inbox(es) that receive leads nobody is assigned to."
  type        = list(string)
  default     = []

  validation {
    condition     = !var.lead_email_notifications || length(var.sales_notification_emails) > 0
    error_message = "sales_notification_emails needs at least one inbox while lead_email_notifications is true."
  }
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

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35 (RDS's range; 0 would turn backups off)."
  }

  validation {
    condition     = var.db_backup_retention_days >= 7 || var.environment != "production"
    error_message = "Production keeps at least 7 days of RDS backups (db_backup_retention_days >= 7)."
  }
}

variable "db_max_connections" {
  description = "PostgreSQL max_connections; the connections alarm fires at 80 % of it. Size it for web tasks x GUNICORN_WORKERS + worker tasks x concurrency + the one-off tasks."
  type        = number

  validation {
    condition     = var.web_max_count * var.web_gunicorn_workers * var.web_gunicorn_threads + var.worker_turns_max_count * var.turn_worker_threads + var.worker_messages_max_count * max(1, floor(var.worker_cpu / 1024)) + 10 < 0.8 * var.db_max_connections
    error_message = "Every gthread thread and every turn thread may hold a database connection: web_max_count x web_gunicorn_workers x web_gunicorn_threads + worker_turns_max_count x turn_worker_threads + worker_messages_max_count x worker vCPUs + 10 (the exporter and the one-off tasks) must stay under 80 % of db_max_connections (the connections alarm's threshold)."
  }
}

# --- ElastiCache --------------------------------------------------------------

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "redis_num_cache_nodes" {
  description = "Redis nodes (2+ enables failover and Multi-AZ)."
  type        = number

  validation {
    condition     = var.redis_num_cache_nodes >= 1 && var.redis_num_cache_nodes <= 6
    error_message = "redis_num_cache_nodes must be between 1 and 6 (a primary and up to 5 replicas)."
  }

  validation {
    condition     = var.redis_num_cache_nodes >= 2 || var.environment != "production"
    error_message = "Production runs Redis with a replica (redis_num_cache_nodes >= 2) for automatic failover."
  }
}

variable "redis_snapshot_retention_days" {
  description = "Redis snapshot retention."
  type        = number
}
