output "twilio_webhook_url" {
  description = "Paste into Twilio (WhatsApp sender / Messaging Service > \"A message comes in\", HTTP POST)."
  value       = "https://${var.domain_name}/channels/whatsapp/webhook"
}

output "meta_webhook_url" {
  description = "Callback URL of Meta's WhatsApp Cloud API webhook (Meta app > WhatsApp > Configuration), with the META_VERIFY_TOKEN secret as verify token."
  value       = "https://${var.domain_name}/channels/whatsapp/meta/webhook"
}

output "public_base_url" {
  description = "PUBLIC_BASE_URL given to the app."
  value       = "https://${var.domain_name}"
}

output "alb_dns_name" {
  description = "Point domain_name here (CNAME, or Route 53 alias created automatically when route53_zone_id is set)."
  value       = module.alb.alb_dns_name
}

output "acm_validation_records" {
  description = "DNS records validating the TLS certificate (create them when DNS is not in Route 53)."
  value       = module.alb.acm_validation_records
}

output "ecr_repository_url" {
  description = "Where CI pushes images."
  value       = module.ecr.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster."
  value       = module.ecs.cluster_name
}

output "ecs_task_families" {
  description = "Task definition families (web, worker-turns, worker-messages, beat, migrate)."
  value       = module.ecs.task_families
}

output "deploy_role_arn" {
  description = "IAM role GitHub Actions assumes through OIDC."
  value       = module.iam.deploy_role_arn
}

output "prometheus_query_url" {
  description = "Amazon Managed Service for Prometheus query endpoint (Grafana data source; PromQL of OPERATIONS.md)."
  value       = module.monitoring.prometheus_query_url
}

output "db_roles_task_family" {
  description = "One-off task creating the database roles (first deploy, after a password rotation)."
  value       = module.ecs.task_families["db_roles"]
}

output "alarm_topic_arn" {
  description = "SNS topic of all CloudWatch alarms."
  value       = module.monitoring.alarm_topic_arn
}

output "rds_address" {
  description = "PostgreSQL host (private)."
  value       = module.rds.address
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint (private, TLS)."
  value       = module.redis.primary_endpoint_address
}

output "secret_arns" {
  description = "Secrets Manager ARNs per container variable."
  value       = module.secrets.secret_arns
}

output "github_actions_variables" {
  description = "Variables to set on the GitHub environment named like this environment (README, first deploy)."
  value = {
    AWS_REGION                  = var.aws_region
    AWS_DEPLOY_ROLE_ARN         = module.iam.deploy_role_arn
    ECR_REPOSITORY              = module.ecr.repository_name
    ECS_CLUSTER                 = module.ecs.cluster_name
    ECS_WEB_SERVICE             = module.ecs.web_service_name
    ECS_WORKER_TURNS_SERVICE    = module.ecs.worker_service_names["turns"]
    ECS_WORKER_MESSAGES_SERVICE = module.ecs.worker_service_names["messages"]
    ECS_BEAT_SERVICE            = module.ecs.beat_service_name
    ECS_WEB_FAMILY              = module.ecs.task_families["web"]
    ECS_WORKER_TURNS_FAMILY     = module.ecs.task_families["worker-turns"]
    ECS_WORKER_MESSAGES_FAMILY  = module.ecs.task_families["worker-messages"]
    ECS_BEAT_FAMILY             = module.ecs.task_families["beat"]
    ECS_MIGRATE_FAMILY          = module.ecs.task_families["migrate"]
    ECS_MIGRATE_LOG_GROUP       = module.ecs.log_group_names["migrate"]
    ECS_MIGRATE_TIMEOUT_S       = tostring(module.ecs.migrate_timeout_seconds)
    TF_PLAN_ROLE_ARN            = module.iam.terraform_plan_role_arn
    TF_APPLY_ROLE_ARN           = module.iam.terraform_apply_role_arn
    ECS_TASK_SUBNETS            = join(",", module.network.private_subnet_ids)
    ECS_TASK_SECURITY_GROUP     = module.network.worker_security_group_id
    PUBLIC_BASE_URL             = "https://${var.domain_name}"
  }
}
