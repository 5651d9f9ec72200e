variable "name" {
  description = "Name prefix, e.g. kavak-production (at most 26 characters: target group names are limited to 32)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets, one per AZ."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the ALB (modules/network)."
  type        = string
}

variable "domain_name" {
  description = "Public host name of the service, e.g. whatsapp.kavak.com."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name; null to manage DNS records elsewhere."
  type        = string
  default     = null
}

variable "app_port" {
  description = "Port of the web containers."
  type        = number
  default     = 8000
}

variable "health_check_path" {
  description = "Liveness path checked by the ALB."
  type        = string
  default     = "/healthz"
}

variable "ssl_policy" {
  description = "ALB TLS policy (TLS 1.3 + 1.2 with forward secrecy)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "deletion_protection" {
  description = "Protect the ALB against deletion (and keep access logs on destroy)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key encrypting the WAF log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the WAF log group."
  type        = number
  default     = 30
}

variable "access_log_retention_days" {
  description = "Days ALB access logs are kept in S3."
  type        = number
  default     = 90
}

variable "rate_limit_per_5_minutes" {
  description = "Requests per client IP per 5 minutes before WAF blocks (webhook path excluded)."
  type        = number
  default     = 2000
}

variable "webhook_path_prefix" {
  description = "Path prefix of the Twilio webhooks, excluded from the per-IP rate limit."
  type        = string
  default     = "/channels/"
}
