package secret_from_external_secret_test

import data.fixtures
import data.secret_from_external_secret

# The compliant release passes.
test_allows_compliant_release if {
	count(secret_from_external_secret.deny) == 0 with input as fixtures.release
}

test_allows_local_development if {
	count(secret_from_external_secret.deny) == 0 with input as fixtures.combine(array.concat([o | some o in fixtures.objects; o.kind != "ExternalSecret"], [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "svc-database", "annotations": {"pavedroad.io/local-development": "true"}}, "stringData": {"database-url": "postgresql://app:app@localhost/app"}}, json.patch({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "svc-database", "annotations": {"pavedroad.io/local-development": "true"}}, "stringData": {"database-url": "postgresql://app:app@localhost/app"}}, [{"op": "replace", "path": "/metadata/name", "value": "svc-migrate"}])]))
}

test_denies_no_external_secret if {
	messages := secret_from_external_secret.deny with input as fixtures.without("ExternalSecret")
	named(messages)
}

test_denies_other_target if {
	messages := secret_from_external_secret.deny with input as fixtures.without_named("ExternalSecret", "svc-database")
	named(messages)
}

test_denies_env_secret_ref if {
	messages := secret_from_external_secret.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "handmade", "key": "token"}}}}])
	named(messages)
}

test_denies_env_from_secret if {
	messages := secret_from_external_secret.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/envFrom/-", "value": {"secretRef": {"name": "handmade"}}}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[SEC-004] ")
	}
}
