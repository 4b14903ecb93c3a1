# METADATA
# title: Pods do not mount hostPath volumes
# description: >-
#   No pod mounts a hostPath volume, which exposes the node's filesystem (and often its container
#   runtime socket) to the pod.
# custom:
#   id: POD-002
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Replace the hostPath volume with an emptyDir, a ConfigMap/Secret projection or a
#     PersistentVolumeClaim.
package pod_no_host_path

import data.lib.kubernetes as k8s

deny contains k8s.msg("POD-002", pod.object, sprintf("volume %q must not be a hostPath (%v)", [volume.name, volume.hostPath.path])) if {
	some pod in k8s.pods
	some volume in object.get(pod.spec, "volumes", [])
	volume.hostPath
}
