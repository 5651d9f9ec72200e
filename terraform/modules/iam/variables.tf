variable "name" {
  description = "Name prefix, e.g. kavak-production."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster name (the ECS module uses the same value)."
  type        = string
}

variable "service_names" {
  description = "ECS service names the deploy role may update."
  type        = list(string)
}

variable "migrate_task_family" {
  description = "Task definition family of the one-off migration task."
  type        = string
}

variable "log_group_prefix" {
  description = "Prefix of the ECS log group names, e.g. /ecs/kavak-production/."
  type        = string
}

variable "ecr_repository_arn" {
  description = "Repository the tasks pull from and CI pushes to."
  type        = string
}

variable "secret_arns" {
  description = "Secrets the task execution role may read (map of variable name to ARN)."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "KMS key encrypting the secrets."
  type        = string
}

variable "enable_execute_command" {
  description = "Allow ECS Exec (interactive shell into tasks)."
  type        = bool
  default     = false
}

variable "github_repository" {
  description = "GitHub repository allowed to deploy, as owner/name."
  type        = string
}

variable "github_environment" {
  description = "GitHub environment the deploy job runs in (OIDC subject)."
  type        = string
}

variable "create_github_oidc_provider" {
  description = "Create the account-wide GitHub OIDC provider (only once per AWS account)."
  type        = bool
  default     = true
}

variable "extra_secret_arns" {
  description = "Secrets not created by modules/secrets that the execution role may read (the RDS-managed master secret, for the db-roles task)."
  type        = list(string)
  default     = []
}

variable "prometheus_workspace_arn" {
  description = "Amazon Managed Service for Prometheus workspace the task role may remote-write to (null: none)."
  type        = string
  default     = null
}

variable "terraform_state_bucket" {
  description = "S3 bucket of the Terraform state (the plan role reads it)."
  type        = string
}

variable "ses_identity_arn" {
  description = "ARN of the SES sender identity the task role may send from (empty: the sales email is off, no permission)."
  type        = string
  default     = ""
}

variable "email_from_address" {
  description = "The From address the task role may send as (ses:FromAddress)."
  type        = string
  default     = ""
}
