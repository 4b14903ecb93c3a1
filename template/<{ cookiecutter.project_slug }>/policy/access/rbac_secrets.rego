# METADATA
# title: Only External Secrets Operator reads secrets
# description: >-
#   A Role that grants any access to secrets is bound only to ServiceAccounts of External Secrets
#   Operator (namespace external-secrets). People, Argo CD and the service itself read no
#   Secret through the API: the service gets its secrets mounted, and ESO writes them.
# custom:
#   id: ACC-003
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Remove secrets from the role's rules; if ESO really needs a namespaced role, bind it to the
#     ESO controller's ServiceAccount only.
package access_secrets

import data.lib.kubernetes as k8s

eso_namespace := "external-secrets"

_secret_roles contains role.metadata.name if {
	some role in k8s.objects
	role.kind == "Role"
	some rule in object.get(role, "rules", [])
	some resource in object.get(rule, "resources", [])
	resource in {"secrets", "*"}
}

deny contains k8s.msg("ACC-003", rb, sprintf("binds %s:%s to Role %q, which grants access to secrets; only External Secrets Operator (ServiceAccounts in %q) may read secrets", [s.kind, s.name, rb.roleRef.name, eso_namespace])) if {
	some rb in k8s.objects
	rb.kind == "RoleBinding"
	rb.roleRef.kind == "Role"
	rb.roleRef.name in _secret_roles
	some s in object.get(rb, "subjects", [])
	not _eso(s)
}

_eso(subject) if {
	subject.kind == "ServiceAccount"
	subject.namespace == eso_namespace
}
