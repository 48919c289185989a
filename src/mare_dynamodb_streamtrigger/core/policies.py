"""The one place that builds each IAM policy document the type writes. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mare_dynamodb_streamtrigger.core.names import (
    LAMBDA_PRINCIPAL,
    PIPES_PRINCIPAL,
    TriggerNames,
    index_arn,
    log_group_arn,
)
from mare_dynamodb_streamtrigger.core.settings import logging_on
from mare_dynamodb_streamtrigger.core.validation import required, target_arns
from mare_dynamodb_streamtrigger.models import ResourceModel

PolicyDocument = dict[str, Any]
VERSION = "2012-10-17"

# Sids name what each statement is for; Read derives TriggerType and TableIndexName from them.
SID_LOGS = "WriteOwnLogs"
SID_STREAM = "ReadTableStream"
SID_LIST_STREAMS = "ListTableStreams"
SID_PIPELINES = "StartPipelines"
SID_TOPICS = "PublishToTopics"
SID_TABLE_INDEX = "QueryAndUpdateTable"
SID_TRACES = "WriteTraces"
SID_CREATE_INTERFACES = "CreateNetworkInterfaces"
SID_MANAGE_INTERFACES = "ManageNetworkInterfaces"
SID_DESCRIBE_NETWORK = "DescribeNetwork"
SID_INVOKE = "InvokeFunction"
SID_READ_PARAMETERS = "ReadTableParameters"
SID_DEAD_LETTER = "SendToDeadLetterQueue"
SID_PIPE_LOGS = "WritePipeLogs"
SID_PIPE_KEY = "UsePipeKey"
SID_DESCRIBE_PIPE_KEY = "DescribePipeKey"
SID_TABLE_KEY = "DecryptTableStream"
SID_DEAD_LETTER_KEY = "EncryptForDeadLetterQueue"
# Pipes binds every use of its key to the pipe's ARN through this encryption context.
PIPES_ENCRYPTION_CONTEXT = "kms:EncryptionContext:aws:pipes:arn"

STREAM_READ_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
PIPELINE_ACTIONS = ["codepipeline:ListPipelineExecutions", "codepipeline:StartPipelineExecution"]
TABLE_INDEX_ACTIONS = ["dynamodb:Query", "dynamodb:UpdateItem"]
# What Lambda checks for, and uses, where a function's tracing is Active (Lambda developer guide,
# "Visualize Lambda function invocations using AWS X-Ray"; Lambda refuses the function with "does
# not have permissions to call PutTraceSegments on XRAY" otherwise).
TRACE_ACTIONS = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
# What Lambda does with the function's role to connect it to a VPC (Lambda developer guide,
# "Giving Lambda functions access to resources in an Amazon VPC"; the AWS managed policy
# AWSLambdaVPCAccessExecutionRole, v3, adds ec2:DescribeSubnets). Creating an interface is
# authorized on the interface, its subnet and its security groups, so it is granted on exactly
# the VpcConfig's; the describe actions work only on "*".
MANAGE_INTERFACE_ACTIONS = [
    "ec2:AssignPrivateIpAddresses",
    "ec2:DeleteNetworkInterface",
    "ec2:UnassignPrivateIpAddresses",
]
DESCRIBE_NETWORK_ACTIONS = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]


@dataclass(frozen=True)
class PipeKeys:
    """The KMS key ARNs the pipe role needs beyond KmsKeyArn: the table's and the dead-letter
    queue's (encryption.py reads them)."""

    table: str | None = None
    dead_letter: str | None = None


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def service_of(arn: str) -> str:
    return arn.split(":")[2]


def _statement(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def _stream_read(stream_arn: str) -> list[dict[str, Any]]:
    # ListStreams has no resource-level permission: AWS requires "*" for it.
    return [
        _statement(SID_STREAM, STREAM_READ_ACTIONS, [stream_arn]),
        _statement(SID_LIST_STREAMS, ["dynamodb:ListStreams"], ["*"]),
    ]


def _trust_policy(principal: str, condition: dict[str, dict[str, str]]) -> PolicyDocument:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        ],
    }


