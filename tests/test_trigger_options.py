"""The options peers offer a trigger's users (issue 22), through the real entrypoint against moto:
DesiredState, ParallelizationFactor, FilterPatterns and the function's options. Each is made at
creation, read back by Read, changed in place by Update (and set back to AWS's default when
removed), and refused before anything is made when AWS would refuse it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    ACCOUNT,
    NOTHING_LEFT,
    REGION,
    TABLE,
    client,
    drive,
    invoke,
    left_behind,
    network,
    pipeline_properties,
    published_layer,
    role_statements,
)
from faults import Recorder
from mare_dynamodb_streamtrigger.core.names import ALARM_KINDS, layer_of_version, role_name
from mare_streamtrigger_local import pipe_runner

NAME = "deployment-processor"
FN_ROLE = role_name(NAME, REGION, "fn")
INSERTS = {"eventName": ["INSERT"]}
REMOVALS = {"eventName": ["REMOVE"]}
PENDING = {"dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}
# The function's options with values other than Lambda's defaults.
FUNCTION_OPTIONS: dict[str, Any] = {
    "Description": "Starts the deployment pipeline on each new request",
    "Architectures": ["arm64"],
    "EphemeralStorage": {"Size": 2048},
    "TracingConfig": {"Mode": "Active"},
    "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN"},
}
# XRay's words while the function role's new grant has not reached Lambda (serverless#6931).
XRAY_REFUSED = "The provided execution role does not have permissions to call PutTraceSegments on XRAY"


def several_filters(*patterns: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The example trigger with FilterPatterns in place of its FilterPattern."""
    properties = pipeline_properties(FilterPatterns=[{"Pattern": pattern} for pattern in patterns], **overrides)
    del properties["FilterPattern"]
    return properties


def created(properties: dict[str, Any]) -> dict[str, Any]:
    final, _ = drive("CREATE", properties)
    assert final["status"] == "SUCCESS", final
    return final["resourceModel"]


