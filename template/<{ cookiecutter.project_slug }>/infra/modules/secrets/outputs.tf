output "secret_arns" {
  description = "ARNs of the secrets, by name."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "secret_names" {
  description = "Full names of the secrets (the chart's externalSecrets.remoteKeys), by name."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.name }
}

output "kms_key_arn" {
  description = "KMS key that encrypts the secrets in the primary region."
  value       = aws_kms_key.this.arn
}

output "replica_kms_key_arn" {
  description = "KMS replica key that encrypts the secrets' replicas (null without a replica region)."
  value       = one(aws_kms_replica_key.this[*].arn)
}
