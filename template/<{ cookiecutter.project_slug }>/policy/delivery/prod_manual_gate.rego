# METADATA
# title: Production canaries stop for a person before 100%
# description: >-
#   A prod Rollout (label pavedroad.io/environment=prod) waits for a manual promotion before full
#   traffic: its last canary step is an indefinite pause (`pause: {}`), or its blue-green has
#   autoPromotionEnabled false.
# custom:
#   id: DLV-002
#   severity: deny
#   scope: object
#   kinds: [argoproj.io/Rollout]
#   remediation: >-
#     Set rollout.canary.manualPromotion (canary) or rollout.blueGreen.autoPromotionEnabled=false
#     (blue-green) in values-prod.yaml; promote with `kubectl argo rollouts promote`.
package prod_manual_gate

import data.lib.kubernetes as k8s

deny contains k8s.msg("DLV-002", rollout, "a prod canary must end with an indefinite pause (pause: {}) before 100%; set rollout.canary.manualPromotion") if {
	some rollout in k8s.objects
	rollout.kind == "Rollout"
	rollout.metadata.labels["pavedroad.io/environment"] == "prod"
	steps := object.get(rollout.spec.strategy.canary, "steps", [])
	not _indefinite_pause(steps[count(steps) - 1])
}

deny contains k8s.msg("DLV-002", rollout, "a prod blue-green must not promote itself; set rollout.blueGreen.autoPromotionEnabled=false") if {
	some rollout in k8s.objects
	rollout.kind == "Rollout"
	rollout.metadata.labels["pavedroad.io/environment"] == "prod"
	object.get(rollout.spec.strategy.blueGreen, "autoPromotionEnabled", true) != false
}

_indefinite_pause(step) if {
	is_object(step.pause)
	not step.pause.duration
}
