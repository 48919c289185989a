"""The one place that knows how names and ARNs are formed from a trigger's Name."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

TYPE_NAME = "Mare::DynamoDB::StreamTrigger"
# Every role the type creates lives under this path: List finds them with one paged call.
ROLE_PATH = "/mare-dynamodb-streamtrigger/"
INLINE_POLICY_NAME = "StreamTrigger"
# The tags that mark a log group this type created (their value: the pipe's or the function's
# ARN), so that Delete removes, and a retention changes, only a log group of its own making.
LOG_GROUP_CREATOR_TAG = "mare:streamtrigger:pipe"
FUNCTION_LOG_GROUP_CREATOR_TAG = "mare:streamtrigger:function"
# The tag that marks an alarm this type created (its value: the pipe's ARN): only such an alarm is
# changed or deleted, since PutMetricAlarm would silently overwrite any alarm of the same name.
ALARM_CREATOR_TAG = "mare:streamtrigger:alarm"
# Every alarm the type creates is named with this prefix: the execution role may act on no other.
ALARM_PREFIX = "mare-streamtrigger-"
PERMISSION_STATEMENT_ID = "AllowPipeInvoke"
PIPES_PRINCIPAL = "pipes.amazonaws.com"
LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
IAM_ROLE_NAME_MAX = 64

RoleKind = Literal["fn", "pipe"]
# A trigger's alarms, in the order they are made.
AlarmKind = Literal["pipe-failures", "function-errors", "function-throttles", "dead-letters"]
ALARM_KINDS: tuple[AlarmKind, ...] = ("pipe-failures", "function-errors", "function-throttles", "dead-letters")

# AWS's partitions, as botocore's data/partitions.json lists them; ARN patterns take no others.
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
PARTITION = "(?:" + "|".join(re.escape(partition) for partition in PARTITIONS) + ")"
# ASCII only: without re.ASCII, \d and \w take other scripts' digits and letters, which AWS does not.
REGION = "[a-z0-9-]+"
ACCOUNT = "[0-9]{12}"


def arn_pattern(pattern: str) -> re.Pattern[str]:
    """An ARN pattern: `{partition}`, `{region}` and `{account}` stand for AWS's own rules."""
    return re.compile(pattern.format(partition=PARTITION, region=REGION, account=ACCOUNT), re.ASCII)


TABLE_ARN = arn_pattern(
    r"^arn:(?P<partition>{partition}):dynamodb:(?P<region>{region}):(?P<account>{account}):"
    r"table/(?P<table>[A-Za-z0-9_.-]{{3,255}})$"
)
STREAM_ARN = arn_pattern(
    r"^(?P<table_arn>arn:{partition}:dynamodb:{region}:{account}:table/[A-Za-z0-9_.-]{{3,255}})"
    r"/stream/(?P<label>[A-Za-z0-9_.:-]+)$"
)
CODEPIPELINE_ARN = arn_pattern(r"^arn:{partition}:codepipeline:{region}:{account}:[A-Za-z0-9.@_-]{{1,100}}$")
SNS_TOPIC_ARN = arn_pattern(r"^arn:{partition}:sns:{region}:{account}:[A-Za-z0-9_-]{{1,256}}(\.fifo)?$")
# A queue's name, .fifo included, is at most 80 characters.
SQS_QUEUE_ARN = arn_pattern(
    r"^arn:{partition}:sqs:{region}:{account}:([A-Za-z0-9_-]{{1,80}}|[A-Za-z0-9_-]{{1,75}}\.fifo)$"
)
# Any role, as sts:AssumeRole takes its ARN (a path included).
IAM_ROLE_ARN = arn_pattern(r"^arn:{partition}:iam::{account}:role/[\w+=,.@/-]{{1,512}}$")
FUNCTION_ARN = arn_pattern(
    r"^arn:{partition}:lambda:{region}:{account}:function:(?P<name>[A-Za-z0-9_-]{{1,64}})(:[^:]+)?$"
)
KMS_KEY_ARN = arn_pattern(r"^arn:{partition}:kms:{region}:{account}:key/[a-zA-Z0-9-]{{1,2048}}$")
# A version of a layer (Lambda's LayerVersionArn, less AWS's own "awslayer" form): the layer's
# ARN, then its version.
LAYER_VERSION_ARN = arn_pattern(
    r"^(?P<layer>arn:{partition}:lambda:(?P<region>{region}):{account}:layer:[A-Za-z0-9_-]{{1,140}}):[0-9]{{1,20}}$"
)
# EC2's IDs: 8 or 17 hexadecimal digits after the prefix.
SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")
SECURITY_GROUP_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$")


