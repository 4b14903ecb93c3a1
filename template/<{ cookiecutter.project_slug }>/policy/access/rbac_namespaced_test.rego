package access_namespaced_test

import data.access_namespaced

binding(kind, role_kind, role) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "b"},
	"subjects": [{"kind": "Group", "name": "team-engineers"}],
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
}

test_allows_namespaced_binding if {
	count(access_namespaced.deny) == 0 with input as binding("RoleBinding", "Role", "svc-viewer")
}

test_denies_cluster_admin if {
	named(access_namespaced.deny) with input as binding("RoleBinding", "ClusterRole", "cluster-admin")
}

test_denies_cluster_role_binding if {
	named(access_namespaced.deny) with input as binding("ClusterRoleBinding", "ClusterRole", "view")
}

test_denies_cluster_role if {
	named(access_namespaced.deny) with input as {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": []}
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ACC-002] ")
	}
}
