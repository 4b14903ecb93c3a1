# METADATA
# title: IRSA trust policies name exact service accounts
# description: >-
#   Every IAM policy document statement that allows sts:AssumeRoleWithWebIdentity has a
#   StringEquals condition on the issuer's :sub (and :aud) whose values name exact
#   system:serviceaccount:<namespace>:<name> subjects, so that no other pod of the cluster can
#   assume the service's role.
# custom:
#   id: TFM-007
#   severity: deny
#   scope: file
#   remediation: >-
#     Use test = "StringEquals" with variable "<issuer>:sub" and values
#     "system:serviceaccount:<namespace>:<serviceaccount>", without "*" or "?".
package terraform.irsa_trust

import data.lib.terraform as tf

deny contains tf.msg("TFM-007", d, "a web-identity statement has no StringEquals condition on :sub") if {
	some pair in _web_identity_statements
	[d, statement] := pair
	not _sub_conditions(statement)
}

deny contains tf.msg("TFM-007", d, sprintf("the :sub condition uses %s; use StringEquals", [condition.test])) if {
	some pair in _web_identity_statements
	[d, statement] := pair
	some condition in _sub_conditions(statement)
	condition.test != "StringEquals"
}

deny contains tf.msg("TFM-007", d, sprintf("subject %q is a wildcard; name the namespace and ServiceAccount", [value])) if {
	some pair in _web_identity_statements
	[d, statement] := pair
	some condition in _sub_conditions(statement)
	some value in _values(condition)
	regex.match(`[*?]`, replace(value, "[*]", ""))
}

deny contains tf.msg("TFM-007", d, "a web-identity statement has no StringEquals condition on :aud = sts.amazonaws.com") if {
	some pair in _web_identity_statements
	[d, statement] := pair
	not _aud_pinned(statement)
}

_web_identity_statements contains [d, statement] if {
	some d in tf.data_sources
	d.type == "aws_iam_policy_document"
	some statement in tf.blocks(d.body, "statement")
	"sts:AssumeRoleWithWebIdentity" in statement.actions
}

_sub_conditions(statement) := conditions if {
	conditions := [c | some c in tf.blocks(statement, "condition"); endswith(c.variable, ":sub")]
	count(conditions) > 0
}

_aud_pinned(statement) if {
	some c in tf.blocks(statement, "condition")
	endswith(c.variable, ":aud")
	c.test == "StringEquals"
	c.values == ["sts.amazonaws.com"]
}

# Condition values: a literal list, or one expression (`${[for sa in ... : "..."]}`), which is
# checked as text (a splat `[*]` is not a wildcard).
_values(condition) := condition.values if is_array(condition.values)

_values(condition) := [condition.values] if is_string(condition.values)
