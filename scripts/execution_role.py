"""The type's execution role, least privilege: writes resource-role.yaml.

`cfn generate` writes resource-role.yaml with every handler permission on `"*"`. This script
writes it again with each action on exactly the resources the type acts on, with conditions
where AWS offers them. The actions come from schema.json's handler permissions (the one source
of truth for what the handlers call); this file says where each may act. `make generate` runs it
after `cfn generate`; check-generated fails when resource-role.yaml differs from what it writes.

Where a statement's resource is "*", AWS gives the action no resource type (the Service
Authorization Reference, as parliament's iam_definition.json ships it): ListRoles, ListPipes and
the CloudWatch Logs delivery actions that Pipes' logging needs.

    python scripts/execution_role.py           # writes resource-role.yaml
    python scripts/execution_role.py --check   # exit 1 when resource-role.yaml is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TYPE_NAME = "Mare-DynamoDB-StreamTrigger"
ROLE_PATH = "mare-dynamodb-streamtrigger"
# The longest handler timeout (60 minutes) with CloudFormation's 70 s a minute, as cfn generate sets it.
MAX_SESSION_SECONDS = 8400


def in_account(service: str, resource: str) -> dict[str, str]:
    """An ARN of this account and region, as Fn::Sub writes it."""
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"}


TRIGGER_ROLES = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/" + ROLE_PATH + "/*"

# Sid: (actions, resource, condition). Every handler permission is in exactly one statement.
STATEMENTS: dict[str, tuple[list[str], Any, dict[str, Any] | None]] = {
    # The two roles of each trigger, and nothing outside the type's path.
    "TriggerRoles": (
        [
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies",
            "iam:PutRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
        ],
        {"Fn::Sub": TRIGGER_ROLES},
        None,
    ),
    # Those roles, passed only to the two services that assume them.
    "PassTriggerRoles": (
        ["iam:PassRole"],
        {"Fn::Sub": TRIGGER_ROLES},
        {"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com", "pipes.amazonaws.com"]}},
    ),
    # List takes the type's path as PathPrefix; ListRoles has no resource type.
    "ListTriggerRoles": (["iam:ListRoles"], "*", None),
    "TriggerFunctions": (
        [
            "lambda:CreateFunction",
            "lambda:DeleteFunction",
            "lambda:DeleteFunctionConcurrency",
            "lambda:GetFunction",
            "lambda:GetPolicy",
            "lambda:PutFunctionConcurrency",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
        ],
        in_account("lambda", "function:*"),
        None,
    ),
    # The one permission the type adds to a function: invocation by EventBridge Pipes.
    "LetPipesInvokeFunctions": (
        ["lambda:AddPermission"],
        in_account("lambda", "function:*"),
        {"StringEquals": {"lambda:Principal": "pipes.amazonaws.com"}},
    ),
    "TriggerPipes": (
        [
            "pipes:CreatePipe",
            "pipes:DeletePipe",
            "pipes:DescribePipe",
            "pipes:TagResource",
            "pipes:UntagResource",
            "pipes:UpdatePipe",
        ],
        in_account("pipes", "pipe/*"),
        None,
    ),
    "ListPipes": (["pipes:ListPipes"], "*", None),
    # The triggers' log groups only: the pipes' /aws/vendedlogs/pipes/<Name> and the functions'
    # /aws/lambda/<Name> (FunctionLogRetentionInDays). The handlers change or delete only a group
    # tagged as the type's own.
    "TriggerLogGroups": (
        [
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:DeleteRetentionPolicy",
            "logs:ListTagsForResource",
            "logs:PutRetentionPolicy",
            "logs:TagLogGroup",
            "logs:TagResource",
        ],
        [in_account("logs", "log-group:/aws/vendedlogs/pipes/*"), in_account("logs", "log-group:/aws/lambda/*")],
        None,
    ),
    # The triggers' alarms only (names.ALARM_PREFIX), and only alarms whose every action notifies an
    # SNS topic of this region: never an EC2, Systems Manager or Lambda action (CloudWatch user guide,
    # "Using condition keys to limit alarm actions"). The handlers change or delete only an alarm
    # tagged as the type's own.
    "TriggerAlarms": (
        ["cloudwatch:PutMetricAlarm"],
        in_account("cloudwatch", "alarm:mare-streamtrigger-*"),
        {
            "ForAllValues:StringLike": {
                "cloudwatch:AlarmActions": {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:*:*"}
            }
        },
    ),
    "TriggerAlarmUpkeep": (
        [
            "cloudwatch:DeleteAlarms",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ],
        in_account("cloudwatch", "alarm:mare-streamtrigger-*"),
        None,
    ),
    # What Pipes' CloudWatch Logs delivery asks of the caller of CreatePipe and UpdatePipe (Pipes
    # user guide, "Logging EventBridge Pipes"); none of these actions has a resource type.
    "PipeLogDelivery": (
        [
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:GetLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:UpdateLogDelivery",
        ],
        "*",
        None,
    ),
    # A pipe's customer managed key (KmsKeyArn) and a KMS-encrypted code package, used only
    # through Pipes and S3 on the type's behalf, never directly.
    "KeysThroughPipesAndS3": (
        ["kms:Decrypt", "kms:GenerateDataKey"],
        in_account("kms", "key/*"),
        {
            "StringEquals": {
                "kms:ViaService": [
                    {"Fn::Sub": "pipes.${AWS::Region}.amazonaws.com"},
                    {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"},
                ]
            }
        },
    ),
    # A key's ARN and metadata (an alias of a dead-letter queue's key resolved to its key; Pipes
    # describes KmsKeyArn with the caller's rights): no use of the key itself.
    "DescribeKeys": (["kms:DescribeKey"], in_account("kms", "key/*"), None),
    # A dead-letter queue's or topic's KmsMasterKeyId, read so that the pipe role is granted exactly that key.
    "DeadLetterQueueKeys": (["sqs:GetQueueAttributes", "sqs:GetQueueUrl"], in_account("sqs", "*"), None),
    "DeadLetterTopicKeys": (["sns:GetTopicAttributes"], in_account("sns", "*"), None),
    # Layers: Lambda fetches each with the caller's lambda:GetLayerVersion (Lambda API reference,
    # CreateFunction); a layer may be another account's (a shared or public layer), but only of
    # this region. Which layers a trigger may use is the type configuration's LayerArns.
    "LayerVersions": (
        ["lambda:GetLayerVersion"],
        {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:*:layer:*:*"},
        None,
    ),
    # A VpcConfig: the handler reads its subnets and security groups, and Lambda checks them with
    # the caller's permissions (Lambda developer guide, "User permissions" for a VPC). EC2's
    # describe actions have no resource type.
    "NetworkLookups": (["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], "*", None),
    # Code packages from this account's buckets only; the handlers also refuse any bucket the
    # type configuration's CodeBuckets does not list.
    "CodePackagesOfThisAccount": (
        ["s3:GetObject", "s3:GetObjectVersion"],
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::*/*"},
        {"StringEquals": {"s3:ResourceAccount": {"Ref": "AWS::AccountId"}}},
    ),
    "TableParameters": (
        ["ssm:GetParameters"],
        in_account("ssm", "parameter/dynamodb_table_*"),
        None,
    ),
    "Tables": (
        ["dynamodb:DescribeTable"],
        in_account("dynamodb", "table/*"),
        None,
    ),
    # The foundation account's parameter reader, and no other role: only when it is given.
    "FoundationParameterRole": (["sts:AssumeRole"], {"Ref": "DevopsParameterRoleArn"}, None),
}
# Statements that exist only when a template condition holds.
CONDITIONAL = {"FoundationParameterRole": "HasDevopsParameterRole"}


def handler_permissions() -> set[str]:
    schema = json.loads((ROOT / "schema.json").read_text())
    return {action for handler in schema["handlers"].values() for action in handler["permissions"]}


def statements() -> list[dict[str, Any]]:
    """The role's statements, each with its Sid, as the template writes them (intrinsics kept)."""
    written = []
    for sid, (actions, resource, condition) in STATEMENTS.items():
        statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resource}
        if condition:
            statement["Condition"] = condition
        if sid in CONDITIONAL:
            statement = {"Fn::If": [CONDITIONAL[sid], statement, {"Ref": "AWS::NoValue"}]}
        written.append(statement)
    return written


