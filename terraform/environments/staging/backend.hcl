# terraform init -backend-config=backend.hcl
# Create the bucket and the table once per AWS account (terraform/README.md, "Remote state").
bucket         = "kavak-whatsapp-tfstate-ACCOUNT_ID"
key            = "whatsapp-agent/staging/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "kavak-whatsapp-tflock"
encrypt        = true
