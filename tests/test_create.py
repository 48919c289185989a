"""Create, against moto over HTTP: what exists afterwards, to the letter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import (
    ACCOUNT,
    DEVOPS_ACCOUNT,
    INDEX,
    NOTHING_LEFT,
    PIPELINE_ARN,
    REGION,
    TABLE,
    client,
    devops_clients_kwargs,
    drive,
    hold_pipes,
    left_behind,
    make_table,
    pipeline_properties,
    put_table_parameters,
)
from mare_dynamodb_streamtrigger.core import waits
from mare_dynamodb_streamtrigger.core.names import role_name

NAME = "deployment-processor"
FN_ROLE = role_name(NAME, REGION, "fn")
PIPE_ROLE = role_name(NAME, REGION, "pipe")
ROLE_ARN_PREFIX = f"arn:aws:iam::{ACCOUNT}:role/mare-dynamodb-streamtrigger/"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
PIPE_ARN = f"arn:aws:pipes:{REGION}:{ACCOUNT}:pipe/{NAME}"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{NAME}"


def inline_policy(role: str) -> dict[str, Any]:
    document = client("iam").get_role_policy(RoleName=role, PolicyName="StreamTrigger")["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def stream_statements(stream_arn: str) -> list[dict[str, Any]]:
    return [
        {
            "Sid": "ReadTableStream",
            "Effect": "Allow",
            "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            "Resource": [stream_arn],
        },
        {"Sid": "ListTableStreams", "Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]},
    ]


LOG_STATEMENT = {
    "Sid": "WriteOwnLogs",
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": [LOG_GROUP, f"{LOG_GROUP}:log-stream:*"],
}


def test_pipeline_trigger_builds_every_part_exactly(table):
    stream_arn = table["LatestStreamArn"]
    final, _events = drive(
        "CREATE",
        pipeline_properties(Tags=[{"Key": "team", "Value": "platform"}]),
        stack_tags={"stack": "demo", "team": "stack-value"},
    )

    assert final["status"] == "SUCCESS", final
    model = final["resourceModel"]
    assert "Code" not in model and "IsDevops" not in model
    assert model["FunctionArn"] == FUNCTION_ARN
    assert model["PipeArn"] == PIPE_ARN
    assert model["FunctionRoleArn"] == ROLE_ARN_PREFIX + FN_ROLE
    assert model["PipeRoleArn"] == ROLE_ARN_PREFIX + PIPE_ROLE
    assert model["TableArn"] == TABLE_ARN
    assert model["StreamArn"] == stream_arn
    assert model["TriggerType"] == "PIPELINE"
    assert model["Tags"] == [{"Key": "team", "Value": "platform"}]

    iam = client("iam")
    fn_role = iam.get_role(RoleName=FN_ROLE)["Role"]
    assert fn_role["Path"] == "/mare-dynamodb-streamtrigger/"
    assert fn_role["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }
    assert inline_policy(FN_ROLE) == {
        "Version": "2012-10-17",
        "Statement": [
            LOG_STATEMENT,
            *stream_statements(stream_arn),
            {
                "Sid": "StartPipelines",
                "Effect": "Allow",
                "Action": ["codepipeline:ListPipelineExecutions", "codepipeline:StartPipelineExecution"],
                "Resource": [PIPELINE_ARN],
            },
        ],
    }
    pipe_role = iam.get_role(RoleName=PIPE_ROLE)["Role"]
    assert pipe_role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pipes.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    assert inline_policy(PIPE_ROLE) == {
        "Version": "2012-10-17",
        "Statement": [
            *stream_statements(stream_arn),
            {
                "Sid": "InvokeFunction",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": [FUNCTION_ARN],
            },
        ],
    }

    config = client("lambda").get_function(FunctionName=NAME)["Configuration"]
    assert (config["Runtime"], config["Handler"], config["MemorySize"], config["Timeout"]) == (
        "python3.12",
        "app.handler",
        128,
        3,
    )
    assert config["Role"] == ROLE_ARN_PREFIX + FN_ROLE
    assert config["Environment"]["Variables"] == {"PIPELINE_ARN": PIPELINE_ARN}

    permission = json.loads(client("lambda").get_policy(FunctionName=NAME)["Policy"])["Statement"]
    assert len(permission) == 1
    assert permission[0]["Sid"] == "AllowPipeInvoke"
    assert permission[0]["Principal"] == {"Service": "pipes.amazonaws.com"}
    assert permission[0]["Action"] == "lambda:InvokeFunction"
    assert permission[0]["Condition"] == {
        "ArnLike": {"AWS:SourceArn": PIPE_ARN},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }

    pipe = client("pipes").describe_pipe(Name=NAME)
    assert pipe["RoleArn"] == ROLE_ARN_PREFIX + PIPE_ROLE
    assert pipe["Source"] == stream_arn
    assert pipe["Target"] == FUNCTION_ARN
    assert pipe["DesiredState"] == "RUNNING"
    assert pipe["SourceParameters"] == {
        "DynamoDBStreamParameters": {
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 0,
            "MaximumRetryAttempts": -1,
            "MaximumRecordAgeInSeconds": -1,
            "ParallelizationFactor": 1,
            "StartingPosition": "LATEST",
        },
        "FilterCriteria": {
            "Filters": [{"Pattern": '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["PENDING"]}}}}'}],
        },
    }
    assert pipe["TargetParameters"] == {
        "InputTemplate": '{"Records": [{"dynamodb": {"NewImage": <$.dynamodb.NewImage>}}]}',
        "LambdaFunctionParameters": {"InvocationType": "REQUEST_RESPONSE"},
    }

    # The trigger's Tags over the stack's, on all four parts.
    expected_tags = {"stack": "demo", "team": "platform"}
    assert pipe["Tags"] == expected_tags
    assert client("lambda").list_tags(Resource=FUNCTION_ARN)["Tags"] == expected_tags
    for role in (FN_ROLE, PIPE_ROLE):
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role)["Tags"]}
        assert tags == expected_tags


def test_sns_trigger_with_index_and_dead_letter_queue(table, topic_arn, queue_arn):
    stream_arn = table["LatestStreamArn"]
    properties = pipeline_properties(
        TriggerType="SNS_TOPIC",
        Environment={"TOPIC_ARN": topic_arn, "STAGE": "prod"},
        TableIndexName=INDEX,
        DeadLetterQueueArn=queue_arn,
        FilterPattern=None,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=5,
        MaximumRetryAttempts=3,
        MaximumRecordAgeInSeconds=3600,
        OnPartialBatchItemFailure="AUTOMATIC_BISECT",
        StartingPosition="TRIM_HORIZON",
        InputTemplate='{"image": <$.dynamodb.NewImage>}',
        Runtime="python3.11",
        MemorySize=256,
        Timeout=30,
    )
    del properties["FilterPattern"]
    final, _ = drive("CREATE", properties)
    assert final["status"] == "SUCCESS", final
    model = final["resourceModel"]
    assert model["TriggerType"] == "SNS_TOPIC"
    assert model["TableIndexName"] == INDEX
    assert "FilterPattern" not in model

    assert inline_policy(FN_ROLE)["Statement"] == [
        LOG_STATEMENT,
        *stream_statements(stream_arn),
        {"Sid": "PublishToTopics", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic_arn]},
        {
            "Sid": "QueryAndUpdateTable",
            "Effect": "Allow",
            "Action": ["dynamodb:Query", "dynamodb:UpdateItem"],
            "Resource": [TABLE_ARN, f"{TABLE_ARN}/index/{INDEX}"],
        },
    ]
    assert inline_policy(PIPE_ROLE)["Statement"][-1] == {
        "Sid": "SendToDeadLetterQueue",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": [queue_arn],
    }
    pipe = client("pipes").describe_pipe(Name=NAME)
    assert pipe["SourceParameters"] == {
        "DynamoDBStreamParameters": {
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 5,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 3600,
            "ParallelizationFactor": 1,
            "StartingPosition": "TRIM_HORIZON",
            "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
            "DeadLetterConfig": {"Arn": queue_arn},
        },
        "FilterCriteria": {"Filters": []},
    }
    assert pipe["TargetParameters"]["InputTemplate"] == '{"image": <$.dynamodb.NewImage>}'
    config = client("lambda").get_function(FunctionName=NAME)["Configuration"]
    assert (config["Runtime"], config["MemorySize"], config["Timeout"]) == ("python3.11", 256, 30)


def test_create_waits_for_the_pipe_with_in_progress_events(moto, table):
    hold_pipes(moto, describes=3)
    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    waiting = events[:-1]
    # moto moves the pipe on the third describe: two waits, then the third look finds it RUNNING.
    assert len(waiting) == 2
    for event in waiting:
        assert event["status"] == "IN_PROGRESS"
        assert event["callbackDelaySeconds"] == 10
        assert event["message"].startswith("Waiting for the pipe to reach its DesiredState: state CREATING")
        # The context is JSON only and carries the steps done and the deadline.
        context = event["callbackContext"]
        assert json.loads(json.dumps(context)) == context
        assert "pipe" in context["done"] and "pipe_settled" not in context["done"]
        assert context["deadlines"][waits.PIPE_SETTLED.key] > 0
        # The model handed back carries the write-only Code, for the next invocation.
        assert event["resourceModel"]["Code"] == pipeline_properties()["Code"]


def test_failed_pipe_state_gives_not_stabilized_with_reason_and_rolls_back(table, aws_calls):
    reason = "Input template is not valid JSON after substitution"

    def failed(parsed: dict[str, Any]) -> None:
        parsed["CurrentState"] = "CREATE_FAILED"
        parsed["StateReason"] = reason

    # moto never fails a pipe: answer the first look at the new pipe as AWS would.
    aws_calls.rewrite("pipes.DescribePipe", failed, after=1)
    final, events = drive("CREATE", pipeline_properties())

    assert len(events) == 1
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"] == (
        f"Create failed at step pipe_settled: Pipe {NAME} is CREATE_FAILED: {reason}. Rolled back: {PIPE_ARN}, "
        f"{FUNCTION_ARN}, {ROLE_ARN_PREFIX + PIPE_ROLE}, {ROLE_ARN_PREFIX + FN_ROLE}."
    )
    assert client("pipes").list_pipes()["Pipes"] == []
    assert client("lambda").list_functions()["Functions"] == []
    assert client("iam").list_roles(PathPrefix="/mare-dynamodb-streamtrigger/")["Roles"] == []


def test_existing_function_of_the_same_name_gives_already_exists_and_touches_nothing(table):
    iam = client("iam")
    role_arn = iam.create_role(RoleName="other", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client("lambda").create_function(
        FunctionName=NAME,
        Runtime="python3.12",
        Role=role_arn,
        Handler="x.y",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )
    final, events = drive("CREATE", pipeline_properties())
    assert len(events) == 1
    assert final["status"] == "FAILED"
    assert final["errorCode"] == "AlreadyExists"
    assert final["message"] == f"Trigger {NAME} cannot be created: a function named {NAME} already exists"
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["other"]
    assert client("pipes").list_pipes()["Pipes"] == []


def test_existing_pipe_of_the_same_name_gives_already_exists(table):
    first, _ = drive("CREATE", pipeline_properties())
    assert first["status"] == "SUCCESS"
    final, _ = drive("CREATE", pipeline_properties())
    assert final["status"] == "FAILED"
    assert final["errorCode"] == "AlreadyExists"
    # The first trigger is untouched.
    assert client("pipes").describe_pipe(Name=NAME)["Arn"] == PIPE_ARN
    assert len(client("lambda").list_functions()["Functions"]) == 1


@pytest.mark.parametrize("missing", ["table", "stream"])
def test_missing_ssm_parameter_is_named_in_invalid_request(moto, missing):
    make_table()
    ssm = client("ssm")
    key = TABLE.replace("-", "_")
    name = f"dynamodb_table_{key}" if missing == "table" else f"dynamodb_table_stream_{key}"
    ssm.delete_parameter(Name=name)
    final, _ = drive("CREATE", pipeline_properties())
    assert final["status"] == "FAILED"
    assert final["errorCode"] == "InvalidRequest"
    assert final["message"] == (f"TableName {TABLE}: SSM parameter {name} not found in account {ACCOUNT} ({REGION})")
    assert left_behind() == NOTHING_LEFT


def test_missing_table_gives_not_found(moto):
    put_table_parameters(
        client("ssm"),
        TABLE,
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}",
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}/stream/2026-01-01T00:00:00.000",
    )
    final, _ = drive("CREATE", pipeline_properties())
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotFound")
    assert final["message"] == f"Trigger {NAME}: TableName {TABLE}: no such DynamoDB table in {REGION}"


def test_keys_only_stream_is_refused(moto):
    make_table(view_type="KEYS_ONLY")
    final, _ = drive("CREATE", pipeline_properties())
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert "view type is KEYS_ONLY" in final["message"]


def test_stale_stream_parameter_is_refused(table):
    put_table_parameters(client("ssm"), TABLE, table["TableArn"], table["TableArn"] + "/stream/2020-01-01T00:00:00.000")
    final, _ = drive("CREATE", pipeline_properties())
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert "the table's latest stream is " + table["LatestStreamArn"] in final["message"]


def test_unknown_index_is_refused(table):
    final, _ = drive("CREATE", pipeline_properties(TableIndexName="nope-index"))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == f"TableIndexName nope-index: table {TABLE} has no such index (it has: {INDEX})"


def test_environment_that_does_not_fit_the_trigger_is_refused_before_anything_exists(table, topic_arn):
    final, _ = drive("CREATE", pipeline_properties(Environment={"TOPIC": topic_arn, "PIPE": PIPELINE_ARN}))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert "TOPIC holds a SNS topic ARN" in final["message"]
    assert left_behind() == NOTHING_LEFT


def test_devops_parameters_are_read_through_the_configured_role(moto):
    """IsDevops true with DevopsParameterRoleArn: the parameters live in the devops account."""
    table = make_table(parameters=False)
    devops = devops_clients_kwargs()
    client("iam", **devops).create_role(RoleName="parameter-reader", AssumeRolePolicyDocument="{}")
    devops_ssm = client("ssm", **devops)
    put_table_parameters(devops_ssm, TABLE, table["TableArn"], table["LatestStreamArn"])
    role_arn = f"arn:aws:iam::{DEVOPS_ACCOUNT}:role/parameter-reader"

    final, _ = drive(
        "CREATE", pipeline_properties(IsDevops=True), type_configuration={"DevopsParameterRoleArn": role_arn}
    )
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["StreamArn"] == table["LatestStreamArn"]

    # The same trigger with IsDevops false reads the stack's own account, where nothing is stored.
    client("pipes").delete_pipe(Name=NAME)
    client("lambda").delete_function(FunctionName=NAME)
    drive("DELETE", {"Name": NAME})
    final, _ = drive(
        "CREATE", pipeline_properties(IsDevops=False), type_configuration={"DevopsParameterRoleArn": role_arn}
    )
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert f"not found in account {ACCOUNT}" in final["message"]


ROLE_REFUSED = "The role defined for the function cannot be assumed by Lambda."


def test_fresh_role_refused_by_lambda_is_retried_on_later_invocations(table, aws_calls):
    aws_calls.fail("lambda.CreateFunction", "InvalidParameterValueException", ROLE_REFUSED, times=2)
    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    for event in events[:2]:
        assert event["callbackDelaySeconds"] == 10
        assert event["message"] == f"Waiting for the function role to reach Lambda: {ROLE_REFUSED}"
    # Each invocation made one CreateFunction attempt; roles were created once only.
    counts = aws_calls.counts()
    assert counts["lambda.CreateFunction"] == 3
    assert counts["iam.CreateRole"] == 2


def test_role_refused_past_the_deadline_fails_not_stabilized_and_rolls_back(table, aws_calls):
    from conftest import invoke

    aws_calls.fail("lambda.CreateFunction", "InvalidParameterValueException", ROLE_REFUSED, times=100)
    token = "b3f1c6de-4a0e-4f4b-9a61-0d2b7c9e5a10"
    first = invoke("CREATE", pipeline_properties(), token=token)
    assert first["status"] == "IN_PROGRESS"
    context = first["callbackContext"]
    context["deadlines"][waits.FUNCTION_ROLE_USABLE.key] = 1.0  # long past
    final = invoke("CREATE", first["resourceModel"], context=context, token=token)

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"] == (
        f"Trigger {NAME}: Create failed at step function: Gave up waiting for the function role to reach Lambda "
        "after 300 s: "
        f"{ROLE_REFUSED} Rolled back: {ROLE_ARN_PREFIX + PIPE_ROLE}, {ROLE_ARN_PREFIX + FN_ROLE}."
    )
    assert left_behind() == NOTHING_LEFT


def test_a_failure_midway_removes_what_was_built_newest_first(table, aws_calls):
    aws_calls.fail("pipes.CreatePipe", "AccessDeniedException", "not allowed to create pipes")
    final, _ = drive("CREATE", pipeline_properties())

    assert (final["status"], final["errorCode"]) == ("FAILED", "AccessDenied")
    assert final["message"] == (
        "Create failed at step pipe: CreatePipe deployment-processor: AccessDeniedException: "
        "not allowed to create pipes. "
        f"Rolled back: {FUNCTION_ARN}, {ROLE_ARN_PREFIX + PIPE_ROLE}, {ROLE_ARN_PREFIX + FN_ROLE}."
    )
    assert left_behind() == NOTHING_LEFT
    calls = aws_calls.calls
    # Each part is looked at as it is removed: made by this request (the roles' digest), and the
    # trigger's own (the function's role; each role's path and marker).
    assert calls[-9:] == [
        "iam.GetRole",
        "lambda.GetFunction",
        "lambda.DeleteFunction",
        "iam.GetRole",
        "iam.DeleteRolePolicy",
        "iam.DeleteRole",
        "iam.GetRole",
        "iam.DeleteRolePolicy",
        "iam.DeleteRole",
    ]


def test_a_failed_clean_up_lists_what_is_left_by_arn(table, aws_calls):
    aws_calls.fail("pipes.CreatePipe", "InternalServerException", "boom", times=10, status=500)
    aws_calls.fail("lambda.DeleteFunction", "AccessDeniedException", "may not delete", times=10)
    final, _ = drive("CREATE", pipeline_properties())

    assert (final["status"], final["errorCode"]) == ("FAILED", "ServiceInternalError")
    assert final["message"].endswith(f"Could not remove, still present: {FUNCTION_ARN}.")
    assert f"Rolled back: {ROLE_ARN_PREFIX + PIPE_ROLE}, {ROLE_ARN_PREFIX + FN_ROLE}." in final["message"]


def test_a_repeated_invocation_with_the_same_context_builds_nothing_twice(table, aws_calls):
    """CloudFormation may deliver an invocation twice: the second finds the roles it made."""
    from conftest import invoke

    token = "same-request"
    first = invoke("CREATE", pipeline_properties(), token=token)
    assert first["status"] == "SUCCESS"
    # Deliver the first invocation of that request again, as if its answer had been lost after
    # the roles were created: the roles are recognised as this request's own.
    context = {"TableArn": TABLE_ARN, "StreamArn": table["LatestStreamArn"], "done": [], "created": []}
    client("pipes").delete_pipe(Name=NAME)
    client("lambda").delete_function(FunctionName=NAME)
    again, _ = drive("CREATE", pipeline_properties(), token=token, context=context)
    assert again["status"] == "SUCCESS", again
    assert len(client("iam").list_roles()["Roles"]) == 2
    assert len(client("iam").list_role_policies(RoleName=FN_ROLE)["PolicyNames"]) == 1


def test_a_role_of_another_request_gives_already_exists_and_is_kept(table):
    from conftest import invoke

    context = {"TableArn": TABLE_ARN, "StreamArn": table["LatestStreamArn"], "done": [], "created": []}
    client("iam").create_role(
        RoleName=FN_ROLE,
        Path="/mare-dynamodb-streamtrigger/",
        AssumeRolePolicyDocument="{}",
        Description="someone else's",
    )
    final = invoke("CREATE", pipeline_properties(), context=context)
    assert (final["status"], final["errorCode"]) == ("FAILED", "AlreadyExists")
    assert final["message"] == (
        f"Trigger {NAME}: Create failed at step function_role: Role {FN_ROLE} already exists and belongs to another "
        "trigger or request."
    )
    assert [r["RoleName"] for r in client("iam").list_roles()["Roles"]] == [FN_ROLE]


def test_create_waits_until_the_function_is_active(table, aws_calls):
    def pending(parsed: dict[str, Any]) -> None:
        configuration = parsed.get("Configuration", parsed)
        configuration["State"] = "Pending"
        configuration["StateReason"] = "The function is being created."

    aws_calls.rewrite("lambda.CreateFunction", pending)
    # CreateFunction's answer is the first look; then the existence check's and one poll's answers.
    aws_calls.rewrite("lambda.GetFunction", pending, times=2)
    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    for event in events[:2]:
        assert event["callbackDelaySeconds"] == 5
        assert event["message"] == (
            "Waiting for the function to become Active: state Pending: The function is being created."
        )
        assert "function_active" not in event["callbackContext"]["done"]
    # The first invocation ends at CreateFunction: no poll right away, no permission or pipe yet.
    after_creation = aws_calls.calls[aws_calls.calls.index("lambda.CreateFunction") + 1 :]
    # The next invocation checks its context's claims (the table, the roles), then polls.
    assert after_creation[:4] == ["iam.GetRole", "iam.GetRole", "dynamodb.DescribeTable", "lambda.GetFunction"]
    first_invocation = aws_calls.calls[: aws_calls.calls.index("lambda.CreateFunction") + 1]
    assert first_invocation[-1] == "lambda.CreateFunction"
    assert aws_calls.counts()["lambda.GetFunction"] == 1 + 2 + 1  # existence, two polls, the final read


def test_a_function_that_fails_to_activate_gives_not_stabilized_and_rolls_back(table, aws_calls):
    def failed(parsed: dict[str, Any]) -> None:
        configuration = parsed.get("Configuration", parsed)
        configuration["State"] = "Failed"
        configuration["StateReason"] = "Subnet out of IP addresses."

    aws_calls.rewrite("lambda.CreateFunction", failed)
    aws_calls.rewrite("lambda.GetFunction", failed, times=2)  # the existence check, then the poll
    final, _ = drive("CREATE", pipeline_properties())
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"].startswith(
        f"Create failed at step function_active: Function {NAME} failed: Subnet out of IP addresses. Rolled back: "
    )
    assert client("lambda").list_functions()["Functions"] == []


PIPE_ROLE_REFUSED = f"Provided role {ROLE_ARN_PREFIX + PIPE_ROLE} cannot be assumed by principal pipes.amazonaws.com."
STREAM_REFUSED = (
    "Cannot access stream arn:aws:dynamodb:... Please ensure the customer role can perform actions on source stream"
)


def test_a_pipe_role_not_yet_usable_by_pipes_is_retried(table, aws_calls):
    aws_calls.fail("pipes.CreatePipe", "ValidationException", PIPE_ROLE_REFUSED, times=2)
    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    for event in events[:2]:
        assert event["callbackDelaySeconds"] == 10
        assert event["message"] == f"Waiting for the pipe role to reach Pipes: {PIPE_ROLE_REFUSED}"
    assert aws_calls.counts()["pipes.CreatePipe"] == 3
    assert aws_calls.counts()["lambda.CreateFunction"] == 1


def test_a_pipe_that_failed_for_a_fresh_role_is_made_again(table, aws_calls):
    def failed(parsed: dict[str, Any]) -> None:
        parsed["CurrentState"] = "CREATE_FAILED"
        parsed["StateReason"] = STREAM_REFUSED

    # The existence check's answer is a 404; the next describe is the first look at the new pipe.
    aws_calls.rewrite("pipes.DescribePipe", failed, after=1)
    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert events[0]["status"] == "IN_PROGRESS"
    assert events[0]["message"] == f"Waiting for the pipe role to reach Pipes: {STREAM_REFUSED}"
    counts = aws_calls.counts()
    assert (counts["pipes.CreatePipe"], counts["pipes.DeletePipe"]) == (2, 1)
    assert client("pipes").describe_pipe(Name=NAME)["CurrentState"] == "RUNNING"


def test_a_pipe_still_failing_past_the_deadline_gives_not_stabilized_and_rolls_back(table, aws_calls):
    from conftest import invoke

    aws_calls.fail("pipes.CreatePipe", "ValidationException", PIPE_ROLE_REFUSED, times=100)
    token = "5f0c2b8e-91d4-4c53-a0f7-3e6b1d2c9a84"
    first = invoke("CREATE", pipeline_properties(), token=token)
    assert first["status"] == "IN_PROGRESS"
    context = first["callbackContext"]
    context["deadlines"][waits.PIPE_ROLE_USABLE.key] = 1.0
    final = invoke("CREATE", first["resourceModel"], context=context, token=token)
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"].startswith(
        "Create failed at step pipe: Gave up waiting for the pipe role to reach Pipes after 300 s: "
        f"{PIPE_ROLE_REFUSED.rstrip('.')}. Rolled back: {FUNCTION_ARN}, "
    )
    assert left_behind() == NOTHING_LEFT


def test_two_64_character_names_sharing_a_prefix_get_their_own_roles_within_iams_limit(table):
    """Role names derive from Name; cut to fit IAM's 64 characters, the digest still tells them apart."""
    first, second = "t" * 63 + "1", "t" * 63 + "2"
    for name in (first, second):
        final, _ = drive("CREATE", pipeline_properties(Name=name))
        assert final["status"] == "SUCCESS", final
    roles = {
        role["RoleName"]: role for role in client("iam").list_roles(PathPrefix="/mare-dynamodb-streamtrigger/")["Roles"]
    }
    expected = {role_name(name, REGION, kind) for name in (first, second) for kind in ("fn", "pipe")}
    assert set(roles) == expected
    assert all(len(role) == 64 for role in roles)
    for name in (first, second):
        configuration = client("lambda").get_function(FunctionName=name)["Configuration"]
        assert configuration["Role"] == roles[role_name(name, REGION, "fn")]["Arn"]
        assert client("pipes").describe_pipe(Name=name)["RoleArn"] == roles[role_name(name, REGION, "pipe")]["Arn"]