def updated(desired: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    final, _ = drive("UPDATE", desired, previous=previous)
    assert final["status"] == "SUCCESS", final
    return final["resourceModel"]


def read() -> dict[str, Any]:
    event = invoke("READ", {"Name": NAME})
    assert event["status"] == "SUCCESS", event
    return event["resourceModel"]


def pipe() -> dict[str, Any]:
    return client("pipes").describe_pipe(Name=NAME)


def function() -> dict[str, Any]:
    return client("lambda").get_function(FunctionName=NAME)["Configuration"]


def patterns_of_pipe() -> list[Any]:
    return [json.loads(entry["Pattern"]) for entry in pipe()["SourceParameters"]["FilterCriteria"]["Filters"]]


def trace_statement() -> list[dict[str, Any]]:
    traces = role_statements(FN_ROLE).get("WriteTraces")
    return [traces] if traces else []


# --- DesiredState -------------------------------------------------------------------------------


def test_a_trigger_made_stopped_is_started_and_stopped_by_update(table, aws_calls: Recorder):
    stopped = pipeline_properties(DesiredState="STOPPED")
    assert created(stopped)["DesiredState"] == "STOPPED"
    [create_pipe] = aws_calls.sent("pipes.CreatePipe")
    assert create_pipe["DesiredState"] == "STOPPED"
    assert (pipe()["DesiredState"], pipe()["CurrentState"]) == ("STOPPED", "STOPPED")
    assert read()["DesiredState"] == "STOPPED"

    running = pipeline_properties()  # DesiredState left out: RUNNING, the default
    assert updated(running, previous=stopped)["DesiredState"] == "RUNNING"
    assert aws_calls.sent("pipes.UpdatePipe")[-1]["DesiredState"] == "RUNNING"
    assert (pipe()["DesiredState"], pipe()["CurrentState"]) == ("RUNNING", "RUNNING")

    assert updated(stopped, previous=running)["DesiredState"] == "STOPPED"
    assert aws_calls.sent("pipes.UpdatePipe")[-1]["DesiredState"] == "STOPPED"
    assert (pipe()["DesiredState"], pipe()["CurrentState"]) == ("STOPPED", "STOPPED")
    assert read()["DesiredState"] == "STOPPED"
    # The function is untouched by a change of state alone.
    assert aws_calls.counts()["lambda.UpdateFunctionConfiguration"] == 0
    assert aws_calls.counts()["lambda.UpdateFunctionCode"] == 0


def test_a_stopped_trigger_updated_without_a_change_stays_stopped_without_update_pipe(table, aws_calls: Recorder):
    stopped = pipeline_properties(DesiredState="STOPPED")
    created(stopped)
    updated(stopped, previous=stopped)
    assert aws_calls.counts()["pipes.UpdatePipe"] == 0
    assert pipe()["CurrentState"] == "STOPPED"


def test_a_stopped_pipe_wanted_stopped_is_no_failure_but_one_aws_stopped_is(table, aws_calls: Recorder):
    """A pipe AWS stopped is STOPPED with DesiredState RUNNING; one the user stopped wants STOPPED."""
    stopped = pipeline_properties(DesiredState="STOPPED")
    aws_calls.rewrite("pipes.DescribePipe", lambda parsed: parsed.update(StateReason="User initiated"), times=99)
    created(stopped)
    assert pipe()["CurrentState"] == "STOPPED"


def test_fire_delivers_nothing_for_a_stopped_trigger_and_says_so(table, tmp_path: Path):
    created(pipeline_properties(DesiredState="STOPPED"))
    client("dynamodb").put_item(TableName=TABLE, Item={"id": {"S": "1"}, "status": {"S": "PENDING"}})
    report = pipe_runner.fire(NAME, cache_folder=tmp_path)
    assert report.problem == "the pipe is STOPPED, not RUNNING: it delivers nothing"
    assert (report.batches, report.records_read, report.ok) == ([], 0, False)


# --- ParallelizationFactor ------------------------------------------------------------------------


def test_parallelization_factor_is_made_read_changed_and_set_back(table, aws_calls: Recorder):
    four = pipeline_properties(ParallelizationFactor=4)
    assert created(four)["ParallelizationFactor"] == 4
    assert (
        aws_calls.sent("pipes.CreatePipe")[0]["SourceParameters"]["DynamoDBStreamParameters"]["ParallelizationFactor"]
        == 4
    )
    assert pipe()["SourceParameters"]["DynamoDBStreamParameters"]["ParallelizationFactor"] == 4
    ten = pipeline_properties(ParallelizationFactor=10)
    assert updated(ten, previous=four)["ParallelizationFactor"] == 10
    assert read()["ParallelizationFactor"] == 10
    # Removed: AWS's default, 1, said explicitly (UpdatePipe keeps what it is not told).
    assert updated(pipeline_properties(), previous=ten)["ParallelizationFactor"] == 1
    assert (
        aws_calls.sent("pipes.UpdatePipe")[-1]["SourceParameters"]["DynamoDBStreamParameters"]["ParallelizationFactor"]
        == 1
    )


def test_fire_says_how_it_maps_the_parallelization_factor_and_keeps_each_items_order(table, tmp_path: Path):
    written = {"eventName": ["INSERT", "MODIFY"]}
    created(pipeline_properties(ParallelizationFactor=3, BatchSize=2, FilterPattern=written))
    dynamodb = client("dynamodb")
    for version in range(3):  # two items, each written three times, interleaved
        for key in ("a", "b"):
            item = {"id": {"S": key}, "status": {"S": "PENDING"}, "version": {"S": str(version)}}
            dynamodb.put_item(TableName=TABLE, Item=item)
    report = pipe_runner.fire(NAME, cache_folder=tmp_path)
    assert report.notes == [
        "ParallelizationFactor 3: the pipe would process up to 3 batches of a shard at once, keeping the "
        "records of each item (each key) in order; the runner delivers a shard's batches one after another, "
        "in stream order, which keeps that order too"
    ]
    delivered = [
        (image["id"]["S"], image["version"]["S"])
        for batch in report.batches
        for element in batch.event
        for image in [record["dynamodb"]["NewImage"] for record in element["Records"]]
    ]
    assert delivered == [("a", "0"), ("b", "0"), ("a", "1"), ("b", "1"), ("a", "2"), ("b", "2")]
    assert [batch.kept for batch in report.batches] == [2, 2, 2]


# --- FilterPatterns -------------------------------------------------------------------------------


def test_several_filters_are_made_read_as_filter_patterns_and_changed_to_one(table, aws_calls: Recorder):
    several = several_filters(INSERTS, REMOVALS)
    model = created(several)
    assert model["FilterPatterns"] == [{"Pattern": INSERTS}, {"Pattern": REMOVALS}]
    assert "FilterPattern" not in model
    assert patterns_of_pipe() == [INSERTS, REMOVALS]
    assert read()["FilterPatterns"] == [{"Pattern": INSERTS}, {"Pattern": REMOVALS}]

    three = several_filters(INSERTS, REMOVALS, PENDING)
    assert updated(three, previous=several)["FilterPatterns"] == three["FilterPatterns"]
    assert patterns_of_pipe() == [INSERTS, REMOVALS, PENDING]

    one = pipeline_properties(FilterPattern=PENDING)
    model = updated(one, previous=three)
    assert model["FilterPattern"] == PENDING and "FilterPatterns" not in model
    assert patterns_of_pipe() == [PENDING]


def test_fire_delivers_a_record_that_any_of_the_filters_passes(table, tmp_path: Path):
    modified = {"eventName": ["MODIFY"]}
    created(several_filters(INSERTS, modified))
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "1"}, "status": {"S": "NEW"}})
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "1"}, "status": {"S": "DONE"}})
    dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": "1"}})
    report = pipe_runner.fire(NAME, cache_folder=tmp_path)
    statuses = [
        record["dynamodb"]["NewImage"]["status"]["S"]
        for batch in report.batches
        if batch.event
        for element in batch.event
        for record in element["Records"]
    ]
    assert statuses == ["NEW", "DONE"]  # the INSERT and the MODIFY; the REMOVE passes neither
    assert report.records_read == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "FilterPatterns": [
                    {"Pattern": INSERTS},
                    {"Pattern": {"dynamodb": {"Keys": {"id": {"S": [{"wildcard": "*"}]}}}}},
                ]
            },
            "FilterPatterns[1].Pattern.dynamodb.Keys.id.S[0]: EventBridge Pipes does not support wildcard",
        ),
        ({"FilterPatterns": [{"Pattern": INSERTS}]}, "FilterPatterns must be a list of 2 to 5 patterns"),
        (
            {"FilterPattern": PENDING, "FilterPatterns": [{"Pattern": INSERTS}, {"Pattern": REMOVALS}]},
            "FilterPattern and FilterPatterns exclude each other",
        ),
    ],
    ids=["unsupported-operator", "one-pattern", "both"],
)
def test_bad_filter_patterns_are_refused_before_anything_is_made(table, aws_calls: Recorder, changes, message):
    properties = pipeline_properties(**changes)
    if "FilterPattern" not in changes:
        del properties["FilterPattern"]
    final, events = drive("CREATE", properties)
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert message in final["message"]
    assert len(events) == 1
    assert left_behind() == NOTHING_LEFT
    assert not [call for call in aws_calls.calls if ".Create" in call or ".Put" in call]


# --- The function's options -------------------------------------------------------------------------


