# METADATA
# title: Roles name their verbs, resources and API groups
# description: >-
#   No Role or ClusterRole uses the wildcard "*" in verbs, resources or apiGroups. A wildcard grants
#   every current and future verb or resource, including secrets, escalate and impersonate.
# custom:
#   id: ACC-001
#   severity: deny
#   scope: object
#   kinds: [rbac.authorization.k8s.io/Role, rbac.authorization.k8s.io/ClusterRole]
#   remediation: >-
#     List the verbs, resources and API groups the role needs (templates/_access.tpl in the chart).
package access_no_wildcards

import data.lib.kubernetes as k8s

deny contains k8s.msg("ACC-001", role, sprintf("rule %d uses a wildcard in %s; list what the role needs", [i, field])) if {
	some role in k8s.objects
	role.kind in {"Role", "ClusterRole"}
	some i, rule in object.get(role, "rules", [])
	some field in ["verbs", "resources", "apiGroups"]
	some value in object.get(rule, field, [])
	contains(value, "*")
}
