output "health_check_ids" {
  description = "Route53 health check IDs, by endpoint (primary, secondary)."
  value       = { for key, check in aws_route53_health_check.this : key => check.id }
}

output "record_fqdn" {
  description = "The failover host name."
  value       = var.record_name
}
