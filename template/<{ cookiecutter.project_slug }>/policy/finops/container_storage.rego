# METADATA
# title: Containers bound their ephemeral storage, and requests stay within limits
# description: >-
#   Every container requests and limits ephemeral-storage (container logs and disk-backed volumes
#   count against it, and the quota tracks it), and for cpu, memory and ephemeral-storage its
#   request is at most its limit.
# custom:
#   id: FIN-004
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set resources.requests and resources.limits for ephemeral-storage in the chart values (the
#     app, the migration Job, the helm test pod and the CronJobs), with each request at most its limit.
package finops_container_storage

import data.lib.kubernetes as k8s

deny contains k8s.msg("FIN-004", e.pod.object, sprintf("%s must set resources.%s.ephemeral-storage", [k8s.container_label(e), kind])) if {
	some e in k8s.containers
	some kind in ["requests", "limits"]
	not object.get(e.container, ["resources", kind, "ephemeral-storage"], false)
}

deny contains k8s.msg("FIN-004", e.pod.object, sprintf("%s requests %v %s but limits it to %v", [k8s.container_label(e), request, resource, limit])) if {
	some e in k8s.containers
	some resource in ["cpu", "memory", "ephemeral-storage"]
	request := e.container.resources.requests[resource]
	limit := e.container.resources.limits[resource]
	units.parse(sprintf("%v", [request])) > units.parse(sprintf("%v", [limit]))
}
