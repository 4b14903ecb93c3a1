# METADATA
# title: Mutual TLS is STRICT, never PERMISSIVE
# description: >-
#   Every PeerAuthentication sets mTLS mode STRICT, for the workload and for every port; PERMISSIVE
#   (plain text accepted) or DISABLE anywhere lets unauthenticated traffic into the mesh.
# custom:
#   id: MSH-001
#   severity: deny
#   scope: object
#   kinds: [security.istio.io/PeerAuthentication]
#   remediation: >-
#     Set spec.mtls.mode and every spec.portLevelMtls[*].mode to STRICT (the chart's
#     PeerAuthentication "default" does); move clients that cannot do mTLS into the mesh.
package mtls_strict

import data.lib.kubernetes as k8s

deny contains k8s.msg("MSH-001", pa, sprintf("spec.mtls.mode is %q; set it to STRICT", [_mode(pa.spec)])) if {
	some pa in k8s.objects
	pa.kind == "PeerAuthentication"
	_mode(pa.spec) != "STRICT"
}

deny contains k8s.msg("MSH-001", pa, sprintf("spec.portLevelMtls[%v].mode is %q; set it to STRICT", [port, mtls.mode])) if {
	some pa in k8s.objects
	pa.kind == "PeerAuthentication"
	some port, mtls in object.get(pa.spec, "portLevelMtls", {})
	mtls.mode != "STRICT"
}

# An unset mode inherits the mesh default (PERMISSIVE in a stock install): name it.
_mode(spec) := spec.mtls.mode

_mode(spec) := "unset (inherits PERMISSIVE)" if not spec.mtls.mode
