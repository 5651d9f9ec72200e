# Secrets Manager entries injected into the ECS containers as `secrets`
# (never as plain `environment`). The container variable name is the map key.
#
# - DJANGO_SECRET_KEY, DATABASE_PASSWORD, DATABASE_MIGRATE_PASSWORD, REDIS_PASSWORD
#   and METRICS_TOKEN are generated here. DATABASE_PASSWORD is the password of the
#   application's least-privilege role (kavak_app), DATABASE_MIGRATE_PASSWORD the
#   one of the role that owns the schema (kavak_migrate); the `db-roles` task
#   (manage.py db_roles_ensure, run with the RDS-managed master secret) sets both
#   in PostgreSQL. REDIS_PASSWORD is the ElastiCache auth token, so both sides
#   always agree. The RDS master password is not here: RDS manages it in its own
#   secret (modules/rds, manage_master_user_password).
#   METRICS_TOKEN (web only) is the bearer token of /metrics; the in-VPC
#   Prometheus scraper reads the same secret.
#   RETENTION_HASH_KEY keys the HMAC that replaces customers' phone numbers when
#   personal data is anonymised (kavak/retention.py): its own key, so rotating
#   DJANGO_SECRET_KEY never changes the hash of a phone.
#   META_VERIFY_TOKEN is the token Meta's webhook handshake echoes (hub.verify_token):
#   ours to choose, so generated; the operator copies it into Meta's webhook set-up.
# - TWILIO_AUTH_TOKEN, OPENAI_API_KEY, META_APP_SECRET and META_ACCESS_TOKEN come
#   from third parties: Terraform only creates the (empty) secret; an operator puts
#   the value (terraform/README.md). The Meta ones exist in every environment but
#   reach the containers only once whatsapp_providers lists a Meta number
#   (modules/ecs): a secret without a value stops an ECS task from starting.
#
# Generated values are also in the Terraform state, which is why the state
# bucket is encrypted and access to it is restricted (README, "Remote state").

locals {
  generated = {
    DJANGO_SECRET_KEY         = "Django SECRET_KEY"
    DATABASE_PASSWORD         = "PostgreSQL password of the application role kavak_app (DML only)"
    DATABASE_MIGRATE_PASSWORD = "PostgreSQL password of the migration role kavak_migrate (owns the schema, DDL)"
    REDIS_PASSWORD            = "ElastiCache Redis AUTH token"
    METRICS_TOKEN             = "Bearer token of the web tasks' /metrics (read by the in-VPC Prometheus scraper)"
    RETENTION_HASH_KEY        = "HMAC key hashing customers' phone numbers when personal data is anonymised"
    META_VERIFY_TOKEN         = "Meta WhatsApp webhook verify token (hub.verify_token; typed in Meta's webhook set-up)"
  }

  external = {
    TWILIO_AUTH_TOKEN = "Twilio auth token (signs and authenticates WhatsApp webhooks)"
    OPENAI_API_KEY    = "OpenAI API key"
    META_APP_SECRET   = "Meta app secret (X-Hub-Signature-256 of the WhatsApp Cloud API webhooks)"
    META_ACCESS_TOKEN = "Meta Graph API access token (sends WhatsApp Cloud API messages)"
  }

  all = merge(local.generated, local.external)
}

# Alphanumeric only: the application merges these into postgres:// and rediss://
# URLs, and ElastiCache forbids some punctuation in auth tokens.
resource "random_password" "generated" {
  for_each = local.generated

  length  = each.key == "DJANGO_SECRET_KEY" ? 64 : 48
  special = false
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:No rotation Lambda: containers read secrets only at start, and Twilio/OpenAI keys are issued by third parties. Rotation is a documented runbook (terraform/README.md, "Rotating secrets") followed by a forced ECS deployment.
  for_each = local.all

  name                    = "${var.name}/${each.key}"
  description             = each.value
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each = local.generated

  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = random_password.generated[each.key].result
}
