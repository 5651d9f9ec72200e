terraform {
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  # Remote state in S3 with a DynamoDB lock table (terraform/README.md,
  # "Remote state"). Bucket, key and table come from the environment's file:
  #   terraform init -backend-config=environments/<env>.s3.tfbackend -reconfigure
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region
  # A staging tfvars file can never be applied to the production account (or
  # the reverse), whatever credentials the shell holds.
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = {
      Project     = "kavak-whatsapp-agent"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
