# METADATA
# title: Production Applications sync manually
# description: >-
#   An Argo CD Application for prod (label pavedroad.io/environment=prod, or one that deploys
#   values-prod.yaml) has no automated sync policy: a person syncs prod after the promotion was
#   approved, so nothing reaches production without review.
# custom:
#   id: GIT-001
#   severity: deny
#   scope: object
#   kinds: [argoproj.io/Application]
#   remediation: >-
#     Remove spec.syncPolicy.automated from the prod Application (deploy/argocd/apps/prod.yaml);
#     dev and staging keep automated sync with prune and selfHeal.
package prod_manual_sync

import data.lib.kubernetes as k8s

deny contains k8s.msg("GIT-001", app, "a prod Application must not sync automatically; remove spec.syncPolicy.automated and sync after the approved promotion") if {
	some app in k8s.objects
	app.kind == "Application"
	_prod(app)
	app.spec.syncPolicy.automated
}

_prod(app) if app.metadata.labels["pavedroad.io/environment"] == "prod"

_prod(app) if {
	some source in _sources(app)
	some file in source.helm.valueFiles
	endswith(file, "values-prod.yaml")
}

_sources(app) := [app.spec.source] if app.spec.source

_sources(app) := app.spec.sources if app.spec.sources
