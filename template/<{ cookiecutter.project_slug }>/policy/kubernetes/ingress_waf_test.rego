package ingress_waf_test

import data.fixtures
import data.ingress_waf

# The compliant release passes.
test_allows_compliant_release if {
	count(ingress_waf.warn) == 0 with input as fixtures.release
}

test_allows_upstream_waf if {
	count(ingress_waf.warn) == 0 with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/metadata/annotations/nginx.ingress.kubernetes.io~1enable-modsecurity"}, {"op": "add", "path": "/metadata/annotations/pavedroad.io~1waf", "value": "upstream"}])
}

test_allows_alb_with_acl if {
	count(ingress_waf.warn) == 0 with input as fixtures.patched("Ingress", [{"op": "replace", "path": "/spec/ingressClassName", "value": "alb"}, {"op": "add", "path": "/metadata/annotations/alb.ingress.kubernetes.io~1wafv2-acl-arn", "value": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/svc/1"}])
}

test_warns_nginx_without_modsecurity if {
	messages := ingress_waf.warn with input as fixtures.patched("Ingress", [{"op": "remove", "path": "/metadata/annotations/nginx.ingress.kubernetes.io~1enable-modsecurity"}])
	named(messages)
}

test_warns_alb_without_acl if {
	messages := ingress_waf.warn with input as fixtures.patched("Ingress", [{"op": "replace", "path": "/spec/ingressClassName", "value": "alb"}])
	named(messages)
}

test_warns_unknown_controller if {
	messages := ingress_waf.warn with input as fixtures.patched("Ingress", [{"op": "replace", "path": "/spec/ingressClassName", "value": "haproxy"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[ING-101] ")
	}
}
