# prod: state in S3, encrypted, with S3-native locking (a lock object next to the state; no
# DynamoDB table). One key per environment. The bucket (versioned, encrypted, public access
# blocked) is created once per account, outside this configuration: see docs/infra.md.
terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  backend "s3" {
    bucket       = "<{ cookiecutter.project_slug }>-tfstate-<{ cookiecutter.aws_account_id }>"
    key          = "<{ cookiecutter.project_slug }>/prod/terraform.tfstate"
    region       = "<{ cookiecutter.aws_region }>"
    encrypt      = true
    use_lockfile = true
  }
}
