"""validation: every rule refuses with InvalidRequest and names the property; valid models pass."""

from __future__ import annotations

import json

import pytest
from cloudformation_cli_python_lib import HandlerErrorCode

from mare_dynamodb_streamtrigger.core.errors import TriggerError
from mare_dynamodb_streamtrigger.core.validation import INTEGER_RANGES, target_arns, validate_model, why_limited

from .builders import (
    FULL_PROPERTIES,
    OTHER_PIPELINE_ARN,
    OTHER_TOPIC_ARN,
    PIPELINE_ARN,
    PIPELINE_PROPERTIES,
    QUEUE_ARN,
    REMOVE,
    SNS_PROPERTIES,
    TOPIC_ARN,
    model,
)

PIPE_ENV = {"PIPELINE_ARN": PIPELINE_ARN}
RUNTIMES_RULE = (
    "Runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14, python3.15 "
    "(Lambda's Python runtimes)"
)
TOPIC_ENV = {"TOPIC_ARN": TOPIC_ARN}


def tags(count):
    return [{"Key": f"key{i}", "Value": f"value{i}"} for i in range(count)]


def filter_pattern_of_length(length):
    """A filter pattern whose compact JSON is exactly `length` characters."""
    empty = {"dynamodb": {"NewImage": {"status": {"S": [""]}}}}
    padding = length - len(json.dumps(empty, separators=(",", ":")))
    pattern = {"dynamodb": {"NewImage": {"status": {"S": ["x" * padding]}}}}
    assert len(json.dumps(pattern, separators=(",", ":"))) == length
    return pattern


def environment_of_bytes(size, base=PIPE_ENV):
    """An Environment (with the base's ARNs) whose keys and values are exactly `size` bytes."""
    used = sum(len(k.encode()) + len(v.encode()) for k, v in base.items())
    return {**base, "PAYLOAD": "x" * (size - used - len("PAYLOAD"))}


def refused(built):
    with pytest.raises(TriggerError) as caught:
        validate_model(built)
    assert caught.value.code == HandlerErrorCode.InvalidRequest
    assert str(caught.value) == caught.value.message
    return caught.value.message


class Exact(str):
    """An expected message that must be the whole message, not a part of it."""


EITHER_CODE = Exact("Code must give either S3Bucket and S3Key, or ZipFile")

