output "instance_arn" {
  description = "ARN of the RDS instance."
  value       = aws_db_instance.this.arn
}

output "address" {
  description = "DNS name of the instance (the service connects with sslmode=verify-full)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "resource_id" {
  description = "DbiResourceId, the resource part of rds-db:connect ARNs for IAM authentication."
  value       = aws_db_instance.this.resource_id
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the master credentials (managed and rotated by RDS)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "KMS key that encrypts the storage, Performance Insights and the master secret."
  value       = aws_kms_key.this.arn
}

output "replicated_backups_arn" {
  description = "ARN of the automated backups replicated to the secondary region (null when replication is off)."
  value       = one(aws_db_instance_automated_backups_replication.this[*].id)
}
