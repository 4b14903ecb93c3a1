# METADATA
# title: Databases are never publicly accessible
# description: >-
#   Every aws_db_instance sets publicly_accessible = false explicitly and its security groups
#   admit no 0.0.0.0/0, so the database is reachable only from inside the VPC.
# custom:
#   id: TFM-004
#   severity: deny
#   scope: file
#   remediation: >-
#     Set publicly_accessible = false and allow only the cluster's security group in the
#     database security group's ingress.
package terraform.public_database

import data.lib.terraform as tf

deny contains tf.msg("TFM-004", r, "publicly_accessible must be set to false") if {
	some r in tf.resources
	r.type == "aws_db_instance"
	not r.body.publicly_accessible == false
}

deny contains tf.msg("TFM-004", r, "PostgreSQL ingress must not be open to 0.0.0.0/0 or ::/0") if {
	some r in tf.resources
	r.type == "aws_security_group"
	some rule in tf.blocks(r.body, "ingress")
	rule.from_port <= 5432
	rule.to_port >= 5432
	_open(rule)
}

_open(rule) if "0.0.0.0/0" in object.get(rule, "cidr_blocks", [])

_open(rule) if "::/0" in object.get(rule, "ipv6_cidr_blocks", [])
