output "alarm_topic_arn" {
  description = "SNS topic receiving all alarms."
  value       = aws_sns_topic.alarms.arn
}

output "prometheus_workspace_arn" {
  description = "Amazon Managed Service for Prometheus workspace (the ADOT sidecars write to it)."
  value       = aws_prometheus_workspace.this.arn
}

output "prometheus_remote_write_url" {
  description = "Remote-write URL of the workspace."
  value       = "${aws_prometheus_workspace.this.prometheus_endpoint}api/v1/remote_write"
}

output "prometheus_query_url" {
  description = "Query endpoint of the workspace (Grafana data source, awscurl)."
  value       = aws_prometheus_workspace.this.prometheus_endpoint
}

# Alarms ECS watches while it deploys a service: firing during a deployment
# rolls it back. web: 5xx rate. worker: the queue's oldest message (a release
# whose workers start but do not consume). beat: the same (beat and the
# exporter share the task; no metrics is breaching).
output "deployment_alarm_names" {
  description = "Deployment alarms per ECS service (modules/ecs)."
  value = {
    web    = [aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name]
    worker = [aws_cloudwatch_metric_alarm.queue_oldest_message_age.alarm_name]
    beat   = [aws_cloudwatch_metric_alarm.queue_oldest_message_age.alarm_name]
  }
}
