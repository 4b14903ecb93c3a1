# METADATA
# title: Environment variables hold no secret material
# description: >-
#   A plain `value` of an environment variable is visible in the pod spec and in every tool that
#   reads it. Variables named like credentials must be references (APP_*_REF) or come from
#   valueFrom.secretKeyRef, and no value may look like a credential.
# custom:
#   id: SEC-003
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Put the secret in the provider, deliver it with an ExternalSecret, and reference the mounted
#     file through the matching APP_*_REF variable.
package env_no_secrets

import data.lib.kubernetes as k8s
import data.lib.secrets

deny contains k8s.msg("SEC-003", e.pod.object, sprintf("%s env %q holds secret material in plain text; reference it (APP_*_REF or valueFrom.secretKeyRef)", [k8s.container_label(e), env.name])) if {
	some e in k8s.containers
	some env in object.get(e.container, "env", [])
	secrets.plaintext(env.name, object.get(env, "value", ""))
}
