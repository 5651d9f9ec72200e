# Staging: smallest sizes that still exercise the production topology
# (2 AZs, TLS everywhere, same modules), one NAT gateway, no Multi-AZ.

environment = "staging"
# The account this file may be applied to (the provider refuses any other).
aws_account_id         = "111111111111"
terraform_state_bucket = "kavak-whatsapp-tfstate-111111111111"
aws_region             = "us-east-1"
domain_name            = "whatsapp-staging.kavak.example"
# route53_zone_id = "Z0123456789ABCDEFGHIJ"
github_repository           = "kavak/whatsapp-sales-agent"
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
# Staging pages nobody, explicitly (production cannot opt out).
# Sales email through Amazon SES from this verified address (or lead_email_notifications = false).
email_from_address          = "agente@staging.kavak.example"
sales_notification_emails   = ["ventas-staging@kavak.example"]
alarm_emails                = []
alarm_notifications_opt_out = true
# Approved WhatsApp templates (Content API ContentSid); unset until Meta approves them.
# twilio_sales_template_content_sid = "HX00000000000000000000000000000000"
# twilio_csat_content_sid           = "HX00000000000000000000000000000000" # CSAT as a list picker
# twilio_staff_template_content_sid = "HX00000000000000000000000000000000"

deletion_protection         = false
multi_az                    = false
enable_execute_command      = true
log_retention_days          = 30
secret_recovery_window_days = 7
# Personal data (LFPDPPP; README "Retention and erasure of personal data"): days before the nightly
# anonymiser removes it, 0 = keep. Transcripts and deliveries follow data_retention_days
# unless set; legal decides the values.
# data_retention_days        = 365
# retention_transcript_days  = 180
# retention_delivery_days    = 90
# retention_closed_lead_days = 730

vpc_cidr           = "10.20.0.0/16"
availability_zones = ["us-east-1a", "us-east-1b"]
single_nat_gateway = true

web_cpu                   = 512
web_memory                = 1024
worker_cpu                = 512
worker_memory             = 1024
web_min_count             = 1
web_max_count             = 2
worker_turns_min_count    = 1
worker_turns_max_count    = 2
worker_messages_min_count = 1
worker_messages_max_count = 2
# Fewer threads than production: db.t4g.small allows ~200 connections, and every
# thread keeps its own (tests/terraform check the sum).
web_gunicorn_workers = 2
web_gunicorn_threads = 16
turn_worker_threads  = 32

db_instance_class           = "db.t4g.small"
db_allocated_storage_gb     = 20
db_max_allocated_storage_gb = 50
db_backup_retention_days    = 3
db_max_connections          = 200

redis_node_type               = "cache.t4g.micro"
redis_num_cache_nodes         = 1
redis_snapshot_retention_days = 1
