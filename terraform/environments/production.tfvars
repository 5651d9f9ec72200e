# Production: Multi-AZ database, Redis with a replica and automatic failover,
# one NAT gateway per AZ, deletion protection, at least two tasks per service.

environment = "production"
# The account this file may be applied to (the provider refuses any other).
aws_account_id         = "222222222222"
terraform_state_bucket = "kavak-whatsapp-tfstate-222222222222"
aws_region             = "us-east-1"
domain_name            = "whatsapp.kavak.example"
# route53_zone_id = "Z0123456789ABCDEFGHIJ"
github_repository = "kavak/whatsapp-sales-agent"
# The GitHub OIDC provider exists once per AWS account: production has its own
# account here (false when it shares staging's, which then creates it).
create_github_oidc_provider = true
twilio_account_sid          = "AC00000000000000000000000000000000"
twilio_whatsapp_number      = "whatsapp:+5215500000000"
whatsapp_enabled            = true
llm_enabled                 = true
# With the LLM on, the share of new conversations that use it (0-100), fixed per
# conversation; the funnel dashboard compares the two groups.
llm_rollout_percent = 100
# Business numbers on Meta's WhatsApp Cloud API beside Twilio's (README, "WhatsApp through Meta");
# put META_APP_SECRET and META_ACCESS_TOKEN in Secrets Manager first (terraform/README.md).
# whatsapp_providers  = "+525598765432=meta:109876543210987,+5215500000000=twilio"
# meta_sales_template = "kavak_aviso_ventas:es_MX"
# meta_staff_template = "kavak_asesor:es_MX"
# Sales email through Amazon SES from this verified address (or lead_email_notifications = false).
email_from_address        = "agente@kavak.example"
sales_notification_emails = ["ventas@kavak.example"]
# Required in production: at least one address or HTTPS endpoint (chat webhook).
alarm_emails = ["guardia-whatsapp@kavak.example"]
# alarm_https_endpoints = ["https://hooks.example.com/..."]
# Approved WhatsApp templates (Content API ContentSid); unset until Meta approves them.
# twilio_sales_template_content_sid = "HX00000000000000000000000000000000"
# twilio_csat_content_sid           = "HX00000000000000000000000000000000" # CSAT as a list picker
# twilio_staff_template_content_sid = "HX00000000000000000000000000000000"

deletion_protection         = true
multi_az                    = true
enable_execute_command      = false
log_retention_days          = 90
secret_recovery_window_days = 30
# Personal data (LFPDPPP; README "Retention and erasure of personal data"): days before the nightly
# anonymiser removes it, 0 = keep. Transcripts and deliveries follow data_retention_days
# unless set; legal decides the values.
# data_retention_days        = 365
# retention_transcript_days  = 180
# retention_delivery_days    = 90
# retention_closed_lead_days = 730

vpc_cidr           = "10.30.0.0/16"
availability_zones = ["us-east-1a", "us-east-1b"]
single_nat_gateway = false

web_cpu                   = 1024
web_memory                = 2048
worker_cpu                = 1024
worker_memory             = 2048
web_min_count             = 2
web_max_count             = 6
worker_turns_min_count    = 2
worker_turns_max_count    = 4
worker_messages_min_count = 2
worker_messages_max_count = 4
# Every gthread thread and every turn thread keeps its own database connection:
# web_max x workers x threads + turns_max x turn threads + messages_max x vCPU must
# stay under 80 % of db_max_connections (tests/terraform check it).
web_gunicorn_workers = 2
web_gunicorn_threads = 32
turn_worker_threads  = 64

db_instance_class           = "db.m7g.large"
db_allocated_storage_gb     = 50
db_max_allocated_storage_gb = 500
db_backup_retention_days    = 14
db_max_connections          = 900

redis_node_type               = "cache.t4g.small"
redis_num_cache_nodes         = 2
redis_snapshot_retention_days = 7
