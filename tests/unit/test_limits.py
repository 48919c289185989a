"""One rule, one truth: the handlers' limits are schema.json's, and both sit within AWS's own
(botocore's service models, and the resource schemas of AWS::Pipes::Pipe, AWS::Lambda::Function and
AWS::Logs::LogGroup that cfn-lint ships)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore.session
import jsonschema
import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from mare_dynamodb_streamtrigger.core.filter_pattern import PATTERN_MAX
from mare_dynamodb_streamtrigger.core.names import KMS_KEY_ARN, LAYER_VERSION_ARN, SECURITY_GROUP_ID, SUBNET_ID
from mare_dynamodb_streamtrigger.core.validation import (
    APPLICATION_LOG_LEVELS,
    ARCHITECTURES,
    DESCRIPTION_MAX,
    DESIRED_STATES,
    EPHEMERAL_STORAGE_RANGE,
    FILTER_PATTERNS_RANGE,
    INPUT_TEMPLATE_MAX,
    INTEGER_RANGES,
    LAYERS_MAX,
    LOG_FORMATS,
    LOG_RETENTION_DAYS,
    RECORD_AGE_FOREVER,
    RECORD_AGE_MIN,
    RUNTIMES,
    SECURITY_GROUPS_RANGE,
    SUBNETS_RANGE,
    SYSTEM_LOG_LEVELS,
    TRACING_MODES,
    is_alarm_topic_arn,
    is_dead_letter_arn,
)
from model_minimums import below_minimum

SCHEMA = json.loads((Path(__file__).parent.parent.parent / "schema.json").read_text())
PROPERTIES = SCHEMA["properties"]
BOTOCORE = botocore.session.get_session()


def aws_schema(type_name: str) -> dict[str, Any]:
    return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", type_name).schema


PIPE_STREAM = aws_schema("AWS::Pipes::Pipe")["definitions"]["PipeSourceDynamoDBStreamParameters"]["properties"]
LAMBDA_FUNCTION = aws_schema("AWS::Lambda::Function")["properties"]
# Where each of the type's limits is AWS's: the AWS schema's property of the same meaning.
AWS_RANGES = {
    "MemorySize": LAMBDA_FUNCTION["MemorySize"],
    "Timeout": LAMBDA_FUNCTION["Timeout"],
    "BatchSize": PIPE_STREAM["BatchSize"],
    "MaximumBatchingWindowInSeconds": PIPE_STREAM["MaximumBatchingWindowInSeconds"],
    "ParallelizationFactor": PIPE_STREAM["ParallelizationFactor"],
    "MaximumRetryAttempts": PIPE_STREAM["MaximumRetryAttempts"],
    "MaximumRecordAgeInSeconds": PIPE_STREAM["MaximumRecordAgeInSeconds"],
}


@pytest.mark.parametrize("prop", sorted(INTEGER_RANGES))
def test_each_range_is_the_schemas_and_within_awss(prop):
    low, high = INTEGER_RANGES[prop]
    assert (PROPERTIES[prop]["minimum"], PROPERTIES[prop]["maximum"]) == (low, high)
    assert AWS_RANGES[prop]["minimum"] <= low <= high <= AWS_RANGES[prop]["maximum"]


def test_the_record_age_rule_is_the_schemas():
    age = PROPERTIES["MaximumRecordAgeInSeconds"]
    low, high = INTEGER_RANGES["MaximumRecordAgeInSeconds"]
    for value in range(low - 2, RECORD_AGE_MIN + 3):
        schema_valid = jsonschema.Draft7Validator(age).is_valid(value)
        handler_valid = low <= value <= high and not RECORD_AGE_FOREVER < value < RECORD_AGE_MIN
        assert schema_valid == handler_valid, value


def test_runtimes_are_the_schemas_and_lambdas_python_runtimes():
    assert list(RUNTIMES) == PROPERTIES["Runtime"]["enum"]
    assert PROPERTIES["Runtime"]["default"] in RUNTIMES
    lambda_runtimes = BOTOCORE.get_service_model("lambda").shape_for("Runtime").enum
    assert set(RUNTIMES) <= set(lambda_runtimes)
    assert set(RUNTIMES) <= set(LAMBDA_FUNCTION["Runtime"]["enum"])
    # Every Python 3.10 or later runtime Lambda knows (the built-in functions need 3.10).
    newer = {r for r in lambda_runtimes if (m := re.fullmatch(r"python3\.(\d+)", r)) and int(m.group(1)) >= 10}
    assert set(RUNTIMES) == newer


def test_log_retention_is_the_schemas_and_cloudwatch_logs():
    assert list(LOG_RETENTION_DAYS) == PROPERTIES["LogRetentionInDays"]["enum"]
    assert list(LOG_RETENTION_DAYS) == PROPERTIES["FunctionLogRetentionInDays"]["enum"]
    assert list(LOG_RETENTION_DAYS) == aws_schema("AWS::Logs::LogGroup")["properties"]["RetentionInDays"]["enum"]


def test_the_function_options_are_the_schemas_and_lambdas():
    definitions = SCHEMA["definitions"]
    lambda_definitions = aws_schema("AWS::Lambda::Function")["definitions"]
    assert PROPERTIES["Description"]["maxLength"] == DESCRIPTION_MAX == LAMBDA_FUNCTION["Description"]["maxLength"]
    # Both the function and the pipe take the Description: the pipe's limit is the larger.
    assert BOTOCORE.get_service_model("pipes").shape_for("PipeDescription").metadata["max"] >= DESCRIPTION_MAX
    assert PROPERTIES["Architectures"]["items"]["enum"] == list(ARCHITECTURES)
    assert set(ARCHITECTURES) == set(LAMBDA_FUNCTION["Architectures"]["items"]["enum"])
    assert PROPERTIES["Architectures"]["maxItems"] == LAMBDA_FUNCTION["Architectures"]["maxItems"] == 1
    size = definitions["EphemeralStorage"]["properties"]["Size"]
    aws_size = lambda_definitions["EphemeralStorage"]["properties"]["Size"]
    low, high = EPHEMERAL_STORAGE_RANGE
    assert (size["minimum"], size["maximum"]) == (low, high)
    # AWS's description says 512 to 10,240 MB, its maximum says more: the type keeps to the described limit.
    assert aws_size["minimum"] == low and high <= aws_size["maximum"]
    assert "10,240" in lambda_definitions["EphemeralStorage"]["description"]
    modes = definitions["TracingConfig"]["properties"]["Mode"]["enum"]
    assert modes == list(TRACING_MODES) and set(modes) == set(
        lambda_definitions["TracingConfig"]["properties"]["Mode"]["enum"]
    )
    logging, aws_logging = definitions["LoggingConfig"]["properties"], lambda_definitions["LoggingConfig"]["properties"]
    for prop, allowed in (
        ("LogFormat", LOG_FORMATS),
        ("ApplicationLogLevel", APPLICATION_LOG_LEVELS),
        ("SystemLogLevel", SYSTEM_LOG_LEVELS),
    ):
        assert logging[prop]["enum"] == list(allowed)
        assert set(allowed) == set(aws_logging[prop]["enum"])


def test_the_pipes_state_and_filters_are_the_schemas_and_pipes():
    pipe = aws_schema("AWS::Pipes::Pipe")
    assert PROPERTIES["DesiredState"]["enum"] == list(DESIRED_STATES)
    assert set(DESIRED_STATES) == set(pipe["definitions"]["RequestedPipeState"]["enum"])
    low, high = FILTER_PATTERNS_RANGE
    assert (PROPERTIES["FilterPatterns"]["minItems"], PROPERTIES["FilterPatterns"]["maxItems"]) == (low, high)
    assert high == pipe["definitions"]["FilterCriteria"]["properties"]["Filters"]["maxItems"]


def test_text_limits_are_the_schemas_and_pipes():
    pipes = BOTOCORE.get_service_model("pipes")
    assert PROPERTIES["InputTemplate"]["maxLength"] == INPUT_TEMPLATE_MAX
    assert pipes.shape_for("InputTemplate").metadata["max"] == INPUT_TEMPLATE_MAX
    assert pipes.shape_for("EventPattern").metadata["max"] == PATTERN_MAX


def test_layers_and_vpc_limits_are_the_schemas_and_lambdas():
    lambda_model = BOTOCORE.get_service_model("lambda")
    assert PROPERTIES["Layers"]["maxItems"] == LAYERS_MAX == 5
    vpc = SCHEMA["definitions"]["VpcConfig"]["properties"]
    for prop, (low, high) in (("SubnetIds", SUBNETS_RANGE), ("SecurityGroupIds", SECURITY_GROUPS_RANGE)):
        assert (vpc[prop]["minItems"], vpc[prop]["maxItems"]) == (low, high)
        assert lambda_model.shape_for(prop).metadata["max"] == high


def matching(pattern: str) -> Any:
    return lambda probe: re.search(pattern, probe)


SUBNET_PROBES = ["subnet-0123abcd", "subnet-0123456789abcdef0", "subnet-0123abc", "subnet-0123ABCD", "sg-0123abcd"]
GROUP_PROBES = ["sg-0123abcd", "sg-0123456789abcdef0", "sg-0123456789abcdef", "default", "subnet-0123abcd"]


@pytest.mark.parametrize(
    ("pattern", "schema", "probes"),
    [
        (SUBNET_ID, "SubnetIds", SUBNET_PROBES),
        (SECURITY_GROUP_ID, "SecurityGroupIds", GROUP_PROBES),
    ],
    ids=["subnets", "security-groups"],
)
def test_the_vpc_id_patterns_are_the_schemas(pattern, schema, probes):
    items = SCHEMA["definitions"]["VpcConfig"]["properties"][schema]["items"]
    for probe in probes:
        assert bool(re.search(items["pattern"], probe)) == bool(pattern.fullmatch(probe)), probe


QUEUE = "arn:aws:sqs:eu-west-1:123456789012:"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:"
# Property: (the handlers' rule, probes on either side of it).
PROBES = {
    "DeadLetterQueueArn": (
        is_dead_letter_arn,
        [
            QUEUE + "q" * 80,
            QUEUE + "q" * 81,
            QUEUE + "q" * 75 + ".fifo",
            QUEUE + "q" * 76 + ".fifo",
            QUEUE + "q" * 80 + ".fifo",
            QUEUE + "dead-letters_1",
            QUEUE + "dead.letters",
            "arn:aws-cn:sqs:cn-north-1:123456789012:q",
            "arn:aws:sqs:eu-west-1:12345678901:q",
            "arn:aws:sns:eu-west-1:123456789012:q",
            "arn:other:sqs:eu-west-1:123456789012:q",
            TOPIC + "t" * 256,
            TOPIC + "t" * 257,
            TOPIC + "t" * 251 + ".fifo",
            TOPIC + "dead.letters",
            TOPIC,
            "arn:aws-cn:sns:cn-north-1:123456789012:t",
            "arn:aws:sns:eu-west-1:12345678901:t",
        ],
    ),
    "Layers": (
        LAYER_VERSION_ARN.fullmatch,
        [
            "arn:aws:lambda:eu-west-1:123456789012:layer:powertools:7",
            "arn:aws-cn:lambda:cn-north-1:123456789012:layer:p_t-1:123",
            "arn:aws:lambda:eu-west-1:123456789012:layer:powertools",
            "arn:aws:lambda:eu-west-1:123456789012:layer:" + "p" * 140 + ":1",
            "arn:aws:lambda:eu-west-1:123456789012:layer:" + "p" * 141 + ":1",
            "arn:aws:lambda:eu-west-1:12345678901:layer:powertools:7",
            "arn:aws:lambda:::awslayer:AWSLambdaPowertools:1",
            "arn:aws:lambda:eu-west-1:123456789012:function:powertools:7",
        ],
    ),
    "AlarmTopicArn": (
        is_alarm_topic_arn,
        [
            TOPIC + "t" * 256,
            TOPIC + "t" * 257,
            TOPIC + "alerts.fifo",
            TOPIC + "team.alerts",
            TOPIC,
            "arn:aws-cn:sns:cn-north-1:123456789012:t",
            "arn:aws:sns:eu-west-1:12345678901:t",
            QUEUE + "alerts",
        ],
    ),
    "KmsKeyArn": (
        KMS_KEY_ARN.fullmatch,
        [
            KEY + "1234abcd-12ab-34cd-56ef-1234567890ab",
            KEY + "mrk-1234abcd12ab34cd56ef1234567890ab",
            "arn:aws:kms:eu-west-1:123456789012:alias/pipes",
            KEY,
            "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/k",
        ],
    ),
}


@pytest.mark.parametrize("prop", sorted(PROBES))
def test_each_arn_pattern_is_the_schemas(prop):
    pattern, probes = PROBES[prop]
    schema = PROPERTIES[prop].get("items", PROPERTIES[prop])
    for probe in probes:
        in_schema = re.search(schema["pattern"], probe) is not None and len(probe) <= schema.get("maxLength", 10**6)
        assert in_schema == bool(pattern(probe)), probe


def test_a_request_below_a_models_minimum_is_found():
    create_pipe = BOTOCORE.get_service_model("pipes").operation_model("CreatePipe").input_shape
    request = {"Name": "p", "RoleArn": "r", "Source": "s", "Target": "t", "Tags": {}}
    assert below_minimum(create_pipe, request, "pipes.CreatePipe") == [
        "pipes.CreatePipe.Tags holds 0, its model's minimum is 1"
    ]
    assert below_minimum(create_pipe, {**request, "Tags": {"team": "data"}}, "pipes.CreatePipe") == []
