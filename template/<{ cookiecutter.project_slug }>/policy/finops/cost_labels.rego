# METADATA
# title: Pods and namespaces carry the cost allocation labels
# description: >-
#   Every pod template (and a Namespace the release renders) is labelled team, service and
#   cost-center, the names of Terraform's default_tags, so that Kubecost/OpenCost and the cloud
#   bill attribute the same spend to the same owner.
# custom:
#   id: FIN-005
#   severity: deny
#   scope: object
#   kinds: [workloads, core/Namespace]
#   remediation: >-
#     Set costLabels.team, costLabels.service and costLabels.cost-center in the chart values; the
#     chart adds them to every object's labels.
package finops_cost_labels

import data.lib.kubernetes as k8s

cost_labels := ["team", "service", "cost-center"]

deny contains k8s.msg("FIN-005", pod.object, sprintf("pod template lacks the cost label %q", [label])) if {
	some pod in k8s.pods
	some label in cost_labels
	object.get(pod.labels, label, "") == ""
}

deny contains k8s.msg("FIN-005", ns, sprintf("lacks the cost label %q", [label])) if {
	some ns in k8s.objects
	ns.kind == "Namespace"
	some label in cost_labels
	object.get(ns.metadata, ["labels", label], "") == ""
}
