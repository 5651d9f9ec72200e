output "alb_arn" {
  description = "ALB ARN."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ALB ARN suffix (CloudWatch dimension LoadBalancer)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the ALB (CNAME target when DNS is not in Route 53)."
  value       = aws_lb.this.dns_name
}

output "target_group_arn" {
  description = "Target group of the web service."
  value       = aws_lb_target_group.web.arn
  # An ECS service can attach to a target group only once a listener uses it.
  depends_on = [aws_lb_listener.https]
}

output "target_group_arn_suffix" {
  description = "Target group ARN suffix (CloudWatch dimension TargetGroup)."
  value       = aws_lb_target_group.web.arn_suffix
}

output "https_listener_arn" {
  description = "HTTPS listener ARN."
  value       = aws_lb_listener.https.arn
}

output "acm_validation_records" {
  description = "DNS records proving ownership of domain_name to ACM (add them yourself when route53_zone_id is null)."
  value = [
    for option in aws_acm_certificate.this.domain_validation_options : {
      name  = option.resource_record_name
      type  = option.resource_record_type
      value = option.resource_record_value
    }
  ]
}
