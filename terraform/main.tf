# The Kavak WhatsApp sales agent on AWS: one Terraform root for every
# environment. An environment is a tfvars file and a backend file:
#
#   terraform init  -backend-config=environments/<env>.s3.tfbackend -reconfigure
#   terraform plan  -var-file=environments/<env>.tfvars -var image_tag=<git sha>
#
# Staging and production may live in separate AWS accounts: aws_account_id
# pins each tfvars file to its account (the provider refuses any other), and
# create_github_oidc_provider creates the GitHub OIDC provider once per account.

locals {
  name = "kavak-${var.environment}"

  # Names shared by modules/ecs (which creates them) and modules/iam (which
  # grants on them) without making IAM depend on ECS.
  cluster_name        = local.name
  service_names       = ["web", "worker-turns", "worker-messages", "beat"]
  migrate_task_family = "${local.name}-migrate"
  ecs_log_prefix      = "/ecs/${local.name}/"

  # CELERY_METRICS_PORT of the worker tasks (modules/ecs), on 127.0.0.1: the
  # ADOT sidecar of each task scrapes it over localhost; no security group opens it.
  celery_metrics_port = 9808

  # CloudWatch namespace of the app's own metrics (queue-metrics exporter and
  # log metric filters); modules/ecs publishes, modules/monitoring alarms.
  app_metrics_namespace = "Kavak/${local.name}"
}

module "kms" {
  source = "./modules/kms"

  name = local.name
}

module "network" {
  source = "./modules/network"

  name               = local.name
  vpc_cidr           = var.vpc_cidr
  availability_zones = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
}

module "secrets" {
  source = "./modules/secrets"

  name                    = local.name
  kms_key_arn             = module.kms.key_arn
  recovery_window_in_days = var.secret_recovery_window_days
}

module "ecr" {
  source = "./modules/ecr"

  name         = local.name
  kms_key_arn  = module.kms.key_arn
  force_delete = !var.deletion_protection
}

module "alb" {
  source = "./modules/alb"

  name                             = local.name
  vpc_id                           = module.network.vpc_id
  public_subnet_ids                = module.network.public_subnet_ids
  security_group_id                = module.network.alb_security_group_id
  domain_name                      = var.domain_name
  route53_zone_id                  = var.route53_zone_id
  deletion_protection              = var.deletion_protection
  kms_key_arn                      = module.kms.key_arn
  log_retention_days               = var.log_retention_days
  admin_path                       = var.admin_path
  admin_allowed_cidrs              = var.admin_allowed_cidrs
  webhook_rate_limit_per_5_minutes = var.webhook_rate_limit_per_5_minutes
}

module "rds" {
  source = "./modules/rds"

  name                     = local.name
  private_subnet_ids       = module.network.private_subnet_ids
  security_group_id        = module.network.rds_security_group_id
  kms_key_arn              = module.kms.key_arn
  instance_class           = var.db_instance_class
  allocated_storage_gb     = var.db_allocated_storage_gb
  max_allocated_storage_gb = var.db_max_allocated_storage_gb
  max_connections          = var.db_max_connections
  multi_az                 = var.multi_az
  deletion_protection      = var.deletion_protection
  backup_retention_days    = var.db_backup_retention_days
  log_retention_days       = var.log_retention_days
}

module "redis" {
  source = "./modules/redis"

  name                    = local.name
  private_subnet_ids      = module.network.private_subnet_ids
  security_group_id       = module.network.redis_security_group_id
  kms_key_arn             = module.kms.key_arn
  auth_token              = module.secrets.redis_auth_token
  node_type               = var.redis_node_type
  num_cache_nodes         = var.redis_num_cache_nodes
  snapshot_retention_days = var.redis_snapshot_retention_days
  log_retention_days      = var.log_retention_days
}

module "iam" {
  source = "./modules/iam"

  name                        = local.name
  cluster_name                = local.cluster_name
  service_names               = local.service_names
  migrate_task_family         = local.migrate_task_family
  log_group_prefix            = local.ecs_log_prefix
  ecr_repository_arn          = module.ecr.repository_arn
  secret_arns                 = module.secrets.secret_arns
  extra_secret_arns           = [module.rds.master_user_secret_arn]
  kms_key_arn                 = module.kms.key_arn
  enable_execute_command      = var.enable_execute_command
  github_repository           = var.github_repository
  github_environment          = var.environment
  create_github_oidc_provider = var.create_github_oidc_provider
  prometheus_workspace_arn    = module.monitoring.prometheus_workspace_arn
  ses_identity_arn            = var.lead_email_notifications ? aws_sesv2_email_identity.sender[0].arn : ""
  email_from_address          = var.email_from_address
  terraform_state_bucket      = var.terraform_state_bucket
}

module "ecs" {
  source = "./modules/ecs"

