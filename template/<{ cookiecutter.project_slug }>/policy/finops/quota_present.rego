# METADATA
# title: The namespace has a ResourceQuota and a LimitRange
# description: >-
#   A release that runs pods also renders a ResourceQuota (the namespace's cost ceiling) and a
#   LimitRange (defaults and a per-container maximum), so that neither a runaway autoscaler nor a
#   container without resources can consume the cluster.
# custom:
#   id: FIN-001
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Keep finops.quota.enabled true in the chart values; the chart sizes both from its own values.
package finops_quota_present

import data.lib.kubernetes as k8s

deny contains k8s.msg("FIN-001", pod.object, sprintf("runs pods but the release has no %s; enable finops.quota", [kind])) if {
	some pod in k8s.pods
	some kind in ["ResourceQuota", "LimitRange"]
	count({obj | some obj in k8s.objects; obj.kind == kind}) == 0
}
