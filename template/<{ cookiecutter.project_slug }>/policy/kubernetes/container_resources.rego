# METADATA
# title: Containers set resource requests and limits
# description: >-
#   Every container requests and limits both CPU and memory, so the scheduler can place it, the
#   autoscaler can compute utilisation, and a leak cannot starve its neighbours.
# custom:
#   id: CTR-007
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set resources.requests.cpu, resources.requests.memory, resources.limits.cpu and
#     resources.limits.memory in the chart values.
package container_resources

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-007", e.pod.object, sprintf("%s must set resources.%s.%s", [k8s.container_label(e), kind, resource])) if {
	some e in k8s.containers
	some kind in ["requests", "limits"]
	some resource in ["cpu", "memory"]
	not _set(object.get(e.container, ["resources", kind, resource], ""))
}

_set(value) if is_number(value)

_set(value) if {
	is_string(value)
	value != ""
}
