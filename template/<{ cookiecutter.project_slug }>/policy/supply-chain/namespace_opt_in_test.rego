package supply_chain_namespace_opt_in_test

import data.fixtures
import data.supply_chain_namespace_opt_in

image_policy := {
	"apiVersion": "policy.sigstore.dev/v1beta1",
	"kind": "ClusterImagePolicy",
	"metadata": {"name": "svc-svc"},
	"spec": {"images": [{"glob": "registry.example.com/svc*"}], "authorities": [{"keyless": {"url": "https://fulcio.sigstore.dev"}}]},
}

namespace(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "svc", "labels": labels}}

test_allows_labelled_namespace if {
	release := fixtures.with_objects([image_policy, namespace({"policy.sigstore.dev/include": "true"})])
	count(supply_chain_namespace_opt_in.deny) == 0 with input as release
}

test_denies_namespace_without_label if {
	release := fixtures.with_objects([image_policy, namespace({"team": "notes"})])
	messages := supply_chain_namespace_opt_in.deny with input as release
	count(messages) == 1
	every m in messages {
		startswith(m, "[SUP-001] Namespace/svc: ")
		contains(m, "policy.sigstore.dev/include")
	}
}

test_denies_label_other_than_true if {
	release := fixtures.with_objects([image_policy, namespace({"policy.sigstore.dev/include": "false"})])
	count(supply_chain_namespace_opt_in.deny) == 1 with input as release
}

test_ignores_namespace_without_image_policy if {
	count(supply_chain_namespace_opt_in.deny) == 0 with input as fixtures.with_objects([namespace({})])
}

test_ignores_other_documents if {
	count(supply_chain_namespace_opt_in.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "n"}}
}