def test_every_function_option_is_made_read_and_set_back_to_lambdas_default(table, aws_calls: Recorder):
    with_options = pipeline_properties(**FUNCTION_OPTIONS)
    model = created(with_options)
    for prop, value in FUNCTION_OPTIONS.items():
        assert model[prop] == value, prop
    [create_function] = aws_calls.sent("lambda.CreateFunction")
    assert {prop: create_function[prop] for prop in FUNCTION_OPTIONS} == FUNCTION_OPTIONS
    live = function()
    assert (live["Architectures"], live["EphemeralStorage"], live["TracingConfig"]) == (
        ["arm64"],
        {"Size": 2048},
        {"Mode": "Active"},
    )
    assert live["LoggingConfig"]["LogFormat"] == "JSON" and live["LoggingConfig"]["ApplicationLogLevel"] == "DEBUG"
    assert pipe()["Description"] == FUNCTION_OPTIONS["Description"]
    # Active tracing: the role may write traces, on "*" as X-Ray requires, and only then.
    assert trace_statement() == [
        {
            "Sid": "WriteTraces",
            "Effect": "Allow",
            "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
            "Resource": ["*"],
        }
    ]
    assert {prop: read()[prop] for prop in FUNCTION_OPTIONS} == FUNCTION_OPTIONS

    bare = pipeline_properties()
    model = updated(bare, previous=with_options)
    assert (model["Architectures"], model["EphemeralStorage"], model["TracingConfig"], model["LoggingConfig"]) == (
        ["x86_64"],
        {"Size": 512},
        {"Mode": "PassThrough"},
        {"LogFormat": "Text"},
    )
    assert "Description" not in model and not pipe().get("Description")
    [configuration] = aws_calls.sent("lambda.UpdateFunctionConfiguration")
    assert {
        key: configuration[key] for key in ("Description", "EphemeralStorage", "TracingConfig", "LoggingConfig")
    } == {
        "Description": "",
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
        "LoggingConfig": {"LogFormat": "Text"},
    }
    # The architecture changes with the code alone: UpdateFunctionCode carries it.
    [code] = aws_calls.sent("lambda.UpdateFunctionCode")
    assert code["Architectures"] == ["x86_64"]
    assert trace_statement() == []


def test_an_update_that_changes_no_option_calls_no_lambda_update(table, aws_calls: Recorder):
    with_options = pipeline_properties(**FUNCTION_OPTIONS)
    created(with_options)
    updated(with_options, previous=with_options)
    counts = aws_calls.counts()
    assert (counts["lambda.UpdateFunctionConfiguration"], counts["lambda.UpdateFunctionCode"]) == (0, 0)
    assert counts["pipes.UpdatePipe"] == 0


def test_changing_only_the_architecture_updates_the_code_not_the_configuration(table, aws_calls: Recorder):
    x86 = pipeline_properties()
    created(x86)
    arm = pipeline_properties(Architectures=["arm64"])
    assert updated(arm, previous=x86)["Architectures"] == ["arm64"]
    assert [request["Architectures"] for request in aws_calls.sent("lambda.UpdateFunctionCode")] == [["arm64"]]
    assert aws_calls.counts()["lambda.UpdateFunctionConfiguration"] == 0
    assert function()["Architectures"] == ["arm64"]


def test_create_with_active_tracing_waits_while_the_trace_grant_reaches_lambda(table, aws_calls: Recorder):
    aws_calls.fail("lambda.CreateFunction", "InvalidParameterValueException", XRAY_REFUSED, times=2)
    final, events = drive("CREATE", pipeline_properties(TracingConfig={"Mode": "Active"}))
    assert final["status"] == "SUCCESS", final
    waiting = [event for event in events if event["status"] == "IN_PROGRESS"]
    assert [event["message"] for event in waiting[:2]] == [
        f"Waiting for the function role to reach Lambda: {XRAY_REFUSED}"
    ] * 2
    assert all(event["callbackDelaySeconds"] == 10 for event in waiting[:2])
    assert aws_calls.counts()["lambda.CreateFunction"] == 3
    assert function()["TracingConfig"] == {"Mode": "Active"}


def test_update_to_active_tracing_waits_while_the_trace_grant_reaches_lambda(table, aws_calls: Recorder):
    passthrough = pipeline_properties()
    created(passthrough)
    aws_calls.fail("lambda.UpdateFunctionConfiguration", "InvalidParameterValueException", XRAY_REFUSED)
    active = pipeline_properties(TracingConfig={"Mode": "Active"})
    final, events = drive("UPDATE", active, previous=passthrough)
    assert final["status"] == "SUCCESS", final
    assert events[0]["status"] == "IN_PROGRESS"
    assert events[0]["message"] == f"Waiting for the function role to reach Lambda: {XRAY_REFUSED}"
    # The grant was written before the configuration was asked for.
    assert aws_calls.calls.index("iam.PutRolePolicy") < aws_calls.calls.index("lambda.UpdateFunctionConfiguration")
    assert aws_calls.counts()["lambda.UpdateFunctionConfiguration"] == 2
    assert function()["TracingConfig"] == {"Mode": "Active"}
    assert len(trace_statement()) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Architectures": ["x86_64", "arm64"]}, "Architectures must be [x86_64] or [arm64]"),
        ({"EphemeralStorage": {"Size": 20480}}, "EphemeralStorage.Size must be a whole number of MB from 512 to 10240"),
        (
            {"LoggingConfig": {"ApplicationLogLevel": "DEBUG"}},
            "LoggingConfig.ApplicationLogLevel needs LoggingConfig.LogFormat JSON",
        ),
        ({"Description": "d" * 257}, "Description must be text of at most 256 characters"),
        ({"DesiredState": "PAUSED"}, "DesiredState must be RUNNING or STOPPED"),
        ({"ParallelizationFactor": 11}, "ParallelizationFactor must be a whole number from 1 to 10"),
    ],
    ids=["architectures", "ephemeral-storage", "log-level-in-text", "description", "desired-state", "parallelization"],
)
def test_bad_options_are_refused_before_anything_is_made(table, aws_calls: Recorder, changes, message):
    final, events = drive("CREATE", pipeline_properties(**changes))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert message in final["message"]
    assert len(events) == 1
    assert left_behind() == NOTHING_LEFT
    assert not [call for call in aws_calls.calls if ".Create" in call or ".Put" in call]


# --- ReservedConcurrentExecutions -----------------------------------------------------------------

# Lambda's words for a reservation the account cannot spare (aws-samples/siem-on-amazon-opensearch-service#175,
# milliHQ/terraform-aws-next-js#251): the minimum is the account's, 10 to 100.
UNRESERVED_MINIMUM = (
    "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
    "below its minimum value of [100]."
)


def reserved() -> Any:
    return client("lambda").get_function(FunctionName=NAME).get("Concurrency")


