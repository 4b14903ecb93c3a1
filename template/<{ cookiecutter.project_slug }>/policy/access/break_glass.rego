# METADATA
# title: A break-glass record completes every checklist step in time
# description: >-
#   Checked when a BreakGlassChecklist (docs/break-glass-checklist.yaml) and a BreakGlassRecord
#   (an incident's evidence) are evaluated together: every step of the checklist appears in the
#   record with its evidence, each completed within its time limit after the invocation, and the
#   mandatory access review is recorded.
# custom:
#   id: BGL-001
#   severity: deny
#   scope: file
#   kinds: []
#   remediation: >-
#     Complete the missing step and attach its evidence to the incident record; a late step is
#     explained in the post-incident review (docs/runbooks/break-glass.md).
package access_break_glass

import data.lib.kubernetes as k8s

_checklists := [c | some c in k8s.objects; c.kind == "BreakGlassChecklist"]

_records := [r | some r in k8s.objects; r.kind == "BreakGlassRecord"]

_done(record, id) := [s | some s in object.get(record, "steps", []); s.id == id]

deny contains k8s.msg("BGL-001", record, sprintf("step %q (%s, owner %s) is missing: record it with its evidence %q", [step.id, step.title, step.owner, step.evidence])) if {
	some checklist in _checklists
	some record in _records
	some step in checklist.steps
	count(_done(record, step.id)) == 0
	not step.review
}

deny contains k8s.msg("BGL-001", record, sprintf("the mandatory review (step %q, owner %s) is absent: it is due within %d minutes of the invocation", [step.id, step.owner, step.within_minutes])) if {
	some checklist in _checklists
	some record in _records
	some step in checklist.steps
	step.review
	count(_done(record, step.id)) == 0
}

deny contains k8s.msg("BGL-001", record, sprintf("step %q has no evidence (%s)", [step.id, step.evidence])) if {
	some checklist in _checklists
	some record in _records
	some step in checklist.steps
	some done in _done(record, step.id)
	object.get(done, "evidence", "") == ""
}

deny contains k8s.msg("BGL-001", record, sprintf("step %q was late: completed %d minutes after the invocation, the limit is %d", [step.id, minutes, step.within_minutes])) if {
	some checklist in _checklists
	some record in _records
	some step in checklist.steps
	some done in _done(record, step.id)
	minutes := (time.parse_rfc3339_ns(done.completed_at) - time.parse_rfc3339_ns(record.invoked_at)) / 60000000000
	minutes > step.within_minutes
}

deny contains k8s.msg("BGL-001", record, sprintf("step %q: completed_at %q is not an RFC 3339 time", [done.id, object.get(done, "completed_at", "")])) if {
	some record in _records
	some done in object.get(record, "steps", [])
	not time.parse_rfc3339_ns(object.get(done, "completed_at", ""))
}
