# METADATA
# title: HTTP routes set timeouts and retries, within Slack's 3 s on /slack/
# description: >-
#   Every HTTP route of a VirtualService sets a timeout and a retry policy. A route for Slack
#   (/slack/) answers within Slack's 3 s: its timeout, and its perTryTimeout times the tries
#   (attempts + 1), stay under 3 s, or Slack retries a request the mesh is still retrying.
# custom:
#   id: MSH-003
#   severity: deny
#   scope: object
#   kinds: [networking.istio.io/VirtualService]
#   remediation: >-
#     Set timeout and retries on each route (mesh.routes in the chart values); for slack keep
#     timeout and perTryTimeout x (attempts + 1) below 3s.
package route_timeouts

import data.lib.kubernetes as k8s
import data.lib.mesh

deny contains k8s.msg("MSH-003", vs, sprintf("http route %q sets no %s; set it (mesh.routes)", [_route_name(route, i), field])) if {
	some vs in k8s.objects
	vs.kind == "VirtualService"
	some i, route in object.get(vs.spec, "http", [])
	some field in ["timeout", "retries"]
	not route[field]
}

deny contains k8s.msg("MSH-003", vs, sprintf("http route %q for Slack has timeout %s, not under Slack's 3s; lower it", [_route_name(route, i), route.timeout])) if {
	some vs in k8s.objects
	vs.kind == "VirtualService"
	some i, route in object.get(vs.spec, "http", [])
	_slack(route)
	mesh.duration_ns(route.timeout) >= mesh.slack_budget_ns
}

deny contains k8s.msg("MSH-003", vs, sprintf("http route %q for Slack retries %v times at perTryTimeout %s: %v tries take %vms, not under Slack's 3s; lower attempts or perTryTimeout", [_route_name(route, i), route.retries.attempts, route.retries.perTryTimeout, tries, total / 1000000])) if {
	some vs in k8s.objects
	vs.kind == "VirtualService"
	some i, route in object.get(vs.spec, "http", [])
	_slack(route)
	tries := object.get(route.retries, "attempts", 0) + 1
	total := mesh.duration_ns(route.retries.perTryTimeout) * tries
	total >= mesh.slack_budget_ns
}

_route_name(route, _) := route.name

_route_name(route, i) := sprintf("#%d", [i]) if not route.name

# A route that serves Slack's requests.
_slack(route) if {
	some match in route.match
	startswith(match.uri.prefix, "/slack")
}

_slack(route) if {
	some match in route.match
	startswith(match.uri.exact, "/slack")
}

_slack(route) if {
	some match in route.match
	contains(match.uri.regex, "/slack")
}
