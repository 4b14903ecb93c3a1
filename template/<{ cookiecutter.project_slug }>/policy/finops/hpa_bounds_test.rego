package finops_hpa_bounds_test

import data.finops_hpa_bounds

hpa(low, high) := {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "svc"}, "spec": {"minReplicas": low, "maxReplicas": high}}

test_allows_min_below_max if {
	count(finops_hpa_bounds.deny) == 0 with input as hpa(2, 6)
}

test_allows_equal if {
	count(finops_hpa_bounds.deny) == 0 with input as hpa(3, 3)
}

test_denies_min_above_max if {
	messages := finops_hpa_bounds.deny with input as hpa(8, 6)
	messages == {"[FIN-002] HorizontalPodAutoscaler/svc: minReplicas 8 is above maxReplicas 6"}
}
