variable "name" {
  description = "Name prefix, e.g. kavak-production."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Waiting period before the key is deleted after a destroy."
  type        = number
  default     = 30
}
