# Health-checked DNS failover between two regions: Route53 answers with the primary region's
# endpoint while its /readyz passes, and with the secondary's when it fails. The runbook
# docs/runbooks/region-failover.md describes what happens then.
data "aws_route53_zone" "this" {
  name         = var.zone_name
  private_zone = false
}

resource "aws_route53_health_check" "this" {
  for_each = var.endpoints

  fqdn              = each.value.health_check_fqdn
  port              = 443
  type              = "HTTPS"
  resource_path     = var.health_check_path
  enable_sni        = true
  request_interval  = var.request_interval_seconds
  failure_threshold = var.failure_threshold
  measure_latency   = true

  tags = merge(var.tags, { Name = "${var.record_name}-${each.key}-${each.value.region}" })
}

resource "aws_route53_record" "this" {
  for_each = var.endpoints

  zone_id         = data.aws_route53_zone.this.zone_id
  name            = var.record_name
  type            = "CNAME"
  ttl             = var.ttl_seconds
  records         = [each.value.target]
  set_identifier  = "${each.key}-${each.value.region}"
  health_check_id = aws_route53_health_check.this[each.key].id

  failover_routing_policy {
    type = upper(each.key)
  }
}