def test_reserved_concurrency_is_put_read_changed_to_zero_and_deleted(table, aws_calls: Recorder):
    five = pipeline_properties(ReservedConcurrentExecutions=5)
    assert created(five)["ReservedConcurrentExecutions"] == 5
    assert aws_calls.sent("lambda.PutFunctionConcurrency") == [
        {"FunctionName": NAME, "ReservedConcurrentExecutions": 5}
    ]
    assert reserved() == {"ReservedConcurrentExecutions": 5}
    assert read()["ReservedConcurrentExecutions"] == 5

    zero = pipeline_properties(ReservedConcurrentExecutions=0)  # 0 is a setting: the function may not run
    assert updated(zero, previous=five)["ReservedConcurrentExecutions"] == 0
    assert aws_calls.sent("lambda.PutFunctionConcurrency")[-1] == {
        "FunctionName": NAME,
        "ReservedConcurrentExecutions": 0,
    }
    assert read()["ReservedConcurrentExecutions"] == 0

    model = updated(pipeline_properties(), previous=zero)
    assert "ReservedConcurrentExecutions" not in model
    assert aws_calls.sent("lambda.DeleteFunctionConcurrency") == [{"FunctionName": NAME}]
    assert reserved() is None


def test_an_unchanged_or_absent_reservation_makes_no_concurrency_call(table, aws_calls: Recorder):
    created(pipeline_properties())
    five = pipeline_properties(ReservedConcurrentExecutions=5)
    updated(pipeline_properties(MemorySize=256), previous=pipeline_properties())
    updated(five, previous=pipeline_properties(MemorySize=256))
    aws_calls.calls.clear()
    updated(five, previous=five)
    counts = aws_calls.counts()
    assert (counts["lambda.PutFunctionConcurrency"], counts["lambda.DeleteFunctionConcurrency"]) == (0, 0)


def test_a_reservation_the_account_cannot_spare_fails_create_with_lambdas_words_and_rolls_back(
    table, aws_calls: Recorder
):
    aws_calls.fail("lambda.PutFunctionConcurrency", "InvalidParameterValueException", UNRESERVED_MINIMUM)
    final, _ = drive("CREATE", pipeline_properties(ReservedConcurrentExecutions=900))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith("Create failed at step concurrency: PutFunctionConcurrency")
    assert UNRESERVED_MINIMUM.rstrip(".") in final["message"]
    assert left_behind() == NOTHING_LEFT


def test_a_reservation_refused_while_lambda_is_busy_is_put_on_a_later_invocation(table, aws_calls: Recorder):
    created(pipeline_properties())
    aws_calls.fail(
        "lambda.PutFunctionConcurrency",
        "ResourceConflictException",
        "The operation cannot be performed at this time. An update is in progress for resource: " + NAME,
    )
    final, events = drive("UPDATE", pipeline_properties(ReservedConcurrentExecutions=3), previous=pipeline_properties())
    assert final["status"] == "SUCCESS", final
    assert events[0]["status"] == "IN_PROGRESS"
    assert events[0]["message"].startswith("Waiting for the function's earlier update to finish")
    assert aws_calls.counts()["lambda.PutFunctionConcurrency"] == 2
    assert reserved() == {"ReservedConcurrentExecutions": 3}


@pytest.mark.parametrize("value", [-1, True], ids=["negative", "boolean"])
def test_a_bad_reservation_is_refused_before_anything_is_made(table, aws_calls: Recorder, value):
    final = invoke("CREATE", pipeline_properties(ReservedConcurrentExecutions=value))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert "ReservedConcurrentExecutions" in final["message"]
    assert left_behind() == NOTHING_LEFT


# --- An SNS topic as the dead-letter target ---------------------------------------------------------


def pipe_role_statements() -> dict[str, dict[str, Any]]:
    return role_statements(role_name(NAME, REGION, "pipe"))


def dead_letter_topic(name: str = "trigger-dead-letters", **attributes: str) -> str:
    return client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]


def test_a_topic_as_dead_letter_target_may_be_published_to_and_nothing_else(table, aws_calls: Recorder):
    topic = dead_letter_topic()
    model = created(pipeline_properties(DeadLetterQueueArn=topic))
    assert model["DeadLetterQueueArn"] == topic
    stream = pipe()["SourceParameters"]["DynamoDBStreamParameters"]
    assert stream["DeadLetterConfig"] == {"Arn": topic}
    # The dead-letter defaults hold for a topic as for a queue: 3 retries, an hour.
    assert (stream["MaximumRetryAttempts"], stream["MaximumRecordAgeInSeconds"]) == (3, 3600)
    statements = pipe_role_statements()
    assert statements["SendToDeadLetterQueue"] == {
        "Sid": "SendToDeadLetterQueue",
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Resource": [topic],
    }
    assert "EncryptForDeadLetterQueue" not in statements
    assert aws_calls.sent("sns.GetTopicAttributes") == [{"TopicArn": topic}]
    assert aws_calls.counts()["sqs.GetQueueUrl"] == 0


@pytest.mark.parametrize("named_by", ["alias", "key-arn"])
def test_a_topic_encrypted_with_a_kms_key_lets_the_pipe_role_use_exactly_that_key_through_sns(
    table, aws_calls: Recorder, named_by
):
    kms = client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/dead-letter-topic", TargetKeyId=key["KeyId"])
    topic = dead_letter_topic(KmsMasterKeyId="alias/dead-letter-topic" if named_by == "alias" else key["Arn"])
    created(pipeline_properties(DeadLetterQueueArn=topic))
    assert pipe_role_statements()["EncryptForDeadLetterQueue"] == {
        "Sid": "EncryptForDeadLetterQueue",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": [key["Arn"]],
        "Condition": {"StringEquals": {"kms:ViaService": f"sns.{REGION}.amazonaws.com"}},
    }
    assert aws_calls.counts()["kms.DescribeKey"] == (1 if named_by == "alias" else 0)


