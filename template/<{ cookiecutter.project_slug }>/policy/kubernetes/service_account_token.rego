# METADATA
# title: Service account tokens are not mounted
# description: >-
#   Pods and ServiceAccounts set automountServiceAccountToken to false, so a compromised pod holds
#   no Kubernetes API credential. A pod that needs the token says so with the annotation
#   pavedroad.io/service-account-token-reason.
# custom:
#   id: POD-003
#   severity: deny
#   scope: object
#   kinds: [workloads, core/ServiceAccount]
#   remediation: >-
#     Set automountServiceAccountToken: false on the pod spec and on the ServiceAccount; if the pod
#     really calls the Kubernetes API, annotate the pod template with pavedroad.io/service-account-
#     token-reason explaining why.
package service_account_token

import data.lib.kubernetes as k8s

deny contains k8s.msg("POD-003", pod.object, "pod must set automountServiceAccountToken: false (or annotate pavedroad.io/service-account-token-reason)") if {
	some pod in k8s.pods
	not pod.spec.automountServiceAccountToken == false
	not pod.annotations["pavedroad.io/service-account-token-reason"]
}

deny contains k8s.msg("POD-003", sa, "ServiceAccount must set automountServiceAccountToken: false") if {
	some sa in k8s.objects
	sa.kind == "ServiceAccount"
	not sa.automountServiceAccountToken == false
}
