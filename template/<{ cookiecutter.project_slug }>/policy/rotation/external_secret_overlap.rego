# METADATA
# title: ExternalSecrets refresh within the rotation overlap
# description: >-
#   After a rotation the previous value keeps working only for the secret's overlap window
#   (docs/rotation.md). External Secrets Operator must copy the new value into the cluster before
#   the window closes, so every ExternalSecret names its overlap in the
#   rotation.pavedroad.io/overlap annotation and refreshes more often than that.
# custom:
#   id: ROT-002
#   severity: deny
#   scope: object
#   kinds: [external-secrets.io/ExternalSecret]
#   remediation: >-
#     Set rotation.overlap.<group> in the chart values to the overlap documented in docs/rotation.md,
#     and externalSecrets.refreshInterval shorter than it (for example 1h against 24h).
package rotation_external_secret_overlap

import data.lib.kubernetes as k8s

_annotation := "rotation.pavedroad.io/overlap"

deny contains k8s.msg("ROT-002", es, sprintf("must state its rotation overlap in the %s annotation (a duration such as 24h, from docs/rotation.md)", [_annotation])) if {
	some es in k8s.objects
	es.kind == "ExternalSecret"
	not _duration(object.get(es, ["metadata", "annotations", _annotation], null))
}

deny contains k8s.msg("ROT-002", es, sprintf("refreshInterval %s is not shorter than its rotation overlap %s: a rotated secret would reach the pods after the old value stopped working", [es.spec.refreshInterval, es.metadata.annotations[_annotation]])) if {
	some es in k8s.objects
	es.kind == "ExternalSecret"
	overlap := _duration(es.metadata.annotations[_annotation])
	refresh := _duration(es.spec.refreshInterval)
	refresh >= overlap
}

_duration(text) := ns if {
	is_string(text)
	ns := time.parse_duration_ns(text)
	ns > 0
}