def devops_session_policy(parameter_arns: list[str]) -> PolicyDocument:
    """The inline session policy of the foundation role's session: whatever that role may do,
    the session reads only this table's two parameters."""
    return {"Version": VERSION, "Statement": [_statement(SID_READ_PARAMETERS, ["ssm:GetParameters"], parameter_arns)]}


def lambda_trust_policy(account: str) -> PolicyDocument:
    return _trust_policy(LAMBDA_PRINCIPAL, {"StringEquals": {"aws:SourceAccount": account}})


def pipe_trust_policy(account: str) -> PolicyDocument:
    # aws:SourceAccount only: no public AWS source shows Pipes sending aws:SourceArn when it
    # assumes a pipe's role, and a condition on a key that is not sent would refuse every create
    # (docs/aws-behaviour.md). The role serves one pipe: only the type passes it (iam:PassRole).
    return _trust_policy(PIPES_PRINCIPAL, {"StringEquals": {"aws:SourceAccount": account}})


def function_policy(
    *,
    partition: str,
    region: str,
    account: str,
    trigger_name: str,
    trigger_type: str,
    target_arns: list[str],
    stream_arn: str,
    table_arn: str,
    table_index_name: str | None,
    tracing: bool = False,
    subnet_ids: list[str] | None = None,
    security_group_ids: list[str] | None = None,
) -> PolicyDocument:
    """What the function may do: its logs, this stream, its targets, the table's index, its
    traces, and network interfaces in its VPC's subnets and security groups."""
    log_group = log_group_arn(partition, region, account, trigger_name)
    statements = [
        _statement(
            SID_LOGS,
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            [log_group, f"{log_group}:log-stream:*"],
        ),
        *_stream_read(stream_arn),
    ]
    if trigger_type == "PIPELINE":
        statements.append(_statement(SID_PIPELINES, PIPELINE_ACTIONS, sorted(target_arns)))
    else:
        statements.append(_statement(SID_TOPICS, ["sns:Publish"], sorted(target_arns)))
    if table_index_name:
        statements.append(
            _statement(SID_TABLE_INDEX, TABLE_INDEX_ACTIONS, [table_arn, index_arn(table_arn, table_index_name)])
        )
    if tracing:
        # X-Ray's actions have no resource-level permissions: AWS requires "*" (Service Authorization Reference).
        statements.append(_statement(SID_TRACES, TRACE_ACTIONS, ["*"]))
    if subnet_ids:
        ec2 = f"arn:{partition}:ec2:{region}:{account}"
        interfaces = f"{ec2}:network-interface/*"
        subnets = [f"{ec2}:subnet/{subnet}" for subnet in sorted(subnet_ids)]
        groups = [f"{ec2}:security-group/{group}" for group in sorted(security_group_ids or [])]
        # Only interfaces in the function's own subnets (ec2:Subnet is the interface's subnet).
        in_subnets = {"ArnEquals": {"ec2:Subnet": subnets}}
        statements += [
            _statement(SID_CREATE_INTERFACES, ["ec2:CreateNetworkInterface"], [interfaces, *subnets, *groups]),
            {**_statement(SID_MANAGE_INTERFACES, MANAGE_INTERFACE_ACTIONS, [interfaces]), "Condition": in_subnets},
            # EC2's describe actions have no resource-level permissions: AWS requires "*".
            _statement(SID_DESCRIBE_NETWORK, DESCRIBE_NETWORK_ACTIONS, ["*"]),
        ]
    return {"Version": VERSION, "Statement": statements}


