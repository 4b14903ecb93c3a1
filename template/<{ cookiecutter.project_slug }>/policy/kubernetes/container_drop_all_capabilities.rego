# METADATA
# title: Containers drop all Linux capabilities
# description: >-
#   Every container drops ALL capabilities and adds none back, so the process keeps no kernel
#   privileges beyond those of an ordinary user.
# custom:
#   id: CTR-004
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set securityContext.capabilities.drop: [ALL] on the container and remove capabilities.add.
package container_drop_all_capabilities

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-004", e.pod.object, sprintf("%s must drop ALL capabilities (securityContext.capabilities.drop: [ALL])", [k8s.container_label(e)])) if {
	some e in k8s.containers
	not _drops_all(e.container)
}

deny contains k8s.msg("CTR-004", e.pod.object, sprintf("%s must not add capabilities, found %v", [k8s.container_label(e), e.container.securityContext.capabilities.add])) if {
	some e in k8s.containers
	count(object.get(e.container, ["securityContext", "capabilities", "add"], [])) > 0
}

_drops_all(c) if {
	some cap in c.securityContext.capabilities.drop
	upper(cap) == "ALL"
}
