# PostgreSQL on RDS: private subnets only, encrypted with the environment's KMS
# key, TLS enforced (rds.force_ssl; the app verifies the server certificate with
# sslmode=verify-full and the RDS CA bundle baked into the image), automated
# backups, deletion protection and Multi-AZ driven by variables (both true in
# production, see its tfvars).
#
# Roles: the master user (RDS keeps its password in a secret of its own,
# manage_master_user_password) is used only by the one-off `db-roles` task,
# which creates kavak_migrate (owns the schema: the migrate task) and kavak_app
# (SELECT/INSERT/UPDATE/DELETE only: web, worker, beat). See
# kavak/management/commands/db_roles_ensure.py.

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.private_subnet_ids
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-"
  family      = var.parameter_group_family

  # Reject non-TLS connections.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Log DDL (migrations) and slow statements, never every statement (PII).
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_ms)
  }

  parameter {
    name  = "log_lock_waits"
    value = "1"
  }

  # Stated, not derived from the instance memory: the connections alarm
  # (modules/monitoring) fires at a share of this same number.
  parameter {
    name         = "max_connections"
    value        = tostring(var.max_connections)
    apply_method = "pending-reboot"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Created before the instance so it gets a retention (RDS would create it without one).
resource "aws_cloudwatch_log_group" "postgresql" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (var.log_retention_days, 30-90 days); PostgreSQL logs can contain customer data and are not kept a year.
  name              = "/aws/rds/instance/${var.name}/postgresql"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_cloudwatch_log_group" "upgrade" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (var.log_retention_days, 30-90 days).
  name              = "/aws/rds/instance/${var.name}/upgrade"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_157:Multi-AZ is var.multi_az: true in production (asserted by tests/terraform), false in staging to halve its cost.
  #checkov:skip=CKV_AWS_293:Deletion protection is var.deletion_protection: true in production (asserted by tests/terraform), false in staging so it can be torn down.
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = "kavak"
  username = "kavak"
  port     = 5432

  # RDS generates and rotates the master password in Secrets Manager (encrypted
  # with the environment key); no container but the db-roles task reads it.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

  allocated_storage     = var.allocated_storage_gb
  max_allocated_storage = var.max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.security_group_id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  multi_az            = var.multi_az
  deletion_protection = var.deletion_protection

  backup_retention_period   = var.backup_retention_days
  backup_window             = "07:00-08:00" # 01:00-02:00 in Mexico City
  maintenance_window        = "sun:08:30-sun:09:30"
  copy_tags_to_snapshot     = true
  skip_final_snapshot       = !var.deletion_protection
  final_snapshot_identifier = "${var.name}-final"
  delete_automated_backups  = !var.deletion_protection

  auto_minor_version_upgrade          = true
  allow_major_version_upgrade         = false
  apply_immediately                   = var.apply_immediately
  iam_database_authentication_enabled = true

  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7

  depends_on = [
    aws_cloudwatch_log_group.postgresql,
    aws_cloudwatch_log_group.upgrade,
  ]
}

# Enhanced Monitoring (OS metrics every 60 s).
data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