def test_a_dead_letter_topic_that_is_not_there_is_refused_before_anything_is_made(table, aws_calls: Recorder):
    missing = f"arn:aws:sns:{REGION}:123456789012:no-such-topic"
    final, events = drive("CREATE", pipeline_properties(DeadLetterQueueArn=missing))
    assert len(events) == 1
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith(
        f"DeadLetterQueueArn {missing}: its encryption could not be read (GetTopicAttributes: NotFound: "
    )
    assert "the topic must be in this account and region" in final["message"]
    assert left_behind() == NOTHING_LEFT


def test_a_dead_letter_topic_the_type_may_not_read_is_refused(table, aws_calls: Recorder):
    topic = dead_letter_topic()
    aws_calls.fail("sns.GetTopicAttributes", "AuthorizationError", "User is not authorized", status=403)
    final = invoke("CREATE", pipeline_properties(DeadLetterQueueArn=topic))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert "(GetTopicAttributes: AuthorizationError: User is not authorized)" in final["message"]
    assert left_behind() == NOTHING_LEFT


def test_an_update_moves_the_dead_letters_from_a_queue_to_a_topic(table, queue_arn, aws_calls: Recorder):
    with_queue = pipeline_properties(DeadLetterQueueArn=queue_arn)
    created(with_queue)
    topic = dead_letter_topic()
    with_topic = pipeline_properties(DeadLetterQueueArn=topic)
    assert updated(with_topic, previous=with_queue)["DeadLetterQueueArn"] == topic
    assert pipe_role_statements()["SendToDeadLetterQueue"]["Action"] == ["sns:Publish"]
    assert pipe_role_statements()["SendToDeadLetterQueue"]["Resource"] == [topic]
    # The role's grant is written before the pipe is told of the topic.
    puts = [i for i, call in enumerate(aws_calls.calls) if call == "iam.PutRolePolicy"]
    assert puts[-1] < aws_calls.calls.index("pipes.UpdatePipe")


def test_fire_publishes_the_dead_letter_message_to_the_topic(table, tmp_path: Path):
    topic = dead_letter_topic()
    sqs = client("sqs")
    inbox = sqs.create_queue(QueueName="dead-letter-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"}
    )
    failing = "def handler(event, context):\n    raise ValueError('poison')\n"
    created(pipeline_properties(DeadLetterQueueArn=topic, Code={"ZipFile": failing}, MaximumRetryAttempts=1))
    client("dynamodb").put_item(TableName=TABLE, Item={"id": {"S": "1"}, "status": {"S": "PENDING"}})

    [batch] = pipe_runner.fire(NAME, cache_folder=tmp_path).batches

    assert (batch.status, batch.attempts) == ("dead-lettered", 2)
    [message] = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(message["Body"])
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["DDBStreamBatchInfo"]["batchSize"] == 1


# --- FunctionLogRetentionInDays ---------------------------------------------------------------------

FUNCTION_LOG_GROUP = f"/aws/lambda/{NAME}"
FUNCTION_LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{FUNCTION_LOG_GROUP}"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"


def function_log_group() -> tuple[int | None, dict[str, str]] | None:
    """The function's log group as moto has it: its retention and its tags; None where there is none."""
    logs = client("logs")
    found = [g for g in logs.describe_log_groups()["logGroups"] if g["logGroupName"] == FUNCTION_LOG_GROUP]
    if not found:
        return None
    return found[0].get("retentionInDays"), logs.list_tags_for_resource(resourceArn=FUNCTION_LOG_GROUP_ARN)["tags"]


def test_function_log_retention_makes_the_group_first_reads_changes_keeps_and_delete_removes_it(
    table, aws_calls: Recorder
):
    # A group whose name begins with the function's (DescribeLogGroups takes a prefix) is another's.
    neighbour = f"{FUNCTION_LOG_GROUP}-archive"
    client("logs").create_log_group(logGroupName=neighbour)
    client("logs").put_retention_policy(logGroupName=neighbour, retentionInDays=3653)
    fortnight = pipeline_properties(FunctionLogRetentionInDays=14)
    assert created(fortnight)["FunctionLogRetentionInDays"] == 14
    assert function_log_group() == (14, {"mare:streamtrigger:function": FUNCTION_ARN})
    # Made before the function, so that Lambda never makes it without the retention.
    assert aws_calls.sent("logs.CreateLogGroup") == [
        {"logGroupName": FUNCTION_LOG_GROUP, "tags": {"mare:streamtrigger:function": FUNCTION_ARN}}
    ]
    assert aws_calls.calls.index("logs.CreateLogGroup") < aws_calls.calls.index("lambda.CreateFunction")
    assert read()["FunctionLogRetentionInDays"] == 14

    month = pipeline_properties(FunctionLogRetentionInDays=30)
    aws_calls.calls.clear()
    assert updated(month, previous=fortnight)["FunctionLogRetentionInDays"] == 30
    assert aws_calls.sent("logs.PutRetentionPolicy")[-1] == {"logGroupName": FUNCTION_LOG_GROUP, "retentionInDays": 30}
    assert aws_calls.counts()["logs.CreateLogGroup"] == 0

    # Removed: the group stays, its events kept forever, and is still the trigger's.
    model = updated(pipeline_properties(), previous=month)
    assert "FunctionLogRetentionInDays" not in model
    assert aws_calls.sent("logs.DeleteRetentionPolicy") == [{"logGroupName": FUNCTION_LOG_GROUP}]
    assert function_log_group() == (None, {"mare:streamtrigger:function": FUNCTION_ARN})

    assert drive("DELETE", {"Name": NAME})[0]["status"] == "SUCCESS"
    assert function_log_group() is None
    assert left_behind() == {**NOTHING_LEFT, "log groups": [neighbour]}
    assert client("logs").describe_log_groups(logGroupNamePrefix=neighbour)["logGroups"][0]["retentionInDays"] == 3653


