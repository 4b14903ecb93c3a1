# METADATA
# title: Terraform helpers
# description: >-
#   Reads Terraform configuration the way `conftest --parser hcl2` presents it (blocks as lists of
#   bodies keyed by their labels, expressions as "${...}" strings), alone or with `--combine`
#   ({"path", "contents"} per file), and exposes its resources, module calls, backends, providers,
#   locals and IAM policy documents. Documents with `kind` or `apiVersion` (Kubernetes) are never
#   Terraform, so the Terraform rules stay silent on them.
package lib.terraform

# The five tags every taggable resource carries (and provider default_tags set).
required_tags := {"service", "team", "environment", "cost-center", "managed-by"}

# AWS resource types that cannot carry tags (associations, attachments, policies of other resources).
untaggable := {
	"aws_db_instance_automated_backups_replication",
	"aws_ecr_lifecycle_policy",
	"aws_ecr_repository_policy",
	"aws_iam_policy_attachment",
	"aws_iam_role_policy",
	"aws_iam_role_policy_attachment",
	"aws_kms_alias",
	"aws_lambda_permission",
	"aws_route",
	"aws_route53_record",
	"aws_route_table_association",
	"aws_s3_bucket_public_access_block",
	"aws_s3_bucket_server_side_encryption_configuration",
	"aws_s3_bucket_versioning",
	"aws_secretsmanager_secret_rotation",
	"aws_secretsmanager_secret_version",
	"aws_security_group_rule",
	"aws_vpc_security_group_egress_rule",
	"aws_vpc_security_group_ingress_rule",
}

# Each Terraform file: {"path": file path or "", "hcl": parsed body}.
documents contains {"path": doc.path, "hcl": doc.contents} if {
	is_array(input)
	some doc in input
	is_hcl(doc.contents)
}

documents contains {"path": "", "hcl": input} if {
	is_hcl(input)
}

_block_keys := {"resource", "data", "module", "provider", "terraform", "locals", "variable", "output"}

is_hcl(x) if {
	is_object(x)
	not x.kind
	not x.apiVersion
	some key in object.keys(x)
	key in _block_keys
}

# Resources: {"type", "name", "body", "path"}.
resources contains {"type": type, "name": name, "body": body, "path": doc.path} if {
	some doc in documents
	some type, named in doc.hcl.resource
	some name, bodies in named
	some body in bodies
}

# Data sources: {"type", "name", "body", "path"}.
data_sources contains {"type": type, "name": name, "body": body, "path": doc.path} if {
	some doc in documents
	some type, named in doc.hcl.data
	some name, bodies in named
	some body in bodies
}

# Module calls: {"name", "body", "path"}.
modules contains {"name": name, "body": body, "path": doc.path} if {
	some doc in documents
	some name, bodies in doc.hcl.module
	some body in bodies
}

# Backends: {"type", "body", "path"}.
backends contains {"type": type, "body": body, "path": doc.path} if {
	some doc in documents
	some settings in doc.hcl.terraform
	some type, bodies in settings.backend
	some body in bodies
}

# Provider blocks: {"name", "body", "path"}.
providers contains {"name": name, "body": body, "path": doc.path} if {
	some doc in documents
	some name, bodies in doc.hcl.provider
	some body in bodies
}

# Local values: {"name", "value", "path"}.
locals contains {"name": name, "value": value, "path": doc.path} if {
	some doc in documents
	some block in doc.hcl.locals
	some name, value in block
}

# Nested blocks of a body (static and `dynamic "<name>" { content { ... } }` alike).
blocks(body, name) := [b | some b in object.get(body, name, [])] if not body.dynamic

blocks(body, name) := array.concat(
	[b | some b in object.get(body, name, [])],
	[c | some d in object.get(body.dynamic, name, []); some c in d.content],
) if body.dynamic

# A literal value, not an expression: "${...}" strings are expressions.
is_expression(value) if {
	is_string(value)
	contains(value, "${")
}

# The module a call uses, by the last element of its source ("../../modules/database" -> "database").
module_kind(call) := kind if {
	parts := split(trim_right(call.body.source, "/"), "/")
	kind := parts[count(parts) - 1]
}

# The environment a file belongs to, from its path (infra/envs/<env>/...).
environment(path) := env if {
	parts := split(path, "/")
	some i, part in parts
	part == "envs"
	env := parts[i + 1]
}

# "[ID] type.name (file): text": every message names the rule, the block, the file and the fix.
msg(id, r, text) := sprintf("[%s] %s.%s%s: %s", [id, r.type, r.name, _where(r.path), text])

module_msg(id, call, text) := sprintf("[%s] module.%s%s: %s", [id, call.name, _where(call.path), text])

block_msg(id, what, path, text) := sprintf("[%s] %s%s: %s", [id, what, _where(path), text])

_where(path) := sprintf(" (%s)", [path]) if path != ""

_where("") := ""
