"""Update changes the function, its policies, the tags and the pipe in place."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from conftest import ACCOUNT, INDEX, PIPELINE_ARN, REGION, client, drive, pipeline_properties
from mare_dynamodb_streamtrigger.core.code_archives import inline_zip
from mare_dynamodb_streamtrigger.core.names import role_name

NAME = "deployment-processor"
FN_ROLE = role_name(NAME, REGION, "fn")
PIPE_ROLE = role_name(NAME, REGION, "pipe")


def policy_of(role: str) -> dict:
    document = client("iam").get_role_policy(RoleName=role, PolicyName="StreamTrigger")["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def sids(role: str) -> list[str]:
    return [statement["Sid"] for statement in policy_of(role)["Statement"]]


@pytest.fixture
def sns_trigger(table, topic_arn, queue_arn):
    properties = pipeline_properties(
        TriggerType="SNS_TOPIC",
        Environment={"TOPIC_ARN": topic_arn},
        TableIndexName=INDEX,
        DeadLetterQueueArn=queue_arn,
        Tags=[{"Key": "team", "Value": "platform"}, {"Key": "cost", "Value": "1"}],
    )
    final, _ = drive("CREATE", properties)
    assert final["status"] == "SUCCESS", final
    return properties


def test_update_changes_every_updatable_property_in_place(sns_trigger, table):
    second_topic = client("sns").create_topic(Name="second")["TopicArn"]
    new_code = "def handler(event, context):\n    return 'v2'\n"
    desired = pipeline_properties(
        TriggerType="SNS_TOPIC",
        Handler="main.process",
        Code={"ZipFile": new_code},
        Runtime="python3.11",
        MemorySize=512,
        Timeout=60,
        Environment={"TOPIC_ARN": sns_trigger["Environment"]["TOPIC_ARN"], "SECOND": second_topic},
        FilterPattern={"eventName": ["MODIFY"]},
        BatchSize=25,
        MaximumBatchingWindowInSeconds=10,
        MaximumRetryAttempts=2,
        MaximumRecordAgeInSeconds=120,
        OnPartialBatchItemFailure="AUTOMATIC_BISECT",
        InputTemplate='{"new": <$.dynamodb.NewImage>}',
        Tags=[{"Key": "team", "Value": "data"}, {"Key": "owner", "Value": "me"}],
    )
    function_before = client("lambda").get_function(FunctionName=NAME)["Configuration"]
    final, _ = drive("UPDATE", desired, previous=sns_trigger)

    assert final["status"] == "SUCCESS", final
    model = final["resourceModel"]
    for prop in (
        "Handler",
        "Runtime",
        "MemorySize",
        "Timeout",
        "Environment",
        "FilterPattern",
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "MaximumRetryAttempts",
        "MaximumRecordAgeInSeconds",
        "OnPartialBatchItemFailure",
        "InputTemplate",
    ):
        assert model[prop] == desired[prop], prop
    assert sorted(model["Tags"], key=lambda t: t["Key"]) == [
        {"Key": "owner", "Value": "me"},
        {"Key": "team", "Value": "data"},
    ]
    assert "TableIndexName" not in model and "DeadLetterQueueArn" not in model

    config = client("lambda").get_function(FunctionName=NAME)["Configuration"]
    assert (config["Handler"], config["Runtime"], config["MemorySize"], config["Timeout"]) == (
        "main.process",
        "python3.11",
        512,
        60,
    )
    expected_sha = base64.b64encode(hashlib.sha256(inline_zip(new_code, "main.process")).digest())
    assert config["CodeSha256"] == expected_sha.decode() != function_before["CodeSha256"]
    assert config["FunctionArn"] == function_before["FunctionArn"]

    # Both topics now, and no index statement; the dead-letter statement is gone from the pipe role.
    statements = {s["Sid"]: s for s in policy_of(FN_ROLE)["Statement"]}
    assert statements["PublishToTopics"]["Resource"] == sorted([sns_trigger["Environment"]["TOPIC_ARN"], second_topic])
    assert "QueryAndUpdateTable" not in statements
    assert sids(PIPE_ROLE) == ["ReadTableStream", "ListTableStreams", "InvokeFunction"]

    pipe = client("pipes").describe_pipe(Name=NAME)
    stream = pipe["SourceParameters"]["DynamoDBStreamParameters"]
    assert stream["BatchSize"] == 25
    # StartingPosition is not in UpdatePipe's parameters (botocore refuses it): AWS keeps the
    # original, while moto replaces the source parameters whole and so loses it.
    assert pipe["SourceParameters"]["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName":["MODIFY"]}'}]}
    assert pipe["TargetParameters"]["InputTemplate"] == '{"new": <$.dynamodb.NewImage>}'

    expected_tags = {"team": "data", "owner": "me"}
    assert pipe["Tags"] == expected_tags
    assert client("lambda").list_tags(Resource=config["FunctionArn"])["Tags"] == expected_tags
    for role in (FN_ROLE, PIPE_ROLE):
        assert {t["Key"]: t["Value"] for t in client("iam").list_role_tags(RoleName=role)["Tags"]} == expected_tags


def test_switching_the_trigger_type_rewrites_the_function_policy(table):
    created, _ = drive("CREATE", pipeline_properties())
    assert created["status"] == "SUCCESS"
    topic = client("sns").create_topic(Name="t")["TopicArn"]
    final, _ = drive(
        "UPDATE",
        pipeline_properties(TriggerType="SNS_TOPIC", Environment={"TOPIC": topic}),
        previous=pipeline_properties(),
    )
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["TriggerType"] == "SNS_TOPIC"
    assert "StartPipelines" not in sids(FN_ROLE)
    assert "PublishToTopics" in sids(FN_ROLE)


def test_unchanged_update_changes_nothing_it_need_not(table, aws_calls):
    drive("CREATE", pipeline_properties())
    aws_calls.calls.clear()
    final, _ = drive("UPDATE", pipeline_properties(), previous=pipeline_properties())
    assert final["status"] == "SUCCESS", final
    counts = aws_calls.counts()
    assert counts["lambda.UpdateFunctionConfiguration"] == 0
    assert counts["lambda.UpdateFunctionCode"] == 0
    assert counts["pipes.UpdatePipe"] == 0
    assert not any(call.endswith(("TagResource", "UntagResource", "TagRole", "UntagRole")) for call in aws_calls.calls)


def test_an_update_of_the_function_alone_leaves_the_pipe_untouched(table, aws_calls):
    drive("CREATE", pipeline_properties())
    pipe_before = client("pipes").describe_pipe(Name=NAME)
    aws_calls.calls.clear()
    changed = pipeline_properties(MemorySize=256, Code={"ZipFile": "def handler(event, context):\n    return 2\n"})
    final, events = drive("UPDATE", changed, previous=pipeline_properties())
    assert final["status"] == "SUCCESS", final
    assert len(events) == 1
    counts = aws_calls.counts()
    assert (counts["lambda.UpdateFunctionConfiguration"], counts["lambda.UpdateFunctionCode"]) == (1, 1)
    assert counts["pipes.UpdatePipe"] == 0
    assert client("pipes").describe_pipe(Name=NAME)["LastModifiedTime"] == pipe_before["LastModifiedTime"]


def test_an_update_starts_a_pipe_stopped_by_hand(table, aws_calls):
    drive("CREATE", pipeline_properties())
    client("pipes").stop_pipe(Name=NAME)
    assert client("pipes").describe_pipe(Name=NAME)["DesiredState"] == "STOPPED"
    aws_calls.calls.clear()
    final, _ = drive("UPDATE", pipeline_properties(), previous=pipeline_properties())
    assert final["status"] == "SUCCESS", final
    assert aws_calls.counts()["pipes.UpdatePipe"] == 1
    pipe = client("pipes").describe_pipe(Name=NAME)
    assert (pipe["DesiredState"], pipe["CurrentState"]) == ("RUNNING", "RUNNING")


@pytest.mark.parametrize(
    ("prop", "value"),
    [("TableName", "other-table"), ("StartingPosition", "TRIM_HORIZON")],
)
def test_changing_a_create_only_property_is_not_updatable(table, prop, value):
    drive("CREATE", pipeline_properties())
    final, events = drive("UPDATE", pipeline_properties(**{prop: value}), previous=pipeline_properties())
    assert len(events) == 1
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotUpdatable")
    assert final["message"].startswith(f"Trigger deployment-processor: {prop} cannot be changed in place")


def test_update_of_a_missing_trigger_is_not_found(table):
    final, _ = drive("UPDATE", pipeline_properties(), previous=pipeline_properties())
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotFound")
    assert final["message"] == f"Trigger {NAME} not found: no function and pipe of that name"


def test_bad_input_on_update_is_refused_before_anything_changes(table, topic_arn):
    drive("CREATE", pipeline_properties())
    before = client("pipes").describe_pipe(Name=NAME)["SourceParameters"]
    final, _ = drive(
        "UPDATE",
        pipeline_properties(Environment={"P": PIPELINE_ARN, "T": topic_arn}, BatchSize=50),
        previous=pipeline_properties(),
    )
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert client("pipes").describe_pipe(Name=NAME)["SourceParameters"] == before
    assert ACCOUNT in client("lambda").get_function(FunctionName=NAME)["Configuration"]["Role"]


def test_update_waits_while_lambda_applies_the_configuration(table, aws_calls):
    drive("CREATE", pipeline_properties())
    aws_calls.calls.clear()

    def in_progress(parsed: dict) -> None:
        configuration = parsed.get("Configuration", parsed)
        configuration["LastUpdateStatus"] = "InProgress"

    aws_calls.rewrite("lambda.UpdateFunctionConfiguration", in_progress)
    # GetFunction: the first look (whose answer the configuration step reuses), then the poll that
    # still sees InProgress.
    aws_calls.rewrite("lambda.GetFunction", in_progress, after=1)
    changed = pipeline_properties(MemorySize=256, BatchSize=50)
    final, events = drive("UPDATE", changed, previous=pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "SUCCESS"]
    assert events[0]["message"] == "Waiting for the function's configuration: status InProgress"
    assert events[0]["callbackDelaySeconds"] == 5
    # The pipe is updated only once the function's update has been applied.
    calls = aws_calls.calls
    get_function_calls = [i for i, call in enumerate(calls) if call == "lambda.GetFunction"]
    # The third GetFunction is the second invocation's poll, which found the update applied.
    assert calls.index("pipes.UpdatePipe") > get_function_calls[2]
    assert len(get_function_calls) == 4  # the first look, two polls, the result
    assert aws_calls.counts()["lambda.UpdateFunctionConfiguration"] == 1
    assert final["resourceModel"]["MemorySize"] == 256


def test_a_failed_function_update_gives_not_stabilized_with_lambdas_reason(table, aws_calls):
    drive("CREATE", pipeline_properties())

    def failed(parsed: dict) -> None:
        configuration = parsed.get("Configuration", parsed)
        configuration["LastUpdateStatus"] = "Failed"
        configuration["LastUpdateStatusReason"] = "The runtime is deprecated."

    aws_calls.rewrite("lambda.UpdateFunctionConfiguration", failed)
    aws_calls.rewrite("lambda.GetFunction", failed, after=1)
    final, _ = drive("UPDATE", pipeline_properties(Runtime="python3.13"), previous=pipeline_properties())
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"] == (
        "Trigger deployment-processor: Updating the function's configuration failed: The runtime is deprecated."
    )


@pytest.mark.parametrize("operation", ["lambda.UpdateFunctionConfiguration", "lambda.UpdateFunctionCode"])
def test_an_update_refused_while_lambda_is_busy_is_made_on_a_later_invocation(table, aws_calls, operation):
    drive("CREATE", pipeline_properties())
    aws_calls.calls.clear()
    busy = "The operation cannot be performed at this time. An update is in progress for resource: deployment-processor"
    aws_calls.fail(operation, "ResourceConflictException", busy, status=409)
    new_code = "def handler(event, context):\n    return 3\n"
    changed = pipeline_properties(MemorySize=512, Code={"ZipFile": new_code})
    final, events = drive("UPDATE", changed, previous=pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "SUCCESS"]
    assert events[0]["message"] == f"Waiting for the function's earlier update to finish: {busy}"
    assert events[0]["callbackDelaySeconds"] == 5
    assert aws_calls.counts()[operation] == 2  # refused once, then made
    config = client("lambda").get_function(FunctionName=NAME)["Configuration"]
    assert config["MemorySize"] == 512
    assert (
        config["CodeSha256"] == base64.b64encode(hashlib.sha256(inline_zip(new_code, "app.handler")).digest()).decode()
    )


def test_an_update_refused_while_the_pipe_changes_state_is_made_on_a_later_invocation(table, aws_calls):
    drive("CREATE", pipeline_properties())
    aws_calls.calls.clear()
    busy = "Pipe deployment-processor is in state UPDATING"
    aws_calls.fail("pipes.UpdatePipe", "ConflictException", busy, status=409)
    final, events = drive("UPDATE", pipeline_properties(BatchSize=25), previous=pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "SUCCESS"]
    assert events[0]["message"] == f"Waiting for the pipe to finish its change of state: {busy}"
    assert events[0]["callbackDelaySeconds"] == 10
    assert aws_calls.counts()["pipes.UpdatePipe"] == 2
    pipe = client("pipes").describe_pipe(Name=NAME)
    assert pipe["SourceParameters"]["DynamoDBStreamParameters"]["BatchSize"] == 25
