# METADATA
# title: Every Velero backup expires
# description: >-
#   Each Velero Schedule and Backup sets spec.ttl (spec.template.ttl for a Schedule) to a non-zero
#   duration, so that backups are deleted when their retention ends instead of piling up in the
#   bucket, and the retention is the one docs/dr.md states for the environment.
# custom:
#   id: BKP-002
#   severity: deny
#   scope: object
#   kinds: [velero.io/Schedule, velero.io/Backup]
#   remediation: >-
#     Set backup.schedules.<name>.ttl in the chart values (e.g. 24h0m0s hourly, 720h0m0s daily in prod).
package backup_schedule_ttl

import data.lib.kubernetes as k8s

_ttl(obj) := object.get(obj, ["spec", "template", "ttl"], "") if obj.kind == "Schedule"

_ttl(obj) := object.get(obj, ["spec", "ttl"], "") if obj.kind == "Backup"

_zero(ttl) if regex.match(`^(0+[hms])*$`, ttl)

deny contains k8s.msg("BKP-002", obj, "sets no ttl, so its backups never expire; set backup.schedules.<name>.ttl") if {
	some obj in k8s.objects
	obj.kind in {"Schedule", "Backup"}
	startswith(obj.apiVersion, "velero.io/")
	_zero(_ttl(obj))
}
