package rate_limit_test

import data.rate_limit

labels := {"app.kubernetes.io/name": "svc"}

rollout := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "svc"}, "spec": {"template": {"metadata": {"labels": object.union(labels, {"sidecar.istio.io/inject": "true"})}}}}

filter(name) := {"apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter", "metadata": {"name": "svc-local-rate-limit"}, "spec": {
	"workloadSelector": {"labels": labels},
	"configPatches": [{"applyTo": "HTTP_FILTER", "patch": {"operation": "INSERT_BEFORE", "value": {"name": name}}}],
}}

test_allows_limited if {
	count(rate_limit.deny) == 0 with input as [rollout, filter("envoy.filters.http.local_ratelimit")]
}

test_denies_missing_filter if {
	messages := rate_limit.deny with input as [rollout]
	messages == {"[MSH-004] Rollout/svc: its pods are in the mesh but no EnvoyFilter adds envoy.filters.http.local_ratelimit to them; keep the chart's local rate limit (mesh.rateLimit)"}
}

test_denies_other_filter if {
	count(rate_limit.deny) == 1 with input as [rollout, filter("envoy.filters.http.lua")]
}
