output "primary_endpoint_address" {
  description = "Primary endpoint (TLS; use rediss://)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "replication_group_id" {
  description = "Replication group ID."
  value       = aws_elasticache_replication_group.this.id
}

output "member_cluster_ids" {
  description = "Node IDs (CloudWatch dimension CacheClusterId), known before apply: <group>-001, -002..."
  value       = [for i in range(var.num_cache_nodes) : format("%s-%03d", var.name, i + 1)]
}
