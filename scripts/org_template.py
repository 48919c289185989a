"""Writes the template that registers Mare::DynamoDB::StreamTrigger in one account and region, from a package in S3.

Usage: python scripts/org_template.py --package s3://BUCKET/KEY.zip [--output FILE]

Deployed as a service-managed StackSet, it registers the type across an organization's accounts and
regions: the execution role (resource-role.yaml's, unchanged, with its parameter and condition), the
log group and the role CloudFormation delivers the handlers' logs and metrics with, the type version
(AWS::CloudFormation::ResourceVersion), the default version (AWS::CloudFormation::ResourceDefaultVersion),
and the type configuration, which CloudFormation has no resource type for: a custom resource runs
scripts/org_type_configuration.py inline to call SetTypeConfiguration. Exit code 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TYPE_NAME: str = json.loads((ROOT / "schema.json").read_text(encoding="utf-8"))["typeName"]
# cfn submit's names for the same things, so that both ways of registering look alike.
HYPHENATED = TYPE_NAME.replace("::", "-").lower()
LOG_GROUP = f"{HYPHENATED}-logs"


# The start of an ARN of this account and region, for Fn::Sub.
def here(service: str) -> str:
    return f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}"


TYPE_ARN = f"{here('cloudformation')}:type/resource/{TYPE_NAME.replace('::', '-')}"
# Where the library in the handler's package publishes its metrics (cloudformation_cli_python_lib/metrics.py).
METRICS_NAMESPACE = f"AWS/CloudFormation/{TYPE_NAME.replace('::', '/')}"
CONFIGURATION_FUNCTION = "mare-streamtrigger-type-configuration"
PACKAGE = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+\.zip$")
# The type configuration's settings (mare-dynamodb-streamtrigger-configuration.json's properties) as lists.
LIST_SETTINGS = ("CodeBuckets", "LayerArns", "VpcIds")


class NoAliases(yaml.SafeDumper):
    """Writes a value used twice twice: CloudFormation refuses YAML aliases (cfn-lint W1101)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def literal_blocks(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Text of several lines (the inline function) as a YAML literal block, readable as written."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


NoAliases.add_representer(str, literal_blocks)


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def trust(service: str, conditions: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if conditions:
        statement["Condition"] = conditions
    return {"Version": "2012-10-17", "Statement": [statement]}


def policy(name: str, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"PolicyName": name, "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]


def log_delivery_role(execution_role: dict[str, Any]) -> dict[str, Any]:
    """What the library does with the provider credentials CloudFormation gives it from this role:
    create the log group and its streams, put log events, put metrics in its own namespace."""
    group = f"{here('logs')}:log-group:{LOG_GROUP}"
    # The same service assumes it, for the same type, as the execution role: the same conditions.
    conditions = execution_role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": trust("resources.cloudformation.amazonaws.com", conditions),
            "Policies": policy(
                "LogAndMetricsDelivery",
                [
                    {
                        "Sid": "HandlerLogs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": [sub(group), sub(f"{group}:log-stream:*")],
                    },
                    {
                        "Sid": "HandlerMetrics",
                        "Effect": "Allow",
                        "Action": "cloudwatch:PutMetricData",
                        "Resource": "*",  # PutMetricData has no resource type; the namespace is the condition
                        "Condition": {"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
                    },
                ],
            ),
        },
    }


def configuration_function() -> dict[str, dict[str, Any]]:
    """The custom resource's function, its role (SetTypeConfiguration on this type only) and its log group."""
    group = f"{here('logs')}:log-group:/aws/lambda/{CONFIGURATION_FUNCTION}"
    source = (ROOT / "scripts" / "org_type_configuration.py").read_text(encoding="utf-8")
    return {
        "TypeConfigurationLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": f"/aws/lambda/{CONFIGURATION_FUNCTION}",
                "RetentionInDays": {"Ref": "LogRetentionInDays"},
            },
        },
        "TypeConfigurationRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": trust("lambda.amazonaws.com"),
                "Policies": policy(
                    "SetTypeConfiguration",
                    [
                        {
                            "Sid": "ThisTypesConfiguration",
                            "Effect": "Allow",
                            "Action": "cloudformation:SetTypeConfiguration",
                            "Resource": sub(TYPE_ARN),
                        },
                        {
                            "Sid": "OwnLogs",
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": sub(f"{group}:log-stream:*"),
                        },
                    ],
                ),
            },
        },
        "TypeConfigurationFunction": {
            "Type": "AWS::Lambda::Function",
            "DependsOn": "TypeConfigurationLogGroup",
            "Properties": {
                "FunctionName": CONFIGURATION_FUNCTION,
                "Description": f"Sets {TYPE_NAME}'s type configuration (SetTypeConfiguration)",
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Timeout": 60,
                "Role": {"Fn::GetAtt": ["TypeConfigurationRole", "Arn"]},
                "Code": {"ZipFile": source},
            },
        },
    }


