variable "name" {
  description = "Name prefix, e.g. kavak-production."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the SNS topic."
  type        = string
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm)."
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

variable "worker_service_name" {
  description = "ECS worker service."
  type        = string
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
  description = "RDS connection count alarm threshold."
  type        = number
  default     = 80
}

variable "redis_memory_percent" {
  description = "Redis memory usage alarm threshold."
  type        = number
  default     = 80
}
