# METADATA
# title: Containers run as a non-root, numeric user and group
# description: >-
#   Every container runs with runAsNonRoot and a numeric, non-zero runAsUser and runAsGroup (from
#   the container or the pod securityContext), so a compromised process has no root privileges and
#   the kubelet can verify the user without reading the image.
# custom:
#   id: CTR-001
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set podSecurityContext (or the container securityContext) to runAsNonRoot: true, runAsUser:
#     65532 and runAsGroup: 65532 in the chart values.
package container_non_root

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-001", e.pod.object, sprintf("%s must set securityContext.runAsNonRoot: true (pod or container)", [k8s.container_label(e)])) if {
	some e in k8s.containers
	not _non_root(e)
}

deny contains k8s.msg("CTR-001", e.pod.object, sprintf("%s must set a numeric, non-zero securityContext.%s (the contract uses 65532)", [k8s.container_label(e), field])) if {
	some e in k8s.containers
	some field in ["runAsUser", "runAsGroup"]
	not _non_root_id(e, field)
}

_non_root(e) if k8s.security_setting(e, "runAsNonRoot") == true

_non_root_id(e, field) if {
	value := k8s.security_setting(e, field)
	is_number(value)
	value > 0
}
