# METADATA
# title: Autoscaler bounds are consistent
# description: >-
#   A HorizontalPodAutoscaler's minReplicas (1 when absent) is at most its maxReplicas, so the
#   quota sized from the maximum also holds the minimum.
# custom:
#   id: FIN-002
#   severity: deny
#   scope: object
#   kinds: [autoscaling/HorizontalPodAutoscaler]
#   remediation: >-
#     Set autoscaling.minReplicas at most autoscaling.maxReplicas in the chart values.
package finops_hpa_bounds

import data.lib.kubernetes as k8s

deny contains k8s.msg("FIN-002", hpa, sprintf("minReplicas %d is above maxReplicas %d", [low, high])) if {
	some hpa in k8s.objects
	hpa.kind == "HorizontalPodAutoscaler"
	low := object.get(hpa.spec, "minReplicas", 1)
	high := hpa.spec.maxReplicas
	low > high
}
