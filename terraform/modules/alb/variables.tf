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
  description = "Path prefix of the Twilio webhooks: excluded from the general per-IP rate limit, given their own, and refused without X-Twilio-Signature."
  type        = string
  default     = "/channels/"
}

variable "meta_webhook_path" {
  description = "Path of Meta's WhatsApp Cloud API webhook (channels/urls.py), under webhook_path_prefix: refused without X-Hub-Signature-256 except the GET handshake, and out of the body-size rule."
  type        = string
  default     = "/channels/whatsapp/meta/webhook"
}

variable "webhook_rate_limit_per_5_minutes" {
  description = "Requests per client IP per 5 minutes to the webhook paths before WAF blocks (Twilio sends from a small pool of addresses)."
  type        = number
  default     = 20000

  validation {
    condition     = var.webhook_rate_limit_per_5_minutes >= 2000
    error_message = "The webhook limit must leave room for Twilio's bursts (at least 2000 per 5 minutes)."
  }
}

variable "max_public_body_bytes" {
  description = "Largest request body accepted on the public endpoints (webhooks, /chat, web chat); an ALB web ACL inspects at most 8192 bytes."
  type        = number
  default     = 8192
}

variable "public_body_paths_regex" {
  description = "URI paths the body-size rule applies to."
  type        = string
  default     = "^/(channels/|chat$|web/chat)"
}

variable "admin_path" {
  description = "DJANGO_ADMIN_URL of the app (no leading slash), e.g. admin/."
  type        = string
  default     = "admin/"
}

variable "admin_allowed_cidrs" {
  description = "IPv4 networks allowed to reach the admin (empty: anywhere; the second factor still applies)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.admin_allowed_cidrs : can(cidrhost(cidr, 0))])
    error_message = "admin_allowed_cidrs must be IPv4 CIDR blocks, e.g. 203.0.113.0/24."
  }
}
