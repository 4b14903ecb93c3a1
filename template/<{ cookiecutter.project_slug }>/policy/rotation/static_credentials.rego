# METADATA
# title: No long-lived static cloud credentials
# description: >-
#   Rotation only protects credentials that rotate. A SecretStore that signs in with stored access
#   keys, a container given AWS access keys through its environment, or an AWS access key id
#   written anywhere in a manifest is a long-lived static credential that nothing rotates; use
#   workload identity (IRSA) instead.
# custom:
#   id: ROT-001
#   severity: deny
#   scope: object
#   kinds: [external-secrets.io/SecretStore, external-secrets.io/ClusterSecretStore, apps/Deployment, apps/StatefulSet, apps/DaemonSet, batch/Job, batch/CronJob, core/Pod, core/ConfigMap, core/Secret]
#   remediation: >-
#     Authenticate the SecretStore with auth.jwt.serviceAccountRef (IRSA), drop AWS_ACCESS_KEY_ID /
#     AWS_SECRET_ACCESS_KEY from the pod, delete the key from the manifest and deactivate it in IAM.
package rotation_static_credentials

import data.lib.kubernetes as k8s

_static_key_env := {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

deny contains k8s.msg("ROT-001", store, "authenticates with stored access keys (spec.provider.aws.auth.secretRef); use auth.jwt.serviceAccountRef (IRSA)") if {
	some store in k8s.objects
	store.kind in {"SecretStore", "ClusterSecretStore"}
	store.spec.provider.aws.auth.secretRef
}

deny contains k8s.msg("ROT-001", entry.pod.object, sprintf("%s sets %s: static AWS keys never rotate; give the ServiceAccount an IRSA role instead", [k8s.container_label(entry), env.name])) if {
	some entry in k8s.containers
	some env in object.get(entry.container, "env", [])
	env.name in _static_key_env
}

deny contains k8s.msg("ROT-001", obj, sprintf("holds an AWS access key id at %s; delete it and deactivate the key in IAM", [concat("/", [sprintf("%v", [p]) | some p in path])])) if {
	some obj in k8s.objects
	obj.kind in {"ConfigMap", "Secret", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}
	walk(obj, [path, value])
	is_string(value)
	regex.match(`(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)`, value)
}
