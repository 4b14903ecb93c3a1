# METADATA
# title: Containers cannot escalate privileges
# description: >-
#   Every container sets allowPrivilegeEscalation to false, so setuid binaries and file capabilities
#   cannot raise a process's privileges (no_new_privs).
# custom:
#   id: CTR-003
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set securityContext.allowPrivilegeEscalation: false on the container.
package container_no_privilege_escalation

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-003", e.pod.object, sprintf("%s must set securityContext.allowPrivilegeEscalation: false", [k8s.container_label(e)])) if {
	some e in k8s.containers
	not e.container.securityContext.allowPrivilegeEscalation == false
}
