# ECS on Fargate: a `web` service (gunicorn behind the ALB), a `worker` service
# (Celery), a `beat` service (Celery beat: exactly one task, never two) and a
# one-off `migrate` task definition that CI runs before updating the services.
# All of them share one image, one environment and one set of secrets; on top of
# that web gets METRICS_TOKEN and the worker (and beat) CELERY_METRICS_PORT.
#
# CI registers new task definition revisions (new image tag) and updates the
# services; Terraform therefore ignores the services' task_definition (and, for
# the autoscaled web and worker, desired_count) after creation. A change made
# here to a task definition reaches the services on the next deploy (README,
# "Deploying").

locals {
  image = "${var.ecr_repository_url}:${var.image_tag}"

  log_groups = {
    web     = "/ecs/${var.name}/web"
    worker  = "/ecs/${var.name}/worker"
    beat    = "/ecs/${var.name}/beat"
    migrate = "/ecs/${var.name}/migrate"
  }

  public_base_url = "https://${var.domain_name}"

  # Plain configuration only. Anything secret goes in `secrets` below; the URLs
  # carry no password (the app merges DATABASE_PASSWORD / REDIS_PASSWORD in).
  environment = [
    { name = "DJANGO_SETTINGS_MODULE", value = "kavak.settings.production" },
    { name = "DJANGO_ALLOWED_HOSTS", value = join(",", concat([var.domain_name], var.extra_allowed_hosts)) },
    { name = "DJANGO_CSRF_TRUSTED_ORIGINS", value = local.public_base_url },
    { name = "PUBLIC_BASE_URL", value = local.public_base_url },
    { name = "DATABASE_URL", value = "postgres://${var.database_username}@${var.database_host}:${var.database_port}/${var.database_name}" },
    { name = "REDIS_URL", value = "rediss://${var.redis_host}:${var.redis_port}/0" },
    { name = "CELERY_BROKER_URL", value = "rediss://${var.redis_host}:${var.redis_port}/1" },
    { name = "GUNICORN_WORKERS", value = tostring(var.gunicorn_workers) },
    { name = "GUNICORN_THREADS", value = tostring(var.gunicorn_threads) },
    { name = "LLM_ENABLED", value = var.llm_enabled ? "true" : "false" },
    # With WHATSAPP_ENABLED=true the app refuses to start without TWILIO_ACCOUNT_SID,
    # TWILIO_WHATSAPP_NUMBER (both here) and TWILIO_AUTH_TOKEN (a secret, below).
    { name = "WHATSAPP_ENABLED", value = var.whatsapp_enabled ? "true" : "false" },
    { name = "TWILIO_ACCOUNT_SID", value = var.twilio_account_sid },
    { name = "TWILIO_WHATSAPP_NUMBER", value = var.twilio_whatsapp_number },
    # The ALB is the one proxy in front of the app: django-axes locks on the client
    # address the ALB appended to X-Forwarded-For (the last entry), not on the ALB's.
    { name = "AXES_IPWARE_PROXY_COUNT", value = "1" },
    { name = "DJANGO_LOG_FORMAT", value = "json" },
  ]

  # Approved WhatsApp templates (Content API ContentSid, HX...), set only when
  # configured: ECS drops a variable with an empty value from the task definition
  # and the AWS provider would then plan a new revision on every run. Unset is ""
  # to the app: no WhatsApp notification to salespeople, and staff cannot write
  # to a customer outside the 24-hour window.
  template_content_sids = {
    TWILIO_SALES_TEMPLATE_CONTENT_SID = var.twilio_sales_template_content_sid
    TWILIO_STAFF_TEMPLATE_CONTENT_SID = var.twilio_staff_template_content_sid
  }
  optional_environment = [
    for name, value in local.template_content_sids : { name = name, value = value } if value != ""
  ]

  # What every container gets (web and worker add their metrics variables).
  app_environment = concat(local.environment, local.optional_environment)

  secrets = [
    { name = "DJANGO_SECRET_KEY", valueFrom = var.secret_arns["DJANGO_SECRET_KEY"] },
    { name = "DATABASE_PASSWORD", valueFrom = var.secret_arns["DATABASE_PASSWORD"] },
    { name = "REDIS_PASSWORD", valueFrom = var.secret_arns["REDIS_PASSWORD"] },
    { name = "TWILIO_AUTH_TOKEN", valueFrom = var.secret_arns["TWILIO_AUTH_TOKEN"] },
    { name = "OPENAI_API_KEY", valueFrom = var.secret_arns["OPENAI_API_KEY"] },
  ]

  # The root filesystem is read-only; /tmp is a per-task scratch volume
  # (gunicorn heartbeat files, Python temp files, Prometheus samples, beat schedule).
  tmp_mount = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

  # --- Prometheus (README, "Metrics") ---
  # Multiprocess mode: every process writes its samples under this directory on
  # the /tmp scratch volume; web serves them at /metrics (bearer METRICS_TOKEN;
  # the ALB answers 404 for /metrics), the worker on CELERY_METRICS_PORT (only
  # reachable from inside the VPC, never through the ALB).
  prometheus_multiproc_dir = "/tmp/prometheus"

  metrics_environment = [
    { name = "PROMETHEUS_MULTIPROC_DIR", value = local.prometheus_multiproc_dir },
  ]
  celery_metrics_environment = [
    { name = "CELERY_METRICS_PORT", value = tostring(var.celery_metrics_port) },
  ]
  metrics_secrets = [
    { name = "METRICS_TOKEN", valueFrom = var.secret_arns["METRICS_TOKEN"] },
  ]

  web_environment    = concat(local.app_environment, local.metrics_environment)
  worker_environment = concat(local.app_environment, local.metrics_environment, local.celery_metrics_environment)
  web_secrets        = concat(local.secrets, local.metrics_secrets)

  # prometheus_client refuses to start (FileNotFoundError on import of
  # kavak.metrics) when PROMETHEUS_MULTIPROC_DIR does not exist, and every task
  # starts with an empty /tmp. gunicorn creates it (kavak/gunicorn.conf.py); for
  # the other containers this entry point creates it and then execs the command
  # (also when `run-task --overrides` replaces the command).
  ensure_metrics_dir_entrypoint = [
    "sh",
    "-c",
    "if [ -n \"$${PROMETHEUS_MULTIPROC_DIR:-}\" ]; then mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" || exit 1; fi; exec \"$@\"",
    "sh",
  ]

  web_container = {
    name                   = "web"
    image                  = local.image
    essential              = true
    command                = ["gunicorn", "kavak.wsgi:application", "-c", "kavak/gunicorn.conf.py"]
    portMappings           = [{ containerPort = var.app_port, hostPort = var.app_port, protocol = "tcp" }]
    environment            = local.web_environment
    secrets                = local.web_secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    linuxParameters        = { initProcessEnabled = true }
    # The ECS default, stated: gunicorn's graceful timeout (25 s) fits inside it.
    stopTimeout = 30
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_groups.web
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "web"
      }
    }
  }

  worker_container = {
    name       = "worker"
    image      = local.image
    essential  = true
    entryPoint = local.ensure_metrics_dir_entrypoint
    command    = ["celery", "-A", "kavak", "worker", "-l", "INFO"]
    # Prometheus endpoint of the worker (kavak/celery.py). No load balancer
    # points here; the worker security group admits this port from the VPC only.
    portMappings           = [{ containerPort = var.celery_metrics_port, hostPort = var.celery_metrics_port, protocol = "tcp" }]
    environment            = local.worker_environment
    secrets                = local.secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    linuxParameters        = { initProcessEnabled = true }
    # Fargate maximum: Celery gets 120 s after SIGTERM to finish or requeue
    # (acks_late) before SIGKILL.
    stopTimeout = 120
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_groups.worker
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "worker"
      }
    }
  }

  # Celery beat enqueues the periodic tasks (CELERY_BEAT_SCHEDULE in
  # kavak/settings/base.py, e.g. the WhatsApp pending sweep). It must run in
  # exactly one process: see aws_ecs_service.beat. Same environment and secrets
  # as the worker; the schedule file lives on the /tmp scratch volume (a new
  # task starts with an empty schedule: each entry first runs one interval
  # after the task starts).
  beat_container = {
    name                   = "beat"
    image                  = local.image
    essential              = true
    entryPoint             = local.ensure_metrics_dir_entrypoint
    command                = ["celery", "-A", "kavak", "beat", "-l", "INFO", "--schedule", "/tmp/celerybeat-schedule"]
    environment            = local.worker_environment
    secrets                = local.secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    linuxParameters        = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_groups.beat
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "beat"
      }
    }
  }

  migrate_container = {
    name                   = "migrate"
    image                  = local.image
    essential              = true
    entryPoint             = local.ensure_metrics_dir_entrypoint
    command                = ["python", "manage.py", "migrate", "--noinput"]
    environment            = local.app_environment
    secrets                = local.secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_groups.migrate
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "migrate"
      }
    }
  }
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (var.log_retention_days, 30-90 days); application logs may hold (masked) customer data and are not kept a year.
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# --- task definitions ---------------------------------------------------------

