package autoscaler_test

import data.autoscaler
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(autoscaler.deny) == 0 with input as fixtures.release
}

test_allows_single_replica if {
	count(autoscaler.deny) == 0 with input as fixtures.combine([json.patch(fixtures.deployment, [{"op": "add", "path": "/spec/replicas", "value": 1}])])
}

test_allows_declared_single if {
	count(autoscaler.deny) == 0 with input as fixtures.combine([json.patch(fixtures.deployment, [{"op": "add", "path": "/metadata/annotations", "value": {"pavedroad.io/single-replica": "true"}}])])
}

test_denies_no_autoscaler if {
	messages := autoscaler.deny with input as fixtures.without("HorizontalPodAutoscaler")
	named(messages)
}

test_denies_autoscaler_targets_other if {
	messages := autoscaler.deny with input as fixtures.patched("HorizontalPodAutoscaler", [{"op": "replace", "path": "/spec/scaleTargetRef/name", "value": "other"}])
	named(messages)
}

test_denies_fixed_replicas if {
	messages := autoscaler.deny with input as fixtures.combine([json.patch(fixtures.deployment, [{"op": "add", "path": "/spec/replicas", "value": 3}])])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[AVL-002] ")
	}
}
