# METADATA
# title: Long-running containers define startup, readiness and liveness probes
# description: >-
#   Every container of a long-running workload (Deployment, StatefulSet, DaemonSet, Rollout) defines
#   all three probes, so a slow start is not killed, traffic only reaches ready pods, and a hung
#   process is restarted.
# custom:
#   id: CTR-008
#   severity: deny
#   scope: object
#   kinds: [longRunning]
#   remediation: >-
#     Define startupProbe (/startupz), readinessProbe (/readyz) and livenessProbe (/livez) on the
#     container; the chart's probes values tune them.
package container_probes

import data.lib.kubernetes as k8s

deny contains k8s.msg("CTR-008", e.pod.object, sprintf("%s must define %s", [k8s.container_label(e), probe])) if {
	some e in k8s.containers
	not e.init
	e.pod.object.kind in k8s.long_running_kinds
	some probe in ["startupProbe", "readinessProbe", "livenessProbe"]
	not e.container[probe]
}
