"""names: role names, parameter names, ARN builders and parsers, TriggerNames."""

from __future__ import annotations

import hashlib
import re

import pytest

from mare_dynamodb_streamtrigger.core import names
from mare_dynamodb_streamtrigger.core.names import (
    IAM_ROLE_NAME_MAX,
    LogGroup,
    TriggerNames,
    function_name_of_arn,
    role_name,
    stream_parameter_name,
    table_arn_of_stream,
    table_name_of_arn,
    table_parameter_name,
)

from .builders import ACCOUNT, REGION, STREAM_ARN, TABLE, TABLE_ARN

IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
LONG_NAME = "A" + "b" * 62 + "Z"  # 64 characters, the longest Name the schema allows


def test_role_name_of_a_short_name_is_name_kind_and_digest():
    assert role_name("deploy-trigger", "eu-west-1", "fn") == "deploy-trigger-fn-1d0dc1e9"
    assert role_name("deploy-trigger", "eu-west-1", "pipe") == "deploy-trigger-pipe-1d0dc1e9"


@pytest.mark.parametrize("kind", ["fn", "pipe"])
def test_role_name_of_a_64_character_name_fits_iam(kind):
    assert len(LONG_NAME) == 64
    result = role_name(LONG_NAME, REGION, kind)
    assert len(result) <= IAM_ROLE_NAME_MAX == 64
    assert IAM_ROLE_NAME.match(result)
    assert re.fullmatch(rf"Ab+-{kind}-[0-9a-f]{{8}}", result)


@pytest.mark.parametrize("kind", ["fn", "pipe"])
def test_role_name_keeps_the_longest_readable_prefix(kind):
    suffix_length = len(f"-{kind}-") + 8
    result = role_name(LONG_NAME, REGION, kind)
    assert len(result) == 64
    assert result.startswith(LONG_NAME[: 64 - suffix_length])
    assert result[: 64 - suffix_length] == LONG_NAME[: 64 - suffix_length]


@pytest.mark.parametrize("length", [1, 2, 40, 50, 51, 52, 53, 63, 64])
@pytest.mark.parametrize("kind", ["fn", "pipe"])
def test_role_name_fits_iam_for_every_length(length, kind):
    name = ("x-_Y9" * 13)[:length]
    result = role_name(name, REGION, kind)
    assert len(result) <= 64
    assert IAM_ROLE_NAME.match(result)


def test_role_name_is_deterministic():
    assert role_name(LONG_NAME, REGION, "fn") == role_name(LONG_NAME, REGION, "fn")
    assert role_name("orders", "us-east-1", "pipe") == role_name("orders", "us-east-1", "pipe")


def test_role_name_differs_by_region():
    assert role_name("orders", "eu-west-1", "fn") != role_name("orders", "us-east-1", "fn")
    assert role_name(LONG_NAME, "eu-west-1", "pipe") != role_name(LONG_NAME, "eu-central-1", "pipe")


def test_role_name_differs_by_letter_case_even_to_case_insensitive_iam():
    upper = role_name("Orders", REGION, "fn")
    lower = role_name("orders", REGION, "fn")
    assert upper.lower() != lower.lower()
    long_upper = role_name(LONG_NAME.upper(), REGION, "pipe")
    long_lower = role_name(LONG_NAME.lower(), REGION, "pipe")
    assert long_upper.lower() != long_lower.lower()


def test_role_name_differs_for_long_names_sharing_the_prefix():
    first = "p" * 63 + "1"
    second = "p" * 63 + "2"
    assert role_name(first, REGION, "fn") != role_name(second, REGION, "fn")


def test_role_names_of_the_two_kinds_differ():
    assert role_name("orders", REGION, "fn") != role_name("orders", REGION, "pipe")


@pytest.mark.parametrize(
    ("table_name", "table_parameter", "stream_parameter"),
    [
        ("deployment-requests", "dynamodb_table_deployment_requests", "dynamodb_table_stream_deployment_requests"),
        ("a-b-c-d", "dynamodb_table_a_b_c_d", "dynamodb_table_stream_a_b_c_d"),
        ("orders.v2_live", "dynamodb_table_orders.v2_live", "dynamodb_table_stream_orders.v2_live"),
        ("Orders", "dynamodb_table_Orders", "dynamodb_table_stream_Orders"),
    ],
    ids=["dashes", "many-dashes", "dots-and-underscores", "case-kept"],
)
def test_parameter_names_replace_dashes_with_underscores(table_name, table_parameter, stream_parameter):
    assert table_parameter_name(table_name) == table_parameter
    assert stream_parameter_name(table_name) == stream_parameter


