# METADATA
# title: Every namespace the release runs pods in has a Velero backup schedule
# description: >-
#   A release that runs long-running pods also renders a Velero Schedule that backs up their
#   namespace: one that names it (or every namespace) in includedNamespaces, does not exclude it
#   and is not paused. Pods without metadata.namespace run in the release's namespace, which the
#   chart's Schedules name; they are covered by a Schedule of the same release
#   (app.kubernetes.io/instance) that names a namespace.
# custom:
#   id: BKP-001
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Keep backup.enabled true and at least one entry in backup.schedules in the chart values
#     (templates/velero.yaml renders them); docs/dr.md explains the schedules.
package backup_namespace_backed_up

import data.lib.kubernetes as k8s

schedules contains s if {
	some s in k8s.objects
	s.kind == "Schedule"
	startswith(s.apiVersion, "velero.io/")
	not s.spec.paused == true
}

_included(s) := object.get(s, ["spec", "template", "includedNamespaces"], [])

_excluded(s) := object.get(s, ["spec", "template", "excludedNamespaces"], [])

# A schedule backs up namespace ns: it includes ns or every namespace, and does not exclude ns.
covers(s, ns) if {
	some included in _included(s)
	included in {ns, "*"}
	not ns in _excluded(s)
}

covers(s, ns) if {
	count(_included(s)) == 0
	not ns in _excluded(s)
}

_instance(obj) := object.get(obj, ["metadata", "labels", "app.kubernetes.io/instance"], "")

deny contains k8s.msg("BKP-001", pod.object, sprintf("runs pods in namespace %s, which no Velero Schedule backs up; enable backup.schedules", [ns])) if {
	some pod in k8s.pods
	pod.object.kind in k8s.long_running_kinds
	ns := pod.object.metadata.namespace
	count({s | some s in schedules; covers(s, ns)}) == 0
}

deny contains k8s.msg("BKP-001", pod.object, "runs pods in the release's namespace, which no Velero Schedule of the release backs up; enable backup.schedules") if {
	some pod in k8s.pods
	pod.object.kind in k8s.long_running_kinds
	not pod.object.metadata.namespace
	instance := _instance(pod.object)
	count({s |
		some s in schedules
		_instance(s) == instance
		count(_included(s)) > 0
	}) == 0
}
