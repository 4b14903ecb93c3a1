# METADATA
# title: ECR tags are immutable and images are scanned on push
# description: >-
#   Every aws_ecr_repository has image_tag_mutability = "IMMUTABLE" and scan_on_push, so that a
#   tag always names the image that was built, signed and scanned.
# custom:
#   id: TFM-005
#   severity: deny
#   scope: file
#   remediation: >-
#     Set image_tag_mutability = "IMMUTABLE" and image_scanning_configuration { scan_on_push = true }.
package terraform.ecr_immutable

import data.lib.terraform as tf

deny contains tf.msg("TFM-005", r, "image_tag_mutability must be \"IMMUTABLE\"") if {
	some r in tf.resources
	r.type == "aws_ecr_repository"
	not r.body.image_tag_mutability == "IMMUTABLE"
}

deny contains tf.msg("TFM-005", r, "needs image_scanning_configuration { scan_on_push = true }") if {
	some r in tf.resources
	r.type == "aws_ecr_repository"
	not _scans(r.body)
}

_scans(body) if {
	some config in tf.blocks(body, "image_scanning_configuration")
	config.scan_on_push == true
}