# (id, base properties, changes, substrings the message must hold, or the Exact message)
BAD_PROPERTIES = [
    # Name
    ("name-bad-pattern", PIPELINE_PROPERTIES, {"Name": "deploy trigger"}, ["Name must be 1 to 64", "'deploy trigger'"]),
    ("name-dot", PIPELINE_PROPERTIES, {"Name": "deploy.trigger"}, ["Name must be 1 to 64 letters, digits, - or _"]),
    ("name-too-long", PIPELINE_PROPERTIES, {"Name": "n" * 65}, ["Name must be 1 to 64", "n" * 65]),
    ("name-empty", PIPELINE_PROPERTIES, {"Name": ""}, ["Name must be 1 to 64", "not ''"]),
    ("name-missing", PIPELINE_PROPERTIES, {"Name": REMOVE}, ["Name must be 1 to 64", "not None"]),
    # TableName
    ("table-bad-pattern", PIPELINE_PROPERTIES, {"TableName": "deployment requests"}, ["TableName must be 3 to 255"]),
    ("table-too-short", PIPELINE_PROPERTIES, {"TableName": "ab"}, ["TableName must be 3 to 255", "'ab'"]),
    ("table-too-long", PIPELINE_PROPERTIES, {"TableName": "t" * 256}, ["TableName must be 3 to 255"]),
    ("table-missing", PIPELINE_PROPERTIES, {"TableName": REMOVE}, ["TableName must be 3 to 255", "not None"]),
    # TriggerType
    (
        "trigger-type-bad",
        PIPELINE_PROPERTIES,
        {"TriggerType": "LAMBDA"},
        ["TriggerType must be PIPELINE or SNS_TOPIC", "'LAMBDA'"],
    ),
    (
        "trigger-type-lowercase",
        PIPELINE_PROPERTIES,
        {"TriggerType": "pipeline"},
        ["TriggerType must be PIPELINE or SNS_TOPIC"],
    ),
    (
        "trigger-type-missing",
        PIPELINE_PROPERTIES,
        {"TriggerType": REMOVE},
        ["TriggerType must be PIPELINE or SNS_TOPIC, not None"],
    ),
    # Handler
    ("handler-no-dot", PIPELINE_PROPERTIES, {"Handler": "handler"}, ["Handler must be module.function", "'handler'"]),
    (
        "handler-space",
        PIPELINE_PROPERTIES,
        {"Handler": "my app.handler"},
        ["Handler must be module.function", "no spaces"],
    ),
    (
        "handler-tab",
        PIPELINE_PROPERTIES,
        {"Handler": "app.\thandler"},
        ["Handler must be module.function", "no spaces"],
    ),
    ("handler-leading-dot", PIPELINE_PROPERTIES, {"Handler": ".handler"}, ["Handler must be module.function"]),
    ("handler-trailing-dot", PIPELINE_PROPERTIES, {"Handler": "app."}, ["Handler must be module.function"]),
    ("handler-double-dot", PIPELINE_PROPERTIES, {"Handler": "app..handler"}, ["Handler must be module.function"]),
    (
        "handler-too-long",
        PIPELINE_PROPERTIES,
        {"Handler": "m" * 121 + ".handler"},
        ["Handler must be module.function", "at most 128 characters"],
    ),
    ("handler-missing", PIPELINE_PROPERTIES, {"Handler": REMOVE}, ["Handler must be module.function", "not None"]),
    # TableIndexName, Runtime
    ("index-too-short", PIPELINE_PROPERTIES, {"TableIndexName": "ix"}, ["TableIndexName must be 3 to 255", "'ix'"]),
    ("index-bad-pattern", PIPELINE_PROPERTIES, {"TableIndexName": "status index"}, ["TableIndexName must be 3 to 255"]),
    ("runtime-empty", PIPELINE_PROPERTIES, {"Runtime": ""}, [RUNTIMES_RULE, "''"]),
    # Code
    (
        "code-both",
        PIPELINE_PROPERTIES,
        {"Code": {"ZipFile": "x = 1", "S3Bucket": "artifacts", "S3Key": "a.zip"}},
        ["Code must give either S3Bucket and S3Key, or ZipFile, not both"],
    ),
    ("code-zip-and-version", PIPELINE_PROPERTIES, {"Code": {"ZipFile": "x = 1", "S3ObjectVersion": "3"}}, ["not both"]),
    # Without Code the built-in function is deployed, which is Python.
    (
        "no-code-java-runtime",
        PIPELINE_PROPERTIES,
        {"Code": REMOVE, "Runtime": "java21"},
        [f"{RUNTIMES_RULE}, not 'java21'"],
    ),
    ("code-without-handler", PIPELINE_PROPERTIES, {"Handler": REMOVE}, ["Handler must be module.function"]),
    (
        "zero-code-without-handler",
        PIPELINE_PROPERTIES,
        {"Code": REMOVE, "Handler": REMOVE},
        ["Handler must be module.function", "not None"],
    ),
    ("no-code-old-python", PIPELINE_PROPERTIES, {"Code": REMOVE, "Runtime": "python3.9"}, [RUNTIMES_RULE]),
    (
        "zero-code-handler-in-the-shared-module",
        PIPELINE_PROPERTIES,
        {"Code": REMOVE, "Handler": "stream_batch.handler"},
        [
            "Handler must not name the module stream_batch when Code is left out: the built-in function's "
            "stream_batch.py is zipped beside it"
        ],
    ),
    (
        "code-only-version",
        PIPELINE_PROPERTIES,
        {"Code": {"S3ObjectVersion": "3"}},
        [EITHER_CODE],
    ),
    ("code-empty-zipfile", PIPELINE_PROPERTIES, {"Code": {"ZipFile": ""}}, ["Code.ZipFile must not be empty"]),
    (
        "code-bucket-without-key",
        PIPELINE_PROPERTIES,
        {"Code": {"S3Bucket": "artifacts"}},
        [EITHER_CODE],
    ),
    (
        "code-key-without-bucket",
        PIPELINE_PROPERTIES,
        {"Code": {"S3Key": "a.zip"}},
        [EITHER_CODE],
    ),
    (
        "code-zipfile-java",
        PIPELINE_PROPERTIES,
        {"Runtime": "java21"},
        [RUNTIMES_RULE, "'java21'"],
    ),
    (
        "code-zipfile-provided",
        PIPELINE_PROPERTIES,
        {"Runtime": "provided.al2023"},
        [RUNTIMES_RULE, "'provided.al2023'"],
    ),
    # Environment: reserved keys
    (
        "env-reserved-aws-region",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "AWS_REGION": "eu-west-1"}},
        ["Environment key AWS_REGION is reserved by Lambda"],
    ),
    (
        "env-reserved-function-name",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "AWS_LAMBDA_FUNCTION_NAME": "f"}},
        ["Environment key AWS_LAMBDA_FUNCTION_NAME is reserved by Lambda"],
    ),
    (
        "env-reserved-tz",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "TZ": "UTC"}},
        ["Environment key TZ is reserved by Lambda"],
    ),
    (
        "env-reserved-secret-key",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "AWS_SECRET_ACCESS_KEY": "s"}},
        ["Environment key AWS_SECRET_ACCESS_KEY is reserved by Lambda"],
    ),
    (
        "env-reserved-handler",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "_HANDLER": "app.handler"}},
        ["Environment key _HANDLER is reserved by Lambda"],
    ),
    # Environment: key pattern
    (
        "env-key-digit-first",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "1A": "x"}},
        ["Environment key '1A' must start with a letter"],
    ),
    (
        "env-key-dash",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "A-B": "x"}},
        ["Environment key 'A-B'", "only letters, digits and _"],
    ),
    (
        "env-key-single-char",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "A": "x"}},
        ["Environment key 'A'", "(2 or more)"],
    ),
    ("env-key-space", PIPELINE_PROPERTIES, {"Environment": {**PIPE_ENV, "MY KEY": "x"}}, ["Environment key 'MY KEY'"]),
    # Environment: size, counted in bytes
    (
        "env-over-4kb",
        PIPELINE_PROPERTIES,
        {"Environment": environment_of_bytes(4097)},
        ["Environment holds 4097 bytes of keys and values; Lambda allows 4096"],
    ),
    (
        "env-over-4kb-multibyte",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "NOTE": "é" * 2030}},
        ["Environment holds", "bytes of keys and values; Lambda allows 4096"],
    ),
    # Environment: ARNs and TriggerType
    (
        "env-sns-arn-under-pipeline",
        PIPELINE_PROPERTIES,
        {"Environment": {**PIPE_ENV, "TOPIC_ARN": TOPIC_ARN}},
        ["Environment does not fit TriggerType PIPELINE", "TOPIC_ARN holds a SNS topic ARN", "takes CodePipeline ARNs"],
    ),
    (
        "env-pipeline-arn-under-sns",
        SNS_PROPERTIES,
        {"Environment": {**TOPIC_ENV, "PIPELINE_ARN": PIPELINE_ARN}},
        [
            "Environment does not fit TriggerType SNS_TOPIC",
            "PIPELINE_ARN holds a CodePipeline ARN",
            "takes SNS topic ARNs",
        ],
    ),
    (
        "env-only-sns-arn-under-pipeline",
        PIPELINE_PROPERTIES,
        {"Environment": TOPIC_ENV},
        ["Environment does not fit TriggerType PIPELINE", "TOPIC_ARN"],
    ),
    (
        "env-no-pipeline-arn",
        PIPELINE_PROPERTIES,
        {"Environment": {"STAGE": "prod"}},
        ["Environment must hold at least one CodePipeline ARN for TriggerType PIPELINE"],
    ),
    (
        "env-no-topic-arn",
        SNS_PROPERTIES,
        {"Environment": {"STAGE": "prod"}},
        ["Environment must hold at least one SNS topic ARN for TriggerType SNS_TOPIC"],
    ),
    (
        "env-missing-pipeline",
        PIPELINE_PROPERTIES,
        {"Environment": REMOVE},
        ["Environment must hold at least one CodePipeline ARN"],
    ),
    ("env-missing-sns", SNS_PROPERTIES, {"Environment": REMOVE}, ["Environment must hold at least one SNS topic ARN"]),
    (
        "env-sqs-arn-is-not-a-topic",
        SNS_PROPERTIES,
        {"Environment": {"QUEUE": QUEUE_ARN}},
        ["Environment must hold at least one SNS topic ARN"],
    ),
    # pipe settings
    (
        "starting-position-bad",
        PIPELINE_PROPERTIES,
        {"StartingPosition": "AT_TIMESTAMP"},
        ["StartingPosition must be LATEST or TRIM_HORIZON", "'AT_TIMESTAMP'"],
    ),
    (
        "starting-position-lowercase",
        PIPELINE_PROPERTIES,
        {"StartingPosition": "latest"},
        ["StartingPosition must be LATEST or TRIM_HORIZON"],
    ),
    (
        "partial-batch-bad",
        PIPELINE_PROPERTIES,
        {"OnPartialBatchItemFailure": "BISECT"},
        ["OnPartialBatchItemFailure must be AUTOMATIC_BISECT", "'BISECT'"],
    ),
    (
        "dead-letter-queue-url",
        PIPELINE_PROPERTIES,
        {"DeadLetterQueueArn": "https://sqs.eu-west-1.amazonaws.com/123456789012/q"},
        ["DeadLetterQueueArn must be the ARN of an SQS queue or an SNS topic"],
    ),
    (
        "dead-letter-lambda-arn",
        PIPELINE_PROPERTIES,
        {"DeadLetterQueueArn": "arn:aws:lambda:eu-west-1:123456789012:function:f"},
        ["DeadLetterQueueArn must be the ARN of an SQS queue or an SNS topic"],
    ),
    (
        "input-template-8193",
        PIPELINE_PROPERTIES,
        {"InputTemplate": "x" * 8193},
        ["InputTemplate holds 8193 characters; Pipes allows 8192"],
    ),
    (
        "filter-pattern-list",
        PIPELINE_PROPERTIES,
        {"FilterPattern": [{"eventName": ["INSERT"]}]},
        ["FilterPattern: must be a JSON object"],
    ),
    (
        "filter-pattern-string",
        PIPELINE_PROPERTIES,
        {"FilterPattern": '{"eventName": ["INSERT"]}'},
        ["FilterPattern: must be a JSON object"],
    ),
    (
        "filter-pattern-empty",
        PIPELINE_PROPERTIES,
        {"FilterPattern": {}},
        ["FilterPattern: must not be an empty object"],
    ),
    (
        "filter-pattern-4097",
        PIPELINE_PROPERTIES,
        {"FilterPattern": filter_pattern_of_length(4097)},
        ["FilterPattern: holds more than 4096 characters as compact JSON; Pipes allows 4096"],
    ),
    # Tags
    ("tags-51", PIPELINE_PROPERTIES, {"Tags": tags(51)}, ["Tags holds 51 tags; at most 50 are allowed"]),
    (
        "tags-duplicate-key",
        PIPELINE_PROPERTIES,
        {"Tags": [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]},
        ["Tags repeats the key team"],
    ),
    (
        "tags-aws-prefix",
        PIPELINE_PROPERTIES,
        {"Tags": [{"Key": "aws:owner", "Value": "me"}]},
        ["Tags key 'aws:owner'", "not start with aws:"],
    ),
    (
        "tags-aws-prefix-uppercase",
        PIPELINE_PROPERTIES,
        {"Tags": [{"Key": "AWS:Owner", "Value": "me"}]},
        ["Tags key 'AWS:Owner'", "not start with aws:"],
    ),
    (
        "tags-key-too-long",
        PIPELINE_PROPERTIES,
        {"Tags": [{"Key": "k" * 129, "Value": "v"}]},
        ["Tags key", "must be 1 to 128 characters"],
    ),
    (
        "tags-key-empty",
        PIPELINE_PROPERTIES,
        {"Tags": [{"Key": "", "Value": "v"}]},
        ["Tags key ''", "must be 1 to 128 characters"],
    ),
    (
        "tags-value-too-long",
        PIPELINE_PROPERTIES,
        {"Tags": [{"Key": "team", "Value": "v" * 257}]},
        ["Tags value of team must be 0 to 256 characters"],
    ),
]


