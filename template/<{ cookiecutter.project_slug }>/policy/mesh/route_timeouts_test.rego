package route_timeouts_test

import data.route_timeouts

slack := {"name": "slack", "match": [{"uri": {"prefix": "/slack/"}}], "timeout": "2500ms", "retries": {"attempts": 1, "perTryTimeout": "1200ms", "retryOn": "connect-failure"}}

read := {"name": "read", "timeout": "10s", "retries": {"attempts": 2, "perTryTimeout": "3s"}}

vs(routes) := {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "svc"}, "spec": {"hosts": ["svc"], "http": routes}}

test_allows_bounded_routes if {
	count(route_timeouts.deny) == 0 with input as vs([slack, read])
}

test_denies_missing_timeout if {
	messages := route_timeouts.deny with input as vs([json.remove(read, ["timeout"])])
	messages == {"[MSH-003] VirtualService/svc: http route \"read\" sets no timeout; set it (mesh.routes)"}
}

test_denies_slack_retry_budget if {
	messages := route_timeouts.deny with input as vs([json.patch(slack, [{"op": "replace", "path": "/retries/attempts", "value": 3}])])
	messages == {"[MSH-003] VirtualService/svc: http route \"slack\" for Slack retries 3 times at perTryTimeout 1200ms: 4 tries take 4800ms, not under Slack's 3s; lower attempts or perTryTimeout"}
}

test_denies_slack_timeout if {
	messages := route_timeouts.deny with input as vs([json.patch(slack, [{"op": "replace", "path": "/timeout", "value": "5s"}])])
	count(messages) == 1
}

# Other routes may take longer than Slack's budget.
test_allows_long_non_slack_route if {
	count(route_timeouts.deny) == 0 with input as vs([json.patch(read, [{"op": "replace", "path": "/timeout", "value": "30s"}])])
}
