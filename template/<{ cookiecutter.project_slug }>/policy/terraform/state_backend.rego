# METADATA
# title: Terraform state is remote, encrypted and locked
# description: >-
#   Every backend is S3 with encrypt = true and a lock (use_lockfile = true, or a dynamodb_table),
#   so that state is never on a laptop, never in plain text, and two applies never interleave.
# custom:
#   id: TFM-006
#   severity: deny
#   scope: file
#   remediation: >-
#     Use backend "s3" with encrypt = true and use_lockfile = true.
package terraform.state_backend

import data.lib.terraform as tf

deny contains tf.block_msg("TFM-006", sprintf("backend.%s", [b.type]), b.path, "state must be in the S3 backend") if {
	some b in tf.backends
	b.type != "s3"
}

deny contains tf.block_msg("TFM-006", "backend.s3", b.path, "encrypt must be true") if {
	some b in tf.backends
	b.type == "s3"
	not b.body.encrypt == true
}

deny contains tf.block_msg("TFM-006", "backend.s3", b.path, "has no state locking; set use_lockfile = true") if {
	some b in tf.backends
	b.type == "s3"
	not b.body.use_lockfile == true
	not b.body.dynamodb_table
}
