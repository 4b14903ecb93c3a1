# METADATA
# title: Multi-replica workloads have a PodDisruptionBudget
# description: >-
#   A Deployment (or Rollout or StatefulSet) that runs more than one replica, directly or through
#   its HorizontalPodAutoscaler, has a PodDisruptionBudget selecting its pods, so node drains and
#   upgrades keep it serving.
# custom:
#   id: AVL-001
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Enable podDisruptionBudget in the chart values (maxUnavailable: 1).
package disruption_budget

import data.lib.kubernetes as k8s

deny contains k8s.msg("AVL-001", obj, "runs more than one replica but no PodDisruptionBudget selects its pods; enable podDisruptionBudget") if {
	some obj in k8s.objects
	obj.kind in {"Deployment", "Rollout", "StatefulSet"}
	k8s.multi_replica(obj)
	not _budgeted(obj)
}

_budgeted(obj) if {
	some pdb in k8s.objects
	pdb.kind == "PodDisruptionBudget"
	k8s.selects(pdb.spec.selector, obj.spec.template.metadata.labels)
}
