# METADATA
# title: Containers have a read-only root filesystem
# description: >-
#   Every container mounts its root filesystem read-only, so an attacker cannot modify the image's
#   binaries or drop tools; writable paths are explicit emptyDir volumes such as /tmp.
# custom:
#   id: CTR-002
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set securityContext.readOnlyRootFilesystem: true on the container and mount an emptyDir for any
#     path that must be writable.
package container_read_only_root

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-002", e.pod.object, sprintf("%s must set securityContext.readOnlyRootFilesystem: true", [k8s.container_label(e)])) if {
	some e in k8s.containers
	not e.container.securityContext.readOnlyRootFilesystem == true
}
