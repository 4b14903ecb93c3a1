package finops_quota_present_test

import data.finops_quota_present
import data.fixtures

quota := {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "svc"}, "spec": {"hard": {"limits.cpu": "8"}}}

limit_range := {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "svc"}, "spec": {"limits": []}}

test_allows_release_with_both if {
	count(finops_quota_present.deny) == 0 with input as fixtures.combine(array.concat(fixtures.objects, [quota, limit_range]))
}

test_denies_missing_quota if {
	messages := finops_quota_present.deny with input as fixtures.combine(array.concat(fixtures.objects, [limit_range]))
	count(messages) > 0
	every m in messages {
		startswith(m, "[FIN-001] ")
		contains(m, "ResourceQuota")
	}
}

test_denies_missing_limit_range if {
	messages := finops_quota_present.deny with input as fixtures.combine(array.concat(fixtures.objects, [quota]))
	count(messages) > 0
	every m in messages {
		contains(m, "LimitRange")
	}
}

test_ignores_documents_without_pods if {
	count(finops_quota_present.deny) == 0 with input as {"kind": "RoleBinding", "metadata": {"name": "b"}}
}
