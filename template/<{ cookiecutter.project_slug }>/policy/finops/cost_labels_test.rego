package finops_cost_labels_test

import data.finops_cost_labels
import data.fixtures

costs := {"team": "platform", "service": "svc", "cost-center": "cc-1234"}

deployment := json.patch(fixtures.deployment, [{"op": "add", "path": "/spec/template/metadata/labels", "value": object.union(fixtures.server_labels, costs)}])

test_allows_labelled_pod if {
	count(finops_cost_labels.deny) == 0 with input as deployment
}

test_denies_missing_label if {
	messages := finops_cost_labels.deny with input as json.patch(deployment, [{"op": "remove", "path": "/spec/template/metadata/labels/cost-center"}])
	messages == {`[FIN-005] Deployment/svc: pod template lacks the cost label "cost-center"`}
}

test_allows_labelled_namespace if {
	count(finops_cost_labels.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "svc", "labels": costs}}
}

test_denies_unlabelled_namespace if {
	messages := finops_cost_labels.deny with input as {"kind": "Namespace", "metadata": {"name": "svc", "labels": {"team": "platform"}}}
	count(messages) == 2
}
