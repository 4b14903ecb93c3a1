# METADATA
# title: Secret material detection
# description: >-
#   Recognises names and values that carry credentials, for the rules that keep plaintext
#   secrets out of Secrets, ConfigMaps and environment variables.
package lib.secrets

# Names that announce a credential. A name ending in _REF or _FILE holds a reference, not the secret.
secret_name(name) if {
	regex.match(`(?i)(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|dsn|database[_-]?url)`, name)
	not reference_name(name)
}

reference_name(name) if regex.match(`(?i)(_REF|_FILE|_PATH|-ref|-file|-path)$`, name)

# Values that are credentials whatever their name: Slack tokens, AWS access keys, private keys,
# GitHub tokens, and URLs with a password in them.
secret_value(value) if {
	is_string(value)
	some pattern in _value_patterns
	regex.match(pattern, value)
}

_value_patterns := [
	`xox[abposr]-[0-9A-Za-z-]{10,}`,
	`xapp-[0-9]-[0-9A-Za-z-]{10,}`,
	`(A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}`,
	`-----BEGIN [A-Z ]*PRIVATE KEY-----`,
	`gh[pousr]_[0-9A-Za-z]{36}`,
	`[a-zA-Z][a-zA-Z0-9+.-]*://[^/:@\s]+:[^/@\s]+@`,
]

# A value that merely points at a secret (a file, an env var or a provider reference).
reference_value(value) if regex.match(`^(file|env|aws-sm|aws-ssm|vault|k8s):`, value)

reference_value(value) if startswith(value, "/var/run/secrets/")

# A name/value pair that puts secret material in plain text.
plaintext(_, value) if secret_value(value)

plaintext(name, value) if {
	secret_name(name)
	is_string(value)
	value != ""
	not reference_value(value)
}
