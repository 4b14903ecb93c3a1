# METADATA
# title: Every meshed Service has a DestinationRule with outlier detection
# description: >-
#   A Service whose pods join the mesh has a DestinationRule for its host with
#   trafficPolicy.outlierDetection (the circuit breaker that ejects failing pods), and no
#   DestinationRule for it turns mutual TLS off.
# custom:
#   id: MSH-002
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Keep the chart's DestinationRule (mesh.outlierDetection in the values) for every Service of a
#     meshed workload, with trafficPolicy.tls.mode ISTIO_MUTUAL.
package destination_rule_outlier

import data.lib.kubernetes as k8s
import data.lib.mesh

deny contains k8s.msg("MSH-002", svc, "its pods are in the mesh but no DestinationRule for its host sets trafficPolicy.outlierDetection; add one (mesh.outlierDetection)") if {
	some svc in mesh.meshed_services
	count(_guarded(svc)) == 0
}

deny contains k8s.msg("MSH-002", dr, sprintf("trafficPolicy.tls.mode is %q; use ISTIO_MUTUAL inside the mesh", [dr.spec.trafficPolicy.tls.mode])) if {
	some dr in k8s.objects
	dr.kind == "DestinationRule"
	some svc in mesh.meshed_services
	mesh.host_matches(dr.spec.host, svc)
	dr.spec.trafficPolicy.tls.mode != "ISTIO_MUTUAL"
}

_guarded(svc) := {dr |
	some dr in k8s.objects
	dr.kind == "DestinationRule"
	mesh.host_matches(dr.spec.host, svc)
	count(dr.spec.trafficPolicy.outlierDetection) > 0
}