@pytest.mark.parametrize(
    ("base", "changes", "expected"),
    [case[1:] for case in BAD_PROPERTIES],
    ids=[case[0] for case in BAD_PROPERTIES],
)
def test_bad_property_is_refused(base, changes, expected):
    message = refused(model(base, **changes))
    for fragment in expected:
        if isinstance(fragment, Exact):
            assert message == fragment
        else:
            assert fragment in message


PATTERN_A = {"eventName": ["INSERT"]}
PATTERN_B = {"dynamodb": {"Keys": {"id": {"S": [{"prefix": "order-"}]}}}}
# The options issue 22 adds: each refused with InvalidRequest naming the property, with AWS's limit.
BAD_OPTIONS = [
    ("desired-state", {"DesiredState": "PAUSED"}, ["DesiredState must be RUNNING or STOPPED, not 'PAUSED'"]),
    ("description-too-long", {"Description": "d" * 257}, ["Description must be text of at most 256 characters"]),
    ("architectures-two", {"Architectures": ["x86_64", "arm64"]}, ["Architectures must be [x86_64] or [arm64]"]),
    ("architectures-unknown", {"Architectures": ["riscv"]}, ["Architectures must be [x86_64] or [arm64]"]),
    ("architectures-empty", {"Architectures": []}, ["Architectures must be [x86_64] or [arm64]"]),
    ("ephemeral-storage-small", {"EphemeralStorage": {"Size": 511}}, ["EphemeralStorage.Size", "512 to 10240"]),
    ("ephemeral-storage-large", {"EphemeralStorage": {"Size": 10241}}, ["EphemeralStorage.Size", "not 10241"]),
    ("tracing-mode", {"TracingConfig": {"Mode": "On"}}, ["TracingConfig.Mode must be Active or PassThrough"]),
    ("log-format", {"LoggingConfig": {"LogFormat": "XML"}}, ["LoggingConfig.LogFormat must be Text or JSON"]),
    (
        "application-level-unknown",
        {"LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "LOUD"}},
        ["LoggingConfig.ApplicationLogLevel must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL"],
    ),
    (
        "system-level-unknown",
        {"LoggingConfig": {"LogFormat": "JSON", "SystemLogLevel": "TRACE"}},
        ["LoggingConfig.SystemLogLevel must be one of DEBUG, INFO, WARN"],
    ),
    (
        "level-without-json",
        {"LoggingConfig": {"ApplicationLogLevel": "DEBUG"}},
        ["LoggingConfig.ApplicationLogLevel needs LoggingConfig.LogFormat JSON"],
    ),
    (
        "level-with-text",
        {"LoggingConfig": {"LogFormat": "Text", "SystemLogLevel": "WARN"}},
        ["LoggingConfig.SystemLogLevel needs LoggingConfig.LogFormat JSON"],
    ),
    (
        "both-filter-properties",
        {"FilterPattern": PATTERN_A, "FilterPatterns": [{"Pattern": PATTERN_A}, {"Pattern": PATTERN_B}]},
        ["FilterPattern and FilterPatterns exclude each other"],
    ),
    (
        "one-filter-pattern",
        {"FilterPatterns": [{"Pattern": PATTERN_A}]},
        ["FilterPatterns must be a list of 2 to 5", "not 1"],
    ),
    (
        "six-filter-patterns",
        {"FilterPatterns": [{"Pattern": {"eventName": [f"E{i}"]}} for i in range(6)]},
        ["FilterPatterns must be a list of 2 to 5", "not 6"],
    ),
    (
        "bad-second-pattern",
        {
            "FilterPatterns": [
                {"Pattern": PATTERN_A},
                {"Pattern": {"dynamodb": {"Keys": {"id": {"S": [{"wildcard": "a*"}]}}}}},
            ]
        },
        ["FilterPatterns[1].Pattern.dynamodb.Keys.id.S[0]", "does not support wildcard"],
    ),
    (
        "unknown-top-level-key-in-a-pattern",
        {"FilterPatterns": [{"Pattern": {"detail": ["x"]}}, {"Pattern": PATTERN_A}]},
        ["FilterPatterns[0].Pattern"],
    ),
    (
        "a-pattern-over-4096",
        {"FilterPatterns": [{"Pattern": PATTERN_A}, {"Pattern": {"eventName": ["e" * 4100]}}]},
        ["FilterPatterns[1].Pattern: holds more than 4096 characters"],
    ),
    (
        "reserved-negative",
        {"ReservedConcurrentExecutions": -1},
        ["ReservedConcurrentExecutions must be a whole number, 0 or more, not -1"],
    ),
    (
        "parallelization-zero",
        {"ParallelizationFactor": 0},
        ["ParallelizationFactor must be a whole number from 1 to 10"],
    ),
    (
        "parallelization-eleven",
        {"ParallelizationFactor": 11},
        ["ParallelizationFactor must be a whole number from 1 to 10"],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [case[1:] for case in BAD_OPTIONS], ids=[case[0] for case in BAD_OPTIONS]
)
def test_bad_option_is_refused_naming_the_property(changes, expected):
    message = refused(model(PIPELINE_PROPERTIES, **changes))
    for fragment in expected:
        assert fragment in message


def test_every_option_at_its_limits_passes():
    validate_model(
        model(
            PIPELINE_PROPERTIES,
            DesiredState="STOPPED",
            Description="d" * 256,
            Architectures=["arm64"],
            EphemeralStorage={"Size": 10240},
            TracingConfig={"Mode": "Active"},
            LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "TRACE", "SystemLogLevel": "DEBUG"},
            ParallelizationFactor=10,
            ReservedConcurrentExecutions=0,
            FilterPatterns=[{"Pattern": {"eventName": [f"E{i}"]}} for i in range(5)],
        )
    )
    validate_model(
        model(PIPELINE_PROPERTIES, EphemeralStorage={"Size": 512}, Description="", LoggingConfig={"LogFormat": "Text"})
    )


# Python's $ also matches before a final newline, so these slip past the patterns.
TRAILING_NEWLINE = [
    ("name", {"Name": "deploy-trigger\n"}, ["Name must be 1 to 64"]),
    ("table-name", {"TableName": "deployment-requests\n"}, ["TableName must be 3 to 255"]),
    ("handler", {"Handler": "app.handler\n"}, ["Handler must be module.function"]),
    ("table-index-name", {"TableIndexName": "status-index\n"}, ["TableIndexName must be 3 to 255"]),
    ("environment-key", {"Environment": {**PIPE_ENV, "STAGE\n": "prod"}}, ["Environment key 'STAGE\\n'"]),
    (
        "dead-letter-queue-arn",
        {"DeadLetterQueueArn": f"{QUEUE_ARN}\n"},
        ["DeadLetterQueueArn must be the ARN of an SQS queue"],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [case[1:] for case in TRAILING_NEWLINE], ids=[case[0] for case in TRAILING_NEWLINE]
)
def test_value_with_trailing_newline_is_refused(changes, expected):
    message = refused(model(**changes))
    for fragment in expected:
        assert fragment in message


INTEGER_CASES = [(prop, value) for prop, (low, high) in INTEGER_RANGES.items() for value in (low - 1, high + 1)]


def test_integer_ranges_are_aws_ranges():
    assert INTEGER_RANGES == {
        "MemorySize": (128, 10240),
        "Timeout": (1, 300),
        "BatchSize": (1, 10000),
        "MaximumBatchingWindowInSeconds": (0, 300),
        "ParallelizationFactor": (1, 10),
        "MaximumRetryAttempts": (-1, 10000),
        "MaximumRecordAgeInSeconds": (-1, 604800),
    }


@pytest.mark.parametrize(("prop", "value"), INTEGER_CASES, ids=[f"{p}={v}" for p, v in INTEGER_CASES])
def test_integer_outside_its_range_is_refused(prop, value):
    low, high = INTEGER_RANGES[prop]
    message = refused(model(**{prop: value}))
    assert message == f"{prop} must be a whole number from {low} to {high}, not {value}{why_limited(prop)}"


@pytest.mark.parametrize(
    ("prop", "value"),
    [(prop, value) for prop, (low, high) in INTEGER_RANGES.items() for value in (low, high)],
    ids=[f"{p}={v}" for p, (low, high) in INTEGER_RANGES.items() for v in (low, high)],
)
def test_integer_at_the_edge_of_its_range_passes(prop, value):
    validate_model(model(**{prop: value}))


@pytest.mark.parametrize("prop", list(INTEGER_RANGES), ids=list(INTEGER_RANGES))
@pytest.mark.parametrize("value", [True, False], ids=["true", "false"])
def test_integer_property_refuses_a_bool(prop, value):
    built = model()
    # the library's recast turns a bool into an int, so a bool can only arrive set directly
    setattr(built, prop, value)
    message = refused(built)
    assert f"{prop} must be a whole number" in message
    assert f"not {value}" in message


@pytest.mark.parametrize("value", [12.5, "128"], ids=["float", "string"])
def test_integer_property_refuses_a_non_integer(value):
    built = model()
    built.MemorySize = value
    message = refused(built)
    assert message == f"MemorySize must be a whole number from 128 to 10240, not {value!r}"


@pytest.mark.parametrize("value", [5, None, ["arn"]], ids=["int", "none", "list"])
def test_environment_value_must_be_a_string(value):
    built = model()
    # the library's recast turns values into strings, so another type can only arrive set directly
    built.Environment = {**PIPE_ENV, "RETRIES": value}
    assert refused(built) == "Environment value of RETRIES must be a string"


def test_environment_must_be_a_map():
    built = model()
    built.Environment = [("PIPELINE_ARN", PIPELINE_ARN)]
    assert refused(built) == "Environment must be a map of names to strings"


def test_missing_model_is_refused():
    assert refused(None) == "The request carries no resource properties"


def test_name_is_checked_before_the_rest():
    message = refused(model(Name="bad name", TableName="x", Code=REMOVE, StartingPosition="NOW"))
    assert message.startswith("Name must be")


VALID = [
    ("zero-code", PIPELINE_PROPERTIES, {"Code": REMOVE, "Handler": "index.handler"}),
    ("zero-code-empty-code", PIPELINE_PROPERTIES, {"Code": {}, "Handler": "index.handler"}),
    ("zero-code-named-handler", PIPELINE_PROPERTIES, {"Code": REMOVE, "Handler": "trigger.start"}),
    ("zero-code-handler-in-a-package", PIPELINE_PROPERTIES, {"Code": REMOVE, "Handler": "pkg.stream_batch.handler"}),
    ("own-code-in-a-module-named-stream-batch", PIPELINE_PROPERTIES, {"Handler": "stream_batch.handler"}),
    ("pipeline-minimal", PIPELINE_PROPERTIES, {}),
    ("sns-minimal", SNS_PROPERTIES, {}),
    ("full", FULL_PROPERTIES, {}),
    (
        "sns-fifo-topic-and-plain-values",
        SNS_PROPERTIES,
        {"Environment": {"T1": TOPIC_ARN, "T2": OTHER_TOPIC_ARN, "STAGE": "prod"}},
    ),
    ("two-pipelines", PIPELINE_PROPERTIES, {"Environment": {"P1": PIPELINE_ARN, "P2": OTHER_PIPELINE_ARN}}),
    ("name-64", PIPELINE_PROPERTIES, {"Name": "N" * 64}),
    ("name-1", PIPELINE_PROPERTIES, {"Name": "n"}),
    ("table-3", PIPELINE_PROPERTIES, {"TableName": "abc"}),
    ("table-255", PIPELINE_PROPERTIES, {"TableName": "t" * 255}),
    ("handler-128", PIPELINE_PROPERTIES, {"Handler": "m" * 120 + ".handler"}),
    ("handler-path-and-dots", PIPELINE_PROPERTIES, {"Handler": "src/pkg.module.handler"}),
    (
        "s3-code-with-a-newer-python",
        PIPELINE_PROPERTIES,
        {"Code": {"S3Bucket": "artifacts", "S3Key": "a.zip"}, "Runtime": "python3.14"},
    ),
    (
        "s3-code-with-version",
        PIPELINE_PROPERTIES,
        {"Code": {"S3Bucket": "artifacts", "S3Key": "a.zip", "S3ObjectVersion": "7"}},
    ),
    ("zipfile-newest-python", PIPELINE_PROPERTIES, {"Runtime": "python3.15", "Handler": "index.handler"}),
    ("env-exactly-4096-bytes", PIPELINE_PROPERTIES, {"Environment": environment_of_bytes(4096)}),
    ("input-template-8192", PIPELINE_PROPERTIES, {"InputTemplate": "x" * 8192}),
    ("input-template-empty", PIPELINE_PROPERTIES, {"InputTemplate": ""}),
    ("filter-pattern-4096", PIPELINE_PROPERTIES, {"FilterPattern": filter_pattern_of_length(4096)}),
    ("tags-50", PIPELINE_PROPERTIES, {"Tags": tags(50)}),
    ("tags-empty-list", PIPELINE_PROPERTIES, {"Tags": []}),
    (
        "tag-value-empty-and-256",
        PIPELINE_PROPERTIES,
        {"Tags": [{"Key": "a", "Value": ""}, {"Key": "k" * 128, "Value": "v" * 256}]},
    ),
    ("tag-key-contains-aws", PIPELINE_PROPERTIES, {"Tags": [{"Key": "my-aws:key", "Value": "v"}]}),
    ("starting-position-trim-horizon", PIPELINE_PROPERTIES, {"StartingPosition": "TRIM_HORIZON"}),
    (
        "dead-letter-fifo-queue",
        PIPELINE_PROPERTIES,
        {"DeadLetterQueueArn": "arn:aws:sqs:eu-west-1:123456789012:dlq.fifo"},
    ),
]


@pytest.mark.parametrize(("base", "changes"), [case[1:] for case in VALID], ids=[case[0] for case in VALID])
def test_valid_model_passes(base, changes):
    assert validate_model(model(base, **changes)) is None


def test_validation_does_not_change_the_model():
    built = model(FULL_PROPERTIES)
    before = built._serialize()
    validate_model(built)
    assert built._serialize() == before


@pytest.mark.parametrize(
    ("trigger_type", "environment", "expected"),
    [
        (
            "PIPELINE",
            {"B": PIPELINE_ARN, "A": OTHER_PIPELINE_ARN, "C": PIPELINE_ARN},
            [OTHER_PIPELINE_ARN, PIPELINE_ARN],
        ),
        ("PIPELINE", {"P": PIPELINE_ARN, "T": TOPIC_ARN, "S": "prod"}, [PIPELINE_ARN]),
        (
            "SNS_TOPIC",
            {"T": TOPIC_ARN, "F": OTHER_TOPIC_ARN, "P": PIPELINE_ARN, "Q": QUEUE_ARN},
            [OTHER_TOPIC_ARN, TOPIC_ARN],
        ),
        ("SNS_TOPIC", {"S": "prod"}, []),
        ("PIPELINE", None, []),
        ("SNS_TOPIC", {}, []),
        ("PIPELINE", {"P": f" {PIPELINE_ARN}"}, []),
        (
            "PIPELINE",
            {"P": "arn:aws-cn:codepipeline:cn-north-1:123456789012:p@1.x"},
            ["arn:aws-cn:codepipeline:cn-north-1:123456789012:p@1.x"],
        ),
    ],
    ids=[
        "pipelines-sorted-deduplicated",
        "pipeline-only",
        "topics-only",
        "none-found",
        "env-none",
        "env-empty",
        "padded-arn",
        "china-pipeline",
    ],
)
def test_target_arns(trigger_type, environment, expected):
    assert target_arns(trigger_type, environment) == expected


def stack_tags(count: int) -> dict[str, str]:
    return {f"stack-{index}": "x" for index in range(count)}


def own_tags(count: int) -> list[dict[str, str]]:
    return [{"Key": f"own-{index}", "Value": "y"} for index in range(count)]


def test_the_stacks_tags_and_the_triggers_over_50_are_refused():
    with pytest.raises(TriggerError) as caught:
        validate_model(model(Tags=own_tags(6)), stack_tags(45))
    assert caught.value.code == HandlerErrorCode.InvalidRequest
    assert caught.value.message == "Tags with the stack's tags come to 51 tags on each part; AWS allows at most 50"


@pytest.mark.parametrize(
    ("stack", "own"),
    [
        (stack_tags(45), own_tags(5)),
        (stack_tags(50), [{"Key": "stack-0", "Value": "mine"}]),  # the trigger's own value wins: still 50 keys
        ({**stack_tags(50), "aws:cloudformation:stack-name": "s"}, REMOVE),  # AWS's own keys are not applied
    ],
    ids=["45+5", "50-overridden", "50+aws"],
)
def test_50_applied_tags_are_accepted(stack, own):
    validate_model(model(Tags=own), stack)


KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    "changes",
    [{"LogLevel": level} for level in ("OFF", "ERROR", "INFO", "TRACE")]
    + [{"LogLevel": "INFO", "LogRetentionInDays": days} for days in (1, 14, 3653)]
    + [{"KmsKeyArn": KEY_ARN}, {"KmsKeyArn": "arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-1234abcd"}],
)
def test_log_and_key_settings_pass(changes):
    validate_model(model(PIPELINE_PROPERTIES, **changes))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"LogLevel": "info"}, "LogLevel must be OFF, ERROR, INFO or TRACE, not 'info'"),
        ({"LogRetentionInDays": 0}, "LogRetentionInDays must be one of 1, 3, 5, 7, 14, 30, 60, 90"),
        ({"KmsKeyArn": "1234abcd-12ab-34cd-56ef-1234567890ab"}, "KmsKeyArn must be the ARN of a KMS key"),
        ({"KmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:alias/pipes"}, "KmsKeyArn must be the ARN of a KMS key"),
    ],
)
def test_bad_log_or_key_setting_is_refused(changes, expected):
    assert refused(model(PIPELINE_PROPERTIES, **changes)).startswith(expected)


