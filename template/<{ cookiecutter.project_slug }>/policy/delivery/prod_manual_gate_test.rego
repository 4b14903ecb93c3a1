package prod_manual_gate_test

import data.prod_manual_gate

rollout(env, strategy) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "svc", "labels": {"pavedroad.io/environment": env}}, "spec": {"strategy": strategy}}

timed := [{"setWeight": 50}, {"pause": {"duration": "5m"}}]

test_allows_gated_prod if {
	count(prod_manual_gate.deny) == 0 with input as rollout("prod", {"canary": {"steps": array.concat(timed, [{"pause": {}}])}})
}

test_allows_ungated_staging if {
	count(prod_manual_gate.deny) == 0 with input as rollout("staging", {"canary": {"steps": timed}})
}

test_allows_manual_blue_green if {
	count(prod_manual_gate.deny) == 0 with input as rollout("prod", {"blueGreen": {"autoPromotionEnabled": false}})
}

test_denies_ungated_prod if {
	messages := prod_manual_gate.deny with input as rollout("prod", {"canary": {"steps": timed}})
	messages == {"[DLV-002] Rollout/svc: a prod canary must end with an indefinite pause (pause: {}) before 100%; set rollout.canary.manualPromotion"}
}

test_denies_auto_blue_green if {
	count(prod_manual_gate.deny) == 1 with input as rollout("prod", {"blueGreen": {}})
}
