# METADATA
# title: Meshed workloads have a local rate limit
# description: >-
#   Every workload whose pods join the mesh is selected by an EnvoyFilter that inserts Envoy's
#   local rate limit filter (envoy.filters.http.local_ratelimit) into its sidecar, so a flood is
#   answered with 429 at the pod before it reaches the app.
# custom:
#   id: MSH-004
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Keep the chart's EnvoyFilter <fullname>-local-rate-limit (mesh.rateLimit in the values).
package rate_limit

import data.lib.kubernetes as k8s
import data.lib.mesh

deny contains k8s.msg("MSH-004", obj, "its pods are in the mesh but no EnvoyFilter adds envoy.filters.http.local_ratelimit to them; keep the chart's local rate limit (mesh.rateLimit)") if {
	some obj in mesh.meshed_workloads
	not _limited(obj)
}

_limited(obj) if {
	some ef in k8s.objects
	ef.kind == "EnvoyFilter"
	mesh.selects_pods(ef.spec.workloadSelector.labels, obj.spec.template.metadata.labels)
	some patch in ef.spec.configPatches
	patch.applyTo == "HTTP_FILTER"
	patch.patch.value.name == "envoy.filters.http.local_ratelimit"
}