@pytest.mark.parametrize(
    ("tags", "stack_tags", "message"),
    [
        (
            [{"Key": "team", "Value": "a\x0bb"}],
            None,
            "Tags: the value of tag 'team' holds a character AWS does not allow in tags "
            "(letters, digits, spaces and _ . : / = + - @)",
        ),
        (
            [{"Key": "te;am", "Value": "x"}],
            None,
            "Tags: tag key 'te;am' holds a character AWS does not allow in tags "
            "(letters, digits, spaces and _ . : / = + - @)",
        ),
        (
            None,
            {"cost<center>": "1"},
            "Tags: tag key 'cost<center>' holds a character AWS does not allow in tags "
            "(letters, digits, spaces and _ . : / = + - @)",
        ),
    ],
)
def test_tag_characters_are_those_aws_allows(tags, stack_tags, message):
    built = model(PIPELINE_PROPERTIES, Tags=tags) if tags else model(PIPELINE_PROPERTIES)
    with pytest.raises(TriggerError) as refused:
        validate_model(built, stack_tags)
    assert (refused.value.code, refused.value.message) == (HandlerErrorCode.InvalidRequest, message)


def test_tags_in_any_script_with_spaces_and_the_allowed_punctuation_pass():
    tags = [{"Key": "équipe name", "Value": "東京 1/2 a+b=c @x:y_z.-"}]
    validate_model(model(PIPELINE_PROPERTIES, Tags=tags), {"stack": "ステージ"})