def test_without_function_log_retention_the_type_neither_makes_nor_looks_past_the_group(table, aws_calls: Recorder):
    created(pipeline_properties())
    updated(pipeline_properties(MemorySize=256), previous=pipeline_properties())
    assert function_log_group() is None
    counts = aws_calls.counts()
    assert counts["logs.CreateLogGroup"] + counts["logs.PutRetentionPolicy"] + counts["logs.TagResource"] == 0
    # Lambda makes the group when the function first logs: Delete leaves it to its maker, as Lambda does.
    client("logs").create_log_group(logGroupName=FUNCTION_LOG_GROUP)
    client("logs").put_retention_policy(logGroupName=FUNCTION_LOG_GROUP, retentionInDays=5)
    assert "FunctionLogRetentionInDays" not in read()  # a retention not set by the trigger is not shown
    assert drive("DELETE", {"Name": NAME})[0]["status"] == "SUCCESS"
    assert function_log_group() == (5, {})


def test_a_group_lambda_made_for_the_trigger_is_taken_as_its_own_when_a_retention_is_asked(table, aws_calls: Recorder):
    bare = pipeline_properties()
    created(bare)
    # The function logged: Lambda made its group, untagged, after the trigger's pipe was made.
    client("logs").create_log_group(logGroupName=FUNCTION_LOG_GROUP)
    week = pipeline_properties(FunctionLogRetentionInDays=7)
    assert updated(week, previous=bare)["FunctionLogRetentionInDays"] == 7
    assert aws_calls.sent("logs.TagResource") == [
        {"resourceArn": FUNCTION_LOG_GROUP_ARN, "tags": {"mare:streamtrigger:function": FUNCTION_ARN}}
    ]
    assert function_log_group() == (7, {"mare:streamtrigger:function": FUNCTION_ARN})
    assert read()["FunctionLogRetentionInDays"] == 7
    assert drive("DELETE", {"Name": NAME})[0]["status"] == "SUCCESS"
    assert function_log_group() is None


def test_a_create_that_fails_after_the_function_log_group_removes_it(table, aws_calls: Recorder):
    aws_calls.fail("lambda.CreateFunction", "InvalidParameterValueException", "The runtime is not supported")
    final, _ = drive("CREATE", pipeline_properties(FunctionLogRetentionInDays=14))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert f"Rolled back: {FUNCTION_LOG_GROUP_ARN}, " in final["message"]
    assert left_behind() == NOTHING_LEFT


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2, "FunctionLogRetentionInDays must be one of 1, 3, 5, 7, 14, 30"),
        (True, "FunctionLogRetentionInDays must be an integer, not a boolean"),
    ],
    ids=["not-a-retention", "boolean"],
)
def test_a_bad_function_log_retention_is_refused_before_anything_is_made(table, aws_calls: Recorder, value, message):
    final = invoke("CREATE", pipeline_properties(FunctionLogRetentionInDays=value))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith(message)
    assert left_behind() == NOTHING_LEFT
    assert aws_calls.calls == []


# --- Layers -------------------------------------------------------------------------------------------


def test_layers_are_added_read_changed_and_removed(table, aws_calls: Recorder):
    first, second = published_layer("powertools"), published_layer("pandas")
    allowed = {"LayerArns": [layer_of_version(first), layer_of_version(second)]}
    one = pipeline_properties(Layers=[first])
    final, _ = drive("CREATE", one, type_configuration=allowed)
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["Layers"] == [first]
    [create_function] = aws_calls.sent("lambda.CreateFunction")
    assert create_function["Layers"] == [first]
    assert [layer["Arn"] for layer in function()["Layers"]] == [first]

    both = pipeline_properties(Layers=[second, first])  # in order: a later layer overrides an earlier one
    final, _ = drive("UPDATE", both, previous=one, type_configuration=allowed)
    assert final["resourceModel"]["Layers"] == [second, first]
    assert aws_calls.sent("lambda.UpdateFunctionConfiguration")[-1]["Layers"] == [second, first]

    final, _ = drive("UPDATE", pipeline_properties(), previous=both, type_configuration=allowed)
    assert "Layers" not in final["resourceModel"]
    assert aws_calls.sent("lambda.UpdateFunctionConfiguration")[-1]["Layers"] == []
    assert not function().get("Layers")


def test_without_layers_create_sends_none_and_an_update_sends_none_changed(table, aws_calls: Recorder):
    created(pipeline_properties())
    [create_function] = aws_calls.sent("lambda.CreateFunction")
    assert "Layers" not in create_function and "VpcConfig" not in create_function
    updated(pipeline_properties(), previous=pipeline_properties())
    assert aws_calls.counts()["lambda.UpdateFunctionConfiguration"] == 0


@pytest.mark.parametrize(
    ("configuration", "layer", "message"),
    [
        (None, "mine", "is not a version of a layer the type configuration's LayerArns lists (allowed: none"),
        ({"LayerArns": ["arn:aws:lambda:eu-west-1:123456789012:layer:other"]}, "mine", "LayerArns lists"),
        (
            {"LayerArns": ["arn:aws:lambda:us-east-1:123456789012:layer:mine"]},
            "arn:aws:lambda:us-east-1:123456789012:layer:mine:1",
            "is not in eu-west-1: a function takes only layers of its region",
        ),
        (None, "arn:aws:lambda:eu-west-1:123456789012:layer:mine", "Layers[0] must be a layer version's ARN"),
        (None, ["a"] * 6, "Layers must be a list of at most 5"),
    ],
    ids=["no-allow-list", "not-listed", "another-region", "no-version", "six"],
)
def test_a_layer_not_allowed_is_refused_before_anything_is_made(
    table, aws_calls: Recorder, configuration, layer, message
):
    if layer == "mine":
        layer = published_layer("mine")
    layers = layer if isinstance(layer, list) else [layer]
    final = invoke("CREATE", pipeline_properties(Layers=layers), type_configuration=configuration)
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert message in final["message"]
    assert left_behind() == NOTHING_LEFT
    assert aws_calls.calls == []


# --- VpcConfig ----------------------------------------------------------------------------------------


def vpc_statements() -> dict[str, dict[str, Any]]:
    sids = ("CreateNetworkInterfaces", "ManageNetworkInterfaces", "DescribeNetwork")
    return {sid: statement for sid, statement in role_statements(FN_ROLE).items() if sid in sids}


