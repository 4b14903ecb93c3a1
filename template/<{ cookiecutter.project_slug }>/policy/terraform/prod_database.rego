# METADATA
# title: Prod databases are protected from deletion and keep a week of backups
# description: >-
#   In the prod environment root, the database module is called with deletion_protection = true
#   and backup_retention_days of at least 7 (and any aws_db_instance there has
#   deletion_protection = true and backup_retention_period >= 7), so that neither a mistaken
#   destroy nor a bad migration loses prod data beyond point-in-time recovery.
# custom:
#   id: TFM-003
#   severity: deny
#   scope: file
#   remediation: >-
#     In infra/envs/prod, set deletion_protection = true and backup_retention_days = 7 or more on
#     module "database" (literal values, not variables).
package terraform.prod_database

import data.lib.terraform as tf

deny contains tf.module_msg("TFM-003", call, "deletion_protection must be true in prod") if {
	some call in tf.modules
	tf.environment(call.path) == "prod"
	tf.module_kind(call) == "database"
	not call.body.deletion_protection == true
}

deny contains tf.module_msg("TFM-003", call, "backup_retention_days must be a number of at least 7 in prod") if {
	some call in tf.modules
	tf.environment(call.path) == "prod"
	tf.module_kind(call) == "database"
	not _at_least_seven(call.body.backup_retention_days)
}

deny contains tf.msg("TFM-003", r, "deletion_protection must be true in prod") if {
	some r in tf.resources
	tf.environment(r.path) == "prod"
	r.type == "aws_db_instance"
	not r.body.deletion_protection == true
}

deny contains tf.msg("TFM-003", r, "backup_retention_period must be a number of at least 7 in prod") if {
	some r in tf.resources
	tf.environment(r.path) == "prod"
	r.type == "aws_db_instance"
	not _at_least_seven(r.body.backup_retention_period)
}

_at_least_seven(value) if {
	is_number(value)
	value >= 7
}
