# METADATA
# title: The namespace opts in to image signature verification
# description: >-
#   A release that renders a Sigstore ClusterImagePolicy and its Namespace labels that Namespace
#   policy.sigstore.dev/include=true. The policy-controller only verifies pods in namespaces with
#   this label: without it, the ClusterImagePolicy is rendered but never enforced.
# custom:
#   id: SUP-001
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Keep imagePolicy.enabled true (the chart labels its Namespace), or, where Argo CD creates the
#     namespace, add policy.sigstore.dev/include "true" to its managedNamespaceMetadata labels.
package supply_chain_namespace_opt_in

import data.lib.kubernetes as k8s

deny contains k8s.msg("SUP-001", ns, sprintf("the release enforces ClusterImagePolicy %q but the namespace is not labelled policy.sigstore.dev/include=\"true\" (found %v), so no pod in it is verified", [policy.metadata.name, object.get(ns.metadata, ["labels", "policy.sigstore.dev/include"], "no label")])) if {
	some policy in k8s.objects
	policy.kind == "ClusterImagePolicy"
	some ns in k8s.objects
	ns.kind == "Namespace"
	object.get(ns.metadata, ["labels", "policy.sigstore.dev/include"], "") != "true"
}
