"""cfn-lint for Mare::DynamoDB::StreamTrigger: the type's schema and create's own checks (a developer tool)."""
