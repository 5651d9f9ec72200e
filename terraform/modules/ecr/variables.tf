variable "name" {
  description = "Repository name, e.g. kavak-production."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the images."
  type        = string
}

variable "keep_images" {
  description = "How many images to keep (older ones expire)."
  type        = number
  default     = 50
}

variable "force_delete" {
  description = "Allow terraform destroy to delete a repository that still holds images."
  type        = bool
  default     = false
}
