# METADATA
# title: ExternalSecrets refresh
# description: >-
#   Every ExternalSecret sets a non-zero refreshInterval, so a rotated secret reaches the cluster
#   without a redeploy.
# custom:
#   id: SEC-005
#   severity: deny
#   scope: object
#   kinds: [external-secrets.io/ExternalSecret]
#   remediation: >-
#     Set externalSecrets.refreshInterval (for example 1h) in the chart values.
package external_secret_refresh

import data.lib.kubernetes as k8s

deny contains k8s.msg("SEC-005", es, "must set a non-zero spec.refreshInterval (for example 1h) so rotations reach the cluster") if {
	some es in k8s.objects
	es.kind == "ExternalSecret"
	not _refreshes(es)
}

_refreshes(es) if {
	interval := es.spec.refreshInterval
	is_string(interval)
	not regex.match(`^0+(\.0+)?[a-z]*$`, interval)
}
