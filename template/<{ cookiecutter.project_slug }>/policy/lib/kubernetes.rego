# METADATA
# title: Kubernetes helpers
# description: >-
#   Reads Kubernetes objects the same way from conftest (`--combine`, one object, or a list)
#   and from Gatekeeper (`input.review.object`), and exposes their pod specs, containers and
#   the relations between them. Every policy imports this package; the Gatekeeper
#   ConstraintTemplates carry it as a library.
package lib.kubernetes

# The objects under evaluation.
objects contains obj if {
	obj := input.review.object
}

objects contains obj if {
	is_array(input)
	some doc in input
	obj := _document(doc)
	is_object(obj)
	obj.kind
}

objects contains obj if {
	is_object(input)
	not input.review
	input.kind
	input.kind != "List"
	obj := input
}

objects contains obj if {
	is_object(input)
	input.kind == "List"
	some obj in input.items
}

# conftest --combine wraps each document as {"path": ..., "contents": ...}.
_document(doc) := doc.contents if is_object(doc.contents)

_document(doc) := doc if not doc.contents

name(obj) := sprintf("%s/%s", [obj.kind, obj.metadata.name])

# "[ID] Kind/name: text" — every message names the rule, the object and the fix.
msg(id, obj, text) := sprintf("[%s] %s: %s", [id, name(obj), text])

# Workloads that run pods, with their pod template.
_pod_template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout", "ReplicationController"}

# Workloads that serve continuously (they need probes, disruption budgets and spread).
long_running_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout", "ReplicationController"}

# Each pod-bearing object: {"object": the workload, "spec": pod spec, "labels": pod labels, "annotations": pod annotations}.
pods contains pod if {
	some obj in objects
	obj.kind in _pod_template_kinds
	obj.spec.template.spec
	pod := {
		"object": obj,
		"spec": obj.spec.template.spec,
		"labels": object.get(obj.spec.template, ["metadata", "labels"], {}),
		"annotations": object.get(obj.spec.template, ["metadata", "annotations"], {}),
	}
}

pods contains pod if {
	some obj in objects
	obj.kind == "CronJob"
	template := obj.spec.jobTemplate.spec.template
	pod := {
		"object": obj,
		"spec": template.spec,
		"labels": object.get(template, ["metadata", "labels"], {}),
		"annotations": object.get(template, ["metadata", "annotations"], {}),
	}
}

pods contains pod if {
	some obj in objects
	obj.kind == "Pod"
	pod := {
		"object": obj,
		"spec": obj.spec,
		"labels": object.get(obj, ["metadata", "labels"], {}),
		"annotations": object.get(obj, ["metadata", "annotations"], {}),
	}
}

# Each container (init containers included) with its pod: {"pod": pod, "container": c, "init": bool}.
containers contains {"pod": pod, "container": c, "init": false} if {
	some pod in pods
	some c in object.get(pod.spec, "containers", [])
}

containers contains {"pod": pod, "container": c, "init": true} if {
	some pod in pods
	some c in object.get(pod.spec, "initContainers", [])
}

# A container's security setting, falling back to the pod's securityContext.
security_setting(entry, field) := entry.container.securityContext[field]

security_setting(entry, field) := entry.pod.spec.securityContext[field] if {
	not has_key(object.get(entry.container, "securityContext", {}), field)
}

has_key(obj, key) if {
	_ = obj[key]
}

container_label(entry) := sprintf("%scontainer %q", [_init_prefix(entry), entry.container.name])

_init_prefix(entry) := "init " if entry.init

_init_prefix(entry) := "" if not entry.init

# A label selector (matchLabels only; an empty selector selects everything) matches these labels.
selects(selector, labels) if {
	not selector.matchExpressions
	every key, value in object.get(selector, "matchLabels", {}) {
		labels[key] == value
	}
}

# The replicas a workload asks for; absent means an autoscaler owns the count.
replicas(obj) := obj.spec.replicas

# HorizontalPodAutoscalers that target a workload.
autoscalers(obj) := {hpa |
	some hpa in objects
	hpa.kind == "HorizontalPodAutoscaler"
	hpa.spec.scaleTargetRef.kind == obj.kind
	hpa.spec.scaleTargetRef.name == obj.metadata.name
}

# A workload runs, or may run, more than one replica.
multi_replica(obj) if replicas(obj) > 1

multi_replica(obj) if {
	some hpa in autoscalers(obj)
	object.get(hpa.spec, "minReplicas", 1) > 1
}

multi_replica(obj) if {
	obj.kind in {"Deployment", "Rollout", "StatefulSet"}
	not obj.spec.replicas
	count(autoscalers(obj)) == 0
	obj.spec.template
	not _single_by_default(obj)
}

# A Deployment without replicas and without an autoscaler defaults to one replica, but a chart
# omits replicas only when an autoscaler is meant to own them: treat it as multi-replica unless
# it says otherwise with the annotation.
_single_by_default(obj) if obj.metadata.annotations["pavedroad.io/single-replica"] == "true"

# Environment of a container: plain values of `env`, and of ConfigMaps it loads through envFrom
# when they are part of the evaluated objects.
env_value(entry, var) := value if {
	some e in object.get(entry.container, "env", [])
	e.name == var
	value := e.value
}

env_value(entry, var) := value if {
	not _env_names(entry)[var]
	some source in object.get(entry.container, "envFrom", [])
	some cm in objects
	cm.kind == "ConfigMap"
	cm.metadata.name == source.configMapRef.name
	value := cm.data[var]
}

_env_names(entry) := {e.name | some e in object.get(entry.container, "env", [])}

# Names of the Secrets a pod reads: volumes (plain and projected) and env/envFrom references.
secret_refs(pod) := (({name |
	some v in object.get(pod.spec, "volumes", [])
	name := v.secret.secretName
} | {name |
	some v in object.get(pod.spec, "volumes", [])
	some source in v.projected.sources
	name := source.secret.name
}) | {name |
	some c in array.concat(object.get(pod.spec, "containers", []), object.get(pod.spec, "initContainers", []))
	some e in object.get(c, "env", [])
	name := e.valueFrom.secretKeyRef.name
}) | {name |
	some c in array.concat(object.get(pod.spec, "containers", []), object.get(pod.spec, "initContainers", []))
	some source in object.get(c, "envFrom", [])
	name := source.secretRef.name
}
