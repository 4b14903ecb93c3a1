# METADATA
# title: The deployer role is for Argo CD only
# description: >-
#   RoleBindings to a deployer role bind ServiceAccounts only (Argo CD's application controller).
#   People change the namespace through Git, not with the deployer's rights.
# custom:
#   id: ACC-005
#   severity: deny
#   scope: object
#   kinds: [rbac.authorization.k8s.io/RoleBinding]
#   remediation: >-
#     Bind the deployer Role to Argo CD's ServiceAccount (access.deployer in the chart values) and
#     give people the viewer role, or operator just-in-time.
package access_deployer_binding

import data.lib.kubernetes as k8s

deny contains k8s.msg("ACC-005", rb, sprintf("binds %s %q to the deployer role %q; only ServiceAccounts (Argo CD) may deploy", [s.kind, s.name, rb.roleRef.name])) if {
	some rb in k8s.objects
	rb.kind == "RoleBinding"
	endswith(rb.roleRef.name, "-deployer")
	some s in object.get(rb, "subjects", [])
	s.kind != "ServiceAccount"
}
