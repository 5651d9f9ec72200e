output "address" {
  description = "Host name of the instance (private)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "identifier" {
  description = "Instance identifier (CloudWatch dimension DBInstanceIdentifier)."
  value       = aws_db_instance.this.identifier
}

output "database_name" {
  description = "Database name."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "Database user."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "Secret (managed by RDS) holding the master user's credentials as JSON; only the db-roles task reads it."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "max_connections" {
  description = "PostgreSQL max_connections set in the parameter group."
  value       = var.max_connections
}
