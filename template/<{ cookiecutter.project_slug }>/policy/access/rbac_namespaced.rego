# METADATA
# title: Access is namespace-scoped and never cluster-admin
# description: >-
#   A service grants access with Roles and RoleBindings in its own namespace. It creates no
#   ClusterRole or ClusterRoleBinding, and binds none of the built-in aggregate roles
#   (cluster-admin, admin, edit), which carry secrets and RBAC rights.
# custom:
#   id: ACC-002
#   severity: deny
#   scope: object
#   kinds: [rbac.authorization.k8s.io/RoleBinding, rbac.authorization.k8s.io/ClusterRoleBinding, rbac.authorization.k8s.io/ClusterRole]
#   remediation: >-
#     Use the chart's namespaced Roles (viewer, operator, deployer); request operator access
#     just-in-time with `make grant-access` instead of a broad standing role.
package access_namespaced

import data.lib.kubernetes as k8s

_builtin := {"cluster-admin", "admin", "edit"}

deny contains k8s.msg("ACC-002", obj, "a service's access is namespace-scoped: use a Role and a RoleBinding") if {
	some obj in k8s.objects
	obj.kind in {"ClusterRole", "ClusterRoleBinding"}
}

deny contains k8s.msg("ACC-002", obj, sprintf("binds the built-in role %q; bind the chart's viewer or operator Role", [obj.roleRef.name])) if {
	some obj in k8s.objects
	obj.kind in {"RoleBinding", "ClusterRoleBinding"}
	obj.roleRef.name in _builtin
}
