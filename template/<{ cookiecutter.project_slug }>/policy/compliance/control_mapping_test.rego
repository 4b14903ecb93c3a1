package compliance_control_mapping_test

import data.compliance_control_mapping

mapping(artifacts) := {"kind": "ComplianceMapping", "metadata": {"name": "controls"}, "controls": [{"id": "CC6.1", "framework": "SOC 2", "status": "covered", "artifacts": artifacts}]}

repository := {"paths": ["policy/access", "docs/audit.md"]}

test_allows_existing_artifacts if {
	count(compliance_control_mapping.deny) == 0 with input as mapping([{"path": "docs/audit.md"}]) with data.repository as repository
}

test_denies_deleted_artifact if {
	compliance_control_mapping.deny == {`[CMP-001] ComplianceMapping/controls: SOC 2 CC6.1: artifact "docs/gone.md" does not exist in the repository`} with input as mapping([{"path": "docs/gone.md"}]) with data.repository as repository
}

test_denies_covered_without_artifacts if {
	compliance_control_mapping.deny == {"[CMP-001] ComplianceMapping/controls: SOC 2 CC6.1 is covered but lists no artifact"} with input as mapping([]) with data.repository as repository
}

test_allows_planned_without_artifacts if {
	planned := json.patch(mapping([]), [{"op": "replace", "path": "/controls/0/status", "value": "planned"}])
	count(compliance_control_mapping.deny) == 0 with input as planned with data.repository as repository
}
