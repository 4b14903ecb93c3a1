package rollout_analysis_test

import data.rollout_analysis

analysis := {"templates": [{"templateName": "svc-slo"}]}

rollout(strategy) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "svc"}, "spec": {"strategy": strategy}}

test_allows_background_analysis if {
	count(rollout_analysis.deny) == 0 with input as rollout({"canary": {"analysis": analysis, "steps": [{"setWeight": 5}]}})
}

test_allows_analysis_step if {
	count(rollout_analysis.deny) == 0 with input as rollout({"canary": {"steps": [{"setWeight": 5}, {"analysis": analysis}]}})
}

test_allows_blue_green_analysis if {
	count(rollout_analysis.deny) == 0 with input as rollout({"blueGreen": {"activeService": "svc", "prePromotionAnalysis": analysis}})
}

test_denies_canary_without_analysis if {
	messages := rollout_analysis.deny with input as rollout({"canary": {"steps": [{"setWeight": 5}]}})
	messages == {"[DLV-001] Rollout/svc: the canary runs no analysis; add spec.strategy.canary.analysis with the SLO AnalysisTemplate"}
}

test_denies_blue_green_without_analysis if {
	count(rollout_analysis.deny) == 1 with input as rollout({"blueGreen": {"activeService": "svc"}})
}
