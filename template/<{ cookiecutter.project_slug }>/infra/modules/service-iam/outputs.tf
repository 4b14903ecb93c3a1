output "role_arn" {
  description = "ARN of the role: the chart's serviceAccount.awsRoleArn (eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}

output "subjects" {
  description = "The service-account subjects the trust policy admits."
  value       = [for sa in var.service_accounts : "system:serviceaccount:${var.namespace}:${sa}"]
}
