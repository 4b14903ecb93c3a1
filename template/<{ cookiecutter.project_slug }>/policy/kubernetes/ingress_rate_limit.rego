# METADATA
# title: Ingresses are rate limited
# description: >-
#   An Ingress limits the request rate per client at its controller (ingress-nginx limit-rps or
#   limit-rpm, a Traefik rate-limit middleware), or declares that an upstream layer (a WAF rate-
#   based rule, a CDN) does. See docs/waf-ddos.md.
# custom:
#   id: ING-102
#   severity: warn
#   scope: object
#   kinds: [networking.k8s.io/Ingress]
#   remediation: >-
#     Keep ingress.hardening.rateLimitRps above 0 (nginx); for ALB add a rate-based rule to the web
#     ACL and annotate the Ingress pavedroad.io/rate-limit: upstream.
package ingress_rate_limit

import data.lib.kubernetes as k8s

warn contains k8s.msg("ING-102", ing, "no per-client rate limit: set nginx.ingress.kubernetes.io/limit-rps (ingress-nginx), a Traefik rate-limit middleware, or annotate pavedroad.io/rate-limit: upstream") if {
	some ing in k8s.objects
	ing.kind == "Ingress"
	not _limited(ing)
}

_limited(ing) if ing.metadata.annotations["pavedroad.io/rate-limit"] == "upstream"

_limited(ing) if {
	some key in ["nginx.ingress.kubernetes.io/limit-rps", "nginx.ingress.kubernetes.io/limit-rpm", "nginx.ingress.kubernetes.io/limit-connections"]
	to_number(ing.metadata.annotations[key]) > 0
}

_limited(ing) if contains(ing.metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"], "ratelimit")
