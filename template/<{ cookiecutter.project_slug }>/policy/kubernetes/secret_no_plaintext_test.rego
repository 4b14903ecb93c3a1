package secret_no_plaintext_test

import data.fixtures
import data.secret_no_plaintext

# The compliant release passes.
test_allows_compliant_release if {
	count(secret_no_plaintext.deny) == 0 with input as fixtures.release
}

test_allows_local_development if {
	count(secret_no_plaintext.deny) == 0 with input as fixtures.with_objects([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "svc-database", "annotations": {"pavedroad.io/local-development": "true"}}, "stringData": {"database-url": "postgresql://app:app@localhost/app"}}])
}

test_allows_empty_secret if {
	count(secret_no_plaintext.deny) == 0 with input as fixtures.with_objects([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}])
}

test_denies_string_data if {
	messages := secret_no_plaintext.deny with input as fixtures.with_objects([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "svc-database"}, "stringData": {"database-url": "postgresql://app:hunter2@db:5432/app"}}])
	named(messages)
}

test_denies_data if {
	messages := secret_no_plaintext.deny with input as fixtures.with_objects([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "data": {"token": "eG94Yi0x"}}])
	named(messages)
}

# Every message names the rule.
named(messages) if {
	count(messages) > 0
	every m in messages {
		startswith(m, "[SEC-001] ")
	}
}