  name                        = local.cluster_name
  aws_region                  = var.aws_region
  domain_name                 = var.domain_name
  admin_path                  = var.admin_path
  ecr_repository_url          = module.ecr.repository_url
  image_tag                   = var.image_tag
  execution_role_arn          = module.iam.execution_role_arn
  task_role_arn               = module.iam.task_role_arn
  enable_execute_command      = var.enable_execute_command
  private_subnet_ids          = module.network.private_subnet_ids
  web_security_group_id       = module.network.web_security_group_id
  worker_security_group_id    = module.network.worker_security_group_id
  target_group_arn            = module.alb.target_group_arn
  alb_arn_suffix              = module.alb.alb_arn_suffix
  target_group_arn_suffix     = module.alb.target_group_arn_suffix
  kms_key_arn                 = module.kms.key_arn
  log_retention_days          = var.log_retention_days
  secret_arns                 = module.secrets.secret_arns
  database_host               = module.rds.address
  database_port               = module.rds.port
  database_name               = module.rds.database_name
  database_master_username    = module.rds.username
  database_master_secret_arn  = module.rds.master_user_secret_arn
  redis_host                  = module.redis.primary_endpoint_address
  redis_port                  = module.redis.port
  twilio_account_sid          = var.twilio_account_sid
  whatsapp_enabled            = var.whatsapp_enabled
  twilio_whatsapp_number      = var.twilio_whatsapp_number
  llm_enabled                 = var.llm_enabled
  web_gunicorn_workers        = var.web_gunicorn_workers
  web_gunicorn_threads        = var.web_gunicorn_threads
  turn_worker_threads         = var.turn_worker_threads
  lead_email_notifications    = var.lead_email_notifications
  email_from_address          = var.email_from_address
  sales_notification_emails   = var.sales_notification_emails
  web_cpu                     = var.web_cpu
  web_memory                  = var.web_memory
  worker_cpu                  = var.worker_cpu
  worker_memory               = var.worker_memory
  web_min_count               = var.web_min_count
  web_max_count               = var.web_max_count
  worker_turns_min_count      = var.worker_turns_min_count
  worker_turns_max_count      = var.worker_turns_max_count
  worker_messages_min_count   = var.worker_messages_min_count
  worker_messages_max_count   = var.worker_messages_max_count
  celery_metrics_port         = local.celery_metrics_port
  data_retention_days         = var.data_retention_days
  retention_transcript_days   = var.retention_transcript_days
  retention_delivery_days     = var.retention_delivery_days
  retention_closed_lead_days  = var.retention_closed_lead_days
  retention_batch_size        = var.retention_batch_size
  llm_rollout_percent         = var.llm_rollout_percent
  whatsapp_providers          = var.whatsapp_providers
  meta_sales_template         = var.meta_sales_template
  meta_staff_template         = var.meta_staff_template
  queue_metrics_namespace     = local.app_metrics_namespace
  prometheus_remote_write_url = module.monitoring.prometheus_remote_write_url
  deployment_alarm_names      = module.monitoring.deployment_alarm_names

  twilio_sales_template_content_sid = var.twilio_sales_template_content_sid
  twilio_csat_content_sid           = var.twilio_csat_content_sid
  twilio_staff_template_content_sid = var.twilio_staff_template_content_sid
}

module "monitoring" {
  source = "./modules/monitoring"

  name                    = local.name
  aws_region              = var.aws_region
  kms_key_arn             = module.kms.key_arn
  log_retention_days      = var.log_retention_days
  alarm_emails            = var.alarm_emails
  alarm_https_endpoints   = var.alarm_https_endpoints
  alb_arn_suffix          = module.alb.alb_arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  # Plain names (not module.ecs outputs): the ECS services take this module's
  # alarms as deployment alarms, so the alarms must not wait for the services.
  cluster_name            = local.cluster_name
  web_service_name        = "web"
  worker_service_names    = { turns = "worker-turns", messages = "worker-messages" }
  beat_service_name       = "beat"
  web_log_group_name      = module.ecs.log_group_names["web"]
  queue_metrics_namespace = local.app_metrics_namespace
  rds_instance_id         = module.rds.identifier
  rds_max_connections     = module.rds.max_connections
  redis_node_ids          = module.redis.member_cluster_ids
}

# Sales email (issue 18): the sender identity the app sends from through the
# SES API (EMAIL_URL=ses://<region>, django-ses, the task role). An email-address
# identity: SES mails a verification link to it once, after the first apply.
# Leave the SES sandbox (a support request) before production, or SES delivers
# only to verified recipients (terraform/README.md, "Sales email").
resource "aws_sesv2_email_identity" "sender" {
  count = var.lead_email_notifications ? 1 : 0

  email_identity = var.email_from_address
}
