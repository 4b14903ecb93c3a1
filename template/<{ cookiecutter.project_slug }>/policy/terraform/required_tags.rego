# METADATA
# title: Terraform resources carry the cost and ownership tags
# description: >-
#   Every taggable AWS resource sets tags (the module's tags variable), every aws provider block
#   sets default_tags, and every `tags` local that feeds them has service, team, environment,
#   cost-center and managed-by, so that cost reports and budgets see every resource.
# custom:
#   id: TFM-001
#   severity: deny
#   scope: file
#   remediation: >-
#     Add `tags = var.tags` (or merge(var.tags, {...})) to the resource, `default_tags { tags =
#     local.tags }` to the provider, and the missing keys to local.tags.
package terraform.required_tags

import data.lib.terraform as tf

deny contains tf.msg("TFM-001", r, "sets no tags; add `tags = var.tags`") if {
	some r in tf.resources
	startswith(r.type, "aws_")
	not r.type in tf.untaggable
	not r.body.tags
}

deny contains tf.block_msg("TFM-001", sprintf("provider.%s", [p.name]), p.path, "has no default_tags; add `default_tags { tags = local.tags }`") if {
	some p in tf.providers
	p.name == "aws"
	count(object.get(p.body, "default_tags", [])) == 0
}

deny contains tf.block_msg("TFM-001", "local.tags", l.path, sprintf("lacks the tags %v; every resource must carry %v", [missing, tf.required_tags])) if {
	some l in tf.locals
	l.name == "tags"
	is_object(l.value)
	missing := tf.required_tags - {k | some k, _ in l.value}
	count(missing) > 0
}
