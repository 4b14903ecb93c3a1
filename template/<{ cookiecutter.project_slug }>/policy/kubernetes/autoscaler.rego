# METADATA
# title: Multi-replica Deployments have a HorizontalPodAutoscaler
# description: >-
#   A Deployment or Rollout that runs more than one replica, or leaves its replica count to an
#   autoscaler by omitting spec.replicas, has a HorizontalPodAutoscaler targeting it.
# custom:
#   id: AVL-002
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Enable autoscaling in the chart values (minReplicas, maxReplicas and a utilisation target).
package autoscaler

import data.lib.kubernetes as k8s

deny contains k8s.msg("AVL-002", obj, "runs more than one replica (or omits spec.replicas) but no HorizontalPodAutoscaler targets it; enable autoscaling") if {
	some obj in k8s.objects
	obj.kind in {"Deployment", "Rollout"}
	k8s.multi_replica(obj)
	count(k8s.autoscalers(obj)) == 0
}
