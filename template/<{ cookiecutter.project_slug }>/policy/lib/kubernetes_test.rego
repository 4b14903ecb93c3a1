package lib.kubernetes_test

import data.lib.kubernetes as k8s

_deployment := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {
		"metadata": {"labels": {"app": "web"}},
		"spec": {
			"securityContext": {"runAsNonRoot": true},
			"initContainers": [{"name": "init"}],
			"containers": [{
				"name": "app",
				"securityContext": {"runAsNonRoot": false},
				"env": [{"name": "A", "value": "from-env"}],
				"envFrom": [{"configMapRef": {"name": "cm"}}, {"secretRef": {"name": "s-envfrom"}}],
			}],
			"volumes": [{"name": "v", "secret": {"secretName": "s-volume"}}],
		},
	}},
}

_configmap := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"A": "from-cm", "B": "b"}}

_cronjob := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "nightly"},
	"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "task"}]}}}}},
}

# conftest --combine wraps documents; Gatekeeper sends input.review.object; a plain object is itself.
test_objects_from_conftest_combine if {
	names := {k8s.name(o) | some o in k8s.objects} with input as [{"path": "a.yaml", "contents": _deployment}, {"path": "b.yaml", "contents": _configmap}]
	names == {"Deployment/web", "ConfigMap/cm"}
}

test_objects_from_gatekeeper_review if {
	names := {k8s.name(o) | some o in k8s.objects} with input as {"review": {"object": _deployment}}
	names == {"Deployment/web"}
}

test_objects_from_list if {
	names := {k8s.name(o) | some o in k8s.objects} with input as {"kind": "List", "items": [_deployment, _cronjob]}
	names == {"Deployment/web", "CronJob/nightly"}
}

test_objects_ignore_documents_without_kind if {
	count(k8s.objects) == 0 with input as [{"path": "values.yaml", "contents": {"replicaCount": 2}}]
}

test_message_names_rule_and_object if {
	k8s.msg("ABC-001", _deployment, "fix it") == "[ABC-001] Deployment/web: fix it"
}

test_containers_include_init_and_cronjob_containers if {
	labels := {k8s.container_label(e) | some e in k8s.containers} with input as [_deployment, _cronjob]
	labels == {`container "app"`, `init container "init"`, `container "task"`}
}

test_container_setting_overrides_pod_setting if {
	some e in k8s.containers with input as _deployment
	e.container.name == "app"
	k8s.security_setting(e, "runAsNonRoot") == false
}

test_pod_setting_applies_when_container_is_silent if {
	some e in k8s.containers with input as _deployment
	e.container.name == "init"
	k8s.security_setting(e, "runAsNonRoot") == true
}

test_env_value_prefers_env_over_configmap if {
	some e in k8s.containers with input as [_deployment, _configmap]
	e.container.name == "app"
	k8s.env_value(e, "A") == "from-env" with input as [_deployment, _configmap]
	k8s.env_value(e, "B") == "b" with input as [_deployment, _configmap]
}

test_secret_refs_cover_volumes_and_env_from if {
	some pod in k8s.pods with input as _deployment
	k8s.secret_refs(pod) == {"s-volume", "s-envfrom"}
}

test_selects_match_labels_only if {
	k8s.selects({"matchLabels": {"app": "web"}}, {"app": "web", "tier": "x"})
	not k8s.selects({"matchLabels": {"app": "api"}}, {"app": "web"})
	k8s.selects({}, {"app": "web"})
	not k8s.selects({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": "web"})
}

test_multi_replica_from_replicas_or_autoscaler if {
	k8s.multi_replica({"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 3}})
	not k8s.multi_replica({"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 1}})
	hpa := {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": {"minReplicas": 2, "scaleTargetRef": {"kind": "Deployment", "name": "web"}}}
	k8s.multi_replica(_deployment) with input as [_deployment, hpa]
}

test_single_replica_annotation_opts_out if {
	single := json.patch(_deployment, [{"op": "add", "path": "/metadata/annotations", "value": {"pavedroad.io/single-replica": "true"}}])
	not k8s.multi_replica(single) with input as [single]
	k8s.multi_replica(_deployment) with input as [_deployment]
}