def test_a_vpc_function_may_make_interfaces_in_exactly_its_subnets_and_groups(table, aws_calls: Recorder):
    vpc, subnets, group = network("10.20.0.0/16", subnets=2)
    allowed = {"VpcIds": [vpc]}
    placed = pipeline_properties(VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [group]})
    final, _ = drive("CREATE", placed, type_configuration=allowed)
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["VpcConfig"] == {"SubnetIds": subnets, "SecurityGroupIds": [group]}
    [create_function] = aws_calls.sent("lambda.CreateFunction")
    assert create_function["VpcConfig"] == {"SubnetIds": subnets, "SecurityGroupIds": [group]}
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    subnet_arns = [f"{ec2}:subnet/{subnet}" for subnet in sorted(subnets)]
    assert vpc_statements() == {
        "CreateNetworkInterfaces": {
            "Sid": "CreateNetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [f"{ec2}:network-interface/*", *subnet_arns, f"{ec2}:security-group/{group}"],
        },
        "ManageNetworkInterfaces": {
            "Sid": "ManageNetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"],
            "Resource": [f"{ec2}:network-interface/*"],
            "Condition": {"ArnEquals": {"ec2:Subnet": subnet_arns}},
        },
        "DescribeNetwork": {
            "Sid": "DescribeNetwork",
            "Effect": "Allow",
            "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            "Resource": ["*"],
        },
    }
    # Taken out of the VPC by update: Lambda is sent empty lists, and the role loses the grant.
    final, _ = drive("UPDATE", pipeline_properties(), previous=placed, type_configuration=allowed)
    assert "VpcConfig" not in final["resourceModel"]
    assert aws_calls.sent("lambda.UpdateFunctionConfiguration")[-1]["VpcConfig"] == {
        "SubnetIds": [],
        "SecurityGroupIds": [],
    }
    assert vpc_statements() == {}


def test_a_vpc_function_that_lambda_refuses_for_the_new_grant_is_made_on_a_later_invocation(table, aws_calls: Recorder):
    vpc, subnets, group = network("10.20.0.0/16", subnets=2)
    # Lambda's words while the new network grant has not reached it (cloudposse/terraform-aws-lambda-function#10).
    aws_calls.fail(
        "lambda.CreateFunction",
        "InvalidParameterValueException",
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
    )
    placed = pipeline_properties(VpcConfig={"SubnetIds": subnets[:1], "SecurityGroupIds": [group]})
    final, events = drive("CREATE", placed, type_configuration={"VpcIds": [vpc]})
    assert final["status"] == "SUCCESS", final
    assert any("CreateNetworkInterface" in (event.get("message") or "") for event in events[:-1])
    assert aws_calls.counts()["lambda.CreateFunction"] == 2


@pytest.mark.parametrize("case", ["no-allow-list", "other-vpc", "mixed-vpcs", "unknown-subnet"])
def test_a_network_not_allowed_is_refused_before_anything_is_made(table, aws_calls: Recorder, case):
    vpc, subnets, group = network("10.20.0.0/16", subnets=2)
    other_vpc, other_subnets, other_group = network("10.30.0.0/16", subnets=2)
    config, allowed, message = {
        "no-allow-list": (
            {"SubnetIds": subnets, "SecurityGroupIds": [group]},
            None,
            f"VpcConfig is in {vpc}, which is not one of the type configuration's VpcIds (allowed: none",
        ),
        "other-vpc": (
            {"SubnetIds": other_subnets, "SecurityGroupIds": [other_group]},
            {"VpcIds": [vpc]},
            f"VpcConfig is in {other_vpc}, which is not one of the type configuration's VpcIds (allowed: {vpc})",
        ),
        "mixed-vpcs": (
            {"SubnetIds": subnets, "SecurityGroupIds": [other_group]},
            {"VpcIds": [vpc, other_vpc]},
            "VpcConfig's subnets and security groups must all be of one VPC",
        ),
        "unknown-subnet": (
            {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": [group]},
            {"VpcIds": [vpc]},
            "VpcConfig names a subnet or security group this account does not have here",
        ),
    }[case]
    aws_calls.calls.clear()
    final = invoke("CREATE", pipeline_properties(VpcConfig=config), type_configuration=allowed)
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith(message), final["message"]
    assert left_behind() == NOTHING_LEFT
    assert not [call for call in aws_calls.calls if not call.startswith(("ec2.Describe", "ssm.", "dynamodb.Describe"))]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"SubnetIds": [], "SecurityGroupIds": ["sg-0123456789abcdef0"]},
            "VpcConfig.SubnetIds must be a list of 1 to 16",
        ),
        ({"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["default"]}, "VpcConfig.SecurityGroupIds[0]"),
        (
            {"SubnetIds": ["subnet-0123456789abcdef0"] * 2, "SecurityGroupIds": ["sg-0123456789abcdef0"]},
            "VpcConfig.SubnetIds names an ID twice",
        ),
    ],
    ids=["no-subnet", "group-name", "twice"],
)
def test_a_malformed_vpc_config_is_refused_before_any_call(table, aws_calls: Recorder, config, message):
    final = invoke("CREATE", pipeline_properties(VpcConfig=config), type_configuration={"VpcIds": ["vpc-01234567"]})
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith(message), final["message"]
    assert aws_calls.calls == []


# --- AlarmTopicArn ------------------------------------------------------------------------------------

ALARMS = {kind: f"mare-streamtrigger-{NAME}-{kind}" for kind in ALARM_KINDS}
PIPE_ARN = f"arn:aws:pipes:{REGION}:{ACCOUNT}:pipe/{NAME}"


def topic(name: str) -> str:
    return client("sns").create_topic(Name=name)["TopicArn"]


def dead_letter_queue(name: str = "trigger-dlq") -> str:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def alarms() -> dict[str, dict[str, Any]]:
    """The account's alarms, by name, with what the trigger sets of each and their tags."""
    cloudwatch = client("cloudwatch")
    found = {}
    for alarm in cloudwatch.describe_alarms()["MetricAlarms"]:
        tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
        found[alarm["AlarmName"]] = {
            "metric": (alarm["Namespace"], alarm["MetricName"], alarm["Dimensions"], alarm["Statistic"]),
            "when": (alarm["Threshold"], alarm["ComparisonOperator"], alarm["Period"], alarm["EvaluationPeriods"]),
            "missing": alarm.get("TreatMissingData"),
            "notifies": (alarm["AlarmActions"], alarm["OKActions"]),
            "tags": {tag["Key"]: tag["Value"] for tag in tags},
        }
    return found


def test_alarms_are_made_tagged_read_changed_and_deleted(table, aws_calls: Recorder):
    team, ops = topic("team-alerts"), topic("ops-alerts")
    queue = dead_letter_queue()
    watched = pipeline_properties(AlarmTopicArn=team, DeadLetterQueueArn=queue)
    final, _ = drive("CREATE", watched, stack_tags={"team": "payments"})
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["AlarmTopicArn"] == team

    made = alarms()
    every_five_minutes = (1.0, "GreaterThanOrEqualToThreshold", 300, 1)
    assert {name: (alarm["metric"], alarm["when"], alarm["missing"]) for name, alarm in made.items()} == {
        ALARMS["pipe-failures"]: (
            ("AWS/EventBridge/Pipes", "ExecutionFailed", [{"Name": "PipeName", "Value": NAME}], "Sum"),
            every_five_minutes,
            "notBreaching",
        ),
        ALARMS["function-errors"]: (
            ("AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": NAME}], "Sum"),
            every_five_minutes,
            "notBreaching",
        ),
        ALARMS["function-throttles"]: (
            ("AWS/Lambda", "Throttles", [{"Name": "FunctionName", "Value": NAME}], "Sum"),
            every_five_minutes,
            "notBreaching",
        ),
        ALARMS["dead-letters"]: (
            (
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                [{"Name": "QueueName", "Value": "trigger-dlq"}],
                "Maximum",
            ),
            every_five_minutes,
            "notBreaching",
        ),
    }
    assert {alarm["notifies"] == ([team], [team]) for alarm in made.values()} == {True}
    assert {json.dumps(alarm["tags"], sort_keys=True) for alarm in made.values()} == {
        json.dumps({"mare:streamtrigger:alarm": PIPE_ARN, "team": "payments"}, sort_keys=True)
    }
    assert aws_calls.calls.index("cloudwatch.PutMetricAlarm") > aws_calls.calls.index("pipes.CreatePipe")
    assert read()["AlarmTopicArn"] == team

    # Nothing changed: nothing is sent again.
    aws_calls.requests.clear()
    final, _ = drive("UPDATE", watched, previous=watched, stack_tags={"team": "payments"})
    assert final["status"] == "SUCCESS"
    assert aws_calls.sent("cloudwatch.PutMetricAlarm") == [] and aws_calls.sent("cloudwatch.TagResource") == []

    # Another topic, no dead-letter queue, other stack tags: three alarms changed and retagged, one deleted.
    moved = pipeline_properties(AlarmTopicArn=ops)
    final, _ = drive("UPDATE", moved, previous=watched, stack_tags={"team": "platform"})
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["AlarmTopicArn"] == ops
    after = alarms()
    assert sorted(after) == sorted(ALARMS[kind] for kind in ("pipe-failures", "function-errors", "function-throttles"))
    assert {alarm["notifies"] == ([ops], [ops]) for alarm in after.values()} == {True}
    assert {alarm["tags"]["team"] for alarm in after.values()} == {"platform"}
    assert aws_calls.sent("cloudwatch.DeleteAlarms") == [{"AlarmNames": [ALARMS["dead-letters"]]}]

    # Removed: every alarm goes; the trigger stays.
    plain = pipeline_properties()
    assert "AlarmTopicArn" not in updated(plain, previous=moved)
    assert alarms() == {}
    assert "AlarmTopicArn" not in read()

    assert updated(watched, previous=plain)["AlarmTopicArn"] == team
    assert len(alarms()) == 4
    assert drive("DELETE", {"Name": NAME})[0]["status"] == "SUCCESS"
    assert left_behind() == NOTHING_LEFT


def test_a_dead_letter_topic_has_no_dead_letter_alarm(table):
    created(pipeline_properties(AlarmTopicArn=topic("team-alerts"), DeadLetterQueueArn=topic("dead-letters")))
    assert sorted(alarms()) == sorted(
        ALARMS[kind] for kind in ("pipe-failures", "function-errors", "function-throttles")
    )


def test_a_create_that_fails_at_its_alarms_removes_them_and_everything_else(table, aws_calls: Recorder):
    aws_calls.fail("cloudwatch.PutMetricAlarm", "LimitExceeded", "The maximum number of alarms was reached", after=1)
    final, _ = drive("CREATE", pipeline_properties(AlarmTopicArn=topic("team-alerts")))
    assert (final["status"], final["errorCode"]) == ("FAILED", "ServiceLimitExceeded")
    assert final["message"].startswith("Create failed at step alarms: ")
    assert f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:mare-streamtrigger-{NAME}-*" in final["message"]
    assert aws_calls.sent("cloudwatch.DeleteAlarms") == [{"AlarmNames": [ALARMS["pipe-failures"]]}]
    assert left_behind() == NOTHING_LEFT


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            f"arn:aws:sns:us-east-1:{ACCOUNT}:team-alerts",
            f"AlarmTopicArn arn:aws:sns:us-east-1:{ACCOUNT}:team-alerts is not in {REGION}",
        ),
        (f"arn:aws:sns:{REGION}:{ACCOUNT}:team-alerts.fifo", "AlarmTopicArn arn:aws:sns:"),
        (f"arn:aws:sqs:{REGION}:{ACCOUNT}:team-alerts", "AlarmTopicArn must be the ARN of an SNS topic"),
    ],
    ids=["another-region", "fifo", "a-queue"],
)
def test_a_bad_alarm_topic_is_refused_before_anything_is_made(table, aws_calls: Recorder, value, message):
    final = invoke("CREATE", pipeline_properties(AlarmTopicArn=value))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith(message)
    assert left_behind() == NOTHING_LEFT
    assert aws_calls.calls == []
