<%- set db = cookiecutter.database == 'postgresql' -%>
<%- set slack = cookiecutter.slack_app -%>
output "service_role_arn" {
  description = "IRSA role of the service: the chart's serviceAccount.awsRoleArn."
  value       = module.service_iam.role_arn
}

<%- if db %>
output "rotation_role_arn" {
  description = "IRSA role of the rotation CronJob: the chart's rotation.awsRoleArn."
  value       = module.rotation_iam.role_arn
}

<%- endif %>
output "velero_role_arn" {
  description = "IAM role Velero assumes for this service's backups: the chart's backup.storageLocation.irsaRoleArn."
  value       = module.velero_iam.role_arn
}

output "registry_url" {
  description = "ECR repository of the service's images."
  value       = module.registry.repository_url
}

output "cluster_name" {
  description = "EKS cluster (primary region)."
  value       = module.cluster.cluster_name
}

output "secret_names" {
  description = "Secrets Manager names: the chart's externalSecrets.remoteKeys."
  value       = module.secrets.secret_names
}
<%- if db %>

output "database_address" {
  description = "Database host name."
  value       = module.database.address
}
<%- endif %>
