# METADATA
# title: Pods do not share the host's namespaces
# description: >-
#   No pod uses hostNetwork, hostPID or hostIPC: each would let the pod see or reach the node's
#   processes, network interfaces or shared memory.
# custom:
#   id: POD-001
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).
package pod_host_namespaces

import data.lib.kubernetes as k8s

deny contains k8s.msg("POD-001", pod.object, sprintf("pod must not set %s: true", [field])) if {
	some pod in k8s.pods
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	pod.spec[field] == true
}
