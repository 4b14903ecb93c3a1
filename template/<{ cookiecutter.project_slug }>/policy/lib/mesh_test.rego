package lib.mesh_test

import data.lib.mesh

test_duration_ns if {
	mesh.duration_ns("2500ms") == 2500000000
	mesh.duration_ns("1.2s") == 1200000000
	mesh.duration_ns("1m") == 60000000000
}

test_host_matches if {
	svc := {"kind": "Service", "metadata": {"name": "svc"}}
	mesh.host_matches("svc.team.svc.cluster.local", svc)
	mesh.host_matches("svc", svc)
	not mesh.host_matches("other.team.svc.cluster.local", svc)
	not mesh.host_matches("svc.team.example.com", svc)
}

test_host_matches_namespace if {
	svc := {"kind": "Service", "metadata": {"name": "svc", "namespace": "team"}}
	mesh.host_matches("svc.team.svc.cluster.local", svc)
	not mesh.host_matches("svc.other.svc.cluster.local", svc)
}

test_meshed_services if {
	pods := {"metadata": {"labels": {"app": "svc", "sidecar.istio.io/inject": "true"}}}
	dep := {"kind": "Deployment", "metadata": {"name": "svc"}, "spec": {"template": pods}}
	svc := {"kind": "Service", "metadata": {"name": "svc"}, "spec": {"selector": {"app": "svc"}}}
	other := {"kind": "Service", "metadata": {"name": "other"}, "spec": {"selector": {"app": "other"}}}
	names := {s.metadata.name | some s in mesh.meshed_services} with input as [dep, svc, other]
	names == {"svc"}
}
