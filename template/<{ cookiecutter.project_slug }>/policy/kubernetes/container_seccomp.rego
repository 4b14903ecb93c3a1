# METADATA
# title: Containers use a seccomp profile
# description: >-
#   Every container runs under the RuntimeDefault (or a Localhost) seccomp profile, from the
#   container or the pod securityContext, which blocks system calls that containers do not need.
# custom:
#   id: CTR-005
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set podSecurityContext.seccompProfile.type: RuntimeDefault (or on the container).
package container_seccomp

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-005", e.pod.object, sprintf("%s must use seccompProfile.type RuntimeDefault or Localhost (pod or container securityContext)", [k8s.container_label(e)])) if {
	some e in k8s.containers
	not _confined(e)
}

_confined(e) if k8s.security_setting(e, "seccompProfile").type in {"RuntimeDefault", "Localhost"}
