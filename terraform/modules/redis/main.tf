# ElastiCache Redis (cluster mode disabled): Celery broker, idempotency keys and
# cache. Private subnets only, TLS in transit (clients use rediss://), AUTH
# token, encryption at rest with the environment's KMS key.
#
# maxmemory-policy is noeviction: the broker's queues and the WhatsApp
# idempotency keys must never be dropped to make room. A full Redis refuses
# writes instead (the app degrades: the throttle and the cache fail open, the
# duplicate check falls back to the database, a task that cannot be enqueued is
# swept later); the memory alarm fires well before, and an eviction alarm
# proves the policy holds. Every cache key carries a TTL. If the cache ever
# needs LRU, it gets its own replication group with allkeys-lru; the broker
# stays here.

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.private_subnet_ids
}

resource "aws_elasticache_parameter_group" "this" {
  name        = "${var.name}-noeviction"
  family      = var.parameter_group_family
  description = "${var.name}: never evict broker messages or idempotency keys"

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "slow_log" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (var.log_retention_days, 30-90 days).
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV2_AWS_50:Failover and Multi-AZ follow var.num_cache_nodes > 1: production runs 2 nodes (asserted by tests/terraform); staging runs 1 node to save cost.
  replication_group_id = var.name
  description          = "${var.name}: Celery broker, idempotency keys, cache"

  engine               = "redis"
  engine_version       = var.engine_version
  parameter_group_name = aws_elasticache_parameter_group.this.name
  node_type            = var.node_type
  num_cache_clusters   = var.num_cache_nodes
  port                 = 6379

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [var.security_group_id]

  # With one node there is nothing to fail over to (staging).
  automatic_failover_enabled = var.num_cache_nodes > 1
  multi_az_enabled           = var.num_cache_nodes > 1

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  auth_token                 = var.auth_token
  # ROTATE keeps the old token valid next to the new one until the next SET
  # (README, "Rotating secrets").
  auth_token_update_strategy = var.auth_token_update_strategy

  snapshot_retention_limit   = var.snapshot_retention_days
  snapshot_window            = "06:00-07:00"
  maintenance_window         = "sun:09:30-sun:10:30"
  auto_minor_version_upgrade = true
  apply_immediately          = var.apply_immediately

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}
