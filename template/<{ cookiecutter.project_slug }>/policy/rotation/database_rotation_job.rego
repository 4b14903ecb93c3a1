# METADATA
# title: A release with a database rotates its password
# description: >-
#   A release that delivers a database credential through an ExternalSecret (key database-url)
#   also renders the CronJob that rotates it (`pavedroad-secrets rotate`, docs/rotation.md), with
#   concurrencyPolicy Forbid so that two runs never fight over one secret's staging labels. The
#   one exception is explicit: the ExternalSecret is annotated
#   rotation.pavedroad.io/rotated-by: github-actions (the scheduled workflow rotates it).
# custom:
#   id: ROT-003
#   severity: deny
#   scope: release
#   kinds: []
#   remediation: >-
#     Keep rotation.enabled true in the chart values (with database.enabled), and leave the
#     CronJob's concurrencyPolicy at Forbid.
package rotation_database_rotation_job

import data.lib.kubernetes as k8s

deny contains k8s.msg("ROT-003", es, "delivers the database credential but the release has no rotation CronJob (a CronJob running `pavedroad-secrets rotate` with concurrencyPolicy Forbid); enable rotation") if {
	some es in k8s.objects
	es.kind == "ExternalSecret"
	some item in es.spec.data
	item.secretKey == "database-url"
	object.get(es, ["metadata", "annotations", "rotation.pavedroad.io/rotated-by"], "") != "github-actions"
	count(_rotation_jobs) == 0
}

_rotation_jobs contains job if {
	some job in k8s.objects
	job.kind == "CronJob"
	job.spec.concurrencyPolicy == "Forbid"
	some container in job.spec.jobTemplate.spec.template.spec.containers
	_runs_rotate(container)
}

_runs_rotate(container) if "rotate" in object.get(container, "args", [])

_runs_rotate(container) if "rotate" in object.get(container, "command", [])
