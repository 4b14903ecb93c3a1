# METADATA
# title: Every DNS failover record has a health check
# description: >-
#   A Route53 record with a failover routing policy sets health_check_id, so that Route53 fails
#   over when the region's /readyz fails (a PRIMARY record without one is always "healthy" and
#   never fails over).
# custom:
#   id: TFM-008
#   severity: deny
#   scope: file
#   remediation: >-
#     Set health_check_id to the aws_route53_health_check of the record's region.
package terraform.failover_health_check

import data.lib.terraform as tf

deny contains tf.msg("TFM-008", r, "a failover record needs health_check_id") if {
	some r in tf.resources
	r.type == "aws_route53_record"
	count(tf.blocks(r.body, "failover_routing_policy")) > 0
	not _has_health_check(r.body)
}

_has_health_check(body) if {
	is_string(body.health_check_id)
	body.health_check_id != ""
}
