# METADATA
# title: NetworkPolicy egress is restricted to named peers and ports
# description: >-
#   Every egress rule names its peers and its ports: a rule without `to` or without `ports` allows
#   everything on that axis. An ipBlock that covers the whole address space must exclude the cloud
#   metadata endpoint (169.254.169.254), which would otherwise hand out node credentials.
# custom:
#   id: NET-002
#   severity: deny
#   scope: object
#   kinds: [networking.k8s.io/NetworkPolicy]
#   remediation: >-
#     Give each egress rule both `to` and `ports`; for 0.0.0.0/0 add 169.254.0.0/16 (and the private
#     ranges) to `except`, or use an FQDN policy or egress gateway for external APIs.
package network_restricted_egress

import data.lib.kubernetes as k8s

deny contains k8s.msg("NET-002", np, sprintf("egress rule %d must list its peers (to) and ports; an empty list allows everything", [i])) if {
	some np in k8s.objects
	np.kind == "NetworkPolicy"
	some i, rule in object.get(np.spec, "egress", [])
	not _restricted(rule)
}

deny contains k8s.msg("NET-002", np, sprintf("egress rule %d allows %s without excepting the cloud metadata endpoint 169.254.169.254", [i, peer.ipBlock.cidr])) if {
	some np in k8s.objects
	np.kind == "NetworkPolicy"
	some i, rule in object.get(np.spec, "egress", [])
	some peer in object.get(rule, "to", [])
	net.cidr_contains(peer.ipBlock.cidr, "169.254.169.254")
	not _metadata_excepted(peer.ipBlock)
}

_restricted(rule) if {
	count(object.get(rule, "to", [])) > 0
	count(object.get(rule, "ports", [])) > 0
}

_metadata_excepted(block) if {
	some cidr in object.get(block, "except", [])
	net.cidr_contains(cidr, "169.254.169.254")
}
