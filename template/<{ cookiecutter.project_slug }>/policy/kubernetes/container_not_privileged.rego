# METADATA
# title: Containers are not privileged
# description: >-
#   No container runs privileged: a privileged container has every capability and all host devices,
#   which is root on the node.
# custom:
#   id: CTR-006
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Remove securityContext.privileged: true (or set it to false).
package container_not_privileged

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-006", e.pod.object, sprintf("%s must not be privileged (securityContext.privileged: true)", [k8s.container_label(e)])) if {
	some e in k8s.containers
	e.container.securityContext.privileged == true
}
