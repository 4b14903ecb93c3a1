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

# A client certificate cert-manager issues into the Secret the pod mounts.
client_certificate_mount := [
	{"op": "add", "path": "/spec/template/spec/volumes/-", "value": {"name": "database-client-tls", "projected": {"sources": [{"secret": {"name": "svc-database-client-tls"}}]}}},
]

certificate(kind, api_version) := {"apiVersion": api_version, "kind": kind, "metadata": {"name": "svc-database-client"}, "spec": {"secretName": "svc-database-client-tls", "issuerRef": {"kind": "Issuer", "name": "database-ca"}}}

test_allows_cert_manager_certificate if {
	release := [entry.contents | some entry in fixtures.patched("Deployment", client_certificate_mount)]
	count(secret_from_external_secret.deny) == 0 with input as fixtures.combine(array.concat(release, [certificate("Certificate", "cert-manager.io/v1")]))
}

test_denies_certificate_secret_without_certificate if {
	messages := secret_from_external_secret.deny with input as fixtures.patched("Deployment", client_certificate_mount)
	named(messages)
}

test_denies_other_kind_naming_the_secret if {
	release := [entry.contents | some entry in fixtures.patched("Deployment", client_certificate_mount)]
	messages := secret_from_external_secret.deny with input as fixtures.combine(array.concat(release, [certificate("Certificate", "example.com/v1")]))
	named(messages)
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
