package project_restricted_test

import data.project_restricted

project := {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "svc"}, "spec": {
	"sourceRepos": ["https://github.com/example/svc.git"],
	"destinations": [{"name": "prod", "namespace": "svc"}],
	"clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
	"namespaceResourceWhitelist": [{"group": "apps", "kind": "Deployment"}],
}}

test_allows_restricted_project if {
	count(project_restricted.deny) == 0 with input as project
}

test_denies_wildcard_repo if {
	messages := project_restricted.deny with input as json.patch(project, [{"op": "replace", "path": "/spec/sourceRepos/0", "value": "*"}])
	messages == {"[GIT-002] AppProject/svc: spec.sourceRepos[0] is \"*\"; name it exactly"}
}

test_denies_wildcard_namespace if {
	count(project_restricted.deny) == 1 with input as json.patch(project, [{"op": "replace", "path": "/spec/destinations/0/namespace", "value": "*"}])
}

test_denies_wildcard_cluster_kind if {
	count(project_restricted.deny) == 1 with input as json.patch(project, [{"op": "replace", "path": "/spec/clusterResourceWhitelist/0/kind", "value": "*"}])
}

test_denies_missing_namespace_whitelist if {
	count(project_restricted.deny) == 1 with input as json.remove(project, ["spec/namespaceResourceWhitelist"])
}
