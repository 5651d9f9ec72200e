output "execution_role_arn" {
  description = "ECS task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ECS task role (the application)."
  value       = aws_iam_role.task.arn
}

output "deploy_role_arn" {
  description = "Role assumed by GitHub Actions (AWS_DEPLOY_ROLE_ARN)."
  value       = aws_iam_role.deploy.arn
}

output "terraform_plan_role_arn" {
  description = "Role the Terraform pipeline assumes to plan (pull requests, drift check)."
  value       = aws_iam_role.terraform_plan.arn
}

output "terraform_apply_role_arn" {
  description = "Role the Terraform pipeline assumes to apply (GitHub environment only)."
  value       = aws_iam_role.terraform_apply.arn
}
