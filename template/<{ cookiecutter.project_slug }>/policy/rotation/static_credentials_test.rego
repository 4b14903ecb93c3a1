package rotation_static_credentials_test

import data.fixtures
import data.rotation_static_credentials

irsa_store := {
	"apiVersion": "external-secrets.io/v1",
	"kind": "SecretStore",
	"metadata": {"name": "svc"},
	"spec": {"provider": {"aws": {"service": "SecretsManager", "region": "eu-west-1", "auth": {"jwt": {"serviceAccountRef": {"name": "svc"}}}}}},
}

key_store := json.patch(irsa_store, [{"op": "replace", "path": "/spec/provider/aws/auth", "value": {"secretRef": {"accessKeyIDSecretRef": {"name": "aws", "key": "id"}}}}])

# Allow: the compliant release, with a store that uses IRSA.
test_allows_release_with_irsa_store if {
	count(rotation_static_credentials.deny) == 0 with input as fixtures.with_objects([irsa_store])
}

test_allows_store_at_admission if {
	count(rotation_static_credentials.deny) == 0 with input as fixtures.admission(irsa_store)
}

# Deny: a store signing in with stored access keys.
test_denies_access_key_store if {
	named(rotation_static_credentials.deny) with input as fixtures.with_objects([key_store])
}

# Deny: static AWS keys in a container's environment.
test_denies_static_keys_in_env if {
	messages := rotation_static_credentials.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/env", "value": [{"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "aws", "key": "secret"}}}]}])
	named(messages)
}

# Deny: an access key id written into a ConfigMap.
test_denies_access_key_id_in_manifest if {
	messages := rotation_static_credentials.deny with input as fixtures.patched("ConfigMap", [{"op": "add", "path": "/data/AWS_KEY", "value": "AKIAIOSFODNN7EXAMPLE"}])
	named(messages)
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ROT-001] ")
	}
}
