# All security groups of the environment live here, so the traffic matrix is
# readable (and tested, tests/terraform) in one place:
#
#   Internet --80/443--> alb --8000--> web
#   worker: no ingress (its metrics port listens on 127.0.0.1 for the sidecar)
#   web, worker --5432--> rds          web, worker --6379--> redis
#   web, worker --443--> Internet via NAT (Twilio, OpenAI, AWS APIs)
#
# The Celery beat service and the one-off migration task run with the worker
# security group.
# Rules are separate aws_vpc_security_group_*_rule resources (no inline blocks),
# which avoids cycles between groups that reference each other.

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_lb.this in modules/alb through this module's outputs; checkov does not follow cross-module references.
  name        = "${var.name}-alb"
  description = "Public load balancer: HTTP (redirect) and HTTPS from the Internet"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_security_group" "web" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_ecs_service.web in modules/ecs through this module's outputs; checkov does not follow cross-module references.
  name        = "${var.name}-web"
  description = "ECS web tasks (gunicorn): reachable only from the ALB"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-web" }
}

resource "aws_security_group" "worker" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_ecs_service.worker, aws_ecs_service.beat and the migration task (modules/ecs, CI run-task) through this module's outputs; checkov does not follow cross-module references.
  name        = "${var.name}-worker"
  description = "ECS Celery worker, beat and migration tasks: metrics port from the VPC only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-worker" }
}

resource "aws_security_group" "rds" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_db_instance.this in modules/rds through this module's outputs; checkov does not follow cross-module references.
  name        = "${var.name}-rds"
  description = "PostgreSQL: reachable only from web and worker tasks"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-rds" }
}

resource "aws_security_group" "redis" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_elasticache_replication_group.this in modules/redis through this module's outputs; checkov does not follow cross-module references.
  name        = "${var.name}-redis"
  description = "ElastiCache Redis: reachable only from web and worker tasks"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-redis" }
}

# --- ALB ----------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the Internet (Twilio webhooks)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  #checkov:skip=CKV_AWS_260:Port 80 only answers a 301 redirect to HTTPS (listener in modules/alb); no content is served over HTTP.
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the Internet, redirected to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_egress_rule" "alb_to_web" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Forward to web tasks"
  referenced_security_group_id = aws_security_group.web.id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

# --- web ----------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "web_from_alb" {
  security_group_id            = aws_security_group.web.id
  description                  = "gunicorn, from the ALB only"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

# --- worker -------------------------------------------------------------------
# No ingress at all: the workers' Prometheus port (CELERY_METRICS_PORT) listens
# on 127.0.0.1 and only the ADOT sidecar of the same task scrapes it.

# --- egress shared by web and worker (and beat, and the migration task) --------

locals {
  app_security_groups = {
    web    = aws_security_group.web.id
    worker = aws_security_group.worker.id
  }
}

resource "aws_vpc_security_group_egress_rule" "app_https" {
  for_each = local.app_security_groups

  security_group_id = each.value
  description       = "HTTPS to Twilio, OpenAI and AWS APIs (through NAT)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "app_to_rds" {
  for_each = local.app_security_groups

  security_group_id            = each.value
  description                  = "PostgreSQL"
  referenced_security_group_id = aws_security_group.rds.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "app_to_redis" {
  for_each = local.app_security_groups

  security_group_id            = each.value
  description                  = "Redis (TLS)"
  referenced_security_group_id = aws_security_group.redis.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

# --- data stores: ingress only from the app security groups -------------------

resource "aws_vpc_security_group_ingress_rule" "rds_from_app" {
  for_each = local.app_security_groups

  security_group_id            = aws_security_group.rds.id
  description                  = "PostgreSQL from ${each.key} tasks"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_app" {
  for_each = local.app_security_groups

  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from ${each.key} tasks"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}
