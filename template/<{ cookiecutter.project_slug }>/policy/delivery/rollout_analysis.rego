# METADATA
# title: Rollouts are gated by an analysis
# description: >-
#   An Argo Rollouts Rollout runs an analysis on the new version: a canary has a background
#   analysis (or an analysis step), a blue-green a pre-promotion analysis, so that a burn of the
#   error budget aborts and rolls back without a person.
# custom:
#   id: DLV-001
#   severity: deny
#   scope: object
#   kinds: [argoproj.io/Rollout]
#   remediation: >-
#     Keep the chart's SLO AnalysisTemplate on the Rollout (templates/analysistemplate.yaml):
#     spec.strategy.canary.analysis, or spec.strategy.blueGreen.prePromotionAnalysis.
package rollout_analysis

import data.lib.kubernetes as k8s

deny contains k8s.msg("DLV-001", rollout, "the canary runs no analysis; add spec.strategy.canary.analysis with the SLO AnalysisTemplate") if {
	some rollout in k8s.objects
	rollout.kind == "Rollout"
	canary := rollout.spec.strategy.canary
	not _templates(object.get(canary, "analysis", {}))
	not _analysis_step(canary)
}

deny contains k8s.msg("DLV-001", rollout, "the blue-green runs no pre-promotion analysis; add spec.strategy.blueGreen.prePromotionAnalysis with the SLO AnalysisTemplate") if {
	some rollout in k8s.objects
	rollout.kind == "Rollout"
	blue_green := rollout.spec.strategy.blueGreen
	not _templates(object.get(blue_green, "prePromotionAnalysis", {}))
}

deny contains k8s.msg("DLV-001", rollout, "no canary or blueGreen strategy; choose one, with its analysis") if {
	some rollout in k8s.objects
	rollout.kind == "Rollout"
	not rollout.spec.strategy.canary
	not rollout.spec.strategy.blueGreen
}

_templates(analysis) if count(object.get(analysis, "templates", [])) > 0

_analysis_step(canary) if {
	some step in object.get(canary, "steps", [])
	_templates(step.analysis)
}
