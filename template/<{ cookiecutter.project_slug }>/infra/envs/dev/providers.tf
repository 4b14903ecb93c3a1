# Every resource gets the cost and ownership tags through default_tags (and explicitly, through
# each module's tags variable, so that policy TFM-001 can check them statically).
provider "aws" {
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.tags
  }
}

# dev runs in one region: modules that take a failover provider get the primary one, with
# their replication turned off.
provider "aws" {
  alias               = "secondary"
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.tags
  }
}