def template() -> dict[str, Any]:
    granted = {action for actions, _, _ in STATEMENTS.values() for action in actions}
    declared = handler_permissions()
    if granted != declared:
        raise SystemExit(
            f"schema.json's handler permissions and scripts/execution_role.py differ: "
            f"declared only {sorted(declared - granted)}, granted only {sorted(granted - declared)}"
        )
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            f"The execution role CloudFormation assumes to run {TYPE_NAME.replace('-', '::')}'s handlers: each "
            "action on exactly what the type makes (written by scripts/execution_role.py)."
        ),
        "Parameters": {
            "DevopsParameterRoleArn": {
                "Type": "String",
                "Default": "",
                "Description": (
                    "The type configuration's DevopsParameterRoleArn, if triggers read their table's parameters in "
                    "the foundation account (IsDevops); the role may assume it and no other role."
                ),
            }
        },
        "Conditions": {
            "HasDevopsParameterRole": {"Fn::Not": [{"Fn::Equals": [{"Ref": "DevopsParameterRoleArn"}, ""]}]}
        },
        "Resources": {
            "ExecutionRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "MaxSessionDuration": MAX_SESSION_SECONDS,
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "resources.cloudformation.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                                    "StringLike": {
                                        "aws:SourceArn": {
                                            "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:"
                                            "${AWS::AccountId}:type/resource/" + TYPE_NAME + "/*"
                                        }
                                    },
                                },
                            }
                        ],
                    },
                    "Path": "/",
                    "Policies": [
                        {
                            "PolicyName": "ResourceTypePolicy",
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements()},
                        }
                    ],
                },
            }
        },
        "Outputs": {"ExecutionRoleArn": {"Value": {"Fn::GetAtt": "ExecutionRole.Arn"}}},
    }


def rendered() -> str:
    return yaml.safe_dump(template(), sort_keys=False, width=120)


def main(argv: list[str]) -> int:
    path = ROOT / "resource-role.yaml"
    if "--check" in argv:
        if path.read_text() != rendered():
            print("resource-role.yaml is stale: run 'make generate' (or scripts/execution_role.py)", file=sys.stderr)
            return 1
        return 0
    path.write_text(rendered())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
