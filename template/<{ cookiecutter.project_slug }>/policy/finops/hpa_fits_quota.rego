# METADATA
# title: The autoscaler's maximum fits the quota
# description: >-
#   For every HorizontalPodAutoscaler, maxReplicas times its workload's pod requests and limits
#   (cpu, memory, ephemeral-storage) and pods fit the namespace's ResourceQuota. Otherwise the
#   autoscaler would hit the quota during a peak and the pods it adds would be rejected.
# custom:
#   id: FIN-003
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Lower autoscaling.maxReplicas or the container resources, or let the chart size the quota
#     from them (templates/_finops.tpl) instead of overriding it.
package finops_hpa_fits_quota

import data.lib.kubernetes as k8s

deny contains k8s.msg("FIN-003", hpa, sprintf("maxReplicas %d x %s %s per pod = %s exceeds the ResourceQuota %s %s = %s", [hpa.spec.maxReplicas, key, _show(per_pod), _show(needed), quota.metadata.name, key, hard])) if {
	some hpa in k8s.objects
	hpa.kind == "HorizontalPodAutoscaler"
	some workload in k8s.objects
	workload.kind == hpa.spec.scaleTargetRef.kind
	workload.metadata.name == hpa.spec.scaleTargetRef.name
	some quota in k8s.objects
	quota.kind == "ResourceQuota"
	some kind in ["requests", "limits"]
	some resource in ["cpu", "memory", "ephemeral-storage"]
	key := sprintf("%s.%s", [kind, resource])
	hard := quota.spec.hard[key]
	per_pod := sum([units.parse(sprintf("%v", [c.resources[kind][resource]])) |
		some c in workload.spec.template.spec.containers
	])
	needed := per_pod * hpa.spec.maxReplicas
	needed > units.parse(sprintf("%v", [hard]))
}

deny contains k8s.msg("FIN-003", hpa, sprintf("maxReplicas %d exceeds the ResourceQuota %s pods = %s", [hpa.spec.maxReplicas, quota.metadata.name, quota.spec.hard.pods])) if {
	some hpa in k8s.objects
	hpa.kind == "HorizontalPodAutoscaler"
	some quota in k8s.objects
	quota.kind == "ResourceQuota"
	hpa.spec.maxReplicas > to_number(quota.spec.hard.pods)
}

_show(n) := sprintf("%v", [n])