def role_name(trigger_name: str, region: str, kind: RoleKind) -> str:
    """The IAM role name for one of a trigger's two roles.

    IAM names are global and case-insensitive while Lambda and Pipes names are regional and
    case-sensitive, so a short digest of the region and the exact name keeps roles apart; the
    readable prefix is cut so that the whole name stays within IAM's 64 characters.
    """
    digest = hashlib.sha256(f"{region}/{trigger_name}".encode()).hexdigest()[:8]
    suffix = f"-{kind}-{digest}"
    return trigger_name[: IAM_ROLE_NAME_MAX - len(suffix)] + suffix


def role_arn(partition: str, account: str, name: str) -> str:
    return f"arn:{partition}:iam::{account}:role{ROLE_PATH}{name}"


def function_arn(partition: str, region: str, account: str, trigger_name: str) -> str:
    return f"arn:{partition}:lambda:{region}:{account}:function:{trigger_name}"


def pipe_arn(partition: str, region: str, account: str, trigger_name: str) -> str:
    return f"arn:{partition}:pipes:{region}:{account}:pipe/{trigger_name}"


def function_log_group_name(trigger_name: str) -> str:
    # Lambda's default log group for a function (LoggingConfig.LogGroup is not offered).
    return f"/aws/lambda/{trigger_name}"


def log_group_arn(partition: str, region: str, account: str, trigger_name: str) -> str:
    return f"arn:{partition}:logs:{region}:{account}:log-group:{function_log_group_name(trigger_name)}"


def pipe_log_group_name(trigger_name: str) -> str:
    # Pipes delivers its logs as vended logs, which AWS expects under /aws/vendedlogs/.
    return f"/aws/vendedlogs/pipes/{trigger_name}"


def pipe_log_group_arn(partition: str, region: str, account: str, trigger_name: str) -> str:
    return f"arn:{partition}:logs:{region}:{account}:log-group:{pipe_log_group_name(trigger_name)}"


def alarm_name(trigger_name: str, kind: AlarmKind) -> str:
    # CloudWatch's alarm names are regional, as a trigger's Name is: no digest is needed.
    return f"{ALARM_PREFIX}{trigger_name}-{kind}"


def alarm_arn(partition: str, region: str, account: str, name: str) -> str:
    return f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"


def index_arn(table_arn: str, index_name: str) -> str:
    return f"{table_arn}/index/{index_name}"


def table_parameter_name(table_name: str) -> str:
    return f"dynamodb_table_{table_name.replace('-', '_')}"


def stream_parameter_name(table_name: str) -> str:
    return f"dynamodb_table_stream_{table_name.replace('-', '_')}"


def parameter_arn(partition: str, region: str, account: str, parameter_name: str) -> str:
    # A name without a leading "/" follows "parameter/" directly; one with it keeps its own "/".
    return f"arn:{partition}:ssm:{region}:{account}:parameter/{parameter_name.lstrip('/')}"


def account_of_role(role_arn: str) -> str:
    return role_arn.split(":")[4]


# STS: RoleSessionName is 2 to 64 characters of [\w+=,.@-].
SESSION_NAME_MAX = 64
SESSION_NAME_PREFIX = "Mare-DynamoDB-StreamTrigger-"
SESSION_NAME_UNSAFE = re.compile(r"[^\w+=,.@-]", re.ASCII)


