# METADATA
# title: Secrets in manifests carry no data
# description: >-
#   A Secret written into a manifest is plaintext in Git and in the rendered release (base64 is not
#   encryption). Secrets come from External Secrets Operator; only a Secret annotated
#   pavedroad.io/local-development for a local cluster may carry data, supplied at install time.
# custom:
#   id: SEC-001
#   severity: deny
#   scope: object
#   kinds: [core/Secret]
#   remediation: >-
#     Remove data/stringData from the Secret and deliver it with an ExternalSecret (externalSecrets in
#     the chart values).
package secret_no_plaintext

import data.lib.kubernetes as k8s

deny contains k8s.msg("SEC-001", secret, sprintf("Secret carries plaintext %s keys %v; deliver it with an ExternalSecret", [field, object.keys(secret[field])])) if {
	some secret in k8s.objects
	secret.kind == "Secret"
	some field in ["data", "stringData"]
	count(object.get(secret, field, {})) > 0
	not secret.metadata.annotations["pavedroad.io/local-development"] == "true"
}
