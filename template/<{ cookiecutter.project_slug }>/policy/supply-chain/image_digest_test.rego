package supply_chain_image_digest_test

import data.fixtures
import data.supply_chain_image_digest

image_policy(glob) := {
	"apiVersion": "policy.sigstore.dev/v1beta1",
	"kind": "ClusterImagePolicy",
	"metadata": {"name": "svc-svc"},
	"spec": {"images": [{"glob": glob}], "authorities": [{"keyless": {"url": "https://fulcio.sigstore.dev"}}]},
}

tag_only := fixtures.combine(array.concat(
	[obj | some obj in fixtures.objects; obj.kind != "Deployment"],
	[json.patch(fixtures.deployment, [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/svc:1.2.3"}])],
))

test_allows_digest_pinned_images if {
	release := fixtures.with_objects([image_policy("registry.example.com/svc*")])
	count(supply_chain_image_digest.deny) == 0 with input as release
}

test_denies_tag_only_image_under_the_policy if {
	release := array.concat(tag_only, fixtures.combine([image_policy("registry.example.com/svc*")]))
	messages := supply_chain_image_digest.deny with input as release
	count(messages) > 0
	every m in messages {
		startswith(m, "[SUP-002] Deployment/")
		contains(m, "not pinned by digest")
	}
}

test_ignores_images_the_policy_does_not_cover if {
	release := array.concat(tag_only, fixtures.combine([image_policy("registry.example.com/other*")]))
	count(supply_chain_image_digest.deny) == 0 with input as release
}

test_ignores_releases_without_image_policy if {
	count(supply_chain_image_digest.deny) == 0 with input as tag_only
}
