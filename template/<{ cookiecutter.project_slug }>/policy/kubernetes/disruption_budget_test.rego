package disruption_budget_test

import data.disruption_budget
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(disruption_budget.deny) == 0 with input as fixtures.release
}

test_allows_single_replica if {
	count(disruption_budget.deny) == 0 with input as fixtures.combine([json.patch(fixtures.deployment, [{"op": "add", "path": "/spec/replicas", "value": 1}]), fixtures.default_deny])
}

test_denies_no_budget if {
	messages := disruption_budget.deny with input as fixtures.without("PodDisruptionBudget")
	named(messages)
}

test_denies_budget_selects_other_pods if {
	messages := disruption_budget.deny with input as fixtures.patched("PodDisruptionBudget", [{"op": "replace", "path": "/spec/selector/matchLabels", "value": {"app": "other"}}])
	named(messages)
}

test_denies_fixed_replicas if {
	messages := disruption_budget.deny with input as fixtures.combine([json.patch(fixtures.deployment, [{"op": "add", "path": "/spec/replicas", "value": 3}])])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[AVL-001] ")
	}
}
