# METADATA
# title: Istio helpers
# description: >-
#   Durations as Istio writes them, the pods that join the mesh, and the hosts a Service answers
#   to, for the policies in policy/mesh/.
package lib.mesh

import data.lib.kubernetes as k8s

# Slack's limit: a request not acknowledged within 3 s is retried by Slack.
slack_budget_ns := 3000000000

# An Istio duration ("2500ms", "1.2s", "10s", "1m") in nanoseconds.
duration_ns(value) := time.parse_duration_ns(value)

# Workloads whose pods get a sidecar.
meshed_workloads contains obj if {
	some obj in k8s.objects
	obj.kind in k8s.long_running_kinds
	obj.spec.template.metadata.labels["sidecar.istio.io/inject"] == "true"
}

# Services that select the pods of a meshed workload.
meshed_services contains svc if {
	some svc in k8s.objects
	svc.kind == "Service"
	some obj in meshed_workloads
	selects_pods(svc.spec.selector, obj.spec.template.metadata.labels)
}

# A plain label selector (Service, workloadSelector) matches the labels.
selects_pods(selector, labels) if {
	count(selector) > 0
	every key, value in selector {
		labels[key] == value
	}
}

# A host name is one of the Service's names in the mesh: name, name.namespace, ....svc(.cluster.local).
host_matches(host, svc) if host == svc.metadata.name

host_matches(host, svc) if {
	parts := split(host, ".")
	count(parts) > 1
	parts[0] == svc.metadata.name
	_namespace_matches(parts[1], svc)
	concat(".", array.slice(parts, 2, count(parts))) in {"", "svc", "svc.cluster.local"}
}

_namespace_matches(namespace, svc) if namespace == svc.metadata.namespace

# A chart render leaves the namespace to the release: any namespace matches.
_namespace_matches(_, svc) if not svc.metadata.namespace
