# METADATA
# title: AppProjects are not wildcards
# description: >-
#   An Argo CD AppProject names its source repositories and destinations (no `*` in a repository,
#   server, cluster name or namespace), lists its cluster-scoped kinds (no `*` group or kind in
#   clusterResourceWhitelist) and whitelists namespaced kinds instead of allowing all of them.
# custom:
#   id: GIT-002
#   severity: deny
#   scope: object
#   kinds: [argoproj.io/AppProject]
#   remediation: >-
#     List the repository URL, each environment's cluster and namespace, the few cluster-scoped
#     kinds the service needs, and its namespaced kinds (deploy/argocd/project.yaml).
package project_restricted

import data.lib.kubernetes as k8s

deny contains k8s.msg("GIT-002", project, sprintf("%s is %q; name it exactly", [field, value])) if {
	some [project, field, value] in _wildcards
}

deny contains k8s.msg("GIT-002", project, "spec.namespaceResourceWhitelist is missing, so every namespaced kind is allowed; list the kinds the service deploys") if {
	some project in k8s.objects
	project.kind == "AppProject"
	count(object.get(project.spec, "namespaceResourceWhitelist", [])) == 0
}

_wildcards contains [project, sprintf("spec.sourceRepos[%d]", [i]), repo] if {
	some project in _projects
	spec := project.spec
	some i, repo in object.get(spec, "sourceRepos", [])
	contains(repo, "*")
}

_wildcards contains [project, sprintf("spec.destinations[%d].%s", [i, key]), value] if {
	some project in _projects
	spec := project.spec
	some i, destination in object.get(spec, "destinations", [])
	some key in ["server", "name", "namespace"]
	value := destination[key]
	contains(value, "*")
}

_wildcards contains [project, sprintf("spec.%s[%d].%s", [list, i, key]), value] if {
	some project in _projects
	spec := project.spec
	some list in ["clusterResourceWhitelist", "namespaceResourceWhitelist"]
	some i, entry in object.get(spec, list, [])
	some key in ["group", "kind"]
	value := entry[key]
	contains(value, "*")
}

_projects contains project if {
	some project in k8s.objects
	project.kind == "AppProject"
}
