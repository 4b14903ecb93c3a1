# PostgreSQL on RDS: Multi-AZ, encrypted with a customer key, IAM authentication, PITR backups
# replicated to the failover region, deletion protection, Performance Insights, enhanced
# monitoring, and a parameter group that refuses connections without TLS.
data "aws_partition" "current" {}

locals {
  port = 5432
}

resource "aws_kms_key" "this" {
  #checkov:skip=CKV2_AWS_64:default key policy (the account root): IAM policies, such as service-iam's, decide who uses the key
  description             = "RDS ${var.identifier} storage, Performance Insights and master secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_db_subnet_group" "this" {
  name       = var.identifier
  subnet_ids = var.subnet_ids

  tags = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.identifier}-postgres"
  description = "PostgreSQL ${var.identifier}: only the cluster connects"
  vpc_id      = var.vpc_id

  ingress {
    description     = "PostgreSQL from the cluster"
    from_port       = local.port
    to_port         = local.port
    protocol        = "tcp"
    security_groups = var.allowed_security_group_ids
  }

  tags = var.tags
}

resource "aws_db_parameter_group" "this" {
  name        = "${var.identifier}-postgres${var.engine_version}"
  family      = "postgres${var.engine_version}"
  description = "${var.identifier}: TLS only; connection, DDL and slow-statement logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name               = "${var.identifier}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  identifier     = var.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class
  db_name        = var.database_name
  port           = local.port

  username                      = var.master_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn

  allocated_storage     = var.allocated_storage_gb
  max_allocated_storage = var.max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  multi_az               = var.multi_az
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  iam_database_authentication_enabled = true

  backup_retention_period   = var.backup_retention_days
  backup_window             = var.backup_window
  maintenance_window        = var.maintenance_window
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.identifier}-final"

  auto_minor_version_upgrade      = true
  allow_major_version_upgrade     = false
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = var.performance_insights_retention_days

  monitoring_interval = 30
  monitoring_role_arn = aws_iam_role.monitoring.arn

  tags = var.tags
}

# Regional failover: automated backups (snapshots and transaction logs, so PITR too) are copied to
# the secondary region, encrypted with a key of that region. docs/runbooks/region-failover.md
# restores from them.
resource "aws_kms_key" "replica" {
  #checkov:skip=CKV2_AWS_64:default key policy (the account root): IAM policies, such as service-iam's, decide who uses the key
  count    = var.backup_replication_enabled ? 1 : 0
  provider = aws.secondary

  description             = "RDS ${var.identifier} replicated backups"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_db_instance_automated_backups_replication" "this" {
  count    = var.backup_replication_enabled ? 1 : 0
  provider = aws.secondary

  source_db_instance_arn = aws_db_instance.this.arn
  kms_key_id             = aws_kms_key.replica[0].arn
  retention_period       = var.backup_replication_retention_days
}
