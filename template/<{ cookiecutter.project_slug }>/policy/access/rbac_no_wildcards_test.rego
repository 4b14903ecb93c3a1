package access_no_wildcards_test

import data.access_no_wildcards

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "svc-viewer"}, "rules": rules}

test_allows_named_rules if {
	count(access_no_wildcards.deny) == 0 with input as role([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]}])
}

test_denies_wildcard_verb if {
	named(access_no_wildcards.deny) with input as role([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}])
}

test_denies_wildcard_resource if {
	named(access_no_wildcards.deny) with input as role([{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}])
}

test_denies_wildcard_group_in_cluster_role if {
	named(access_no_wildcards.deny) with input as object.union(role([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}]), {"kind": "ClusterRole"})
}

test_ignores_other_kinds if {
	count(access_no_wildcards.deny) == 0 with input as {"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"verbs": "*"}}
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ACC-001] ")
	}
}
