# METADATA
# title: Ingresses are behind a WAF
# description: >-
#   An Ingress enables its controller's web application firewall: ModSecurity with the OWASP Core
#   Rule Set on ingress-nginx, a WAFv2 web ACL on the AWS Load Balancer Controller; or it declares
#   that an upstream layer (CDN, cloud WAF) filters its traffic. See docs/waf-ddos.md.
# custom:
#   id: ING-101
#   severity: warn
#   scope: object
#   kinds: [networking.k8s.io/Ingress]
#   remediation: >-
#     Keep ingress.hardening.waf (nginx) or set ingress.hardening.awsWafAclArn (alb); for an upstream
#     WAF annotate the Ingress pavedroad.io/waf: upstream.
package ingress_waf

import data.lib.kubernetes as k8s

warn contains k8s.msg("ING-101", ing, sprintf("no WAF for ingress class %q: %s", [_class(ing), _hint[_class(ing)]])) if {
	some ing in k8s.objects
	ing.kind == "Ingress"
	not _protected(ing)
	_hint[_class(ing)]
}

warn contains k8s.msg("ING-101", ing, sprintf("ingress class %q has no known WAF annotation; annotate pavedroad.io/waf: upstream if a CDN or cloud WAF filters its traffic", [_class(ing)])) if {
	some ing in k8s.objects
	ing.kind == "Ingress"
	not _protected(ing)
	not _hint[_class(ing)]
}

_hint := {
	"nginx": "set nginx.ingress.kubernetes.io/enable-modsecurity and enable-owasp-core-rules to \"true\"",
	"alb": "set alb.ingress.kubernetes.io/wafv2-acl-arn",
}

_class(ing) := ing.spec.ingressClassName

_class(ing) := ing.metadata.annotations["kubernetes.io/ingress.class"] if not ing.spec.ingressClassName

_class(ing) := "" if {
	not ing.spec.ingressClassName
	not ing.metadata.annotations["kubernetes.io/ingress.class"]
}

_protected(ing) if ing.metadata.annotations["pavedroad.io/waf"] == "upstream"

_protected(ing) if {
	_class(ing) == "nginx"
	ing.metadata.annotations["nginx.ingress.kubernetes.io/enable-modsecurity"] == "true"
	ing.metadata.annotations["nginx.ingress.kubernetes.io/enable-owasp-core-rules"] == "true"
}

_protected(ing) if {
	_class(ing) == "alb"
	ing.metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"] != ""
}
