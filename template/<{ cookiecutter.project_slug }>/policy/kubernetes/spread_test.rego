package spread_test

import data.fixtures
import data.spread

# The compliant release passes.
test_allows_compliant_release if {
	count(spread.warn) == 0 with input as fixtures.release
}

test_allows_anti_affinity if {
	count(spread.warn) == 0 with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/topologySpreadConstraints"}, {"op": "add", "path": "/spec/template/spec/affinity", "value": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}}])
}

test_allows_single_replica if {
	count(spread.warn) == 0 with input as fixtures.combine([json.patch(fixtures.deployment, [{"op": "add", "path": "/spec/replicas", "value": 1}, {"op": "remove", "path": "/spec/template/spec/topologySpreadConstraints"}])])
}

test_warns_no_spread if {
	messages := spread.warn with input as fixtures.patched("Deployment", [{"op": "remove", "path": "/spec/template/spec/topologySpreadConstraints"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[AVL-101] ")
	}
}