def org_template(package: str) -> dict[str, Any]:
    role_template = yaml.safe_load((ROOT / "resource-role.yaml").read_text(encoding="utf-8"))
    execution_role = role_template["Resources"]["ExecutionRole"]
    parameters: dict[str, Any] = {
        "SchemaHandlerPackage": {
            "Type": "String",
            "Default": package,
            "AllowedPattern": PACKAGE.pattern,
            "Description": "The type's package (make package builds it), readable by every account of the StackSet",
        },
        **role_template["Parameters"],
        "DevopsParameterRoleExternalId": {
            "Type": "String",
            "Default": "",
            "NoEcho": True,
            "Description": "The type configuration's DevopsParameterRoleExternalId, if the foundation role needs one",
        },
        **{
            name: {
                "Type": "CommaDelimitedList",
                "Default": "",
                "Description": f"The type configuration's {name} (comma-separated; empty leaves it out)",
            }
            for name in LIST_SETTINGS
        },
        "LogRetentionInDays": {
            "Type": "Number",
            "Default": 90,
            "AllowedValues": [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653],
            "Description": "How long the handlers' logs are kept",
        },
    }
    configuration_settings = {
        "DevopsParameterRoleArn": {"Ref": "DevopsParameterRoleArn"},
        "DevopsParameterRoleExternalId": {"Ref": "DevopsParameterRoleExternalId"},
        **{name: {"Ref": name} for name in LIST_SETTINGS},
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            f"Registers {TYPE_NAME} in this account and region from the package in S3, with its execution role, "
            "log delivery and type configuration; deploy it as a service-managed StackSet for an organization "
            "(written by scripts/org_template.py)."
        ),
        "Parameters": parameters,
        "Conditions": role_template["Conditions"],
        "Resources": {
            "ExecutionRole": execution_role,
            "LogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": LOG_GROUP, "RetentionInDays": {"Ref": "LogRetentionInDays"}},
            },
            "LogDeliveryRole": log_delivery_role(execution_role),
            "TypeVersion": {
                "Type": "AWS::CloudFormation::ResourceVersion",
                "Properties": {
                    "TypeName": TYPE_NAME,
                    "SchemaHandlerPackage": {"Ref": "SchemaHandlerPackage"},
                    "ExecutionRoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
                    "LoggingConfig": {
                        "LogGroupName": {"Ref": "LogGroup"},
                        "LogRoleArn": {"Fn::GetAtt": ["LogDeliveryRole", "Arn"]},
                    },
                },
            },
            "DefaultVersion": {
                "Type": "AWS::CloudFormation::ResourceDefaultVersion",
                "Properties": {"TypeVersionArn": {"Ref": "TypeVersion"}},
            },
            **configuration_function(),
            "TypeConfiguration": {
                "Type": "Custom::TypeConfiguration",
                "DependsOn": "DefaultVersion",
                "Properties": {
                    "ServiceToken": {"Fn::GetAtt": ["TypeConfigurationFunction", "Arn"]},
                    "TypeArn": {"Fn::GetAtt": ["TypeVersion", "TypeArn"]},
                    **configuration_settings,
                },
            },
        },
        "Outputs": {
            "TypeArn": {"Value": {"Fn::GetAtt": ["TypeVersion", "TypeArn"]}},
            "TypeVersionArn": {"Value": {"Ref": "TypeVersion"}},
            **role_template.get("Outputs", {}),
        },
    }


def main(argv: list[str]) -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--package", required=True, help="s3://BUCKET/KEY.zip: where the type's package is")
    arguments.add_argument("--output", help="the file to write (default: stdout)")
    args = arguments.parse_args(argv)
    if not PACKAGE.fullmatch(args.package):
        print(f"org_template.py: --package must be s3://BUCKET/KEY.zip, not {args.package!r}", file=sys.stderr)
        return 2
    text = yaml.dump(org_template(args.package), Dumper=NoAliases, sort_keys=False, width=120)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
