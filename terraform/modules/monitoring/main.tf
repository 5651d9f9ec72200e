# CloudWatch alarms of the service, all notifying one SNS topic (KMS-encrypted)
# that reaches people: e-mail and/or HTTPS (chat webhook) subscriptions, required
# in production (root variables.tf). Amazon Managed Service for Prometheus
# holds the app's own metrics (scraped by the ADOT sidecars) and its alert
# manager publishes to the same topic.
#
#   ALB:    5xx rate (target + load balancer, missing data = 0), target p95
#           latency, unhealthy / no healthy hosts
#   ECS:    CPU and memory of web and both workers; running tasks of
#           worker-turns, worker-messages and beat
#   Celery: depth and oldest message age of each queue, turns and messages
#           (queue-metrics exporter)
#   WhatsApp: inbound-to-send p95 (exporter), Twilio signature failures (logs)
#   RDS:    CPU, free storage, connections near max_connections
#   Redis:  memory, evictions (noeviction policy: must stay 0)

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Incident tools and chat bots that confirm SNS subscriptions themselves (PagerDuty,
# Opsgenie, a bot); Slack or Teams channels subscribe through AWS Chatbot instead.
resource "aws_sns_topic_subscription" "https" {
  for_each = toset(var.alarm_https_endpoints)

  topic_arn              = aws_sns_topic.alarms.arn
  protocol               = "https"
  endpoint               = each.value
  endpoint_auto_confirms = true
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAndPrometheusPublish"
    actions   = ["sns:Publish", "sns:GetTopicAttributes"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "aps.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid       = "AccountManages"
    actions   = ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListSubscriptionsByTopic"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

locals {
  actions = [aws_sns_topic.alarms.arn]

  worker_services = { for queue, service in var.worker_service_names : "worker-${queue}" => service }

  ecs_services = merge({ web = var.web_service_name }, local.worker_services)

  # Services that must always run at least one task (web has its own
  # no-healthy-hosts alarm on the load balancer).
  running_task_services = merge(local.worker_services, { beat = var.beat_service_name })

  # What stops when nobody runs a service (running-tasks alarm descriptions).
  running_task_impact = {
    worker-turns    = "nobody answers WhatsApp customers (queue turns)"
    worker-messages = "no WhatsApp reply, status update or sales notification goes out (queue messages)"
    beat            = "no sweeps and no queue metrics"
  }
}

# --- ALB ----------------------------------------------------------------------

# Every 5xx a customer or Twilio got: the target's (the app answered 5xx) and
# the load balancer's own (502 bad gateway, 503 no target, 504 timeout: all in
# HTTPCode_ELB_5XX_Count). CloudWatch reports no datapoint for a minute without
# any such response, and a sum with a missing term is missing: FILL(…, 0) makes
# "no 5xx" a zero, so load-balancer errors alone still raise the rate. Requests
# the load balancer rejected before choosing a target (503 with no healthy
# target) are not in RequestCount, so the denominator is never below the
# errors themselves.
resource "aws_cloudwatch_metric_alarm" "alb_5xx_rate" {
  alarm_name          = "${var.name}-alb-5xx-rate"
  alarm_description   = "More than ${var.alb_5xx_rate_percent}% of requests answered 5xx (app or load balancer: 500/502/503/504) for 5 minutes: Twilio will retry and then drop messages. Runbook: OPERATIONS.md, alb-5xx-rate."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alb_5xx_rate_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "errors"
    expression  = "FILL(target5xx, 0) + FILL(elb5xx, 0)"
    label       = "5xx responses"
    return_data = false
  }

  metric_query {
    id          = "total"
    expression  = "IF(FILL(requests, 0) > errors, FILL(requests, 0), errors)"
    label       = "requests (at least the errors)"
    return_data = false
  }

  metric_query {
    id          = "rate"
    expression  = "IF(errors > 0, 100 * errors / total, 0)"
    label       = "5xx rate (%)"
    return_data = true
  }

  metric_query {
    id = "target5xx"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "elb5xx"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "target_p95_latency" {
  alarm_name          = "${var.name}-target-p95-latency"
  alarm_description   = "p95 response time of the web tasks above ${var.p95_latency_seconds}s for 5 minutes (Twilio gives a webhook 15 s). Runbook: OPERATIONS.md, target-p95-latency."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  extended_statistic  = "p95"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.p95_latency_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${var.name}-unhealthy-hosts"
  alarm_description   = "At least one web task fails the /healthz check for 3 minutes. Runbook: OPERATIONS.md, unhealthy-hosts."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

resource "aws_cloudwatch_metric_alarm" "no_healthy_hosts" {
  alarm_name          = "${var.name}-no-healthy-hosts"
  alarm_description   = "No healthy web task: the webhook is down. Runbook: OPERATIONS.md, no-healthy-hosts."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# --- ECS ----------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "ecs_cpu" {
  for_each = local.ecs_services

  alarm_name          = "${var.name}-${each.key}-cpu-high"
  alarm_description   = "Average CPU of the ${each.key} service above ${var.ecs_cpu_percent}% for 10 minutes (autoscaling at its maximum?). Runbook: OPERATIONS.md, cpu-high."
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.value }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.ecs_cpu_percent
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

resource "aws_cloudwatch_metric_alarm" "ecs_memory" {
  for_each = local.ecs_services

  alarm_name          = "${var.name}-${each.key}-memory-high"
  alarm_description   = "Average memory of the ${each.key} service above ${var.ecs_memory_percent}% for 10 minutes (OOM kills follow). Runbook: OPERATIONS.md, memory-high."
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.value }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.ecs_memory_percent
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# Container Insights (enabled on the cluster) reports running tasks per
# service. No datapoint means no task reported: breaching. Three minutes, so
# beat's stop-then-start deployment (about a minute without a task) does not
# page anyone.
resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  for_each = local.running_task_services

  alarm_name          = "${var.name}-${each.key}-running-tasks"
  alarm_description   = "The ${each.key} service has had no running task for 3 minutes: ${lookup(local.running_task_impact, each.key, "its queue is not consumed")}. Runbook: OPERATIONS.md, ${each.key}-running-tasks."
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.value }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# --- Celery queues (kavak/queue_metrics.py, published by the beat task) --------
# One pair of alarms per queue (issue 18): turns (WhatsApp turns, customers
# waiting) and messages (sends, status work, lead notifications, sweeps).

# Missing data is breaching: no datapoint means the exporter (or the whole beat
# task) is down, and then nobody would see the queue grow.
resource "aws_cloudwatch_metric_alarm" "queue_oldest_message_age" {
  for_each = var.celery_queues

  alarm_name          = "${var.name}-${each.key}-queue-oldest-message-age"
  alarm_description   = "The oldest message waiting in the Celery queue ${each.key} is older than ${each.value.oldest_age_seconds}s for 5 minutes, or the exporter stopped publishing: ${each.key == "turns" ? "WhatsApp customers are not being answered" : "replies, status updates or sales notifications are not going out"}. Runbook: OPERATIONS.md, ${each.key}-queue-oldest-message-age."
  namespace           = var.queue_metrics_namespace
  metric_name         = "OldestMessageAgeSeconds"
  dimensions          = { Queue = each.key }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.oldest_age_seconds
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

resource "aws_cloudwatch_metric_alarm" "queue_depth" {
  for_each = var.celery_queues

  alarm_name          = "${var.name}-${each.key}-queue-depth"
  alarm_description   = "More than ${each.value.depth_threshold} messages waiting in the Celery queue ${each.key} for 10 minutes: worker-${each.key} does not keep up even at its maximum count. Runbook: OPERATIONS.md, ${each.key}-queue-depth."
  namespace           = var.queue_metrics_namespace
  metric_name         = "QueueDepth"
  dimensions          = { Queue = each.key }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.depth_threshold
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# --- WhatsApp -----------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "whatsapp_inbound_to_send_p95" {
  alarm_name          = "${var.name}-whatsapp-inbound-to-send-p95"
  alarm_description   = "p95 from a customer's WhatsApp message to our reply leaving for Twilio above ${var.whatsapp_inbound_to_send_p95_seconds}s for 10 minutes. Runbook: OPERATIONS.md, whatsapp-inbound-to-send-p95."
  namespace           = var.queue_metrics_namespace
  metric_name         = "WhatsAppInboundToSendP95Seconds"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.whatsapp_inbound_to_send_p95_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# `twilio_signature_invalid` lines (channels/twilio/signature.py): the WAF
# already refuses requests without the header, so what reaches the app is a
# wrong signature: a wrong PUBLIC_BASE_URL or auth token refuses every genuine
# message.
resource "aws_cloudwatch_log_metric_filter" "twilio_signature_failures" {
  name           = "${var.name}-twilio-signature-failures"
  log_group_name = var.web_log_group_name
  pattern        = "{ $.message = \"twilio_signature_invalid*\" }"

  metric_transformation {
    name          = "TwilioSignatureFailures"
    namespace     = var.queue_metrics_namespace
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "twilio_signature_failures" {
  alarm_name          = "${var.name}-twilio-signature-failures"
  alarm_description   = "More than ${var.signature_failures_threshold} webhook requests with a wrong X-Twilio-Signature in 5 minutes. Runbook: OPERATIONS.md, twilio-signature-failures."
  namespace           = var.queue_metrics_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.twilio_signature_failures.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.signature_failures_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# --- RDS ----------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-rds-cpu-high"
  alarm_description   = "RDS CPU above ${var.rds_cpu_percent}% for 10 minutes. Runbook: OPERATIONS.md, rds-cpu-high."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.rds_instance_id }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.rds_cpu_percent
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

resource "aws_cloudwatch_metric_alarm" "rds_free_storage" {
  alarm_name          = "${var.name}-rds-free-storage-low"
  alarm_description   = "RDS free storage below ${var.rds_free_storage_gb} GB (storage autoscaling at its ceiling?). Runbook: OPERATIONS.md, rds-free-storage-low."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.rds_instance_id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "LessThanThreshold"
  threshold           = var.rds_free_storage_gb * 1024 * 1024 * 1024
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# A share of the max_connections the parameter group sets (modules/rds), not a
# fixed number that drifts from it when the instance class changes.
resource "aws_cloudwatch_metric_alarm" "rds_connections" {
  alarm_name          = "${var.name}-rds-connections-high"
  alarm_description   = "More than ${var.rds_connections_percent}% of max_connections (${var.rds_max_connections}) in use for 5 minutes: new connections will be refused. Runbook: OPERATIONS.md, rds-connections-high."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = var.rds_instance_id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = floor(var.rds_max_connections * var.rds_connections_percent / 100)
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# --- ElastiCache --------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "redis_memory" {
  for_each = toset(var.redis_node_ids)

  alarm_name          = "${each.value}-redis-memory-high"
  alarm_description   = "Redis node ${each.value} uses more than ${var.redis_memory_percent}% of its memory; at 100% it refuses writes (noeviction): tasks cannot be enqueued. Runbook: OPERATIONS.md, redis-memory-high."
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { CacheClusterId = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.redis_memory_percent
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# maxmemory-policy is noeviction (modules/redis): any eviction means the policy
# is not applied and broker messages or idempotency keys may be gone.
resource "aws_cloudwatch_metric_alarm" "redis_evictions" {
  for_each = toset(var.redis_node_ids)

  alarm_name          = "${each.value}-redis-evictions"
  alarm_description   = "Redis node ${each.value} evicted keys: Celery messages or idempotency keys may have been dropped. Runbook: OPERATIONS.md, redis-evictions."
  namespace           = "AWS/ElastiCache"
  metric_name         = "Evictions"
  dimensions          = { CacheClusterId = each.value }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# --- Prometheus (Amazon Managed Service for Prometheus) ------------------------

resource "aws_prometheus_workspace" "this" {
  alias = var.name

  logging_configuration {
    log_group_arn = "${aws_cloudwatch_log_group.prometheus.arn}:*"
  }
}

resource "aws_cloudwatch_log_group" "prometheus" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (var.log_retention_days, 30-90 days); these are the workspace's rule and alert manager errors.
  name              = "/aws/prometheus/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# Rules over the app's own metrics (kavak/metrics.py): what the CloudWatch
# alarms above cannot see. The alert manager sends them to the same topic.
resource "aws_prometheus_rule_group_namespace" "kavak" {
  name         = "kavak"
  workspace_id = aws_prometheus_workspace.this.id
  data = yamlencode({
    groups = [{
      name = "kavak"
      rules = [
        {
          alert = "WhatsAppRepliesNotDelivered"
          expr  = "sum(rate(kavak_outbound_messages_total{status=~\"failed|undelivered\"}[15m])) > 0.05"
          "for" = "15m"
          annotations = {
            summary = "WhatsApp replies failing or undelivered (OPERATIONS.md, WhatsAppRepliesNotDelivered)"
          }
        },
        {
          alert = "CeleryTaskFailures"
          expr  = "sum by (task) (rate(kavak_celery_task_events_total{event=\"failure\"}[10m])) > 0.1"
          "for" = "10m"
          annotations = {
            summary = "Celery task {{ $labels.task }} failing (OPERATIONS.md, CeleryTaskFailures)"
          }
        },
        {
          alert = "LlmFallingBack"
          expr  = "sum(rate(kavak_llm_calls_total{outcome!=\"ok\"}[10m])) / sum(rate(kavak_llm_calls_total[10m])) > 0.5"
          "for" = "15m"
          annotations = {
            summary = "More than half of the model calls fall back to the deterministic text (OPERATIONS.md, LlmFallingBack)"
          }
        },
      ]
    }]
  })
}

resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = aws_prometheus_workspace.this.id
  definition = yamlencode({
    alertmanager_config = yamlencode({
      route = { receiver = "sns", group_by = ["alertname"] }
      receivers = [{
        name = "sns"
        sns_configs = [{
          topic_arn = aws_sns_topic.alarms.arn
          sigv4     = { region = var.aws_region }
          subject   = "${var.name}: {{ .CommonLabels.alertname }}"
        }]
      }]
    })
  })
}
