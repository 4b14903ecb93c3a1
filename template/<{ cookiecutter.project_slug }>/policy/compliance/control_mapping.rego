# METADATA
# title: Every covered compliance control maps to artifacts that exist
# description: >-
#   In docs/compliance/controls.yaml (kind ComplianceMapping), every control whose status is
#   covered lists at least one artifact, and every artifact path exists in the repository
#   (data.repository.paths, written by `make compliance-check`).
# custom:
#   id: CMP-001
#   severity: deny
#   scope: file
#   kinds: []
#   remediation: >-
#     Point the control at the file, policy or CI definition that implements it, or mark the
#     control partial or planned and say why.
package compliance_control_mapping

import data.lib.kubernetes as k8s

_mappings := [m | some m in k8s.objects; m.kind == "ComplianceMapping"]

deny contains k8s.msg("CMP-001", mapping, sprintf("%s %s is covered but lists no artifact", [control.framework, control.id])) if {
	some mapping in _mappings
	some control in mapping.controls
	control.status == "covered"
	count(object.get(control, "artifacts", [])) == 0
}

deny contains k8s.msg("CMP-001", mapping, sprintf("%s %s: artifact %q does not exist in the repository", [control.framework, control.id, artifact.path])) if {
	paths := {p | some p in data.repository.paths}
	some mapping in _mappings
	some control in mapping.controls
	some artifact in object.get(control, "artifacts", [])
	not artifact.path in paths
}
