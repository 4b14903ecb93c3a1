package finops_hpa_fits_quota_test

import data.finops_hpa_fits_quota
import data.fixtures

hpa(high) := {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "svc"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "svc"}, "minReplicas": 2, "maxReplicas": high}}

# The fixture's container: requests 100m/128Mi, limits 1 CPU/256Mi; 6 pods need 6 CPUs and 1536Mi.
quota := {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "svc"}, "spec": {"hard": {
	"pods": "8",
	"requests.cpu": "800m",
	"requests.memory": "1Gi",
	"limits.cpu": "6",
	"limits.memory": "1536Mi",
}}}

release(high) := fixtures.combine(array.concat([d | some d in fixtures.objects; d.kind != "HorizontalPodAutoscaler"], [hpa(high), quota]))

test_allows_maximum_within_quota if {
	count(finops_hpa_fits_quota.deny) == 0 with input as release(6)
}

test_denies_maximum_over_quota if {
	messages := finops_hpa_fits_quota.deny with input as release(7)
	count(messages) > 0
	some m in messages
	startswith(m, "[FIN-003] HorizontalPodAutoscaler/svc: maxReplicas 7 x limits.cpu")
}

test_denies_more_pods_than_quota if {
	messages := finops_hpa_fits_quota.deny with input as release(9)
	some m in messages
	contains(m, "exceeds the ResourceQuota svc pods = 8")
}