resource "aws_ecs_task_definition" "web" {
  family                   = "${var.name}-web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.web_cpu
  memory                   = var.web_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.web_container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.worker_container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_task_definition" "beat" {
  family                   = "${var.name}-beat"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.beat_cpu
  memory                   = var.beat_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.beat_container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "${var.name}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.migrate_container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

# --- services -----------------------------------------------------------------

resource "aws_ecs_service" "web" {
  name                   = "web"
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.web.arn
  desired_count          = var.web_min_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = var.enable_execute_command
  propagate_tags         = "SERVICE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.web_security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "web"
    container_port   = var.app_port
  }

  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }
}

resource "aws_ecs_service" "worker" {
  name                   = "worker"
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.worker.arn
  desired_count          = var.worker_min_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = var.enable_execute_command
  propagate_tags         = "SERVICE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.worker_security_group_id]
    assign_public_ip = false
  }

  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }
}

# Celery beat: one task, no autoscaling, and a deployment that stops the old task
# before starting the new one (maximum 100 %, minimum healthy 0 %), so two
# schedulers never run at once (two would enqueue every periodic task twice).
# Terraform owns desired_count here (only task_definition is left to CI).
resource "aws_ecs_service" "beat" {
  name                   = "beat"
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.beat.arn
  desired_count          = 1
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = var.enable_execute_command
  propagate_tags         = "SERVICE"

  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # The worker's group: same egress (Redis, HTTPS); beat listens on nothing.
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.worker_security_group_id]
    assign_public_ip = false
  }

  lifecycle {
    ignore_changes = [task_definition]
  }
}
