# web scales on CPU and on ALB requests per task. Each worker service scales on
# its own Celery queue (issue 18): target tracking on the backlog per task (the
# queue's depth divided by its running tasks), step scaling when the queue's
# oldest message gets old (a burst the backlog target has not caught up with),
# and target tracking on CPU. With several policies ECS scales out if any asks
# to, and scales in only when every target-tracking policy agrees. The queue
# metrics come from the exporter next to beat (kavak/queue_metrics.py, one
# datapoint a minute per Queue dimension).

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.web.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.web_min_count
  max_capacity       = var.web_max_count
}

resource "aws_appautoscaling_policy" "web_cpu" {
  name               = "${var.name}-web-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "web_requests" {
  name               = "${var.name}-web-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_task_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${var.alb_arn_suffix}/${var.target_group_arn_suffix}"
    }
  }
}

resource "aws_appautoscaling_target" "worker" {
  for_each = local.worker_queues

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.worker[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min_count
  max_capacity       = each.value.max_count
}

resource "aws_appautoscaling_policy" "worker_cpu" {
  for_each = local.worker_queues

  name               = "${var.name}-worker-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.worker[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.worker[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Messages waiting per running task. A missing depth datapoint (exporter down)
# gives no value, and target tracking then neither scales out nor in.
resource "aws_appautoscaling_policy" "worker_backlog" {
  for_each = local.worker_queues

  name               = "${var.name}-worker-${each.key}-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.worker[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.worker[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.backlog_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "depth"
        label       = "Messages waiting in the ${each.key} queue"
        return_data = false

        metric_stat {
          stat = "Maximum"

          metric {
            namespace   = var.queue_metrics_namespace
            metric_name = "QueueDepth"

            dimensions {
              name  = "Queue"
              value = each.key
            }
          }
        }
      }

      metrics {
        id          = "tasks"
        label       = "Running tasks of worker-${each.key}"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"

            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }

            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.worker[each.key].name
            }
          }
        }
      }

      metrics {
        id          = "backlog_per_task"
        label       = "Messages waiting per worker-${each.key} task"
        expression  = "IF(tasks > 0, depth / tasks, depth)"
        return_data = true
      }
    }
  }
}

# The oldest waiting message past the threshold: add one task per minute, two
# when it is past twice the threshold (bounds are relative to the alarm's).
resource "aws_appautoscaling_policy" "worker_queue_age" {
  for_each = local.worker_queues

  name               = "${var.name}-worker-${each.key}-queue-age"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.worker[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.worker[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.worker[each.key].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = 0
      metric_interval_upper_bound = each.value.scale_out_age_s
      scaling_adjustment          = 1
    }

    step_adjustment {
      metric_interval_lower_bound = each.value.scale_out_age_s
      scaling_adjustment          = 2
    }
  }
}

# Scaling trigger, not a page (modules/monitoring pages on the same metric at a
# higher threshold): no notification actions, missing data is not breaching.
resource "aws_cloudwatch_metric_alarm" "worker_queue_age_scale_out" {
  for_each = local.worker_queues

  alarm_name          = "${var.name}-worker-${each.key}-scale-out-on-queue-age"
  alarm_description   = "Scale worker-${each.key} out: the oldest message in the ${each.key} queue (${each.value.scale_out_summary}) waits more than ${each.value.scale_out_age_s}s."
  namespace           = var.queue_metrics_namespace
  metric_name         = "OldestMessageAgeSeconds"
  dimensions          = { Queue = each.key }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.scale_out_age_s
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.worker_queue_age[each.key].arn]
}
