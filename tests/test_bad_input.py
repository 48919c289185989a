"""Bad input: FAILED InvalidRequest (NotFound for a missing table) with a message naming the property
and the rule, before anything is touched: moto holds nothing new afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ACCOUNT, INDEX, PIPELINE_ARN, REGION, TABLE, client, drive, make_table, pipeline_properties

TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:deployments"
OTHER_TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/other-table"

# id, property overrides, expected error code, expected message (exact, or the start with "...").
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "name-pattern",
        {"Name": "bad name!"},
        "InvalidRequest",
        "Name must be 1 to 64 letters, digits, - or _, not 'bad name!'",
    ),
    (
        "name-too-long",
        {"Name": "n" * 65},
        "InvalidRequest",
        f"Name must be 1 to 64 letters, digits, - or _, not '{'n' * 65}'",
    ),
    (
        "table-name-short",
        {"TableName": "ab"},
        "InvalidRequest",
        "TableName must be 3 to 255 letters, digits, _, - or ., not 'ab'",
    ),
    (
        "table-name-chars",
        {"TableName": "a table"},
        "InvalidRequest",
        "TableName must be 3 to 255 letters, digits, _, - or ., not 'a table'",
    ),
    (
        "trigger-type",
        {"TriggerType": "LAMBDA"},
        "InvalidRequest",
        "TriggerType must be PIPELINE or SNS_TOPIC, not 'LAMBDA'",
    ),
    (
        "sns-arn-under-pipeline",
        {"Environment": {"PIPELINE": PIPELINE_ARN, "TOPIC": TOPIC_ARN}},
        "InvalidRequest",
        "Environment does not fit TriggerType PIPELINE: TOPIC holds a SNS topic ARN, where a PIPELINE trigger takes "
        "CodePipeline ARNs",
    ),
    (
        "environment-key-one-letter",
        {"TriggerType": "SNS_TOPIC", "Environment": {"PIPE": PIPELINE_ARN, "T": TOPIC_ARN}},
        "InvalidRequest",
        "Environment key 'T' must start with a letter and hold only letters, digits and _ (2 or more)",
    ),
    (
        "pipeline-arn-under-sns-named",
        {"TriggerType": "SNS_TOPIC", "Environment": {"PIPE": PIPELINE_ARN, "TOPIC": TOPIC_ARN}},
        "InvalidRequest",
        "Environment does not fit TriggerType SNS_TOPIC: PIPE holds a CodePipeline ARN, where a "
        "SNS_TOPIC trigger takes SNS topic ARNs",
    ),
    (
        "no-pipeline-arn",
        {"Environment": {"STAGE": "prod"}},
        "InvalidRequest",
        "Environment must hold at least one CodePipeline ARN for TriggerType PIPELINE",
    ),
    (
        "no-topic-arn",
        {"TriggerType": "SNS_TOPIC", "Environment": {"STAGE": "prod"}},
        "InvalidRequest",
        "Environment must hold at least one SNS topic ARN for TriggerType SNS_TOPIC",
    ),
    (
        "environment-over-4kb",
        {"Environment": {"PIPELINE_ARN": PIPELINE_ARN, "BIG": "x" * 4096}},
        "InvalidRequest",
        f"Environment holds {len('PIPELINE_ARN' + PIPELINE_ARN + 'BIG') + 4096} bytes of keys and values; "
        "Lambda allows 4096",
    ),
    (
        "reserved-aws-region",
        {"Environment": {"PIPELINE_ARN": PIPELINE_ARN, "AWS_REGION": "x"}},
        "InvalidRequest",
        "Environment key AWS_REGION is reserved by Lambda",
    ),
    (
        "reserved-handler",
        {"Environment": {"PIPELINE_ARN": PIPELINE_ARN, "_HANDLER": "x"}},
        "InvalidRequest",
        "Environment key _HANDLER is reserved by Lambda",
    ),
    (
        "reserved-lambda-name",
        {"Environment": {"PIPELINE_ARN": PIPELINE_ARN, "AWS_LAMBDA_FUNCTION_NAME": "x"}},
        "InvalidRequest",
        "Environment key AWS_LAMBDA_FUNCTION_NAME is reserved by Lambda",
    ),
    (
        "reserved-tz",
        {"Environment": {"PIPELINE_ARN": PIPELINE_ARN, "TZ": "UTC"}},
        "InvalidRequest",
        "Environment key TZ is reserved by Lambda",
    ),
    (
        "environment-key-digit",
        {"Environment": {"PIPELINE_ARN": PIPELINE_ARN, "1ABC": "x"}},
        "InvalidRequest",
        "Environment key '1ABC' must start with a letter and hold only letters, digits and _ (2 or more)",
    ),
    (
        "handler-no-dot",
        {"Handler": "handler"},
        "InvalidRequest",
        "Handler must be module.function (at most 128 characters, no spaces), not 'handler'",
    ),
    (
        "handler-space",
        {"Handler": "app. handler"},
        "InvalidRequest",
        "Handler must be module.function (at most 128 characters, no spaces), not 'app. handler'",
    ),
    (
        "code-both",
        {"Code": {"ZipFile": "x", "S3Bucket": "bucket", "S3Key": "k.zip"}},
        "InvalidRequest",
        "Code must give either S3Bucket and S3Key, or ZipFile, not both",
    ),
    (
        "code-neither",
        {"Code": {"S3ObjectVersion": "1"}},
        "InvalidRequest",
        "Code must give either S3Bucket and S3Key, or ZipFile",
    ),
    (
        "code-without-handler",
        {"Handler": None},
        "InvalidRequest",
        "Handler must be module.function (at most 128 characters, no spaces), not None",
    ),
    (
        "no-code-not-python",
        {"Code": None, "Runtime": "nodejs20.x"},
        "InvalidRequest",
        "Runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14, python3.15 "
        "(Lambda's Python runtimes), not 'nodejs20.x'",
    ),
    (
        "inline-code-not-python",
        {"Runtime": "nodejs20.x"},
        "InvalidRequest",
        "Runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14, python3.15 "
        "(Lambda's Python runtimes), not 'nodejs20.x'",
    ),
    (
        "runtime-too-old-for-a-trigger",
        {"Runtime": "python3.9"},
        "InvalidRequest",
        "Runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14, python3.15 "
        "(Lambda's Python runtimes), not 'python3.9'",
    ),
    (
        "filter-unknown-operator",
        {"FilterPattern": {"eventName": [{"prefx": "INS"}]}},
        "InvalidRequest",
        "FilterPattern.eventName[0]: ...",
    ),
    (
        "filter-bad-numeric",
        {"FilterPattern": {"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", "a"]}]}}}}},
        "InvalidRequest",
        "FilterPattern.dynamodb.NewImage.n.N[0]: ...",
    ),
    ("filter-empty-list", {"FilterPattern": {"eventName": []}}, "InvalidRequest", "FilterPattern.eventName: ..."),
    (
        "filter-not-object",
        {"FilterPattern": ["INSERT"]},
        "InvalidRequest",
        "FilterPattern must be an object, not an array",
    ),
    (
        "filter-too-long",
        {"FilterPattern": {"eventName": ["x" * 4100]}},
        "InvalidRequest",
        "FilterPattern: holds more than 4096 characters as compact JSON; Pipes allows 4096",
    ),
    (
        "filter-outside-record",
        {"FilterPattern": {"status": ["PENDING"]}},
        "InvalidRequest",
        "FilterPattern.status: ...",
    ),
    (
        "input-template-too-long",
        {"InputTemplate": "x" * 8193},
        "InvalidRequest",
        "InputTemplate holds 8193 characters; Pipes allows 8192",
    ),
    ("batch-size-zero", {"BatchSize": 0}, "InvalidRequest", "BatchSize must be a whole number from 1 to 10000, not 0"),
    (
        "batch-size-high",
        {"BatchSize": 10001},
        "InvalidRequest",
        "BatchSize must be a whole number from 1 to 10000, not 10001",
    ),
    (
        "window-high",
        {"MaximumBatchingWindowInSeconds": 301},
        "InvalidRequest",
        "MaximumBatchingWindowInSeconds must be a whole number from 0 to 300, not 301",
    ),
    (
        "retries-low",
        {"MaximumRetryAttempts": -2},
        "InvalidRequest",
        "MaximumRetryAttempts must be a whole number from -1 to 10000, not -2",
    ),
    (
        "age-high",
        {"MaximumRecordAgeInSeconds": 604801},
        "InvalidRequest",
        "MaximumRecordAgeInSeconds must be a whole number from -1 to 604800, not 604801",
    ),
    ("memory-low", {"MemorySize": 64}, "InvalidRequest", "MemorySize must be a whole number from 128 to 10240, not 64"),
    (
        "age-below-a-minute",
        {"MaximumRecordAgeInSeconds": 30},
        "InvalidRequest",
        "MaximumRecordAgeInSeconds must be -1 (keep records until they leave the stream) or from 60 to 604800, "
        "not 30: AWS refuses 0 to 59",
    ),
    (
        "age-zero",
        {"MaximumRecordAgeInSeconds": 0},
        "InvalidRequest",
        "MaximumRecordAgeInSeconds must be -1 (keep records until they leave the stream) or from 60 to 604800, "
        "not 0: AWS refuses 0 to 59",
    ),
    (
        "timeout-beyond-a-pipe-execution",
        {"Timeout": 301},
        "InvalidRequest",
        "Timeout must be a whole number from 1 to 300, not 301: a pipe's execution, the function's run included, "
        "may last 300 s; a longer run counts as failed and its records are sent again (pipelines started twice)",
    ),
    (
        "dead-letter-neither-queue-nor-topic",
        {"DeadLetterQueueArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:dead-letters"},
        "InvalidRequest",
        "DeadLetterQueueArn must be the ARN of an SQS queue or an SNS topic, "
        f"not 'arn:aws:lambda:{REGION}:{ACCOUNT}:function:dead-letters'",
    ),
    (
        "tag-aws-prefix",
        {"Tags": [{"Key": "aws:team", "Value": "x"}]},
        "InvalidRequest",
        "Tags key 'aws:team' must be 1 to 128 characters and not start with aws:",
    ),
    (
        "unknown-index",
        {"TableIndexName": "nope-index"},
        "InvalidRequest",
        f"TableIndexName nope-index: table {TABLE} has no such index (it has: {INDEX})",
    ),
]


def world() -> dict[str, list[str]]:
    """Everything a trigger could leave behind."""
    iam = client("iam")
    return {
        "roles": [r["RoleName"] for r in iam.list_roles()["Roles"]],
        "functions": [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]],
        "pipes": [p["Name"] for p in client("pipes").list_pipes()["Pipes"]],
    }


def assert_refused(
    properties: dict[str, Any], code: str, message: str, stack_tags: dict[str, str] | None = None
) -> None:
    before = world()
    final, events = drive("CREATE", properties, stack_tags=stack_tags)
    assert len(events) == 1
    assert (final["status"], final["errorCode"]) == ("FAILED", code)
    if message.endswith("..."):
        assert final["message"].startswith(message[:-3]), final["message"]
    else:
        assert final["message"] == message
    assert world() == before


@pytest.mark.parametrize(("overrides", "code", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_property_is_refused_before_anything_is_made(table, overrides, code, message):
    properties = pipeline_properties(**overrides)
    # None stands for a property left out, as CloudFormation leaves it out.
    assert_refused({key: value for key, value in properties.items() if value is not None}, code, message)


def parameters(table_value: str, stream_value: str) -> None:
    ssm = client("ssm")
    key = TABLE.replace("-", "_")
    ssm.put_parameter(Name=f"dynamodb_table_{key}", Value=table_value, Type="String", Overwrite=True)
    ssm.put_parameter(Name=f"dynamodb_table_stream_{key}", Value=stream_value, Type="String", Overwrite=True)


def test_missing_ssm_parameters_are_named(moto):
    make_table(parameters=False)
    key = TABLE.replace("-", "_")
    assert_refused(
        pipeline_properties(),
        "InvalidRequest",
        f"TableName {TABLE}: SSM parameter dynamodb_table_{key} and dynamodb_table_stream_{key} not found "
        f"in account {ACCOUNT} ({REGION})",
    )


def test_parameter_holding_a_non_arn(table):
    parameters("not-an-arn", table["LatestStreamArn"])
    key = TABLE.replace("-", "_")
    assert_refused(
        pipeline_properties(),
        "InvalidRequest",
        f"TableName {TABLE}: SSM parameter dynamodb_table_{key} does not hold a DynamoDB table ARN",
    )


def test_parameter_holding_another_tables_arn(table):
    parameters(OTHER_TABLE_ARN, table["LatestStreamArn"])
    key = TABLE.replace("-", "_")
    assert_refused(
        pipeline_properties(),
        "InvalidRequest",
        f"TableName {TABLE}: SSM parameter dynamodb_table_{key} holds the ARN of another table, {OTHER_TABLE_ARN}",
    )


def test_stream_parameter_of_another_table(table):
    parameters(table["TableArn"], f"{OTHER_TABLE_ARN}/stream/2026-01-01T00:00:00.000")
    assert_refused(
        pipeline_properties(),
        "InvalidRequest",
        f"TableName {TABLE}: SSM parameter dynamodb_table_stream_{TABLE.replace('-', '_')} holds a stream "
        f"of another table, {OTHER_TABLE_ARN}/stream/2026-01-01T00:00:00.000",
    )


def test_table_without_a_stream(moto):
    table = make_table(view_type=None, parameters=False)
    parameters(table["TableArn"], f"{table['TableArn']}/stream/2026-01-01T00:00:00.000")
    assert_refused(pipeline_properties(), "InvalidRequest", f"TableName {TABLE}: the table has no stream enabled")


def test_keys_only_stream(moto):
    make_table(view_type="KEYS_ONLY")
    assert_refused(
        pipeline_properties(),
        "InvalidRequest",
        f"TableName {TABLE}: the stream's view type is KEYS_ONLY; the trigger needs NEW_IMAGE or NEW_AND_OLD_IMAGES",
    )


def test_missing_table_is_not_found(moto):
    parameters(
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}",
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}/stream/2026-01-01T00:00:00.000",
    )
    assert_refused(
        pipeline_properties(),
        "NotFound",
        f"Trigger deployment-processor: TableName {TABLE}: no such DynamoDB table in {REGION}",
    )


def test_number_of_cases():
    # The table above plus the seven parameter and table cases below it.
    assert len(CASES) + 7 >= 30


def test_the_stacks_tags_with_the_triggers_over_50_are_refused(table):
    stack_tags = {f"stack-{index}": "x" for index in range(45)}
    own = [{"Key": f"own-{index}", "Value": "y"} for index in range(6)]
    assert_refused(
        pipeline_properties(Tags=own),
        "InvalidRequest",
        "Tags with the stack's tags come to 51 tags on each part; AWS allows at most 50",
        stack_tags=stack_tags,
    )
