output "secret_arns" {
  description = "Secret ARN per container environment variable name."
  value       = { for key, secret in aws_secretsmanager_secret.this : key => secret.arn }
}

output "redis_auth_token" {
  description = "Generated ElastiCache auth token (same value as the REDIS_PASSWORD secret)."
  value       = random_password.generated["REDIS_PASSWORD"].result
  sensitive   = true
}
