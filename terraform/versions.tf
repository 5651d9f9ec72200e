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
  # "Remote state"). Bucket, key and table come from backend.hcl:
  #   terraform init -backend-config=backend.hcl
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "kavak-whatsapp-agent"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
