# METADATA
# title: Images are pinned by digest or an immutable tag
# description: >-
#   Every container image is pinned by a sha256 digest, or at least by an immutable version tag
#   (semver or sha-<git sha>). `latest`, an untagged image or a moving tag such as `main` would
#   deploy whatever the registry serves at the time.
# custom:
#   id: IMG-001
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set image.digest to the digest the release pipeline built (sha256:...), and image.tag to the
#     release's version; never use latest.
package image_pinned

import data.lib.kubernetes as k8s

deny contains k8s.msg("IMG-001", e.pod.object, sprintf("%s image %q uses the mutable tag 'latest'; pin a digest and a version tag", [k8s.container_label(e), e.container.image])) if {
	some e in k8s.containers
	_tag(e.container.image) == "latest"
}

deny contains k8s.msg("IMG-001", e.pod.object, sprintf("%s image %q is not pinned: add @sha256:<digest> or use an immutable version tag (1.2.3, sha-<git sha>)", [k8s.container_label(e), e.container.image])) if {
	some e in k8s.containers
	not _digest(e.container.image)
	_tag(e.container.image) != "latest"
	not _immutable_tag(_tag(e.container.image))
}

_digest(image) if regex.match(`@sha256:[a-f0-9]{64}$`, image)

# The tag: after the last ':' of the name (the part before any '@'), if that ':' is not a registry port.
_tag(image) := tag if {
	name := split(image, "@")[0]
	parts := split(name, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
}

_tag(image) := "" if {
	name := split(image, "@")[0]
	parts := split(name, "/")
	not contains(parts[count(parts) - 1], ":")
}

_immutable_tag(tag) if regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$`, tag)

_immutable_tag(tag) if regex.match(`^sha-[0-9a-f]{7,40}$`, tag)
