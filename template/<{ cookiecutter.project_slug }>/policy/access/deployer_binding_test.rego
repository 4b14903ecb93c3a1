package access_deployer_binding_test

import data.access_deployer_binding

binding(subject) := {"kind": "RoleBinding", "metadata": {"name": "svc-deployer"}, "subjects": [subject], "roleRef": {"kind": "Role", "name": "svc-deployer"}}

test_allows_argocd if {
	count(access_deployer_binding.deny) == 0 with input as binding({"kind": "ServiceAccount", "name": "argocd-application-controller", "namespace": "argocd"})
}

test_denies_group if {
	messages := access_deployer_binding.deny with input as binding({"kind": "Group", "name": "team-engineers"})
	count(messages) == 1
	every m in messages {
		startswith(m, "[ACC-005] ")
	}
}
