variable "name" {
  description = "Name prefix, e.g. kavak-production (secrets are named <name>/<VARIABLE>)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the secrets."
  type        = string
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  type        = number
  default     = 30
}