def test_arn_builders():
    assert names.role_arn("aws", ACCOUNT, "r-fn-12345678") == (
        "arn:aws:iam::123456789012:role/mare-dynamodb-streamtrigger/r-fn-12345678"
    )
    assert names.function_arn("aws", REGION, ACCOUNT, "orders") == (
        "arn:aws:lambda:eu-west-1:123456789012:function:orders"
    )
    assert names.pipe_arn("aws", REGION, ACCOUNT, "orders") == "arn:aws:pipes:eu-west-1:123456789012:pipe/orders"
    assert names.log_group_arn("aws", REGION, ACCOUNT, "orders") == (
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders"
    )
    assert names.index_arn(TABLE_ARN, "status-index") == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/deployment-requests/index/status-index"
    )


def test_arn_builders_use_the_partition():
    assert (
        names.function_arn("aws-cn", "cn-north-1", ACCOUNT, "f")
        == "arn:aws-cn:lambda:cn-north-1:123456789012:function:f"
    )
    assert names.role_arn("aws-us-gov", ACCOUNT, "r").startswith("arn:aws-us-gov:iam::123456789012:role/")


def test_table_arn_of_stream():
    assert table_arn_of_stream(STREAM_ARN) == TABLE_ARN
    china = "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/orders.v2/stream/2024-01-01T00:00:00.000"
    assert table_arn_of_stream(china) == "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/orders.v2"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "none",
        TABLE_ARN,
        f"{TABLE_ARN}/index/status-index",
        f"{TABLE_ARN}/stream/",
        "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
        "arn:aws:dynamodb:eu-west-1:12345:table/orders/stream/2024-01-01T00:00:00.000",
        f" {STREAM_ARN}",
    ],
    ids=["empty", "word", "table-arn", "index-arn", "empty-label", "kinesis", "short-account", "leading-space"],
)
def test_table_arn_of_stream_of_non_matching_input_is_none(value):
    assert table_arn_of_stream(value) is None


def test_table_name_of_arn():
    assert table_name_of_arn(TABLE_ARN) == TABLE
    assert table_name_of_arn("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/a.b_c-d") == "a.b_c-d"


@pytest.mark.parametrize(
    "value",
    [
        "",
        TABLE,
        STREAM_ARN,
        f"{TABLE_ARN}/index/status-index",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/ab",
        "arn:aws:lambda:eu-west-1:123456789012:function:orders",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/bad name",
    ],
    ids=["empty", "bare-name", "stream-arn", "index-arn", "name-too-short", "lambda-arn", "space-in-name"],
)
def test_table_name_of_non_matching_arn_is_none(value):
    assert table_name_of_arn(value) is None


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:lambda:eu-west-1:123456789012:function:orders", "orders"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:orders:live", "orders"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:orders:7", "orders"),
        ("arn:aws-cn:lambda:cn-north-1:123456789012:function:Orders_2", "Orders_2"),
    ],
    ids=["plain", "alias", "version", "china"],
)
def test_function_name_of_arn(arn, name):
    assert function_name_of_arn(arn) == name


@pytest.mark.parametrize(
    "value",
    [
        "",
        "orders",
        "arn:aws:sqs:eu-west-1:123456789012:orders",
        "arn:aws:iam::123456789012:role/orders",
        "arn:aws:pipes:eu-west-1:123456789012:pipe/orders",
    ],
    ids=["empty", "bare-name", "sqs", "iam-role", "pipe"],
)
def test_function_name_of_non_function_arn_is_empty(value):
    assert function_name_of_arn(value) == ""


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
        "arn:aws:logs:eu-west-1:123456789012:log-group:orders",
    ],
    ids=["state-machine", "log-group"],
)
def test_function_name_of_a_six_colon_non_lambda_arn_is_empty(value):
    assert function_name_of_arn(value) == ""


def test_role_description_names_kind_trigger_and_a_digest_of_the_request_not_the_token():
    digest = hashlib.sha256(b"tok-1").hexdigest()[:32]
    assert names.role_description("orders", "fn", "tok-1") == (
        f"The function role of Mare::DynamoDB::StreamTrigger orders (request {digest})"
    )
    assert "tok-2" not in names.role_description("orders", "pipe", "tok-2")
    assert names.role_description("orders", "pipe", "tok-2").startswith(names.role_marker("orders", "pipe"))
    # The digest cannot be replayed as a token: it describes another request.
    assert names.role_description("orders", "fn", digest) != names.role_description("orders", "fn", "tok-1")


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sns:eu-west-1:\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662:x",
        "arn:awsx-:sns:eu-west-1:123456789012:x",
        "arn:aws-moon:sns:eu-west-1:123456789012:x",
    ],
)
def test_arn_patterns_take_ascii_digits_and_aws_partitions_only(arn):
    assert not names.SNS_TOPIC_ARN.fullmatch(arn)


