output "cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "web_service_name" {
  description = "web service."
  value       = aws_ecs_service.web.name
}

output "worker_service_names" {
  description = "Worker service per Celery queue (turns, messages)."
  value       = { for queue, service in aws_ecs_service.worker : queue => service.name }
}

output "beat_service_name" {
  description = "Celery beat service (always exactly one task)."
  value       = aws_ecs_service.beat.name
}

output "task_families" {
  description = "Task definition families (CI registers new revisions of these)."
  value = {
    web             = aws_ecs_task_definition.web.family
    worker-turns    = aws_ecs_task_definition.worker["turns"].family
    worker-messages = aws_ecs_task_definition.worker["messages"].family
    beat            = aws_ecs_task_definition.beat.family
    migrate         = aws_ecs_task_definition.migrate.family
    db_roles        = aws_ecs_task_definition.db_roles.family
  }
}

output "log_group_names" {
  description = "Log group per container."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.name }
}

output "migrate_timeout_seconds" {
  description = "Bound of the migrate run; CI waits this long plus start-up for the task."
  value       = var.migrate_timeout_seconds
}
