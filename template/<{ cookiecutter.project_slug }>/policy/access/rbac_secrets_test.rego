package access_secrets_test

import data.access_secrets

role := {"kind": "Role", "metadata": {"name": "svc-secrets"}, "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}

binding(subject) := {"kind": "RoleBinding", "metadata": {"name": "b"}, "subjects": [subject], "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "svc-secrets"}}

test_allows_eso if {
	count(access_secrets.deny) == 0 with input as [role, binding({"kind": "ServiceAccount", "name": "external-secrets", "namespace": "external-secrets"})]
}

test_allows_bindings_without_secrets if {
	viewer := {"kind": "Role", "metadata": {"name": "svc-viewer"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
	count(access_secrets.deny) == 0 with input as [viewer, object.union(binding({"kind": "Group", "name": "team"}), {"roleRef": {"name": "svc-viewer"}})]
}

test_denies_group_reading_secrets if {
	named(access_secrets.deny) with input as [role, binding({"kind": "Group", "name": "team-engineers"})]
}

test_denies_argocd_reading_secrets if {
	named(access_secrets.deny) with input as [role, binding({"kind": "ServiceAccount", "name": "argocd-application-controller", "namespace": "argocd"})]
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ACC-003] ")
	}
}
