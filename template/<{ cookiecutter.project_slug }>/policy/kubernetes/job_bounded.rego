# METADATA
# title: Jobs are bounded in retries, time and lifetime
# description: >-
#   Every Job sets backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished, so a failing
#   migration stops retrying, a hung one is killed, and finished Jobs are cleaned up.
# custom:
#   id: JOB-001
#   severity: deny
#   scope: object
#   kinds: [batch/Job]
#   remediation: >-
#     Set migration.backoffLimit, migration.activeDeadlineSeconds and
#     migration.ttlSecondsAfterFinished in the chart values.
package job_bounded

import data.lib.kubernetes as k8s

deny contains k8s.msg("JOB-001", job, sprintf("must set spec.%s", [field])) if {
	some job in k8s.objects
	job.kind == "Job"
	some field in ["backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]
	not _number(job.spec, field)
}

_number(spec, field) if is_number(spec[field])