def pipe_policy(
    *,
    stream_arn: str,
    function_arn: str,
    pipe_arn: str,
    dead_letter_arn: str | None,
    log_group_arn: str | None = None,
    kms_key_arn: str | None = None,
    keys: PipeKeys = PipeKeys(),
) -> PolicyDocument:
    """What the pipe may do: read this stream (decrypting it with the table's key), invoke this
    function, send to its dead-letter queue (encrypting with the queue's key), write to its own
    log group, and use its key for this pipe alone."""
    statements = [*_stream_read(stream_arn), _statement(SID_INVOKE, ["lambda:InvokeFunction"], [function_arn])]
    if keys.table:
        statements.append(_statement(SID_TABLE_KEY, ["kms:Decrypt"], [keys.table]))
    if dead_letter_arn:
        service = service_of(dead_letter_arn)
        send = "sqs:SendMessage" if service == "sqs" else "sns:Publish"
        statements.append(_statement(SID_DEAD_LETTER, [send], [dead_letter_arn]))
        if keys.dead_letter:
            # Through SQS or SNS only: the key serves the queue or topic, whatever else its policy allows.
            statements.append(
                {
                    **_statement(SID_DEAD_LETTER_KEY, ["kms:Decrypt", "kms:GenerateDataKey"], [keys.dead_letter]),
                    "Condition": {
                        "StringEquals": {"kms:ViaService": f"{service}.{region_of(dead_letter_arn)}.amazonaws.com"}
                    },
                }
            )
    if log_group_arn:
        statements.append(
            _statement(
                SID_PIPE_LOGS,
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [log_group_arn, f"{log_group_arn}:log-stream:*"],
            )
        )
    if kms_key_arn:
        statements.append(_statement(SID_DESCRIBE_PIPE_KEY, ["kms:DescribeKey"], [kms_key_arn]))
        statements.append(
            {
                **_statement(SID_PIPE_KEY, ["kms:Decrypt", "kms:GenerateDataKey"], [kms_key_arn]),
                "Condition": {"StringEquals": {PIPES_ENCRYPTION_CONTEXT: pipe_arn}},
            }
        )
    return {"Version": VERSION, "Statement": statements}


def pipe_key_policy_statements(pipe_role_arn: str, pipe_arn: str) -> list[dict[str, Any]]:
    """What the key policy of KmsKeyArn must allow: the pipe's role may use the key for this pipe only."""
    principal = {"AWS": pipe_role_arn}
    return [
        {
            "Sid": "PipeDescribesKey",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "kms:DescribeKey",
            "Resource": "*",
        },
        {
            "Sid": "PipeUsesKey",
            "Effect": "Allow",
            "Principal": principal,
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {PIPES_ENCRYPTION_CONTEXT: pipe_arn}},
        },
    ]


def function_role_policy(model: ResourceModel, names: TriggerNames, table_arn: str, stream_arn: str) -> PolicyDocument:
    """The function role's policy for a desired model."""
    return function_policy(
        partition=names.partition,
        region=names.region,
        account=names.account,
        trigger_name=names.trigger_name,
        trigger_type=required(model.TriggerType, "TriggerType"),
        target_arns=target_arns(required(model.TriggerType, "TriggerType"), model.Environment),
        stream_arn=stream_arn,
        table_arn=table_arn,
        table_index_name=model.TableIndexName,
        tracing=model.TracingConfig is not None and model.TracingConfig.Mode == "Active",
        subnet_ids=list(model.VpcConfig.SubnetIds or []) if model.VpcConfig else None,
        security_group_ids=list(model.VpcConfig.SecurityGroupIds or []) if model.VpcConfig else None,
    )


def pipe_role_policy(model: ResourceModel, names: TriggerNames, stream_arn: str, keys: PipeKeys) -> PolicyDocument:
    """The pipe role's policy for a desired model."""
    return pipe_policy(
        keys=keys,
        stream_arn=stream_arn,
        function_arn=names.function_arn,
        dead_letter_arn=model.DeadLetterQueueArn,
        log_group_arn=names.pipe_log_group.arn if logging_on(model) else None,
        kms_key_arn=model.KmsKeyArn,
        pipe_arn=names.pipe_arn,
    )


def statement_resources(document: PolicyDocument, sid: str) -> list[str] | None:
    """The resources of the statement with this Sid, or None where there is none."""
    for statement in document.get("Statement", []):
        if statement.get("Sid") == sid:
            resources = statement.get("Resource", [])
            return [resources] if isinstance(resources, str) else list(resources)
    return None
