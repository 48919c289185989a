"""Every permission policy the type writes passes parliament, the IAM policy linter."""

from __future__ import annotations

import json
import warnings

import pytest

from mare_dynamodb_streamtrigger.core import policies
from mare_dynamodb_streamtrigger.core.names import TriggerNames

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports pkg_resources, which warns
    from parliament import analyze_policy_string

NAMES = TriggerNames("deployment-processor", "aws", "eu-west-1", "123456789012")
TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/deployment-requests"
# DynamoDB stream labels are timestamps with colons, as AWS makes them.
REAL_STREAM = f"{TABLE_ARN}/stream/2026-11-27T14:27:02.649"
COLON_FREE_STREAM = f"{TABLE_ARN}/stream/label"
STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}


def documents(stream_arn: str) -> dict[str, dict]:
    function = dict(
        partition="aws",
        region="eu-west-1",
        account="123456789012",
        trigger_name="deployment-processor",
        stream_arn=stream_arn,
        table_arn=TABLE_ARN,
    )
    return {
        "function PIPELINE with index": policies.function_policy(
            **function,
            trigger_type="PIPELINE",
            target_arns=["arn:aws:codepipeline:eu-west-1:123456789012:deploy"],
            table_index_name="status-index",
        ),
        "function SNS_TOPIC": policies.function_policy(
            **function,
            trigger_type="SNS_TOPIC",
            target_arns=["arn:aws:sns:eu-west-1:123456789012:a", "arn:aws:sns:eu-west-1:123456789012:b"],
            table_index_name=None,
        ),
        "function in a VPC": policies.function_policy(
            **function,
            trigger_type="PIPELINE",
            target_arns=["arn:aws:codepipeline:eu-west-1:123456789012:deploy"],
            table_index_name=None,
            subnet_ids=["subnet-0123456789abcdef0", "subnet-0123abcd"],
            security_group_ids=["sg-0123abcd"],
        ),
        "pipe with dead-letter queue": policies.pipe_policy(
            pipe_arn=NAMES.pipe_arn,
            stream_arn=stream_arn,
            function_arn=NAMES.function_arn,
            dead_letter_arn="arn:aws:sqs:eu-west-1:123456789012:dlq",
        ),
        "pipe": policies.pipe_policy(
            pipe_arn=NAMES.pipe_arn, stream_arn=stream_arn, function_arn=NAMES.function_arn, dead_letter_arn=None
        ),
    }


def findings(document: dict) -> list[tuple[str, object]]:
    return [(finding.issue, finding.detail) for finding in analyze_policy_string(json.dumps(document)).findings]


@pytest.mark.parametrize("name", list(documents(COLON_FREE_STREAM)))
def test_policy_has_no_findings(name):
    assert findings(documents(COLON_FREE_STREAM)[name]) == []


@pytest.mark.parametrize("name", list(documents(REAL_STREAM)))
def test_with_a_real_stream_label_the_only_finding_is_parliaments_colon_rule(name):
    """parliament refuses a colon in a resource ID whose documented format has none, but every
    DynamoDB stream label (a timestamp) holds colons: the exact stream ARN is still right."""
    result = findings(documents(REAL_STREAM)[name])
    assert len(result) == 1
    issue, detail = result[0]
    assert issue == "RESOURCE_MISMATCH"
    assert {entry["action"] for entry in detail} == STREAM_ACTIONS
    assert {entry["required_format"] for entry in detail} == {"arn:*:dynamodb:*:*:table/*/stream/*"}
