package access_jit_expiry_test

import data.access_jit_expiry

# 2026-01-01T12:00:00Z
now := 1767268800000000000

grant(annotations) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "RoleBinding",
	"metadata": {"name": "svc-jit-alice", "labels": {"access.pavedroad.io/jit": "true"}, "annotations": annotations},
	"subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice@example.com"}],
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "svc-operator"},
}

valid := {
	"access.pavedroad.io/granted-at": "2026-01-01T11:00:00Z",
	"access.pavedroad.io/expires-at": "2026-01-01T15:00:00Z",
	"access.pavedroad.io/reason": "restart stuck pods",
	"access.pavedroad.io/ticket": "INC-42",
}

test_allows_valid_grant if {
	count(access_jit_expiry.deny) == 0 with input as grant(valid) with time.now_ns as now
}

test_allows_group_viewer_without_expiry if {
	viewer := {"kind": "RoleBinding", "metadata": {"name": "svc-viewer"}, "subjects": [{"kind": "Group", "name": "team-engineers"}], "roleRef": {"kind": "Role", "name": "svc-viewer"}}
	count(access_jit_expiry.deny) == 0 with input as viewer with time.now_ns as now
}

test_allows_service_account_deployer if {
	deployer := {"kind": "RoleBinding", "metadata": {"name": "svc-deployer"}, "subjects": [{"kind": "ServiceAccount", "name": "argocd-application-controller", "namespace": "argocd"}], "roleRef": {"kind": "Role", "name": "svc-deployer"}}
	count(access_jit_expiry.deny) == 0 with input as deployer with time.now_ns as now
}

test_denies_without_expiry if {
	named(access_jit_expiry.deny) with input as grant(object.remove(valid, ["access.pavedroad.io/expires-at"])) with time.now_ns as now
}

test_denies_group_operator_without_expiry if {
	standing := {"kind": "RoleBinding", "metadata": {"name": "svc-operators"}, "subjects": [{"kind": "Group", "name": "team-oncall"}], "roleRef": {"kind": "Role", "name": "svc-operator"}}
	named(access_jit_expiry.deny) with input as standing with time.now_ns as now
}

test_denies_expired if {
	named(access_jit_expiry.deny) with input as grant(object.union(valid, {"access.pavedroad.io/expires-at": "2026-01-01T11:59:59Z"})) with time.now_ns as now
}

test_denies_beyond_maximum if {
	named(access_jit_expiry.deny) with input as grant(object.union(valid, {"access.pavedroad.io/expires-at": "2026-01-01T20:00:01Z"})) with time.now_ns as now
}

test_denies_long_grant_from_granted_at if {
	named(access_jit_expiry.deny) with input as grant(object.union(valid, {"access.pavedroad.io/granted-at": "2026-01-01T06:00:00Z"})) with time.now_ns as now
}

test_denies_unparsable_expiry if {
	named(access_jit_expiry.deny) with input as grant(object.union(valid, {"access.pavedroad.io/expires-at": "tomorrow"})) with time.now_ns as now
}

test_denies_without_reason_or_ticket if {
	named(access_jit_expiry.deny) with input as grant(object.remove(valid, ["access.pavedroad.io/reason", "access.pavedroad.io/ticket"])) with time.now_ns as now
}

test_denies_without_jit_label if {
	unlabelled := json.patch(grant(valid), [{"op": "remove", "path": "/metadata/labels"}])
	named(access_jit_expiry.deny) with input as unlabelled with time.now_ns as now
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ACC-004] ")
	}
}
