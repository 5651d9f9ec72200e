variable "name" {
  description = "Name prefix, e.g. kavak-production."
  type        = string
}

variable "aws_region" {
  description = "Region of the alarm topic (the Prometheus alert manager signs its SNS calls for it)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the SNS topic and the Prometheus log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the Prometheus workspace log group."
  type        = number
  default     = 30
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "alarm_https_endpoints" {
  description = "HTTPS endpoints subscribed to the alarm topic (they must confirm SNS subscriptions themselves: PagerDuty, Opsgenie, an incident bot)."
  type        = list(string)
  default     = []
}

variable "alb_arn_suffix" {
  description = "ALB ARN suffix."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "Target group ARN suffix."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster."
  type        = string
}

variable "web_service_name" {
  description = "ECS web service."
  type        = string
}

variable "worker_service_names" {
  description = "ECS worker service per Celery queue (turns, messages)."
  type        = map(string)
}

variable "beat_service_name" {
  description = "ECS beat service (Celery beat and the queue-metrics exporter)."
  type        = string
}

variable "web_log_group_name" {
  description = "Log group of the web containers (Twilio signature failures are counted from it)."
  type        = string
}

variable "queue_metrics_namespace" {
  description = "CloudWatch namespace of the app's own metrics (queue-metrics exporter, log metric filters)."
  type        = string
}

variable "celery_queues" {
  description = "Celery queues the queue alarms watch (the Queue dimension of the exporter's metrics), with their thresholds: alarm when the oldest message is older than oldest_age_seconds for 5 minutes, or more than depth_threshold wait for 10."
  type = map(object({
    oldest_age_seconds = number
    depth_threshold    = number
  }))
  default = {
    turns    = { oldest_age_seconds = 60, depth_threshold = 2000 }
    messages = { oldest_age_seconds = 120, depth_threshold = 500 }
  }
}

variable "whatsapp_inbound_to_send_p95_seconds" {
  description = "Alarm when the p95 from a customer's message to our reply leaving exceeds this."
  type        = number
  default     = 30
}

variable "signature_failures_threshold" {
  description = "Alarm when more webhook requests than this fail the Twilio signature check in 5 minutes."
  type        = number
  default     = 5
}

variable "rds_instance_id" {
  description = "RDS instance identifier."
  type        = string
}

variable "redis_node_ids" {
  description = "ElastiCache node IDs."
  type        = list(string)
}

variable "alb_5xx_rate_percent" {
  description = "Alarm when 5xx responses exceed this share of requests."
  type        = number
  default     = 5
}

variable "p95_latency_seconds" {
  description = "Alarm when target p95 latency exceeds this."
  type        = number
  default     = 2
}

variable "ecs_cpu_percent" {
  description = "ECS service CPU alarm threshold."
  type        = number
  default     = 85
}

variable "ecs_memory_percent" {
  description = "ECS service memory alarm threshold."
  type        = number
  default     = 85
}

variable "rds_cpu_percent" {
  description = "RDS CPU alarm threshold."
  type        = number
  default     = 80
}

variable "rds_free_storage_gb" {
  description = "RDS free storage alarm threshold (GB)."
  type        = number
  default     = 5
}

variable "rds_max_connections" {
  description = "max_connections of the RDS parameter group (modules/rds output)."
  type        = number
}

variable "rds_connections_percent" {
  description = "Alarm when connections exceed this share of max_connections."
  type        = number
  default     = 80
}

variable "redis_memory_percent" {
  description = "Redis memory usage alarm threshold."
  type        = number
  default     = 80
}
