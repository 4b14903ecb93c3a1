package configmap_no_secrets_test

import data.configmap_no_secrets
import data.fixtures

# The compliant release passes.
test_allows_compliant_release if {
	count(configmap_no_secrets.deny) == 0 with input as fixtures.release
}

test_allows_reference if {
	count(configmap_no_secrets.deny) == 0 with input as fixtures.patched("ConfigMap", [{"op": "add", "path": "/data/APP_SIGNING_SECRET_REF", "value": "file:/var/run/secrets/app/slack-signing-secret"}])
}

test_allows_empty_value if {
	count(configmap_no_secrets.deny) == 0 with input as fixtures.patched("ConfigMap", [{"op": "add", "path": "/data/APP_DB_PASSWORD", "value": ""}])
}

test_denies_password_by_name if {
	messages := configmap_no_secrets.deny with input as fixtures.patched("ConfigMap", [{"op": "add", "path": "/data/APP_DB_PASSWORD", "value": "hunter2"}])
	named(messages)
}

test_denies_slack_token_by_value if {
	messages := configmap_no_secrets.deny with input as fixtures.patched("ConfigMap", [{"op": "add", "path": "/data/APP_GREETING", "value": "xoxb-123456789012-abcdefghijkl"}])
	named(messages)
}

test_denies_url_with_password if {
	messages := configmap_no_secrets.deny with input as fixtures.patched("ConfigMap", [{"op": "add", "path": "/data/APP_UPSTREAM", "value": "https://user:pa55@example.com/api"}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[SEC-002] ")
	}
}