def devops_session_name(request_token: str) -> str:
    """The sts:AssumeRole session name: the type and the request, as the foundation account's
    CloudTrail shows them."""
    token = SESSION_NAME_UNSAFE.sub("-", request_token) or "request"
    return (SESSION_NAME_PREFIX + token)[:SESSION_NAME_MAX]


def table_arn_of_stream(stream_arn: str) -> str | None:
    match = STREAM_ARN.fullmatch(stream_arn)
    return match.group("table_arn") if match else None


def table_name_of_arn(table_arn: str) -> str | None:
    match = TABLE_ARN.fullmatch(table_arn)
    return match.group("table") if match else None


def layer_of_version(layer_version_arn: str) -> str | None:
    """The layer's ARN (no version) of a layer version's ARN; None for any other text."""
    match = LAYER_VERSION_ARN.fullmatch(layer_version_arn)
    return match.group("layer") if match else None


def layer_region(layer_version_arn: str) -> str | None:
    match = LAYER_VERSION_ARN.fullmatch(layer_version_arn)
    return match.group("region") if match else None


def function_name_of_arn(arn: str) -> str:
    """The function's name in a Lambda function ARN; empty for any other ARN."""
    match = FUNCTION_ARN.fullmatch(arn)
    return match.group("name") if match else ""


def request_digest(request_token: str) -> str:
    """What a role records of the request that made it: a digest, so that reading the role (its
    description is visible to anyone with iam:GetRole) does not give away the token itself."""
    return hashlib.sha256(request_token.encode()).hexdigest()[:32]


def role_marker(trigger_name: str, kind: RoleKind) -> str:
    """How every description of this trigger's role of this kind begins: the type's marker."""
    what = "function" if kind == "fn" else "pipe"
    return f"The {what} role of {TYPE_NAME} {trigger_name} (request "


def role_description(trigger_name: str, kind: RoleKind, request_token: str) -> str:
    """A role's description: the type's marker and the digest of the request that made it."""
    return f"{role_marker(trigger_name, kind)}{request_digest(request_token)})"


@dataclass(frozen=True)
class LogGroup:
    """One of a trigger's log groups: where it is, the tag that marks it as the type's own (with
    the ARN of the part that logs there as its value) and the property that sets its retention."""

    name: str
    arn: str
    creator_tag: str
    creator: str
    retention_property: str


class TriggerNames:
    """Every name and ARN of one trigger's parts, derived from its Name and where it lives."""

    def __init__(self, trigger_name: str, partition: str, region: str, account: str) -> None:
        self.trigger_name = trigger_name
        self.partition = partition
        self.region = region
        self.account = account
        self.function_name = trigger_name
        self.pipe_name = trigger_name
        self.function_role_name = role_name(trigger_name, region, "fn")
        self.pipe_role_name = role_name(trigger_name, region, "pipe")
        self.function_arn = function_arn(partition, region, account, trigger_name)
        self.pipe_arn = pipe_arn(partition, region, account, trigger_name)
        self.function_role_arn = role_arn(partition, account, self.function_role_name)
        self.pipe_role_arn = role_arn(partition, account, self.pipe_role_name)
        self.pipe_log_group = LogGroup(
            pipe_log_group_name(trigger_name),
            pipe_log_group_arn(partition, region, account, trigger_name),
            LOG_GROUP_CREATOR_TAG,
            self.pipe_arn,
            "LogRetentionInDays",
        )
        self.function_log_group = LogGroup(
            function_log_group_name(trigger_name),
            log_group_arn(partition, region, account, trigger_name),
            FUNCTION_LOG_GROUP_CREATOR_TAG,
            self.function_arn,
            "FunctionLogRetentionInDays",
        )

        self.alarm_names: dict[AlarmKind, str] = {kind: alarm_name(trigger_name, kind) for kind in ALARM_KINDS}

    def alarm_arn(self, alarm: str) -> str:
        return alarm_arn(self.partition, self.region, self.account, alarm)

    def role_name(self, kind: RoleKind) -> str:
        return self.function_role_name if kind == "fn" else self.pipe_role_name

    def role_arn(self, kind: RoleKind) -> str:
        return self.function_role_arn if kind == "fn" else self.pipe_role_arn
