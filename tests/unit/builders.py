"""Shared values and model builders for the pure unit tests (no AWS, no moto)."""

from __future__ import annotations

import copy
from typing import Any

from mare_dynamodb_streamtrigger.core.policies import PolicyDocument, function_policy
from mare_dynamodb_streamtrigger.models import ResourceModel

PARTITION = "aws"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
NAME = "deploy-trigger"
TABLE = "deployment-requests"
INDEX = "status-index"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
STREAM_ARN = f"{TABLE_ARN}/stream/2024-05-01T12:00:00.000"
PIPELINE_ARN = f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:deploy-pipeline"
OTHER_PIPELINE_ARN = f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:audit-pipeline"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:deployments"
OTHER_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts.fifo"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:trigger-dlq"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
PIPE_ARN = f"arn:aws:pipes:{REGION}:{ACCOUNT}:pipe/{NAME}"
FUNCTION_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/mare-dynamodb-streamtrigger/{NAME}-fn-1d0dc1e9"
PIPE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/mare-dynamodb-streamtrigger/{NAME}-pipe-1d0dc1e9"
SOURCE = "def handler(event, context):\n    return event\n"

PIPELINE_PROPERTIES: dict[str, Any] = {
    "Name": NAME,
    "TableName": TABLE,
    "TriggerType": "PIPELINE",
    "Handler": "app.handler",
    "Code": {"ZipFile": SOURCE},
    "Environment": {"PIPELINE_ARN": PIPELINE_ARN, "STAGE": "prod"},
}

SNS_PROPERTIES: dict[str, Any] = {
    "Name": "notify-trigger",
    "TableName": TABLE,
    "TriggerType": "SNS_TOPIC",
    "Handler": "index.handler",
    "Runtime": "python3.13",
    "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
    "Environment": {"TOPIC_ARN": TOPIC_ARN},
}

FULL_PROPERTIES: dict[str, Any] = {
    **PIPELINE_PROPERTIES,
    "Code": {"S3Bucket": "artifacts-bucket", "S3Key": "triggers/deploy.zip", "S3ObjectVersion": "3HL4kqtJlcpXroDTDmJ"},
    "Runtime": "python3.11",
    "MemorySize": 512,
    "Timeout": 60,
    "FilterPattern": {"dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}},
    "TableIndexName": INDEX,
    "IsDevops": False,
    "StartingPosition": "TRIM_HORIZON",
    "BatchSize": 10,
    "MaximumBatchingWindowInSeconds": 5,
    "MaximumRetryAttempts": 3,
    "MaximumRecordAgeInSeconds": 3600,
    "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
    "DeadLetterQueueArn": QUEUE_ARN,
    "InputTemplate": '{"image": <$.dynamodb.NewImage>}',
    "Tags": [{"Key": "team", "Value": "platform"}, {"Key": "cost-center", "Value": "42"}],
}

REMOVE = object()


def properties(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of `base` with `changes` applied; a change to REMOVE drops the key."""
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if value is REMOVE:
            result.pop(key, None)
        else:
            result[key] = copy.deepcopy(value)
    return result


def model(base: dict[str, Any] = PIPELINE_PROPERTIES, **changes: Any) -> ResourceModel:
    """A ResourceModel as the library builds it from a request's properties."""
    built = ResourceModel._deserialize(properties(base, **changes))
    assert built is not None
    return built


def built_function_policy(trigger_type: str, target_arns: list[str], table_index_name: str | None) -> PolicyDocument:
    """The function role's policy for this module's trigger, table and stream."""
    return function_policy(
        partition=PARTITION,
        region=REGION,
        account=ACCOUNT,
        trigger_name=NAME,
        trigger_type=trigger_type,
        target_arns=target_arns,
        stream_arn=STREAM_ARN,
        table_arn=TABLE_ARN,
        table_index_name=table_index_name,
    )
