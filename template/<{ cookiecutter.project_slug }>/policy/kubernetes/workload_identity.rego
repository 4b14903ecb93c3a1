# METADATA
# title: ServiceAccounts carry an IRSA role
# description: >-
#   Every ServiceAccount is annotated eks.amazonaws.com/role-arn with an IAM role ARN, so its pods
#   (and External Secrets Operator on their behalf) get short-lived AWS credentials through workload
#   identity instead of static keys.
# custom:
#   id: IAM-001
#   severity: deny
#   scope: object
#   kinds: [core/ServiceAccount]
#   remediation: >-
#     Set serviceAccount.awsRoleArn in the chart values to the role Terraform creates for the service.
package workload_identity

import data.lib.kubernetes as k8s

deny contains k8s.msg("IAM-001", sa, "must be annotated eks.amazonaws.com/role-arn with an IAM role ARN (arn:aws:iam::<account>:role/<name>)") if {
	some sa in k8s.objects
	sa.kind == "ServiceAccount"
	not _irsa(sa)
}

_irsa(sa) if regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`, sa.metadata.annotations["eks.amazonaws.com/role-arn"])
