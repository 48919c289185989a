"""What users of a hand-written AWS::Pipes::Pipe keep hitting, done right here (docs/compared-with-pipes.md).

Each test drives the real entrypoint against moto and checks both what the handler asked AWS for
(recorded through botocore's event hooks) and what the pipe holds afterwards. moto replaces
SourceParameters and TargetParameters wholesale on UpdatePipe, where AWS keeps every field the
request leaves out: so the requests themselves must carry every setting.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT, NOTHING_LEFT, REGION, TABLE, client, drive, invoke, left_behind, pipeline_properties
from mare_dynamodb_streamtrigger.core import waits
from mare_dynamodb_streamtrigger.core.names import LOG_GROUP_CREATOR_TAG, pipe_log_group_arn, role_name
from mare_dynamodb_streamtrigger.core.settings import DEFAULT_INPUT_TEMPLATE

NAME = "deployment-processor"
PIPE_ROLE = role_name(NAME, REGION, "pipe")
PIPE_ARN = f"arn:aws:pipes:{REGION}:{ACCOUNT}:pipe/{NAME}"
LOG_GROUP = f"/aws/vendedlogs/pipes/{NAME}"
LOG_GROUP_ARN = pipe_log_group_arn("aws", REGION, ACCOUNT, NAME)
TEMPLATE = '{"id": <$.dynamodb.Keys.id.S>, "image": <$.dynamodb.NewImage>}'
STREAM_REFUSED = (
    "Cannot access stream arn:aws:dynamodb:eu-west-1:123456789012:table/deployment-requests/stream/x. "
    "Please ensure the customer role can perform actions on source stream"
)


def live_pipe() -> dict[str, Any]:
    return client("pipes").describe_pipe(Name=NAME)


def live_stream_settings() -> dict[str, Any]:
    return live_pipe()["SourceParameters"]["DynamoDBStreamParameters"]


def pipe_role_policy() -> dict[str, Any]:
    document = client("iam").get_role_policy(RoleName=PIPE_ROLE, PolicyName="StreamTrigger")["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def statement(sid: str) -> dict[str, Any] | None:
    return next((s for s in pipe_role_policy()["Statement"] if s["Sid"] == sid), None)


def created(**properties: Any) -> dict[str, Any]:
    wanted = pipeline_properties(**properties)
    final, _ = drive("CREATE", wanted)
    assert final["status"] == "SUCCESS", final
    return wanted


def updated(previous: dict[str, Any], **properties: Any) -> dict[str, Any]:
    """Updates to these properties; one given as None is left out of the template."""
    desired = {key: value for key, value in pipeline_properties(**properties).items() if value is not None}
    final, _ = drive("UPDATE", desired, previous=previous)
    assert final["status"] == "SUCCESS", final
    return final


def read() -> dict[str, Any]:
    final, _ = drive("READ", {"Name": NAME})
    assert final["status"] == "SUCCESS", final
    return final["resourceModel"]


# 1. Drift is visible --------------------------------------------------------------------------


def test_read_returns_pipe_settings_changed_out_of_band(table):
    created(InputTemplate=TEMPLATE, BatchSize=20)
    client("pipes").update_pipe(
        Name=NAME,
        RoleArn=live_pipe()["RoleArn"],
        SourceParameters={
            "DynamoDBStreamParameters": {"BatchSize": 7, "MaximumRetryAttempts": 2},
            "FilterCriteria": {"Filters": [{"Pattern": '{"eventName":["REMOVE"]}'}]},
        },
        TargetParameters={"InputTemplate": '{"changed": <$.eventName>}'},
    )

    model = read()

    assert model["BatchSize"] == 7
    assert model["MaximumRetryAttempts"] == 2
    assert model["FilterPattern"] == {"eventName": ["REMOVE"]}
    assert model["InputTemplate"] == '{"changed": <$.eventName>}'


def test_the_schema_marks_no_pipe_setting_write_only():
    schema = json.loads((Path(__file__).parent.parent / "schema.json").read_text())
    assert schema["writeOnlyProperties"] == ["/properties/Code", "/properties/IsDevops"]


# 2. Updates that remove or zero a setting -----------------------------------------------------


def test_removing_the_filter_sends_an_empty_filter_list_and_clears_it(table, aws_calls):
    previous = created()
    assert live_pipe()["SourceParameters"]["FilterCriteria"]["Filters"]
    aws_calls.requests.clear()

    updated(previous, FilterPattern=None)

    [request] = aws_calls.sent("pipes.UpdatePipe")
    assert request["SourceParameters"]["FilterCriteria"] == {"Filters": []}
    assert (live_pipe()["SourceParameters"].get("FilterCriteria") or {}).get("Filters", []) == []
    assert "FilterPattern" not in read()


def test_removing_the_input_template_restores_the_default_template(table, aws_calls):
    previous = created(InputTemplate=TEMPLATE)
    aws_calls.requests.clear()

    updated(previous, InputTemplate=None)

    [request] = aws_calls.sent("pipes.UpdatePipe")
    assert request["TargetParameters"]["InputTemplate"] == DEFAULT_INPUT_TEMPLATE
    assert live_pipe()["TargetParameters"]["InputTemplate"] == DEFAULT_INPUT_TEMPLATE


def test_removing_the_dead_letter_queue_clears_it_and_its_permission(table, queue_arn, aws_calls):
    previous = created(DeadLetterQueueArn=queue_arn)
    assert statement("SendToDeadLetterQueue") is not None
    aws_calls.requests.clear()

    updated(previous)

    [request] = aws_calls.sent("pipes.UpdatePipe")
    stream = request["SourceParameters"]["DynamoDBStreamParameters"]
    assert stream["DeadLetterConfig"] == {}
    # Without the queue, AWS's own limits are back, said explicitly.
    assert (stream["MaximumRetryAttempts"], stream["MaximumRecordAgeInSeconds"]) == (-1, -1)
    assert not live_stream_settings().get("DeadLetterConfig")
    assert statement("SendToDeadLetterQueue") is None
    model = read()
    assert "DeadLetterQueueArn" not in model
    assert (model["MaximumRetryAttempts"], model["MaximumRecordAgeInSeconds"]) == (-1, -1)


def test_zero_retries_and_a_zero_batching_window_are_applied_not_taken_for_unset(table, aws_calls):
    previous = created(MaximumRetryAttempts=5, MaximumBatchingWindowInSeconds=10)
    aws_calls.requests.clear()

    updated(previous, MaximumRetryAttempts=0, MaximumBatchingWindowInSeconds=0)

    [request] = aws_calls.sent("pipes.UpdatePipe")
    stream = request["SourceParameters"]["DynamoDBStreamParameters"]
    assert (stream["MaximumRetryAttempts"], stream["MaximumBatchingWindowInSeconds"]) == (0, 0)
    live = live_stream_settings()
    assert (live["MaximumRetryAttempts"], live["MaximumBatchingWindowInSeconds"]) == (0, 0)
    model = read()
    assert (model["MaximumRetryAttempts"], model["MaximumBatchingWindowInSeconds"]) == (0, 0)


def test_changing_only_the_filter_keeps_the_template_and_every_stream_setting(table, aws_calls):
    previous = created(InputTemplate=TEMPLATE, BatchSize=25, MaximumRecordAgeInSeconds=600)
    aws_calls.requests.clear()

    updated(
        previous,
        InputTemplate=TEMPLATE,
        BatchSize=25,
        MaximumRecordAgeInSeconds=600,
        FilterPattern={"eventName": ["MODIFY"]},
    )

    [request] = aws_calls.sent("pipes.UpdatePipe")
    assert request["TargetParameters"]["InputTemplate"] == TEMPLATE
    # DynamoDBStreamParameters is replaced as a whole by AWS: every managed field is sent.
    assert request["SourceParameters"]["DynamoDBStreamParameters"] == {
        "BatchSize": 25,
        "MaximumBatchingWindowInSeconds": 0,
        "MaximumRetryAttempts": -1,
        "MaximumRecordAgeInSeconds": 600,
        "ParallelizationFactor": 1,
        "DeadLetterConfig": {},
    }
    assert request["SourceParameters"]["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName":["MODIFY"]}'}]}
    assert live_pipe()["TargetParameters"]["InputTemplate"] == TEMPLATE
    assert live_stream_settings()["BatchSize"] == 25


# 3. Permissions before use, and the wait for them ---------------------------------------------


def test_adding_a_dead_letter_queue_grants_send_before_update_pipe(table, queue_arn, aws_calls):
    previous = created()
    assert statement("SendToDeadLetterQueue") is None
    aws_calls.requests.clear()

    updated(previous, DeadLetterQueueArn=queue_arn)

    order = [
        (operation, params.get("RoleName"))
        for operation, params in aws_calls.requests
        if operation in ("iam.PutRolePolicy", "pipes.UpdatePipe")
    ]
    assert order.index(("iam.PutRolePolicy", PIPE_ROLE)) < order.index(("pipes.UpdatePipe", None))
    [grant] = [p for p in aws_calls.sent("iam.PutRolePolicy") if p["RoleName"] == PIPE_ROLE]
    sent = {s["Sid"]: s for s in json.loads(grant["PolicyDocument"])["Statement"]}
    assert sent["SendToDeadLetterQueue"]["Action"] == ["sqs:SendMessage"]
    assert sent["SendToDeadLetterQueue"]["Resource"] == [queue_arn]
    assert live_stream_settings()["DeadLetterConfig"] == {"Arn": queue_arn}


def test_update_pipe_refused_for_the_role_is_asked_again_until_pipes_accepts(table, queue_arn, aws_calls):
    previous = created()
    aws_calls.calls.clear()
    aws_calls.fail("pipes.UpdatePipe", "ValidationException", STREAM_REFUSED, times=2)

    final, events = drive("UPDATE", pipeline_properties(DeadLetterQueueArn=queue_arn), previous=previous)

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    for event in events[:2]:
        assert event["callbackDelaySeconds"] == 10
        assert event["message"] == f"Waiting for the pipe role to reach Pipes: {STREAM_REFUSED}"
    assert aws_calls.counts()["pipes.UpdatePipe"] == 3
    assert live_stream_settings()["DeadLetterConfig"] == {"Arn": queue_arn}


def test_a_pipe_that_failed_its_update_for_the_role_is_updated_again(table, queue_arn, aws_calls):
    previous = created()
    aws_calls.calls.clear()

    def updating(parsed: dict[str, Any]) -> None:
        parsed["CurrentState"] = "UPDATING"  # as AWS answers UpdatePipe

    def failed(parsed: dict[str, Any]) -> None:
        parsed["CurrentState"] = "UPDATE_FAILED"
        parsed["StateReason"] = STREAM_REFUSED

    aws_calls.rewrite("pipes.UpdatePipe", updating, times=2)
    # The update's first look at the pipe is its DescribePipe; the next one sees the failure.
    aws_calls.rewrite("pipes.DescribePipe", failed, after=1)

    final, events = drive("UPDATE", pipeline_properties(DeadLetterQueueArn=queue_arn), previous=previous)

    assert final["status"] == "SUCCESS", final
    assert events[0]["status"] == "IN_PROGRESS"
    assert events[0]["message"] == f"Waiting for the pipe role to reach Pipes: {STREAM_REFUSED}"
    assert aws_calls.counts()["pipes.UpdatePipe"] == 2


def test_a_role_still_refused_past_the_deadline_fails_not_stabilized_with_the_reason(table, queue_arn, aws_calls):
    previous = created()
    aws_calls.fail("pipes.UpdatePipe", "ValidationException", STREAM_REFUSED, times=100)
    desired = pipeline_properties(DeadLetterQueueArn=queue_arn)
    first = invoke("UPDATE", desired, previous=previous)
    assert first["status"] == "IN_PROGRESS"
    context = first["callbackContext"]
    context["deadlines"][waits.PIPE_ROLE_USABLE.key] = 1.0

    final = invoke("UPDATE", first["resourceModel"], previous=previous, context=context)

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"] == (
        f"Trigger {NAME}: Gave up waiting for the pipe role to reach Pipes after 300 s: {STREAM_REFUSED}"
    )


# 4. A dead-letter queue that actually receives ------------------------------------------------


def test_a_dead_letter_queue_comes_with_finite_retry_limits(table, queue_arn, aws_calls):
    created(DeadLetterQueueArn=queue_arn)

    [request] = aws_calls.sent("pipes.CreatePipe")
    stream = request["SourceParameters"]["DynamoDBStreamParameters"]
    assert (stream["MaximumRetryAttempts"], stream["MaximumRecordAgeInSeconds"]) == (3, 3600)
    live = live_stream_settings()
    assert (live["MaximumRetryAttempts"], live["MaximumRecordAgeInSeconds"]) == (3, 3600)
    model = read()
    assert (model["MaximumRetryAttempts"], model["MaximumRecordAgeInSeconds"]) == (3, 3600)


def test_explicit_retry_limits_win_over_the_dead_letter_defaults(table, queue_arn, aws_calls):
    created(DeadLetterQueueArn=queue_arn, MaximumRetryAttempts=-1, MaximumRecordAgeInSeconds=120)

    live = live_stream_settings()
    assert (live["MaximumRetryAttempts"], live["MaximumRecordAgeInSeconds"]) == (-1, 120)


def test_adding_a_dead_letter_queue_in_an_update_brings_the_finite_limits(table, queue_arn, aws_calls):
    previous = created()
    assert live_stream_settings()["MaximumRetryAttempts"] == -1

    updated(previous, DeadLetterQueueArn=queue_arn)

    live = live_stream_settings()
    assert (live["MaximumRetryAttempts"], live["MaximumRecordAgeInSeconds"]) == (3, 3600)


# 5. Pipe logs and encryption -------------------------------------------------------------------


def log_group() -> dict[str, Any] | None:
    groups = client("logs").describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == LOG_GROUP), None)


def test_logging_makes_the_log_group_the_pipe_writes_to_and_delete_removes_it(table, aws_calls):
    created(LogLevel="INFO", LogRetentionInDays=14)

    group = log_group()
    assert group is not None and group["retentionInDays"] == 14
    tags = client("logs").list_tags_for_resource(resourceArn=LOG_GROUP_ARN)["tags"]
    assert tags == {LOG_GROUP_CREATOR_TAG: PIPE_ARN}
    assert live_pipe()["LogConfiguration"] == {
        "Level": "INFO",
        "CloudwatchLogsLogDestination": {"LogGroupArn": LOG_GROUP_ARN},
    }
    assert statement("WritePipeLogs") == {
        "Sid": "WritePipeLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [LOG_GROUP_ARN, f"{LOG_GROUP_ARN}:log-stream:*"],
    }
    model = read()
    assert (model["LogLevel"], model["LogRetentionInDays"]) == ("INFO", 14)

    final, _ = drive("DELETE", {"Name": NAME})
    assert final["status"] == "SUCCESS"
    assert log_group() is None


def test_a_log_group_the_user_made_is_used_and_kept(table):
    client("logs").create_log_group(logGroupName=LOG_GROUP)
    created(LogLevel="ERROR")

    assert live_pipe()["LogConfiguration"]["Level"] == "ERROR"
    assert "retentionInDays" not in log_group()
    final, _ = drive("DELETE", {"Name": NAME})
    assert final["status"] == "SUCCESS"
    assert log_group() is not None


def test_without_logging_there_is_no_log_group_and_no_log_permission(table, aws_calls):
    created()
    assert log_group() is None
    assert statement("WritePipeLogs") is None
    [request] = aws_calls.sent("pipes.CreatePipe")
    assert "LogConfiguration" not in request and "KmsKeyIdentifier" not in request
    # Only looks: Read's at the function's log group (its retention, if the type's) and Delete's tags.
    assert {call for call in aws_calls.calls if call.startswith("logs.")} <= {
        "logs.DescribeLogGroups",
        "logs.ListTagsForResource",
    }
    assert {request["logGroupNamePrefix"] for request in aws_calls.sent("logs.DescribeLogGroups")} == {
        f"/aws/lambda/{NAME}"
    }


def test_an_update_turns_logging_on_with_retention_and_off_again(table, aws_calls):
    previous = created()

    updated(previous, LogLevel="TRACE", LogRetentionInDays=7)
    assert log_group()["retentionInDays"] == 7
    assert live_pipe()["LogConfiguration"]["Level"] == "TRACE"
    assert statement("WritePipeLogs") is not None

    aws_calls.requests.clear()
    updated(pipeline_properties(LogLevel="TRACE", LogRetentionInDays=7))
    [request] = aws_calls.sent("pipes.UpdatePipe")
    # UpdatePipe keeps a LogConfiguration the request leaves out: OFF must be said.
    assert request["LogConfiguration"] == {"Level": "OFF"}
    assert live_pipe()["LogConfiguration"]["Level"] == "OFF"
    assert statement("WritePipeLogs") is None
    assert log_group() is not None  # its events are kept; Delete removes it
    assert read()["LogLevel"] == "OFF"


def test_changing_the_retention_alone_updates_the_log_group_not_the_pipe(table, aws_calls):
    previous = created(LogLevel="INFO", LogRetentionInDays=14)
    aws_calls.calls.clear()

    updated(previous, LogLevel="INFO")

    assert "retentionInDays" not in log_group()
    assert aws_calls.counts()["logs.DeleteRetentionPolicy"] == 1
    assert aws_calls.counts()["pipes.UpdatePipe"] == 0


@pytest.fixture
def key_arn(moto: str) -> str:
    return client("kms").create_key(Description="pipe key")["KeyMetadata"]["Arn"]


def test_a_customer_managed_key_encrypts_the_pipe_and_only_this_pipe_may_use_it(table, key_arn, aws_calls):
    previous = created(KmsKeyArn=key_arn)

    [request] = aws_calls.sent("pipes.CreatePipe")
    assert request["KmsKeyIdentifier"] == key_arn
    assert live_pipe()["KmsKeyIdentifier"] == key_arn
    assert statement("UsePipeKey") == {
        "Sid": "UsePipeKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": [key_arn],
        "Condition": {"StringEquals": {"kms:EncryptionContext:aws:pipes:arn": PIPE_ARN}},
    }
    assert statement("DescribePipeKey")["Resource"] == [key_arn]
    assert read()["KmsKeyArn"] == key_arn

    aws_calls.requests.clear()
    updated(previous)
    [request] = aws_calls.sent("pipes.UpdatePipe")
    # An empty identifier is how UpdatePipe goes back to the key AWS owns.
    assert request["KmsKeyIdentifier"] == ""
    assert not live_pipe().get("KmsKeyIdentifier")
    assert statement("UsePipeKey") is None
    assert "KmsKeyArn" not in read()


@pytest.mark.parametrize(
    ("prop", "value", "message"),
    [
        ("LogLevel", "DEBUG", "LogLevel must be OFF, ERROR, INFO or TRACE, not 'DEBUG'"),
        ("LogRetentionInDays", 2, "LogRetentionInDays must be one of 1, 3, 5, 7, 14, 30"),
        ("KmsKeyArn", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/pipes", "KmsKeyArn must be the ARN of a KMS key"),
    ],
)
def test_bad_log_or_key_settings_are_refused_before_anything_exists(table, prop, value, message):
    final, _ = drive("CREATE", pipeline_properties(**{prop: value}))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith(message)
    assert left_behind() == NOTHING_LEFT
    assert client("logs").describe_log_groups()["logGroups"] == []


# 6. Pipes per table stream ---------------------------------------------------------------------


def test_two_triggers_on_one_table_both_run_and_a_third_is_warned(table):
    stream_arn = table["LatestStreamArn"]
    events_of = {}
    for name in ("first-reader", "second-reader", "third-reader"):
        final, events = drive("CREATE", pipeline_properties(Name=name))
        assert final["status"] == "SUCCESS", final
        events_of[name] = events

    for name in ("first-reader", "second-reader"):
        pipe = client("pipes").describe_pipe(Name=name)
        assert (pipe["Source"], pipe["CurrentState"]) == (stream_arn, "RUNNING")
        assert all("Warning" not in (event.get("message") or "") for event in events_of[name])
    warning = (
        f"Warning: 2 other pipes already read stream {stream_arn} (first-reader, second-reader). "
        "DynamoDB Streams serves at most 2 readers per shard at once, so the 3 pipes will be throttled "
        "and fall behind."
    )
    assert all(event["message"].startswith(warning) for event in events_of["third-reader"])


def test_a_second_trigger_of_the_same_name_on_the_table_is_already_exists(table):
    created()
    final, _ = drive("CREATE", pipeline_properties())
    assert (final["status"], final["errorCode"]) == ("FAILED", "AlreadyExists")


# 7. Errors a person can act on -----------------------------------------------------------------


def fn_role() -> str:
    return role_name(NAME, REGION, "fn")


@pytest.mark.parametrize(
    ("action", "operation", "code", "handler_code", "resource"),
    [
        ("CREATE", "ssm.GetParameters", "AccessDeniedException", "AccessDenied", None),
        ("CREATE", "dynamodb.DescribeTable", "AccessDeniedException", "AccessDenied", TABLE),
        ("CREATE", "iam.CreateRole", "AccessDenied", "AccessDenied", "fn-role"),
        ("CREATE", "lambda.CreateFunction", "InvalidParameterValueException", "InvalidRequest", NAME),
        ("CREATE", "pipes.CreatePipe", "ValidationException", "InvalidRequest", NAME),
        ("UPDATE", "pipes.UpdatePipe", "ValidationException", "InvalidRequest", NAME),
        ("UPDATE", "lambda.UpdateFunctionConfiguration", "InvalidParameterValueException", "InvalidRequest", NAME),
        ("READ", "lambda.GetFunction", "AccessDeniedException", "AccessDenied", NAME),
        ("DELETE", "pipes.DeletePipe", "AccessDeniedException", "AccessDenied", NAME),
    ],
)
def test_a_failure_from_aws_names_the_operation_the_resource_and_awss_message(
    table, aws_calls, action, operation, code, handler_code, resource
):
    if action != "CREATE":
        created()
    aws_message = f"something about {operation} went wrong"
    aws_calls.fail(operation, code, aws_message, times=100)
    properties = {"Name": NAME} if action in ("READ", "DELETE") else pipeline_properties(MemorySize=256, BatchSize=50)
    previous = pipeline_properties() if action == "UPDATE" else None

    final, _ = drive(action, properties, previous=previous)

    assert (final["status"], final["errorCode"]) == ("FAILED", handler_code)
    if resource is None:  # GetParameters names the two parameters
        resource = f"dynamodb_table_{TABLE.replace('-', '_')}"
    if resource == "fn-role":
        resource = fn_role()
    verb = operation.split(".", 1)[1]
    assert f"{verb} {resource}" in final["message"], final["message"]
    assert f": {code}: {aws_message}" in final["message"]
    assert "Internal Failure" not in final["message"]