@pytest.mark.parametrize("partition", names.PARTITIONS)
def test_arn_patterns_take_every_partition_botocore_lists(partition):
    assert names.SNS_TOPIC_ARN.fullmatch(f"arn:{partition}:sns:eu-west-1:123456789012:x")
    assert names.TABLE_ARN.fullmatch(f"arn:{partition}:dynamodb:eu-west-1:123456789012:table/orders")


def test_the_partitions_are_botocores():
    import botocore.loaders

    listed = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    assert sorted(names.PARTITIONS) == sorted(partition["id"] for partition in listed)


def test_trigger_names_fields():
    trigger = TriggerNames("deploy-trigger", "aws", REGION, ACCOUNT)
    assert vars(trigger) == {
        "trigger_name": "deploy-trigger",
        "partition": "aws",
        "region": "eu-west-1",
        "account": "123456789012",
        "function_name": "deploy-trigger",
        "pipe_name": "deploy-trigger",
        "function_role_name": "deploy-trigger-fn-1d0dc1e9",
        "pipe_role_name": "deploy-trigger-pipe-1d0dc1e9",
        "function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:deploy-trigger",
        "pipe_arn": "arn:aws:pipes:eu-west-1:123456789012:pipe/deploy-trigger",
        "function_role_arn": "arn:aws:iam::123456789012:role/mare-dynamodb-streamtrigger/deploy-trigger-fn-1d0dc1e9",
        "pipe_role_arn": "arn:aws:iam::123456789012:role/mare-dynamodb-streamtrigger/deploy-trigger-pipe-1d0dc1e9",
        "pipe_log_group": LogGroup(
            "/aws/vendedlogs/pipes/deploy-trigger",
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/pipes/deploy-trigger",
            "mare:streamtrigger:pipe",
            "arn:aws:pipes:eu-west-1:123456789012:pipe/deploy-trigger",
            "LogRetentionInDays",
        ),
        "function_log_group": LogGroup(
            "/aws/lambda/deploy-trigger",
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/deploy-trigger",
            "mare:streamtrigger:function",
            "arn:aws:lambda:eu-west-1:123456789012:function:deploy-trigger",
            "FunctionLogRetentionInDays",
        ),
        "alarm_names": {
            "pipe-failures": "mare-streamtrigger-deploy-trigger-pipe-failures",
            "function-errors": "mare-streamtrigger-deploy-trigger-function-errors",
            "function-throttles": "mare-streamtrigger-deploy-trigger-function-throttles",
            "dead-letters": "mare-streamtrigger-deploy-trigger-dead-letters",
        },
    }
    assert trigger.alarm_arn(trigger.alarm_names["pipe-failures"]) == (
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mare-streamtrigger-deploy-trigger-pipe-failures"
    )


def test_trigger_names_of_a_long_name_agree_with_role_name():
    trigger = TriggerNames(LONG_NAME, "aws-cn", "cn-north-1", ACCOUNT)
    assert trigger.function_role_name == role_name(LONG_NAME, "cn-north-1", "fn")
    assert trigger.pipe_role_name == role_name(LONG_NAME, "cn-north-1", "pipe")
    assert trigger.function_role_arn.endswith(f"role/mare-dynamodb-streamtrigger/{trigger.function_role_name}")
    assert trigger.function_arn == f"arn:aws-cn:lambda:cn-north-1:123456789012:function:{LONG_NAME}"
    assert trigger.pipe_arn == f"arn:aws-cn:pipes:cn-north-1:123456789012:pipe/{LONG_NAME}"


@pytest.mark.parametrize(
    ("token", "session_name"),
    [
        ("0b6f6a57-5d0e-4c1f-9a51-3d8e4f2b7c60", "Mare-DynamoDB-StreamTrigger-0b6f6a57-5d0e-4c1f-9a51-3d8e4f2b7c60"),
        ("a b/c:d", "Mare-DynamoDB-StreamTrigger-a-b-c-d"),
        ("ü" * 80, "Mare-DynamoDB-StreamTrigger-" + "-" * 36),
        ("", "Mare-DynamoDB-StreamTrigger-request"),
    ],
)
def test_the_devops_session_is_named_after_the_type_and_the_request_within_sts_rules(token, session_name):
    name = names.devops_session_name(token)
    assert name == session_name
    assert re.fullmatch(r"[A-Za-z0-9_+=,.@-]{2,64}", name)


def test_parameter_arns_with_and_without_a_leading_slash():
    assert names.parameter_arn("aws", "eu-west-1", "210987654321", "dynamodb_table_t") == (
        "arn:aws:ssm:eu-west-1:210987654321:parameter/dynamodb_table_t"
    )
    assert names.parameter_arn("aws-cn", "cn-north-1", "210987654321", "/team/t") == (
        "arn:aws-cn:ssm:cn-north-1:210987654321:parameter/team/t"
    )
    assert names.account_of_role("arn:aws:iam::210987654321:role/path/reader") == "210987654321"
