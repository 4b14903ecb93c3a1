# METADATA
# title: Ingresses name a cert-manager issuer
# description: >-
#   Every Ingress carries cert-manager.io/cluster-issuer or cert-manager.io/issuer, so its
#   certificate is issued and renewed automatically.
# custom:
#   id: ING-002
#   severity: deny
#   scope: object
#   kinds: [networking.k8s.io/Ingress]
#   remediation: >-
#     Set ingress.certManager.issuerKind and issuerName (for example ClusterIssuer letsencrypt-prod)
#     in the chart values.
package ingress_cert_manager

import data.lib.kubernetes as k8s

deny contains k8s.msg("ING-002", ing, "must be annotated cert-manager.io/cluster-issuer or cert-manager.io/issuer") if {
	some ing in k8s.objects
	ing.kind == "Ingress"
	not _issuer(ing)
}

_issuer(ing) if {
	some key in ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"]
	ing.metadata.annotations[key] != ""
}
