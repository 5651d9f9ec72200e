# ECS on Fargate: a `web` service (gunicorn gthread workers behind the ALB), two
# Celery worker services, one per queue (`worker-turns`: WhatsApp turns on a
# thread pool sized for waiting on the LLM; `worker-messages`: sends, retries,
# status work, lead notifications, sweeps), a `beat` service (Celery beat: exactly one task, never two; its task
# also runs the queue-metrics exporter), a one-off `migrate` task definition
# that CI runs before updating the services, and a one-off `db-roles` task
# definition that creates the database roles (first deploy, password changes).
# All of them share one image and one plain environment; each container gets
# only the secrets it uses (README, "What the containers get").
#
# The image tag is a variable the pipeline sets (the git SHA of the commit it
# deployed), never a placeholder. CI registers new task definition revisions
# and updates the services; Terraform therefore ignores the services'
# task_definition (and, for the autoscaled web and worker, desired_count).

locals {
  image = "${var.ecr_repository_url}:${var.image_tag}"

  log_groups = {
    web      = "/ecs/${var.name}/web"
    worker   = "/ecs/${var.name}/worker"
    beat     = "/ecs/${var.name}/beat"
    migrate  = "/ecs/${var.name}/migrate"
    db_roles = "/ecs/${var.name}/db-roles"
  }

  public_base_url = "https://${var.domain_name}"

  # libpq verifies the RDS certificate and host name against the CA bundle baked
  # into the image (Dockerfile); rds.force_ssl refuses anything without TLS.
  database_tls = "sslmode=verify-full&sslrootcert=${var.database_ca_bundle_path}"
  database_url = {
    app     = "postgres://${var.database_app_username}@${var.database_host}:${var.database_port}/${var.database_name}?${local.database_tls}"
    migrate = "postgres://${var.database_migrate_username}@${var.database_host}:${var.database_port}/${var.database_name}?${local.database_tls}"
    master  = "postgres://${var.database_master_username}@${var.database_host}:${var.database_port}/${var.database_name}?${local.database_tls}"
  }

  # Plain configuration only. Anything secret goes in the secrets below; the
  # URLs carry no password (the app merges DATABASE_PASSWORD / REDIS_PASSWORD in).
  # What every container gets; the database URL and the channel flags differ per
  # container and come from the lists after this one.
  shared_environment = [
    { name = "DJANGO_SETTINGS_MODULE", value = "kavak.settings.production" },
    { name = "DJANGO_ALLOWED_HOSTS", value = join(",", concat([var.domain_name], var.extra_allowed_hosts)) },
    { name = "DJANGO_CSRF_TRUSTED_ORIGINS", value = local.public_base_url },
    { name = "DJANGO_ADMIN_URL", value = var.admin_path },
    { name = "ADMIN_OTP_REQUIRED", value = "true" },
    { name = "PUBLIC_BASE_URL", value = local.public_base_url },
    { name = "REDIS_URL", value = "rediss://${var.redis_host}:${var.redis_port}/0" },
    { name = "CELERY_BROKER_URL", value = "rediss://${var.redis_host}:${var.redis_port}/1" },
    { name = "GUNICORN_WORKERS", value = tostring(var.web_gunicorn_workers) },
    { name = "GUNICORN_THREADS", value = tostring(var.web_gunicorn_threads) },
    { name = "TWILIO_ACCOUNT_SID", value = var.twilio_account_sid },
    { name = "TWILIO_WHATSAPP_NUMBER", value = var.twilio_whatsapp_number },
    # The ALB is the one proxy in front of the app: django-axes locks on the client
    # address the ALB appended to X-Forwarded-For (the last entry), not on the ALB's.
    { name = "AXES_IPWARE_PROXY_COUNT", value = "1" },
    { name = "DJANGO_LOG_FORMAT", value = "json" },
    { name = "DATA_RETENTION_DAYS", value = tostring(var.data_retention_days) },
    # Personal data retention (README "Retention and erasure of personal data"):
    # transcripts and WhatsApp deliveries follow DATA_RETENTION_DAYS unless set
    # (null), as the app's own defaults do. Every container gets them because
    # the settings validate them at start.
    { name = "RETENTION_TRANSCRIPT_DAYS", value = tostring(coalesce(var.retention_transcript_days, var.data_retention_days)) },
    { name = "RETENTION_DELIVERY_DAYS", value = tostring(coalesce(var.retention_delivery_days, var.data_retention_days)) },
    { name = "RETENTION_CLOSED_LEAD_DAYS", value = tostring(var.retention_closed_lead_days) },
    { name = "RETENTION_BATCH_SIZE", value = tostring(var.retention_batch_size) },
  ]

  # Sales email (issue 18): through the Amazon SES API with the task role
  # (django-ses; modules/iam grants ses:SendRawEmail on the verified sender
  # identity only), or turned off explicitly. Production settings refuse to
  # start with neither. Every container gets it: the settings check it at start.
  email_environment = [
    { name = "LEAD_EMAIL_NOTIFICATIONS", value = var.lead_email_notifications ? "true" : "false" },
    { name = "EMAIL_URL", value = "ses://${var.aws_region}" },
    { name = "DEFAULT_FROM_EMAIL", value = "Agente Kavak <${var.lead_email_notifications ? var.email_from_address : "no-reply@${var.domain_name}"}>" },
    # The sales inbox for leads nobody is assigned to (required while the email is on).
    { name = "SALES_NOTIFICATION_EMAILS", value = join(",", var.sales_notification_emails) },
  ]

  # web and worker: the channels as configured. With WHATSAPP_ENABLED=true the app
  # refuses to start without TWILIO_ACCOUNT_SID, TWILIO_WHATSAPP_NUMBER (above) and
  # TWILIO_AUTH_TOKEN (a secret), and with a Meta number in WHATSAPP_PROVIDERS
  # without the three META_* secrets; with LLM_ENABLED=true without OPENAI_API_KEY.
  # LLM_ROLLOUT_PERCENT: the share of new conversations that use the model.
  channels_environment = [
    { name = "LLM_ENABLED", value = var.llm_enabled ? "true" : "false" },
    { name = "WHATSAPP_ENABLED", value = var.whatsapp_enabled ? "true" : "false" },
    { name = "LLM_ROLLOUT_PERCENT", value = tostring(var.llm_rollout_percent) },
  ]
  # Containers that never call Twilio or the model (beat, the exporter, the
  # one-off tasks) run with both channels off, so the app does not require the
  # Twilio and OpenAI secrets there (least privilege: they do not get them).
  channels_off_environment = [
    { name = "LLM_ENABLED", value = "false" },
    { name = "WHATSAPP_ENABLED", value = "false" },
  ]

  app_database_environment = [
    { name = "DATABASE_URL", value = local.database_url.app },
  ]
  # Migrations wait at most lock_timeout for a lock (then fail instead of
  # queueing every query of the live service behind an ALTER TABLE) and at most
  # statement_timeout per statement; the whole run is cut at migrate_timeout
  # (`timeout` in the command). CI waits for the task with a bound derived from
  # the same number (output github_actions_variables.ECS_MIGRATE_TIMEOUT_S).
  migrate_database_environment = [
    { name = "DATABASE_URL", value = local.database_url.migrate },
    { name = "DATABASE_LOCK_TIMEOUT_MS", value = tostring(var.migrate_lock_timeout_ms) },
    { name = "DATABASE_STATEMENT_TIMEOUT_MS", value = tostring(var.migrate_statement_timeout_ms) },
  ]
  db_roles_database_environment = [
    { name = "DATABASE_URL", value = local.database_url.master },
    { name = "DATABASE_APP_ROLE", value = var.database_app_username },
    { name = "DATABASE_MIGRATE_ROLE", value = var.database_migrate_username },
  ]
  queue_metrics_environment = [
    { name = "QUEUE_METRICS_NAMESPACE", value = var.queue_metrics_namespace },
  ]

  # Settings passed only when configured: ECS drops a variable with an empty value
  # from the task definition and the AWS provider would then plan a new revision
  # on every run. Unset is "" to the app, its default:
  # - the approved WhatsApp templates (Twilio ContentSid HX..., Meta <name>:<language>):
  #   unset, no WhatsApp notification to salespeople, and staff cannot write to a
  #   customer outside the 24-hour window;
  # - WHATSAPP_PROVIDERS (<number>=twilio or <number>=meta:<phone_number_id>, comma-
  #   separated): unset, every number on Twilio.
  optional_settings = {
    TWILIO_SALES_TEMPLATE_CONTENT_SID = var.twilio_sales_template_content_sid
    TWILIO_CSAT_CONTENT_SID           = var.twilio_csat_content_sid
    TWILIO_STAFF_TEMPLATE_CONTENT_SID = var.twilio_staff_template_content_sid
    META_SALES_TEMPLATE               = var.meta_sales_template
    META_STAFF_TEMPLATE               = var.meta_staff_template
    WHATSAPP_PROVIDERS                = var.whatsapp_providers
  }
  optional_environment = [
    for name, value in local.optional_settings : { name = name, value = value } if value != ""
  ]

  app_environment      = concat(local.shared_environment, local.email_environment, local.channels_environment, local.app_database_environment, local.optional_environment)
  offline_environment  = concat(local.shared_environment, local.email_environment, local.channels_off_environment, local.app_database_environment, local.optional_environment)
  migrate_environment  = concat(local.shared_environment, local.email_environment, local.channels_off_environment, local.migrate_database_environment, local.optional_environment)
  db_roles_environment = concat(local.shared_environment, local.email_environment, local.channels_off_environment, local.db_roles_database_environment, local.optional_environment)

  # Each container gets only the secrets it reads (valueFrom = Secrets Manager).
  secret = {
    DJANGO_SECRET_KEY = { name = "DJANGO_SECRET_KEY", valueFrom = var.secret_arns["DJANGO_SECRET_KEY"] }
    DATABASE_PASSWORD = { name = "DATABASE_PASSWORD", valueFrom = var.secret_arns["DATABASE_PASSWORD"] }
    REDIS_PASSWORD    = { name = "REDIS_PASSWORD", valueFrom = var.secret_arns["REDIS_PASSWORD"] }
    TWILIO_AUTH_TOKEN = { name = "TWILIO_AUTH_TOKEN", valueFrom = var.secret_arns["TWILIO_AUTH_TOKEN"] }
    OPENAI_API_KEY    = { name = "OPENAI_API_KEY", valueFrom = var.secret_arns["OPENAI_API_KEY"] }
    METRICS_TOKEN     = { name = "METRICS_TOKEN", valueFrom = var.secret_arns["METRICS_TOKEN"] }
    # The anonymiser (worker) and the supervisors' erasure (web) hash phones with it.
    RETENTION_HASH_KEY = { name = "RETENTION_HASH_KEY", valueFrom = var.secret_arns["RETENTION_HASH_KEY"] }
    # The migrate task's DATABASE_PASSWORD is kavak_migrate's.
    MIGRATE_DATABASE_PASSWORD = { name = "DATABASE_PASSWORD", valueFrom = var.secret_arns["DATABASE_MIGRATE_PASSWORD"] }
    # The db-roles task connects as the master user (RDS-managed secret, JSON key
    # "password") and sets both role passwords.
    MASTER_DATABASE_PASSWORD  = { name = "DATABASE_PASSWORD", valueFrom = "${var.database_master_secret_arn}:password::" }
    DATABASE_APP_PASSWORD     = { name = "DATABASE_APP_PASSWORD", valueFrom = var.secret_arns["DATABASE_PASSWORD"] }
    DATABASE_MIGRATE_PASSWORD = { name = "DATABASE_MIGRATE_PASSWORD", valueFrom = var.secret_arns["DATABASE_MIGRATE_PASSWORD"] }
  }
  # Meta's WhatsApp Cloud API (a business number listed as meta:<id> in
  # WHATSAPP_PROVIDERS): web verifies the webhook (app secret, verify token), the
  # worker sends (access token), and the settings of both require all three. Only
  # then: the app secret and the access token exist empty until an operator puts
  # them, and a secret without a value stops an ECS task from starting.
  meta_enabled      = strcontains(var.whatsapp_providers, "=meta:")
  meta_secret_names = ["META_APP_SECRET", "META_VERIFY_TOKEN", "META_ACCESS_TOKEN"]
  meta_secrets      = [for name in local.meta_secret_names : { name = name, valueFrom = var.secret_arns[name] } if local.meta_enabled]

  web_own_secrets = [
    local.secret.DJANGO_SECRET_KEY, local.secret.DATABASE_PASSWORD, local.secret.REDIS_PASSWORD,
    local.secret.TWILIO_AUTH_TOKEN, local.secret.OPENAI_API_KEY, local.secret.METRICS_TOKEN,
    local.secret.RETENTION_HASH_KEY,
  ]
  worker_own_secrets = [
    local.secret.DJANGO_SECRET_KEY, local.secret.DATABASE_PASSWORD, local.secret.REDIS_PASSWORD,
    local.secret.TWILIO_AUTH_TOKEN, local.secret.OPENAI_API_KEY, local.secret.RETENTION_HASH_KEY,
  ]
  web_secrets    = concat(local.web_own_secrets, local.meta_secrets)
  worker_secrets = concat(local.worker_own_secrets, local.meta_secrets)
  # Beat only talks to the broker.
  beat_secrets = [local.secret.DJANGO_SECRET_KEY, local.secret.REDIS_PASSWORD]
  # The exporter reads the broker's queues and the database (inbound-to-send).
  exporter_secrets = [local.secret.DJANGO_SECRET_KEY, local.secret.DATABASE_PASSWORD, local.secret.REDIS_PASSWORD]
  migrate_secrets  = [local.secret.DJANGO_SECRET_KEY, local.secret.MIGRATE_DATABASE_PASSWORD]
  db_roles_secrets = [
    local.secret.DJANGO_SECRET_KEY, local.secret.MASTER_DATABASE_PASSWORD,
    local.secret.DATABASE_APP_PASSWORD, local.secret.DATABASE_MIGRATE_PASSWORD,
  ]

  # The root filesystem is read-only; /tmp is a per-task scratch volume
  # (gunicorn heartbeat files, Python temp files, Prometheus samples, beat schedule).
  tmp_mount = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

  # --- Prometheus (README, "Metrics") ---
  # Multiprocess mode: every process writes its samples under this directory on
  # the /tmp scratch volume; web serves them at /metrics (the ALB answers 404 for
  # /metrics), the workers on CELERY_METRICS_PORT bound to 127.0.0.1
  # (CELERY_METRICS_BIND's default). The ADOT collector sidecar of each task
  # scrapes them over localhost (one network namespace per Fargate task) and
  # remote-writes to Amazon Managed Service for Prometheus: the ports never
  # leave the task, so no port mapping and no security group rule exist for them.
  prometheus_multiproc_dir = "/tmp/prometheus"

  metrics_environment = [
    { name = "PROMETHEUS_MULTIPROC_DIR", value = local.prometheus_multiproc_dir },
  ]
  celery_metrics_environment = [
    { name = "CELERY_METRICS_PORT", value = tostring(var.celery_metrics_port) },
  ]

  web_environment      = concat(local.app_environment, local.metrics_environment)
  worker_environment   = concat(local.app_environment, local.metrics_environment, local.celery_metrics_environment)
  beat_environment     = concat(local.offline_environment, local.metrics_environment)
  exporter_environment = concat(local.beat_environment, local.queue_metrics_environment)

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

  # --- container health checks (ECS replaces an unhealthy task) ---
  # web: the same /healthz the ALB probes (no I/O: a stuck process, not a dependency).
  web_health_check = {
    command     = ["CMD", "python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:${var.app_port}/healthz', timeout=3).status == 200 else 1)"]
    interval    = 15
    timeout     = 5
    retries     = 3
    startPeriod = 30
  }
  # worker: a Celery ping to this worker's own node over the broker; a worker that
  # lost the broker or hangs in its main loop stops answering it.
  worker_health_check = {
    command     = ["CMD-SHELL", "celery -A kavak inspect ping --timeout 10 --destination \"celery@$(python -c 'import socket; print(socket.gethostname())')\" >/dev/null || exit 1"]
    interval    = 60
    timeout     = 30
    retries     = 3
    startPeriod = 120
  }

  logs = {
    for key, group in local.log_groups : key => {
      logDriver = "awslogs"
      options = {
        awslogs-group         = group
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = key
      }
    }
  }

  # ADOT collector sidecar: scrapes the app's Prometheus endpoint over localhost
  # (the request comes from 127.0.0.1 without X-Forwarded-For, which
  # METRICS_ALLOWED_NETWORKS admits without a token) and remote-writes to AMP
  # with the task role (aps:RemoteWrite). Not essential: losing metrics never
  # stops the service.
  adot_config = {
    for service, port in { web = var.app_port, worker = var.celery_metrics_port } : service => yamlencode({
      extensions = { sigv4auth = { region = var.aws_region, service = "aps" } }
      receivers = {
        prometheus = {
          config = {
            global = { scrape_interval = "30s", scrape_timeout = "10s" }
            scrape_configs = [{
              job_name       = "kavak-${service}"
              metrics_path   = "/metrics"
              static_configs = [{ targets = ["127.0.0.1:${port}"], labels = { service = service, environment = var.name } }]
            }]
          }
        }
      }
      exporters = {
        prometheusremotewrite = {
          endpoint                         = var.prometheus_remote_write_url
          auth                             = { authenticator = "sigv4auth" }
          resource_to_telemetry_conversion = { enabled = true }
        }
      }
      service = {
        extensions = ["sigv4auth"]
        pipelines  = { metrics = { receivers = ["prometheus"], exporters = ["prometheusremotewrite"] } }
      }
    })
  }
  adot_container = {
    for service, config in local.adot_config : service => {
      name                   = "adot-collector"
      image                  = var.adot_collector_image
      essential              = false
      environment            = [{ name = "AOT_CONFIG_CONTENT", value = config }]
      readonlyRootFilesystem = true
      logConfiguration = merge(local.logs[service], {
        options = merge(local.logs[service].options, { awslogs-stream-prefix = "adot" })
      })
    }
  }

  web_container = {
    name                   = "web"
    image                  = local.image
    essential              = true
    command                = ["gunicorn", "kavak.wsgi:application", "-c", "kavak/gunicorn.conf.py"]
    portMappings           = [{ containerPort = var.app_port, hostPort = var.app_port, protocol = "tcp" }]
    environment            = local.web_environment
    secrets                = local.web_secrets
    healthCheck            = local.web_health_check
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    linuxParameters        = { initProcessEnabled = true }
    # The ECS default, stated: gunicorn's graceful timeout (25 s) fits inside it.
    stopTimeout      = 30
    logConfiguration = local.logs.web
  }

  # The two Celery queues (issue 18), each consumed by its own service:
  #   turns     only channels.inbound_message_process (a WhatsApp turn, which may
  #             wait 1-3 s on the LLM): a thread pool sized for waiting;
  #   messages  Celery's default queue: sends and their retries, status work, lead
  #             notifications, sweeps; prefork, one process per vCPU, never
  #             waiting behind model calls.
  # Each scales on its own queue's backlog per task and oldest message age
  # (autoscaling.tf), metrics the queue-metrics exporter publishes per Queue.
  worker_vcpus = max(1, floor(var.worker_cpu / 1024))
  worker_queues = {
    turns = {
      command           = ["celery", "-A", "kavak", "worker", "-Q", "turns", "-P", "threads", "-c", tostring(var.turn_worker_threads), "-l", "INFO"]
      min_count         = var.worker_turns_min_count
      max_count         = var.worker_turns_max_count
      backlog_per_task  = var.worker_turns_backlog_per_task
      scale_out_age_s   = var.worker_turns_scale_out_age_seconds
      scale_out_summary = "WhatsApp turns"
      # Django's psycopg pool per process: the turn threads share a few connections
      # (a turn gives its connection back while it waits on the model).
      environment = [{ name = "DATABASE_POOL_MAX_SIZE", value = tostring(var.turn_worker_db_pool_size) }]
    }
    messages = {
      command           = ["celery", "-A", "kavak", "worker", "-Q", "messages", "-c", tostring(local.worker_vcpus), "-l", "INFO"]
      min_count         = var.worker_messages_min_count
      max_count         = var.worker_messages_max_count
      backlog_per_task  = var.worker_messages_backlog_per_task
      scale_out_age_s   = var.worker_messages_scale_out_age_seconds
      scale_out_summary = "sends, status callbacks and lead notifications"
      # Prefork: one persistent connection per process, no pool.
      environment = []
    }
  }

  # What both worker services run; each adds its queue's command and log stream
  # (worker_containers below).
  worker_container = {
    name       = "worker"
    image      = local.image
    essential  = true
    entryPoint = local.ensure_metrics_dir_entrypoint
    # Prometheus endpoint of the worker (kavak/celery.py) on 127.0.0.1: only the
    # ADOT sidecar of the same task reads it, so no port mapping.
    environment            = local.worker_environment
    secrets                = local.worker_secrets
    healthCheck            = local.worker_health_check
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    linuxParameters        = { initProcessEnabled = true }
    # Fargate maximum: Celery gets 120 s after SIGTERM to finish or requeue
    # (acks_late) before SIGKILL.
    stopTimeout      = 120
    logConfiguration = local.logs.worker
  }

  # Celery beat enqueues the periodic tasks (CELERY_BEAT_SCHEDULE in
  # kavak/settings/*.py, e.g. the WhatsApp pending sweep). It must run in
  # exactly one process: see aws_ecs_service.beat. The schedule file lives on
  # the /tmp scratch volume (a new task starts with an empty schedule: each
  # entry first runs one interval after the task starts).
  beat_container = {
    name                   = "beat"
    image                  = local.image
    essential              = true
    entryPoint             = local.ensure_metrics_dir_entrypoint
    command                = ["celery", "-A", "kavak", "beat", "-l", "INFO", "--schedule", "/tmp/celerybeat-schedule"]
    environment            = local.beat_environment
    secrets                = local.beat_secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    linuxParameters        = { initProcessEnabled = true }
    logConfiguration       = local.logs.beat
  }

  # Publishes the Celery queue depth, the oldest message's age and the WhatsApp
  # inbound-to-send p95 as CloudWatch metrics (embedded metric format lines on
  # stdout, which CloudWatch Logs turns into metrics: no AWS API call, no IAM).
  # It runs next to beat (one per environment) and never on a worker: stuck
  # workers are exactly what it must still report. Essential: if it dies, ECS
  # replaces the task (beat's idempotent sweeps tolerate the gap).
  exporter_container = {
    name                   = "queue-metrics"
    image                  = local.image
    essential              = true
    entryPoint             = local.ensure_metrics_dir_entrypoint
    command                = ["python", "manage.py", "export_queue_metrics", "--interval", tostring(var.queue_metrics_interval_seconds)]
    environment            = local.exporter_environment
    secrets                = local.exporter_secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    linuxParameters        = { initProcessEnabled = true }
    logConfiguration = merge(local.logs.beat, {
      options = merge(local.logs.beat.options, { awslogs-stream-prefix = "queue-metrics" })
    })
  }

  migrate_container = {
    name       = "migrate"
    image      = local.image
    essential  = true
    entryPoint = local.ensure_metrics_dir_entrypoint
    # `timeout` bounds the whole run; CI's wait is derived from the same number.
    command                = ["timeout", tostring(var.migrate_timeout_seconds), "python", "manage.py", "migrate", "--noinput"]
    environment            = local.migrate_environment
    secrets                = local.migrate_secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    logConfiguration       = local.logs.migrate
  }

  db_roles_container = {
    name                   = "db-roles"
    image                  = local.image
    essential              = true
    entryPoint             = local.ensure_metrics_dir_entrypoint
    command                = ["python", "manage.py", "db_roles_ensure"]
    environment            = local.db_roles_environment
    secrets                = local.db_roles_secrets
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_mount
    logConfiguration       = local.logs.db_roles
  }

  web_containers = [local.web_container, local.adot_container.web]
  worker_containers = {
    for queue, config in local.worker_queues : queue => [
      merge(local.worker_container, {
        command     = config.command
        environment = concat(local.worker_environment, config.environment)
        logConfiguration = merge(local.logs.worker, {
          options = merge(local.logs.worker.options, { awslogs-stream-prefix = "worker-${queue}" })
        })
      }),
      local.adot_container.worker,
    ]
  }
  beat_containers = [local.beat_container, local.exporter_container]
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
  container_definitions    = jsonencode(local.web_containers)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_task_definition" "worker" {
  for_each = local.worker_queues

  family                   = "${var.name}-worker-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode(local.worker_containers[each.key])

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
  container_definitions    = jsonencode(local.beat_containers)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_task_definition" "db_roles" {
  family                   = "${var.name}-db-roles"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.db_roles_container])

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

  # A release that starts and passes its health checks but breaks what these
  # alarms watch is rolled back too (ECS watches them during the deployment).
  alarms {
    alarm_names = var.deployment_alarm_names["web"]
    enable      = true
    rollback    = true
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
  for_each = local.worker_queues

  name                   = "worker-${each.key}"
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.worker[each.key].arn
  desired_count          = each.value.min_count
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

  # A release that starts and passes its health checks but breaks what these
  # alarms watch (its queue's oldest message age) is rolled back too.
  alarms {
    alarm_names = var.deployment_alarm_names["worker-${each.key}"]
    enable      = true
    rollback    = true
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

  # A release that starts and passes its health checks but breaks what these
  # alarms watch is rolled back too (ECS watches them during the deployment).
  alarms {
    alarm_names = var.deployment_alarm_names["beat"]
    enable      = true
    rollback    = true
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
