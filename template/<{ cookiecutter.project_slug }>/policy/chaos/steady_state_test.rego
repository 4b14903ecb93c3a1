package chaos_steady_state_test

import data.chaos_steady_state

slo_probe := {
	"name": "availability-slo-not-paging",
	"type": "promProbe",
	"mode": "Continuous",
	"promProbe/inputs": {
		"endpoint": "http://prometheus:9090",
		"query": `max(slo:sli_error:ratio_rate5m{sloth_slo="availability"}) or vector(0)`,
		"comparator": {"type": "float", "criteria": "<=", "value": "0.0144"},
	},
}

engine(probes) := {
	"apiVersion": "litmuschaos.io/v1alpha1",
	"kind": "ChaosEngine",
	"metadata": {"name": "svc-pod-kill"},
	"spec": {"experiments": [{"name": "pod-delete", "spec": {"probe": probes}}]},
}

test_allows_engine_with_slo_probe if {
	count(chaos_steady_state.deny) == 0 with input as engine([slo_probe])
}

test_denies_engine_without_probes if {
	messages := chaos_steady_state.deny with input as engine([])
	count(messages) == 1
	some m in messages
	startswith(m, "[CHS-001] ChaosEngine/svc-pod-kill: experiment pod-delete")
}

test_denies_probe_on_a_non_slo_metric if {
	cpu := json.patch(slo_probe, [{"op": "replace", "path": "/promProbe~1inputs/query", "value": "sum(rate(container_cpu_usage_seconds_total[1m]))"}])
	count(chaos_steady_state.deny) == 1 with input as engine([cpu])
}

test_denies_start_of_test_only_probe if {
	sot := json.patch(slo_probe, [{"op": "replace", "path": "/mode", "value": "SOT"}])
	count(chaos_steady_state.deny) == 1 with input as engine([sot])
}

test_ignores_other_kinds if {
	count(chaos_steady_state.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
}
