# METADATA
# title: Production does not deploy the placeholder digest
# description: >-
#   The chart's default image digest is all zeros, a placeholder for renders before the first
#   release. A workload whose APP_ENV is prod must use the real digest that the release pipeline
#   built, signed and verified.
# custom:
#   id: IMG-002
#   severity: deny
#   scope: object
#   kinds: [workloads]
#   remediation: >-
#     Set image.digest for prod to the released digest (the release pipeline writes it when it
#     promotes a build).
package image_placeholder_digest

import data.lib.kubernetes as k8s

deny contains k8s.msg("IMG-002", e.pod.object, sprintf("%s image %q uses the placeholder digest in prod; set image.digest to the released digest", [k8s.container_label(e), e.container.image])) if {
	some e in k8s.containers
	endswith(e.container.image, "@sha256:0000000000000000000000000000000000000000000000000000000000000000")
	some app_container in k8s.containers
	app_container.pod == e.pod
	k8s.env_value(app_container, "APP_ENV") == "prod"
}
