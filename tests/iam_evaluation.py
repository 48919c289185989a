"""Whether the execution role's statements allow a request: the action, the resource's ARN and
the request's condition keys, evaluated as IAM evaluates an identity policy's Allow statements
(no Deny, no boundaries: the role has neither). Test support, never deployed.

Each AWS call a handler makes is turned into the requests IAM authorizes for it: the call's own
action on the resource it names, and the actions AWS checks on the caller's behalf (iam:PassRole
when a role is handed to Lambda or Pipes, s3:GetObject when Lambda fetches a code package, the
log delivery and KMS actions of a pipe that logs or has a key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = field(default=())

    def __str__(self) -> str:
        where = f" with {dict(self.context)}" if self.context else ""
        return f"{self.action} on {self.resource}{where}"


def resolve(node: Any, values: dict[str, str], conditions: dict[str, bool]) -> Any:
    """A template fragment with Ref, Fn::Sub and Fn::If resolved; AWS::NoValue dropped."""
    if isinstance(node, list):
        resolved = [resolve(item, values, conditions) for item in node]
        return [item for item in resolved if item is not NO_VALUE]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return NO_VALUE if node["Ref"] == "AWS::NoValue" else values[node["Ref"]]
    if set(node) == {"Fn::Sub"}:
        return re.sub(r"\$\{([^}]+)\}", lambda match: values[match.group(1)], node["Fn::Sub"])
    if set(node) == {"Fn::If"}:
        condition, when_true, when_false = node["Fn::If"]
        return resolve(when_true if conditions[condition] else when_false, values, conditions)
    return {key: resolve(value, values, conditions) for key, value in node.items()}


NO_VALUE = object()
# The calls the handlers make whose action has no resource type: IAM authorizes them on "*".
ON_EVERY_RESOURCE = frozenset(
    {
        "iam:ListRoles",
        "pipes:ListPipes",
        "logs:DescribeLogGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
    }
)
# Marks a GetRole of a role that does not exist: IAM may answer NoSuchEntity or AccessDenied.
NO_SUCH_ROLE = "test:no-such-role"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition_holds(condition: dict[str, dict[str, Any]], context: tuple[tuple[str, str], ...]) -> bool:
    """A key may have several values (cloudwatch:AlarmActions): ForAllValues holds when every one
    matches, and, as in IAM, when there is none; a single-valued operator needs exactly one."""
    for operator, tests in condition.items():
        for key, expected in tests.items():
            values = [value for name, value in context if name == key]
            if operator.startswith("ForAllValues:"):
                compare = operator.removeprefix("ForAllValues:")
                if not all(_matches(compare, value, expected) for value in values):
                    return False
            elif len(values) != 1 or not _matches(operator, values[0], expected):
                return False
    return True


def _matches(operator: str, actual: str, expected: Any) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return actual in _listed(expected)
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatchcase(actual, pattern) for pattern in _listed(expected))
    raise AssertionError(f"condition operator {operator} is not evaluated here")


def allowing_statement(statements: list[dict[str, Any]], request: Request) -> str | None:
    """The Sid of the first statement that allows the request, or None: denied."""
    context = request.context
    for statement in statements:
        assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
        actions = [action.lower() for action in _listed(statement["Action"])]
        if not any(fnmatchcase(request.action.lower(), action) for action in actions):
            continue
        if not any(fnmatchcase(request.resource, pattern) for pattern in _listed(statement["Resource"])):
            continue
        if _condition_holds(statement.get("Condition", {}), context):
            return str(statement.get("Sid", "?"))
    return None


def requests_of_call(
    operation: str, params: dict[str, Any], partition: str, region: str, account: str, role_path: Any
) -> list[Request]:
    """The requests IAM authorizes for one call (`lambda.CreateFunction` with its API parameters).
    `role_path(name)` gives a role's path, as IAM knows it, for calls that name a role by name."""
    service, name = operation.split(".")
    prefix = {"lambda": "lambda", "pipes": "pipes", "iam": "iam", "logs": "logs"}.get(service, service)
    action = f"{prefix}:{name}"
    scope = f"arn:{partition}:{service}:{region}:{account}"

    def role(role_name: str, path: str | None) -> str:
        return f"arn:{partition}:iam::{account}:role{path or '/'}{role_name}"

    def function(value: str) -> str:
        return value if value.startswith("arn:") else f"{scope}:function:{value}"

    found: list[Request] = []
    if action in ON_EVERY_RESOURCE:
        return [Request(action, "*")]
    if service == "iam":
        path = params.get("Path") or role_path(params["RoleName"])
        if name == "GetRole" and path is None:
            # How IAM authorizes a name it cannot find is not documented: either answer is handled.
            found.append(Request(action, role(params["RoleName"], path), ((NO_SUCH_ROLE, "true"),)))
        else:
            found.append(Request(action, role(params["RoleName"], path)))
    elif service == "lambda":
        target = params.get("Resource") or params["FunctionName"]
        context = (("lambda:Principal", params["Principal"]),) if name == "AddPermission" else ()
        found.append(Request(action, function(target), context))
        if "Role" in params:
            found.append(Request("iam:PassRole", params["Role"], (("iam:PassedToService", "lambda.amazonaws.com"),)))
        # Lambda fetches each layer, and checks a VPC's subnets and groups, with the caller's rights
        # (Lambda API reference, CreateFunction; Lambda developer guide, VPC "User permissions").
        found.extend(Request("lambda:GetLayerVersion", layer) for layer in params.get("Layers") or [])
        if (params.get("VpcConfig") or {}).get("SubnetIds"):
            found.extend(
                Request(f"ec2:{look}", "*") for look in ("DescribeSecurityGroups", "DescribeSubnets", "DescribeVpcs")
            )
        code = params.get("Code", params)
        if code.get("S3Bucket"):
            found.append(
                Request(
                    "s3:GetObject",
                    f"arn:{partition}:s3:::{code['S3Bucket']}/{code['S3Key']}",
                    (("s3:ResourceAccount", account),),
                )
            )
    elif service == "pipes":
        found.append(Request(action, params.get("resourceArn") or f"{scope}:pipe/{params['Name']}"))
        if "RoleArn" in params:
            found.append(Request("iam:PassRole", params["RoleArn"], (("iam:PassedToService", "pipes.amazonaws.com"),)))
        if params.get("LogConfiguration"):
            for delivery in ("CreateLogDelivery", "GetLogDelivery", "ListLogDeliveries", "PutResourcePolicy"):
                found.append(Request(f"logs:{delivery}", "*"))
        if params.get("KmsKeyIdentifier"):
            via = (("kms:ViaService", f"pipes.{region}.amazonaws.com"),)
            for use in ("DescribeKey", "Decrypt", "GenerateDataKey"):
                found.append(Request(f"kms:{use}", params["KmsKeyIdentifier"], via))
    elif service == "logs":
        found.append(Request(action, params.get("resourceArn") or f"{scope}:log-group:{params['logGroupName']}"))
    elif service == "dynamodb":
        found.append(Request(action, f"{scope}:table/{params['TableName']}"))
    elif service == "cloudwatch":
        # IAM authorizes an alarm call on each alarm it names; PutMetricAlarm with its actions as
        # cloudwatch:AlarmActions (CloudWatch user guide, "Using condition keys to limit alarm actions").
        alarms = params.get("AlarmNames") or [params.get("AlarmName") or params["ResourceARN"].split(":alarm:")[-1]]
        actions = tuple(
            ("cloudwatch:AlarmActions", arn) for arn in [*params.get("AlarmActions", []), *params.get("OKActions", [])]
        )
        found.extend(Request(action, f"{scope}:alarm:{alarm}", actions) for alarm in alarms)
    elif service == "ssm":
        found.extend(Request(action, f"{scope}:parameter/{parameter.lstrip('/')}") for parameter in params["Names"])
    elif service == "sts":
        found.append(Request(action, params["RoleArn"]))
    elif service == "sqs":
        if name == "GetQueueUrl":
            owner, queue = params.get("QueueOwnerAWSAccountId", account), params["QueueName"]
        else:
            owner, queue = params["QueueUrl"].rstrip("/").split("/")[-2:]
        found.append(Request(action, f"arn:{partition}:sqs:{region}:{owner}:{queue}"))
    elif service == "sns":
        found.append(Request(action, params["TopicArn"]))
    elif service == "kms":
        # IAM authorizes a call through an alias on the key the alias names (KMS developer guide,
        # "Using aliases to control access"): here, a key of this account and region.
        key = params["KeyId"]
        found.append(Request(action, key if key.startswith("arn:") else f"{scope}:key/{key.removeprefix('alias/')}"))
    else:
        raise AssertionError(f"{operation}: no rule for what it acts on")
    return found
