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
  description = "Image tag of the task definitions: the git commit SHA the pipeline built and deployed (never a placeholder)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{40}$", var.image_tag))
    error_message = "image_tag must be a full git commit SHA (40 lowercase hex characters), the tag CI pushed."
  }
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
  description = "Secret ARN per variable name (modules/secrets); each container gets only those it uses."
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

variable "database_master_username" {
  description = "RDS master user (only the db-roles task connects as it)."
  type        = string
  default     = "kavak"
}

variable "database_master_secret_arn" {
  description = "RDS-managed secret of the master user (JSON with a password key); read by the db-roles task only."
  type        = string
}

variable "database_app_username" {
  description = "Least-privilege role of web, worker and beat (SELECT/INSERT/UPDATE/DELETE)."
  type        = string
  default     = "kavak_app"
}

variable "database_migrate_username" {
  description = "Role of the migrate task: owns the schema (DDL)."
  type        = string
  default     = "kavak_migrate"
}

variable "database_ca_bundle_path" {
  description = "RDS CA bundle inside the image (Dockerfile), for sslmode=verify-full."
  type        = string
  default     = "/app/certs/rds-global-bundle.pem"
}

variable "migrate_lock_timeout_ms" {
  description = "PostgreSQL lock_timeout of the migrate task: a migration that waits longer for a lock fails instead of blocking live queries."
  type        = number
  default     = 5000
}

variable "migrate_statement_timeout_ms" {
  description = "PostgreSQL statement_timeout of the migrate task."
  type        = number
  default     = 300000
}

variable "migrate_timeout_seconds" {
  description = "Upper bound of the whole migrate run (`timeout` in the container); CI waits for the task this long plus start-up."
  type        = number
  default     = 900

  validation {
    condition     = var.migrate_timeout_seconds >= 60 && var.migrate_timeout_seconds <= 3600
    error_message = "migrate_timeout_seconds must be between 60 and 3600."
  }
}

variable "admin_path" {
  description = "DJANGO_ADMIN_URL (no leading slash), e.g. admin/."
  type        = string
  default     = "admin/"
}

variable "data_retention_days" {
  description = "DATA_RETENTION_DAYS: days conversation messages and WhatsApp deliveries are kept (0 = not purged)."
  type        = number
  default     = 0
}

variable "retention_transcript_days" {
  description = "RETENTION_TRANSCRIPT_DAYS: days an idle conversation keeps its personal data (0 = kept; null = data_retention_days)."
  type        = number
  default     = null
}

variable "retention_delivery_days" {
  description = "RETENTION_DELIVERY_DAYS: days WhatsApp messages, contacts and status callbacks keep personal data (0 = kept; null = data_retention_days)."
  type        = number
  default     = null
}

variable "retention_closed_lead_days" {
  description = "RETENTION_CLOSED_LEAD_DAYS: days a sold or lost lead without activity keeps personal data (0 = kept)."
  type        = number
  default     = 0
}

variable "retention_batch_size" {
  description = "RETENTION_BATCH_SIZE: rows per short transaction of the anonymiser."
  type        = number
  default     = 500
}

variable "queue_metrics_namespace" {
  description = "CloudWatch namespace of the queue-metrics exporter (modules/monitoring alarms on it)."
  type        = string
}

variable "queue_metrics_interval_seconds" {
  description = "Seconds between two publications of the queue metrics."
  type        = number
  default     = 60
}

variable "prometheus_remote_write_url" {
  description = "Amazon Managed Service for Prometheus remote-write URL of the ADOT sidecars (modules/monitoring)."
  type        = string
}

variable "adot_collector_image" {
  description = "AWS Distro for OpenTelemetry collector image of the metrics sidecars (pinned version)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
}

