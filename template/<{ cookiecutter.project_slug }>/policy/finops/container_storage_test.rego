package finops_container_storage_test

import data.finops_container_storage
import data.fixtures

deployment := json.patch(fixtures.deployment, [{"op": "add", "path": "/spec/template/spec/containers/0/resources", "value": {
	"requests": {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "64Mi"},
	"limits": {"cpu": "1", "memory": "256Mi", "ephemeral-storage": "256Mi"},
}}])

test_allows_bounded_container if {
	count(finops_container_storage.deny) == 0 with input as deployment
}

test_denies_missing_ephemeral_storage if {
	messages := finops_container_storage.deny with input as json.patch(deployment, [{"op": "remove", "path": "/spec/template/spec/containers/0/resources/limits/ephemeral-storage"}])
	messages == {`[FIN-004] Deployment/svc: container "app" must set resources.limits.ephemeral-storage`}
}

test_denies_request_above_limit if {
	messages := finops_container_storage.deny with input as json.patch(deployment, [{"op": "replace", "path": "/spec/template/spec/containers/0/resources/requests/memory", "value": "1Gi"}])
	messages == {`[FIN-004] Deployment/svc: container "app" requests 1Gi memory but limits it to 256Mi`}
}
