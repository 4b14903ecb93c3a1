# METADATA
# title: Secrets come through an ExternalSecret
# description: >-
#   Every Secret a pod reads (volumes, projected volumes, env and envFrom) is the target of an
#   ExternalSecret in the same release, so secret material only ever comes from the provider, or
#   is a certificate a cert-manager Certificate of the release issues (its key never leaves the
#   cluster). Local-development Secrets (annotated pavedroad.io/local-development) are the exception.
# custom:
#   id: SEC-004
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Add the secret to externalSecrets (remoteKeys in the chart values) instead of creating or
#     referencing a Secret by hand.
package secret_from_external_secret

import data.lib.kubernetes as k8s

deny contains k8s.msg("SEC-004", pod.object, sprintf("reads Secret %q, which no ExternalSecret in the release produces", [name])) if {
	some pod in k8s.pods
	some name in k8s.secret_refs(pod)
	not _external(name)
	not _issued_certificate(name)
	not _local_development(name)
}

_external(name) if {
	some es in k8s.objects
	es.kind == "ExternalSecret"
	object.get(es.spec, ["target", "name"], es.metadata.name) == name
}

_issued_certificate(name) if {
	some certificate in k8s.objects
	certificate.kind == "Certificate"
	startswith(certificate.apiVersion, "cert-manager.io/")
	certificate.spec.secretName == name
}

_local_development(name) if {
	some secret in k8s.objects
	secret.kind == "Secret"
	secret.metadata.name == name
	secret.metadata.annotations["pavedroad.io/local-development"] == "true"
}
