package lib.secrets_test

import data.lib.secrets

test_secret_names if {
	secrets.secret_name("DATABASE_PASSWORD")
	secrets.secret_name("slack-bot-token")
	secrets.secret_name("API_KEY")
	not secrets.secret_name("SLACK_BOT_TOKEN_REF")
	not secrets.secret_name("TLS_KEY_FILE")
	not secrets.secret_name("LOG_LEVEL")
}

test_secret_values if {
	secrets.secret_value(concat("", ["xoxb-", "1234567890-abcdefghij"]))
	secrets.secret_value(concat("", ["AKIA", "ABCDEFGHIJKLMNOP"]))
	secrets.secret_value("postgresql://app:hunter2@db:5432/app")
	secrets.secret_value("-----BEGIN RSA PRIVATE KEY-----")
	not secrets.secret_value("postgresql://db:5432/app")
	not secrets.secret_value("info")
	not secrets.secret_value(42)
}

test_references_are_not_plaintext if {
	secrets.reference_value("file:/var/run/secrets/app/db")
	secrets.reference_value("aws-sm:prod/app/db#password")
	secrets.reference_value("/var/run/secrets/app/token")
	not secrets.plaintext("DATABASE_PASSWORD", "file:/var/run/secrets/app/db")
	not secrets.plaintext("DATABASE_PASSWORD", "")
}

test_plaintext_by_name_or_value if {
	secrets.plaintext("DATABASE_PASSWORD", "hunter2")
	secrets.plaintext("GREETING", concat("", ["xoxb-", "1234567890-abcdefghij"]))
	not secrets.plaintext("GREETING", "hello")
}
