# METADATA
# title: Every pod is covered by a default-deny NetworkPolicy
# description: >-
#   Each workload's pods are selected by a NetworkPolicy that denies all ingress and egress (both
#   policy types, no rules), so anything not explicitly allowed by another policy is blocked.
# custom:
#   id: NET-001
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Keep the chart's <release>-default-deny NetworkPolicy; its selector must match every pod of the
#     release.
package network_default_deny

import data.lib.kubernetes as k8s

deny contains k8s.msg("NET-001", pod.object, "no default-deny NetworkPolicy (policyTypes Ingress and Egress, no rules) selects its pods") if {
	some pod in k8s.pods
	not _denied_by_default(pod)
}

_denied_by_default(pod) if {
	some np in k8s.objects
	np.kind == "NetworkPolicy"
	{"Ingress", "Egress"} == {t | some t in np.spec.policyTypes}
	count(object.get(np.spec, "ingress", [])) == 0
	count(object.get(np.spec, "egress", [])) == 0
	k8s.selects(object.get(np.spec, "podSelector", {}), pod.labels)
}
