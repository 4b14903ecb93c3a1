# METADATA
# title: ConfigMaps hold no secret material
# description: >-
#   ConfigMap values are readable by anyone who can read the namespace's configuration. A key named
#   like a credential (password, token, secret, api key, database URL) must hold a reference (file:,
#   env:, a path under /var/run/secrets/), and no value may look like a credential (Slack or GitHub
#   tokens, AWS keys, private keys, URLs with passwords).
# custom:
#   id: SEC-002
#   severity: deny
#   scope: object
#   kinds: [core/ConfigMap]
#   remediation: >-
#     Move the value into the secret provider, deliver it with an ExternalSecret, and keep only its
#     *_REF reference in the ConfigMap.
package configmap_no_secrets

import data.lib.kubernetes as k8s
import data.lib.secrets

deny contains k8s.msg("SEC-002", cm, sprintf("key %q holds secret material; keep secrets in the provider and reference them (*_REF)", [key])) if {
	some cm in k8s.objects
	cm.kind == "ConfigMap"
	some key, value in object.get(cm, "data", {})
	secrets.plaintext(key, value)
}
