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
    web             = [aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name]
    worker-turns    = [aws_cloudwatch_metric_alarm.queue_oldest_message_age["turns"].alarm_name]
    worker-messages = [aws_cloudwatch_metric_alarm.queue_oldest_message_age["messages"].alarm_name]
    # Beat enqueues the sweeps (messages) and runs the exporter (both queues).
    beat = [for alarm in aws_cloudwatch_metric_alarm.queue_oldest_message_age : alarm.alarm_name]
  }
}
