package env_no_secrets_test

import data.env_no_secrets
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(env_no_secrets.deny) == 0 with input as fixtures.release
}

test_allows_value_from_secret if {
	count(env_no_secrets.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "SLACK_BOT_TOKEN", "valueFrom": {"secretKeyRef": {"name": "svc-slack", "key": "token"}}}}])
}

test_allows_reference if {
	count(env_no_secrets.deny) == 0 with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "APP_SLACK_BOT_TOKEN_REF", "value": "file:/var/run/secrets/app/slack-bot-token"}}])
}

test_denies_token_by_name if {
	messages := env_no_secrets.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "API_KEY", "value": "abc123"}}])
	named(messages)
}

test_denies_token_by_value if {
	messages := env_no_secrets.deny with input as fixtures.patched("Deployment", [{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "APP_NOTE", "value": "xoxb-123456789012-abcdefghijkl"}}])
	named(messages)
}

test_denies_aws_key_by_value if {
	messages := env_no_secrets.deny with input as fixtures.patched("Job", [{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "APP_X", "value": "AKIAIOSFODNN7EXAMPLE"}}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[SEC-003] ")
	}
}
