package image_pinned_test

import data.fixtures
import data.image_pinned

# The compliant release passes.
test_allows_compliant_release if {
	count(image_pinned.deny) == 0 with input as fixtures.release
}

test_allows_immutable_tag if {
	count(image_pinned.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:1.2.3"}])
}

test_allows_git_sha_tag if {
	count(image_pinned.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:sha-0a1b2c3"}])
}

test_allows_registry_port_and_digest if {
	count(image_pinned.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "localhost:5000/svc@sha256:abababababababababababababababababababababababababababababababab"}])
}

test_denies_latest if {
	messages := image_pinned.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:latest"}])
	named(messages)
}

test_denies_latest_with_digest if {
	messages := image_pinned.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:latest@sha256:abababababababababababababababababababababababababababababababab"}])
	named(messages)
}

test_denies_untagged if {
	messages := image_pinned.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc"}])
	named(messages)
}

test_denies_registry_port_untagged if {
	messages := image_pinned.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "localhost:5000/svc"}])
	named(messages)
}

test_denies_moving_tag if {
	messages := image_pinned.deny with input as fixtures.patched("Deployment", [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:main"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[IMG-001] ")
	}
}
