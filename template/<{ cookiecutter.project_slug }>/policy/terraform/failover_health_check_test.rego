package terraform.failover_health_check_test

import data.terraform.failover_health_check
import data.terraform.fixtures

test_allows_compliant_configuration if {
	count(failover_health_check.deny) == 0 with input as fixtures.combined
}

test_denies_failover_record_without_health_check if {
	dns := json.remove(fixtures.dns, ["resource/aws_route53_record/this/0/health_check_id"])
	messages := failover_health_check.deny with input as fixtures.with_file("infra/modules/dns/main.tf", dns)
	named(messages)
	some m in messages
	contains(m, "aws_route53_record.this")
}

test_allows_plain_record_without_health_check if {
	record := {"resource": {"aws_route53_record": {"www": [{"type": "CNAME", "records": ["x.example.com"]}]}}}
	count(failover_health_check.deny) == 0 with input as record
}

named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[TFM-008] ")
	}
}