variable "deployment_alarm_names" {
  description = "CloudWatch alarms per service (web, worker-turns, worker-messages, beat) that roll a deployment back when they fire during it."
  type        = map(list(string))

  validation {
    condition     = alltrue([for service in ["web", "worker-turns", "worker-messages", "beat"] : length(lookup(var.deployment_alarm_names, service, [])) > 0])
    error_message = "deployment_alarm_names needs at least one alarm for each of web, worker-turns, worker-messages and beat."
  }
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

variable "twilio_csat_content_sid" {
  description = "TWILIO_CSAT_CONTENT_SID: approved list-picker template (HX...) for the satisfaction question; empty: plain text."
  type        = string
  default     = ""

  validation {
    condition     = var.twilio_csat_content_sid == "" || startswith(var.twilio_csat_content_sid, "HX")
    error_message = "twilio_csat_content_sid must be empty or a Content API ContentSid (HX...)."
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

variable "llm_rollout_percent" {
  description = "LLM_ROLLOUT_PERCENT: with the LLM on, the share (0-100) of new conversations that use it, fixed per conversation."
  type        = number
  default     = 100
}

variable "whatsapp_providers" {
  description = "WHATSAPP_PROVIDERS: the provider of each business number, <number>=twilio or <number>=meta:<phone_number_id>, comma-separated; empty: every number on Twilio. A Meta number gives web and worker the META_* secrets."
  type        = string
  default     = ""
}

variable "meta_sales_template" {
  description = "META_SALES_TEMPLATE: approved Meta template (<name>:<language>) of the WhatsApp notification to salespeople on a Meta number; empty: not set."
  type        = string
  default     = ""
}

variable "meta_staff_template" {
  description = "META_STAFF_TEMPLATE: approved Meta template (<name>:<language>) staff send outside the 24-hour window on a Meta number; empty: not set."
  type        = string
  default     = ""
}

variable "web_gunicorn_workers" {
  description = "GUNICORN_WORKERS per web task (processes)."
  type        = number
  default     = 2

  validation {
    condition     = var.web_gunicorn_workers >= 1
    error_message = "web_gunicorn_workers must be at least 1."
  }
}

variable "web_gunicorn_threads" {
  description = "GUNICORN_THREADS per gunicorn worker (more than 1 selects gthread workers: a turn waiting on the LLM, or a slow client, holds a thread, not a process)."
  type        = number
  default     = 32

  validation {
    condition     = var.web_gunicorn_threads >= 1 && var.web_gunicorn_threads <= 128
    error_message = "web_gunicorn_threads must be between 1 and 128."
  }
}

variable "turn_worker_threads" {
  description = "Threads of each worker-turns task (celery -P threads -c N): WhatsApp turns that wait on the LLM at once."
  type        = number
  default     = 64

  validation {
    condition     = var.turn_worker_threads >= 1 && var.turn_worker_threads <= 256
    error_message = "turn_worker_threads must be between 1 and 256."
  }
}

variable "turn_worker_db_pool_size" {
  description = "DATABASE_POOL_MAX_SIZE of each worker-turns task: database connections its threads share (Django's psycopg pool)."
  type        = number
  default     = 8
}

variable "lead_email_notifications" {
  description = "LEAD_EMAIL_NOTIFICATIONS: email each lead to sales through Amazon SES (false: the email is off; the WhatsApp template still goes)."
  type        = bool
  default     = true
}

variable "email_from_address" {
  description = "DEFAULT_FROM_EMAIL's address: the verified SES sender identity (modules/iam allows sending from it only)."
  type        = string
  default     = ""

  validation {
    condition     = !var.lead_email_notifications || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.email_from_address))
    error_message = "email_from_address must be an email address (the SES sender identity) while lead_email_notifications is true."
  }
}

variable "sales_notification_emails" {
  description = "SALES_NOTIFICATION_EMAILS: the sales inbox(es) for leads nobody is assigned to."
  type        = list(string)
  default     = []

  validation {
    condition     = !var.lead_email_notifications || length(var.sales_notification_emails) > 0
    error_message = "sales_notification_emails needs at least one inbox while lead_email_notifications is true."
  }
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
  description = "CELERY_METRICS_PORT: port of the workers' Prometheus endpoint, on 127.0.0.1 (the ADOT sidecar of the task scrapes it over localhost)."
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

variable "worker_turns_min_count" {
  description = "Minimum worker-turns tasks (queue turns: WhatsApp turns)."
  type        = number
}

variable "worker_turns_max_count" {
  description = "Maximum worker-turns tasks."
  type        = number
}

variable "worker_messages_min_count" {
  description = "Minimum worker-messages tasks (queue messages: sends, status work, lead notifications, sweeps)."
  type        = number
}

variable "worker_messages_max_count" {
  description = "Maximum worker-messages tasks."
  type        = number
}

variable "worker_turns_backlog_per_task" {
  description = "Target of turns waiting per worker-turns task (target tracking on the queue depth divided by running tasks)."
  type        = number
  default     = 32
}

variable "worker_messages_backlog_per_task" {
  description = "Target of messages waiting per worker-messages task."
  type        = number
  default     = 100
}

variable "worker_turns_scale_out_age_seconds" {
  description = "Add worker-turns tasks when the oldest waiting turn is older than this for 2 minutes (two tasks past twice this)."
  type        = number
  default     = 10
}

variable "worker_messages_scale_out_age_seconds" {
  description = "Add worker-messages tasks when the oldest waiting message is older than this for 2 minutes."
  type        = number
  default     = 30
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
