package destination_rule_outlier_test

import data.destination_rule_outlier

labels := {"app.kubernetes.io/name": "svc"}

rollout := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "svc"}, "spec": {"template": {"metadata": {"labels": object.union(labels, {"sidecar.istio.io/inject": "true"})}}}}

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}, "spec": {"selector": labels}}

dr(policy) := {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "svc"}, "spec": {"host": "svc.team.svc.cluster.local", "trafficPolicy": policy}}

guarded := {"tls": {"mode": "ISTIO_MUTUAL"}, "outlierDetection": {"consecutive5xxErrors": 5}}

test_allows_guarded_service if {
	count(destination_rule_outlier.deny) == 0 with input as [rollout, service, dr(guarded)]
}

# Without the mesh (mesh=none), Services need no DestinationRule.
test_ignores_unmeshed if {
	plain := json.patch(rollout, [{"op": "remove", "path": "/spec/template/metadata/labels/sidecar.istio.io~1inject"}])
	count(destination_rule_outlier.deny) == 0 with input as [plain, service]
}

test_denies_missing_outlier_detection if {
	messages := destination_rule_outlier.deny with input as [rollout, service, dr({"tls": {"mode": "ISTIO_MUTUAL"}})]
	messages == {"[MSH-002] Service/svc: its pods are in the mesh but no DestinationRule for its host sets trafficPolicy.outlierDetection; add one (mesh.outlierDetection)"}
}

test_denies_missing_destination_rule if {
	count(destination_rule_outlier.deny) == 1 with input as [rollout, service]
}

test_denies_plain_text if {
	messages := destination_rule_outlier.deny with input as [rollout, service, dr(object.union(guarded, {"tls": {"mode": "DISABLE"}}))]
	some m in messages
	startswith(m, "[MSH-002] DestinationRule/svc: trafficPolicy.tls.mode is \"DISABLE\"")
}
