package ingress_rate_limit_test

import data.fixtures
import data.ingress_rate_limit

# The compliant release passes.
test_allows_compliant_release if {
	count(ingress_rate_limit.warn) == 0 with input as fixtures.release
}

test_allows_upstream if {
	count(ingress_rate_limit.warn) == 0 with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/metadata/annotations/nginx.ingress.kubernetes.io~1limit-rps"}, {"op": "add", "path": "/metadata/annotations/pavedroad.io~1rate-limit", "value": "upstream"}])
}

test_warns_no_limit if {
	messages := ingress_rate_limit.warn with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/metadata/annotations/nginx.ingress.kubernetes.io~1limit-rps"}])
	named(messages)
}

test_warns_zero_limit if {
	messages := ingress_rate_limit.warn with input as fixtures.patched("Ingress", [{"op": "replace", "path": "/metadata/annotations/nginx.ingress.kubernetes.io~1limit-rps", "value": "0"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ING-102] ")
	}
}
