# METADATA
# title: NetworkPolicy ingress is restricted to named peers
# description: >-
#   Every ingress rule names the peers it allows (the ingress controller, the mesh gateway,
#   Prometheus): a rule without `from`, or with an ipBlock covering the whole address space, admits
#   any client.
# custom:
#   id: NET-003
#   severity: deny
#   scope: object
#   kinds: [networking.k8s.io/NetworkPolicy]
#   remediation: >-
#     Give each ingress rule a `from` with namespace and pod selectors of the allowed clients.
package network_restricted_ingress

import data.lib.kubernetes as k8s

deny contains k8s.msg("NET-003", np, sprintf("ingress rule %d must list the peers it allows (from)", [i])) if {
	some np in k8s.objects
	np.kind == "NetworkPolicy"
	some i, rule in object.get(np.spec, "ingress", [])
	count(object.get(rule, "from", [])) == 0
}

deny contains k8s.msg("NET-003", np, sprintf("ingress rule %d admits every address (%s)", [i, peer.ipBlock.cidr])) if {
	some np in k8s.objects
	np.kind == "NetworkPolicy"
	some i, rule in object.get(np.spec, "ingress", [])
	some peer in object.get(rule, "from", [])
	endswith(peer.ipBlock.cidr, "/0")
}
