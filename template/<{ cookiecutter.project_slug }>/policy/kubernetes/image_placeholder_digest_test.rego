package image_placeholder_digest_test

import data.fixtures
import data.image_placeholder_digest

# The compliant release passes.
test_allows_compliant_release if {
	count(image_placeholder_digest.deny) == 0 with input as fixtures.release
}

test_allows_placeholder_outside_prod if {
	count(image_placeholder_digest.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000"}])
}

test_allows_real_digest_in_prod if {
	count(image_placeholder_digest.deny) == 0 with input as fixtures.patched("ConfigMap", [{"op": "replace", "path": "/data/APP_ENV", "value": "prod"}])
}

test_denies_placeholder_in_prod_via_configmap if {
	messages := image_placeholder_digest.deny with input as fixtures.combine([json.patch(fixtures.deployment, [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]), json.patch(fixtures.config_map, [{"op": "replace", "path": "/data/APP_ENV", "value": "prod"}])])
	named(messages)
}

test_denies_placeholder_in_prod_via_env if {
	messages := image_placeholder_digest.deny with input as fixtures.patched("Job", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000"}, {"op": "replace", "path": "/spec/template/spec/containers/0/env/0/value", "value": "prod"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[IMG-002] ")
	}
}
