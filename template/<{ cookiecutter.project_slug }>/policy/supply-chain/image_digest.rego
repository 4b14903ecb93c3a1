# METADATA
# title: Images under signature verification are pinned by digest
# description: >-
#   In a release that renders a Sigstore ClusterImagePolicy, every container whose image that
#   policy covers names it by digest (@sha256:...). The signature is bound to a digest: a tag can
#   be re-pushed after verification, so the digest that was signed is the one that must run.
# custom:
#   id: SUP-002
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Set image.digest to the digest the release workflow built and signed (the sign job's
#     output); deploy by digest, never by tag alone.
package supply_chain_image_digest

import data.lib.kubernetes as k8s

deny contains k8s.msg("SUP-002", e.pod.object, sprintf("%s image %q is covered by ClusterImagePolicy %q but not pinned by digest: add @sha256:<the signed digest>", [k8s.container_label(e), e.container.image, policy.metadata.name])) if {
	some policy in k8s.objects
	policy.kind == "ClusterImagePolicy"
	some e in k8s.containers
	some pattern in policy.spec.images
	_covers(pattern.glob, e.container.image)
	not regex.match(`@sha256:[a-f0-9]{64}$`, e.container.image)
}

# policy-controller's glob: `*` also crosses `/`, `:` and `.`.
_covers(pattern, image) if glob.match(replace(pattern, "*", "**"), [], image)
