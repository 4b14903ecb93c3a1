<%- set db = cookiecutter.database == 'postgresql' -%>
<%- set slack = cookiecutter.slack_app -%>
# dev: the service's infrastructure, composed from ../../modules.
locals {
  service     = "<{ cookiecutter.project_slug }>"
  environment = "dev"
  name        = "${local.service}-${local.environment}"

  tags = {
    service     = local.service
    team        = "<{ cookiecutter.owner_team }>"
    environment = local.environment
    cost-center = var.cost_center
    managed-by  = "terraform"
  }

  # The chart's release and namespace are the service's slug; its ServiceAccounts are
  # "<release>" (server) and "<release>-migrate" (migration Job); see charts/*/templates.
  namespace        = local.service
  service_accounts = [local.service, "${local.service}-migrate"]
}

module "network" {
  source = "../../modules/network"

  name               = local.name
  cidr_block         = "10.10.0.0/16"
  single_nat_gateway = true
  tags               = local.tags
}

module "cluster" {
  source = "../../modules/cluster"

  name               = local.name
  kubernetes_version = var.kubernetes_version
  subnet_ids         = module.network.private_subnet_ids
  node_scaling       = { min = 1, desired = 2, max = 3 }
  tags               = local.tags
}

module "registry" {
  source = "../../modules/registry"

  repository_name = "${local.service}/${local.environment}"
  tags            = local.tags
}
<%- if db %>

module "database" {
  source = "../../modules/database"
  providers = {
    aws           = aws
    aws.secondary = aws.secondary
  }

  identifier                 = local.name
  instance_class             = "db.t4g.medium"
  database_name              = "<{ cookiecutter.package_name }>"
  multi_az                   = false
  subnet_ids                 = module.network.private_subnet_ids
  vpc_id                     = module.network.vpc_id
  allowed_security_group_ids = [module.cluster.cluster_security_group_id]
  backup_retention_days      = 7
  deletion_protection        = false
  backup_replication_enabled = false
  tags                       = local.tags
}
<%- endif %>

module "secrets" {
  source = "../../modules/secrets"
  providers = {
    aws           = aws
    aws.secondary = aws.secondary
  }

  name_prefix = "${local.service}/${local.environment}"
  secrets = {
<%- if db %>
    database-url   = "PostgreSQL URL of the service's database user, written by the rotation function"
    database-admin = "Credential of the database role with CREATEROLE that the rotation job uses; put by hand, read only by the rotation role"
<%- endif %>
<%- if slack %>

    slack-bot-token               = "Slack bot token (xoxb-), put by the app owner"
    slack-signing-secret          = "Slack signing secret, put by the app owner"
    slack-signing-secret-previous = "Previous Slack signing secret, kept during a signing-secret rotation"
<%- endif %>
  }
<%- if db %>
  rotated_secrets     = var.rotation_lambda_arn == null ? [] : ["database-url"]
  rotation_lambda_arn = var.rotation_lambda_arn
<%- endif %>

  replica_region = ""
  tags           = local.tags
}

module "service_iam" {
  source = "../../modules/service-iam"

  role_name        = local.name
  namespace        = local.namespace
  service_accounts = local.service_accounts
  oidc_providers = concat(
    [{ arn = module.cluster.oidc_provider_arn, issuer = module.cluster.oidc_issuer }],
  )
<%- if db %>
  # Everything but the admin credential, which only the rotation job reads.
  secret_arns  = [for name, arn in module.secrets.secret_arns : arn if name != "database-admin"]
<%- else %>
  secret_arns  = values(module.secrets.secret_arns)
<%- endif %>
  kms_key_arns = compact([module.secrets.kms_key_arn, module.secrets.replica_kms_key_arn])
<%- if db %>
  db_connect   = { resource_id = module.database.resource_id, username = "<{ cookiecutter.package_name }>" }
<%- endif %>
  tags         = local.tags
}
<%- if db %>

# The rotation CronJob's role (the chart's rotation.awsRoleArn, "<service>-<env>-rotation"):
# rotate the database secret and read the admin credential, nothing else (docs/rotation.md).
module "rotation_iam" {
  source = "../../modules/service-iam"

  role_name        = "${local.name}-rotation"
  namespace        = local.namespace
  service_accounts = ["${local.service}-rotate-database"]
  oidc_providers = concat(
    [{ arn = module.cluster.oidc_provider_arn, issuer = module.cluster.oidc_issuer }],
  )
  secret_arns         = [module.secrets.secret_arns["database-admin"]]
  rotated_secret_arns = [module.secrets.secret_arns["database-url"]]
  kms_key_arns        = compact([module.secrets.kms_key_arn, module.secrets.replica_kms_key_arn])
  tags                = local.tags
}
<%- endif %>

# Velero's role for this service's backups (the chart's backup.storageLocation.irsaRoleArn,
# "<service>-velero-<env>"): the service's prefix of the backup bucket and EBS snapshots.
# Only Velero's server ServiceAccount (velero-server in the velero namespace, as Velero's Helm
# chart names it) may assume it (docs/infra.md).
module "velero_iam" {
  source = "../../modules/service-iam"

  role_name        = "${local.service}-velero-${local.environment}"
  namespace        = "velero"
  service_accounts = ["velero-server"]
  oidc_providers = concat(
    [{ arn = module.cluster.oidc_provider_arn, issuer = module.cluster.oidc_issuer }],
  )
  backup = {
    bucket       = "${local.service}-backups-<{ cookiecutter.aws_account_id }>"
    prefix       = local.service
    kms_key_arns = []
  }
  tags = local.tags
}
