package access_break_glass_test

import data.access_break_glass

checklist := {"kind": "BreakGlassChecklist", "metadata": {"name": "break-glass"}, "steps": [
	{"id": "declare", "title": "Declare", "owner": "incident-commander", "evidence": "incident_url", "within_minutes": 15},
	{"id": "review", "title": "Review", "owner": "security", "evidence": "review_url", "within_minutes": 1440, "review": true},
]}

record(steps) := {"kind": "BreakGlassRecord", "metadata": {"name": "INC-1"}, "invoked_at": "2026-01-01T10:00:00Z", "steps": steps}

declared := {"id": "declare", "completed_at": "2026-01-01T10:05:00Z", "evidence": "https://incidents.example.com/INC-1"}

reviewed := {"id": "review", "completed_at": "2026-01-02T09:00:00Z", "evidence": "https://docs.example.com/review"}

test_allows_complete_record if {
	count(access_break_glass.deny) == 0 with input as [checklist, record([declared, reviewed])]
}

test_ignores_a_checklist_alone if {
	count(access_break_glass.deny) == 0 with input as checklist
}

test_denies_missing_step if {
	access_break_glass.deny == {`[BGL-001] BreakGlassRecord/INC-1: step "declare" (Declare, owner incident-commander) is missing: record it with its evidence "incident_url"`} with input as [checklist, record([reviewed])]
}

test_denies_late_step if {
	late := object.union(declared, {"completed_at": "2026-01-01T10:30:00Z"})
	access_break_glass.deny == {`[BGL-001] BreakGlassRecord/INC-1: step "declare" was late: completed 30 minutes after the invocation, the limit is 15`} with input as [checklist, record([late, reviewed])]
}

test_denies_absent_review if {
	messages := access_break_glass.deny with input as [checklist, record([declared])]
	count(messages) == 1
	some m in messages
	contains(m, "mandatory review")
}

test_denies_missing_evidence if {
	messages := access_break_glass.deny with input as [checklist, record([object.union(declared, {"evidence": ""}), reviewed])]
	some m in messages
	contains(m, "has no evidence")
}
