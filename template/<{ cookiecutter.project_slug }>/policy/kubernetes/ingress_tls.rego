# METADATA
# title: Ingresses terminate TLS for every host
# description: >-
#   Every Ingress has a tls section with a certificate Secret, and every host it routes is covered
#   by it, so no route is served over plain HTTP.
# custom:
#   id: ING-001
#   severity: deny
#   scope: object
#   kinds: [networking.k8s.io/Ingress]
#   remediation: >-
#     Keep ingress.tls in the chart values; cert-manager fills the Secret it names.
package ingress_tls

import data.lib.kubernetes as k8s

deny contains k8s.msg("ING-001", ing, "must define spec.tls with a secretName") if {
	some ing in k8s.objects
	ing.kind == "Ingress"
	not _has_tls(ing)
}

deny contains k8s.msg("ING-001", ing, sprintf("host %q is not covered by spec.tls", [rule.host])) if {
	some ing in k8s.objects
	ing.kind == "Ingress"
	_has_tls(ing)
	some rule in object.get(ing.spec, "rules", [])
	not rule.host in {host | some tls in ing.spec.tls; some host in object.get(tls, "hosts", [])}
}

_has_tls(ing) if {
	some tls in ing.spec.tls
	tls.secretName
}
