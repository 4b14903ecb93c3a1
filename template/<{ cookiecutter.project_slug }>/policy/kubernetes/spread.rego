# METADATA
# title: Multi-replica workloads spread over zones or nodes
# description: >-
#   A workload with more than one replica has topologySpreadConstraints or pod anti-affinity, so one
#   zone or node failure does not take all replicas down.
# custom:
#   id: AVL-101
#   severity: warn
#   scope: release
#   kinds: []
#   remediation: >-
#     Enable topologySpread or set podAntiAffinity to soft or hard in the chart values.
package spread

import data.lib.kubernetes as k8s

warn contains k8s.msg("AVL-101", obj, "runs more than one replica without topologySpreadConstraints or podAntiAffinity; enable topologySpread or podAntiAffinity") if {
	some obj in k8s.objects
	obj.kind in {"Deployment", "Rollout", "StatefulSet"}
	k8s.multi_replica(obj)
	count(object.get(obj.spec.template.spec, "topologySpreadConstraints", [])) == 0
	not obj.spec.template.spec.affinity.podAntiAffinity
}
