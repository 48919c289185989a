"""Real AWS where moto is lenient: each behaviour of docs/aws-behaviour.md, simulated through
botocore's event hooks on the handlers' own clients (AWS's codes, words and states injected into
moto's answers), driven through the real entrypoint, with what exists afterwards checked."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.retries import standard

from conftest import ACCOUNT, REGION, client, drive, hold_pipes, invoke, pipeline_properties, role_statements
from iam_evaluation import Request, allowing_statement
from mare_dynamodb_streamtrigger.core import invocation_time, steps, waits
from mare_dynamodb_streamtrigger.core.names import role_name
from mare_dynamodb_streamtrigger.operations import clients

NAME = "deployment-processor"
PIPE_ROLE = role_name(NAME, REGION, "pipe")
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
# Pipes' words while the pipe role's new sqs:SendMessage grant has not reached it (aws-cdk#31664,
# aws-samples/serverless-patterns#1543 and #1857).
SQS_REFUSED = (
    "Input parameter is invalid from the request due to : Error occurred while sending message to SQS queue: {queue}"
)
# An illustrative StateReason of a pipe AWS stopped: the troubleshooting page says a reason is
# given but not its words, so the handler repeats whatever AWS says.
STOPPED_BY_AWS = "The pipe was stopped because of continuous 4xx errors when invoking the target"


def world() -> dict[str, list[str]]:
    return {
        "roles": sorted(r["RoleName"] for r in client("iam").list_roles()["Roles"]),
        "functions": sorted(f["FunctionName"] for f in client("lambda").list_functions()["Functions"]),
        "pipes": sorted(p["Name"] for p in client("pipes").list_pipes()["Pipes"]),
    }


def pipe_statements() -> dict[str, dict[str, Any]]:
    return role_statements(PIPE_ROLE)


def dead_letter_config() -> Any:
    stream = client("pipes").describe_pipe(Name=NAME)["SourceParameters"]["DynamoDBStreamParameters"]
    return stream.get("DeadLetterConfig")


def make_queue(name: str, **attributes: str) -> str:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def set_state(**state: str) -> Any:
    def change(parsed: dict[str, Any]) -> None:
        parsed.update(state)

    return change


# 1. A grant that has not reached Pipes yet ----------------------------------------------------


def test_create_pipe_refused_while_the_queue_grant_propagates_is_asked_again(table, queue_arn, aws_calls):
    refusal = SQS_REFUSED.format(queue=queue_arn)
    aws_calls.fail("pipes.CreatePipe", "ValidationException", refusal, times=2)

    final, events = drive("CREATE", pipeline_properties(DeadLetterQueueArn=queue_arn))

    assert final["status"] == "SUCCESS", final
    assert [e["status"] for e in events] == ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    for event in events[:2]:
        assert event["message"] == f"Waiting for the pipe role to reach Pipes: {refusal}"
        assert event["callbackDelaySeconds"] == 10
    assert aws_calls.counts()["pipes.CreatePipe"] == 3
    assert dead_letter_config() == {"Arn": queue_arn}


# AWS's words for a KMS grant not yet seen are not public: a refused permission's usual words
# (IAM's "is not authorized to perform: <action>") are waited on within the same deadline.
KMS_REFUSED = (
    "Input parameter is invalid from the request due to : User: arn:aws:sts::123456789012:assumed-role/"
    "pipe-role/session is not authorized to perform: kms:GenerateDataKey on resource: {queue}"
)


@pytest.mark.parametrize("words", [SQS_REFUSED, KMS_REFUSED], ids=["queue", "queue-key"])
def test_update_pipe_refused_while_the_queue_grant_propagates_is_asked_again(table, queue_arn, aws_calls, words):
    drive("CREATE", pipeline_properties())
    refusal = words.format(queue=queue_arn)
    aws_calls.fail("pipes.UpdatePipe", "ValidationException", refusal, times=2)

    final, events = drive("UPDATE", pipeline_properties(DeadLetterQueueArn=queue_arn), previous=pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["message"] for e in events[:2]] == [f"Waiting for the pipe role to reach Pipes: {refusal}"] * 2
    assert aws_calls.counts()["pipes.UpdatePipe"] == 3
    assert dead_letter_config() == {"Arn": queue_arn}


def test_a_pipe_that_failed_its_creation_on_the_queue_is_made_again(table, queue_arn, aws_calls):
    refusal = SQS_REFUSED.format(queue=queue_arn)
    aws_calls.rewrite("pipes.CreatePipe", set_state(CurrentState="CREATING"))
    # The first DescribePipe is create's look for a pipe of the name; the next sees the failure.
    aws_calls.rewrite("pipes.DescribePipe", set_state(CurrentState="CREATE_FAILED", StateReason=refusal), after=1)

    final, events = drive("CREATE", pipeline_properties(DeadLetterQueueArn=queue_arn))

    assert final["status"] == "SUCCESS", final
    assert events[0]["message"] == f"Waiting for the pipe role to reach Pipes: {refusal}"
    assert aws_calls.counts()["pipes.DeletePipe"] == 1
    assert aws_calls.counts()["pipes.CreatePipe"] == 2
    assert dead_letter_config() == {"Arn": queue_arn}


def test_a_pipe_that_failed_its_update_on_the_queue_is_updated_again(table, queue_arn, aws_calls):
    drive("CREATE", pipeline_properties())
    refusal = SQS_REFUSED.format(queue=queue_arn)
    aws_calls.rewrite("pipes.UpdatePipe", set_state(CurrentState="UPDATING"), times=2)
    aws_calls.rewrite("pipes.DescribePipe", set_state(CurrentState="UPDATE_FAILED", StateReason=refusal), after=1)

    final, events = drive("UPDATE", pipeline_properties(DeadLetterQueueArn=queue_arn), previous=pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert events[0]["message"] == f"Waiting for the pipe role to reach Pipes: {refusal}"
    assert aws_calls.counts()["pipes.UpdatePipe"] == 2


# 4 and 5. KMS keys behind the table and the dead-letter queue ---------------------------------


def encrypted_with(key_arn: str) -> Any:
    """DescribeTable's answer for a table encrypted with a KMS key (moto keeps SSEDescription too;
    set here so that every answer says so, as AWS's would)."""

    def change(parsed: dict[str, Any]) -> None:
        parsed["Table"]["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key_arn}

    return change


def test_a_table_encrypted_with_a_kms_key_lets_the_pipe_role_decrypt_exactly_that_key(table, aws_calls):
    key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
    aws_calls.rewrite("dynamodb.DescribeTable", encrypted_with(key_arn), times=100)

    final, _ = drive("CREATE", pipeline_properties())
    assert final["status"] == "SUCCESS", final
    assert pipe_statements()["DecryptTableStream"] == {
        "Sid": "DecryptTableStream",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [key_arn],
    }

    final, _ = drive("UPDATE", pipeline_properties(BatchSize=5), previous=pipeline_properties())
    assert final["status"] == "SUCCESS", final
    assert pipe_statements()["DecryptTableStream"]["Resource"] == [key_arn]


def test_a_table_with_the_key_dynamodb_owns_needs_no_key_grant(table):
    final, _ = drive("CREATE", pipeline_properties())
    assert final["status"] == "SUCCESS", final
    assert not any("kms:Decrypt" in s["Action"] for s in pipe_statements().values())


@pytest.mark.parametrize("named_by", ["alias", "key-id", "key-arn"])
def test_a_dead_letter_queue_encrypted_with_a_kms_key_lets_the_pipe_role_use_exactly_that_key(
    table, aws_calls, named_by
):
    kms = client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/dead-letters", TargetKeyId=key["KeyId"])
    key_id = {"alias": "alias/dead-letters", "key-id": key["KeyId"], "key-arn": key["Arn"]}[named_by]
    queue = make_queue("encrypted-dlq", KmsMasterKeyId=key_id)

    final, _ = drive("CREATE", pipeline_properties(DeadLetterQueueArn=queue))

    assert final["status"] == "SUCCESS", final
    assert pipe_statements()["EncryptForDeadLetterQueue"] == {
        "Sid": "EncryptForDeadLetterQueue",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": [key["Arn"]],
        "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}},
    }
    assert aws_calls.counts()["kms.DescribeKey"] == (1 if named_by == "alias" else 0)


def test_a_queue_encrypted_with_another_teams_key_gives_the_pipe_role_that_key_through_sqs_only(table):
    # A stack author names a queue whose key guards other data: the pipe role may use the key
    # only as SQS uses it for that queue's messages, never to decrypt anything directly.
    secret_key = client("kms").create_key(Description="payroll")["KeyMetadata"]["Arn"]
    queue = make_queue("payroll-dlq", KmsMasterKeyId=secret_key)
    drive("CREATE", pipeline_properties(DeadLetterQueueArn=queue))

    statements = list(pipe_statements().values())
    through_sqs = (("kms:ViaService", f"sqs.{REGION}.amazonaws.com"),)
    assert allowing_statement(statements, Request("kms:GenerateDataKey", secret_key, through_sqs))
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        assert allowing_statement(statements, Request(action, secret_key)) is None
        assert allowing_statement(statements, Request(action, secret_key, (("kms:ViaService", "s3.x"),))) is None
    assert client("kms").describe_key(KeyId=secret_key)["KeyMetadata"]["Description"] == "payroll"


def test_a_dead_letter_queue_without_a_kms_key_needs_no_key_grant(table):
    queue = make_queue("sse-sqs-dlq", SqsManagedSseEnabled="true")
    final, _ = drive("CREATE", pipeline_properties(DeadLetterQueueArn=queue))
    assert final["status"] == "SUCCESS", final
    assert "EncryptForDeadLetterQueue" not in pipe_statements()
    assert pipe_statements()["SendToDeadLetterQueue"]["Resource"] == [queue]


def test_a_dead_letter_queue_that_is_not_there_is_refused_before_anything_is_made(table):
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"
    before = world()

    final, events = drive("CREATE", pipeline_properties(DeadLetterQueueArn=missing))

    assert len(events) == 1
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith(
        f"DeadLetterQueueArn {missing}: its encryption could not be read (GetQueueUrl: "
        "AWS.SimpleQueueService.NonExistentQueue: "
    )
    assert world() == before


def test_a_dead_letter_queue_the_type_may_not_read_is_refused_in_an_update_before_anything_changes(
    table, queue_arn, aws_calls
):
    drive("CREATE", pipeline_properties())
    aws_calls.fail("sqs.GetQueueAttributes", "AccessDenied", "not authorized to perform sqs:GetQueueAttributes")
    aws_calls.requests.clear()

    final, _ = drive("UPDATE", pipeline_properties(DeadLetterQueueArn=queue_arn), previous=pipeline_properties())

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == (
        f"DeadLetterQueueArn {queue_arn}: its encryption could not be read (GetQueueAttributes: AccessDenied: "
        "not authorized to perform sqs:GetQueueAttributes). The pipe role is granted the queue's KMS key, so the "
        "queue must be in this account and region, and readable by the type's execution role"
    )
    changes = [op for op, _ in aws_calls.requests if op.split(".")[1].startswith(("Put", "Update", "Tag", "Create"))]
    assert changes == []


# 6. A pipe AWS has stopped --------------------------------------------------------------------


def test_a_new_pipe_that_aws_stopped_fails_at_once_with_its_reason_and_is_rolled_back(table, aws_calls):
    before = world()
    aws_calls.rewrite("pipes.CreatePipe", set_state(CurrentState="CREATING"))
    stopped = set_state(CurrentState="STOPPED", DesiredState="RUNNING", StateReason=STOPPED_BY_AWS)
    aws_calls.rewrite("pipes.DescribePipe", stopped, after=1, times=100)

    final, events = drive("CREATE", pipeline_properties())

    # The look right after CreatePipe may still show the pipe as it was: one wait, then the failure.
    assert [e["status"] for e in events] == ["IN_PROGRESS", "FAILED"]
    assert final["errorCode"] == "NotStabilized"
    assert final["message"].startswith(
        f"Create failed at step pipe_settled: Pipe {NAME} was stopped by AWS: {STOPPED_BY_AWS}. Rolled back: "
    )
    assert world() == before


def test_an_update_of_a_pipe_that_aws_stopped_fails_with_its_reason_instead_of_waiting(table, aws_calls):
    drive("CREATE", pipeline_properties())
    stopped = set_state(CurrentState="STOPPED", DesiredState="RUNNING", StateReason=STOPPED_BY_AWS)
    aws_calls.rewrite("pipes.DescribePipe", stopped, times=100)
    aws_calls.rewrite("pipes.UpdatePipe", set_state(CurrentState="STARTING"))

    final, events = drive("UPDATE", pipeline_properties(), previous=pipeline_properties())

    assert [e["status"] for e in events] == ["IN_PROGRESS", "FAILED"]
    assert (final["errorCode"], final["message"]) == (
        "NotStabilized",
        f"Pipe {NAME} was stopped by AWS: {STOPPED_BY_AWS}",
    )
    # The update asked for RUNNING: that is how a stopped pipe is started again once its cause is fixed.
    [request] = aws_calls.sent("pipes.UpdatePipe")
    assert request["DesiredState"] == "RUNNING"


# 8. Time: one overall deadline, and invocations that return in time ----------------------------


def test_every_wait_ends_by_the_overall_deadline_and_the_create_is_rolled_back(moto, table):
    before = world()
    hold_pipes(moto, describes=50)
    token = "overall-deadline"
    first = invoke("CREATE", pipeline_properties(), token=token)
    assert first["status"] == "IN_PROGRESS"
    context = first["callbackContext"]
    started = context["deadlines"][waits.OVERALL.key] - waits.OVERALL_DEADLINE_SECONDS
    assert abs(started - time.time()) < 60
    context["deadlines"][waits.OVERALL.key] = time.time() - 1

    final = invoke("CREATE", first["resourceModel"], token=token, context=context)

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"].startswith(
        "Create failed at step pipe_settled: Gave up waiting for the pipe to reach its DesiredState: "
        "all waits of one action end after 2700 s, leaving time to roll back within CloudFormation's 60 minutes: "
        "state CREATING. Rolled back: "
    )
    assert world() == before


def test_an_invocation_starts_no_step_after_its_time_budget_and_the_next_goes_on(table, monkeypatch):
    ticks = iter(range(0, 10_000, 6))  # each look at the clock: 6 s later, as if AWS answered slowly
    monkeypatch.setattr(steps, "monotonic", lambda: float(next(ticks)))

    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    # Two steps fit in 15 s of 6 s steps; create has eleven.
    continued = [e for e in events if e["status"] == "IN_PROGRESS"]
    assert [e["message"] for e in continued] == [
        "Continuing at step log_group: this invocation used its 15 s",
        "Continuing at step function: this invocation used its 15 s",
        "Continuing at step concurrency: this invocation used its 15 s",
        "Continuing at step pipe: this invocation used its 15 s",
        "Continuing at step alarms: this invocation used its 15 s",
    ]
    assert {e["callbackDelaySeconds"] for e in continued} == {1}
    assert world()["pipes"] == [NAME]


def test_no_attempt_starts_too_late_for_its_invocation_to_answer_in_time():
    attempts = clients.CLIENT_CONFIG.retries["total_max_attempts"]
    # botocore's longest pause before an attempt: throttled, and asked to wait long (x-amz-retry-after).
    throttled = SimpleNamespace(is_throttling_error_from_context=lambda _context: True)
    backoff = standard.ExponentialBackoff(random=lambda: 1.0, throttling_detector=throttled)
    asking = SimpleNamespace(headers={"x-amz-retry-after": "600000"})
    pause = max(
        backoff.delay_amount(SimpleNamespace(attempt_number=n, http_response=asking)) for n in range(1, attempts)
    )
    assert pause == clients.RETRY_PAUSE_MAX_SECONDS
    attempt = clients.CLIENT_CONFIG.connect_timeout + clients.CLIENT_CONFIG.read_timeout
    latest = {}
    for action, within in invocation_time.ANSWER_WITHIN_SECONDS.items():
        latest[action] = clients.Aws(boto3.session.Session(), REGION, ACCOUNT, "aws", action).latest_attempt
        # The last attempt allowed, its pause, and the next attempt refused: answered in time.
        assert latest[action] + attempt + pause + invocation_time.ANSWER_MARGIN_SECONDS <= within
    assert latest == {"CREATE": 37, "UPDATE": 37, "DELETE": 37, "READ": 7, "LIST": 7}
    assert latest["CREATE"] > steps.INVOCATION_BUDGET_SECONDS


LATE = "was not sent: AWS answered slowly, and 100 s into this invocation no call starts after 37 s"


def test_a_call_due_too_late_in_an_invocation_is_not_sent_and_the_next_invocation_makes_it(table, aws_calls):
    aws_calls.late_call = "pipes.CreatePipe"

    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    late = [e for e in events if e["status"] == "IN_PROGRESS" and "not sent" in e.get("message", "")]
    assert [(e["message"], e["callbackDelaySeconds"]) for e in late] == [
        (f"Waiting for the next invocation: pipes.CreatePipe {LATE}", 1)
    ]
    # Asked twice, sent once: by the next invocation, which went on from the step it belongs to
    # (nothing before it was made again).
    assert (aws_calls.counts()["pipes.CreatePipe"], aws_calls.attempts.count("pipes.CreatePipe")) == (2, 1)
    assert (aws_calls.counts()["iam.CreateRole"], aws_calls.counts()["lambda.CreateFunction"]) == (2, 1)
    assert world()["pipes"] == [NAME]


def test_a_call_due_too_late_in_an_updates_first_look_is_made_by_the_next_invocation(table, aws_calls):
    drive("CREATE", pipeline_properties())
    aws_calls.late_call = "lambda.GetFunction"

    final, events = drive("UPDATE", pipeline_properties(BatchSize=25), previous=pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert events[0]["message"] == f"Waiting for the next invocation: lambda.GetFunction {LATE}"
    assert aws_calls.counts()["pipes.UpdatePipe"] == 1
    batch = client("pipes").describe_pipe(Name=NAME)["SourceParameters"]["DynamoDBStreamParameters"]["BatchSize"]
    assert batch == 25


def test_a_call_due_too_late_in_a_delete_is_made_by_the_next_invocation(table, aws_calls):
    before = world()
    drive("CREATE", pipeline_properties())
    aws_calls.late_call = "lambda.DeleteFunction"

    final, events = drive("DELETE", {"Name": NAME})

    assert final["status"] == "SUCCESS", final
    assert f"Waiting for the next invocation: lambda.DeleteFunction {LATE}" in [e.get("message") for e in events]
    assert aws_calls.attempts.count("lambda.DeleteFunction") == 1
    assert world() == {"roles": before["roles"], "functions": [], "pipes": []}


def test_a_read_whose_call_is_due_too_late_fails_as_a_network_failure_cloudformation_retries(table, aws_calls):
    drive("CREATE", pipeline_properties())
    aws_calls.attempts.clear()
    aws_calls.late_call = "pipes.DescribePipe"

    final, events = drive("READ", {"Name": NAME})

    assert len(events) == 1
    assert (final["status"], final["errorCode"]) == ("FAILED", "NetworkFailure")
    assert final["message"] == (
        f"Trigger {NAME}: pipes.DescribePipe was not sent: AWS answered slowly, and 100 s into this invocation "
        "no call starts after 7 s"
    )
    assert "pipes.DescribePipe" not in aws_calls.attempts


def test_a_rollback_removes_everything_however_late_in_its_invocation(table, aws_calls):
    before = world()
    aws_calls.fail("pipes.CreatePipe", "AccessDeniedException", "not authorized to perform pipes:CreatePipe")
    aws_calls.late_after = "pipes.CreatePipe"

    final, _ = drive("CREATE", pipeline_properties())

    assert (final["status"], final["errorCode"]) == ("FAILED", "AccessDenied")
    assert "Rolled back: " in final["message"] and "Could not remove" not in final["message"]
    assert "lambda.DeleteFunction" in aws_calls.attempts
    assert world() == before


def test_calls_late_in_every_invocation_end_by_the_overall_deadline_and_the_create_is_rolled_back(table, aws_calls):
    before = world()
    token = "always-late"
    aws_calls.late_call, aws_calls.late_times = "pipes.CreatePipe", 2
    first = invoke("CREATE", pipeline_properties(), token=token)
    assert first["message"] == f"Waiting for the next invocation: pipes.CreatePipe {LATE}"
    context = first["callbackContext"]
    context["deadlines"][waits.OVERALL.key] = time.time() - 1

    final = invoke("CREATE", first["resourceModel"], token=token, context=context)

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"].startswith(
        "Create failed at step pipe: Gave up waiting for the next invocation: all waits of one action end after 2700 s"
    )
    assert f"pipes.CreatePipe {LATE}. Rolled back: " in final["message"]
    assert world() == before


# 10. A pipe not yet visible just after CreatePipe ----------------------------------------------


def test_a_new_pipe_not_found_at_first_is_waited_for(table, aws_calls):
    aws_calls.rewrite("pipes.CreatePipe", set_state(CurrentState="CREATING"))
    aws_calls.fail("pipes.DescribePipe", "NotFoundException", f"Pipe {NAME} does not exist.", after=1, times=2)

    final, events = drive("CREATE", pipeline_properties())

    assert final["status"] == "SUCCESS", final
    assert [e["message"] for e in events[:-1]] == [
        f"Waiting for the new pipe to be visible: DescribePipe {NAME}: not found"
    ] * 2


def test_a_new_pipe_never_found_fails_after_its_deadline_and_is_rolled_back(table, aws_calls):
    before = world()
    aws_calls.rewrite("pipes.CreatePipe", set_state(CurrentState="CREATING"))
    aws_calls.fail("pipes.DescribePipe", "NotFoundException", f"Pipe {NAME} does not exist.", after=1, times=100)
    token = "never-found"
    first = invoke("CREATE", pipeline_properties(), token=token)
    context = first["callbackContext"]
    context["deadlines"][waits.NEW_PIPE_VISIBLE.key] = 1.0

    final = invoke("CREATE", first["resourceModel"], token=token, context=context)

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotStabilized")
    assert final["message"].startswith(
        "Create failed at step pipe_settled: Gave up waiting for the new pipe to be visible after 120 s: "
        f"DescribePipe {NAME}: not found."
    )
    aws_calls.faults.clear()
    client("pipes").delete_pipe(Name=NAME)  # the pipe moto made, which the injected answers hid
    assert world() == before


# 9. No empty map where AWS's model sets a minimum ---------------------------------------------


def test_create_pipe_carries_tags_only_when_there_are_some(table, aws_calls):
    drive("CREATE", pipeline_properties())
    [untagged] = aws_calls.sent("pipes.CreatePipe")
    assert "Tags" not in untagged

    drive("DELETE", {"Name": NAME})
    drive("CREATE", pipeline_properties(Tags=[{"Key": "team", "Value": "data"}]))
    tagged = aws_calls.sent("pipes.CreatePipe")[-1]
    assert tagged["Tags"] == {"team": "data"}


# 13. A failure names the operation, the trigger and AWS's words --------------------------------


def test_a_failure_on_a_part_not_named_after_the_trigger_still_names_the_trigger(table, aws_calls):
    aws_calls.fail("ssm.GetParameters", "AccessDeniedException", "not authorized to perform ssm:GetParameters")

    final, _ = drive("CREATE", pipeline_properties())

    assert (final["status"], final["errorCode"]) == ("FAILED", "AccessDenied")
    assert final["message"] == (
        f"Trigger {NAME}: GetParameters dynamodb_table_deployment_requests, dynamodb_table_stream_deployment_requests: "
        "AccessDeniedException: not authorized to perform ssm:GetParameters"
    )


# 12 (e). A filter that can never match ----------------------------------------------------------


def test_a_create_whose_filter_applies_numeric_to_a_dynamodb_number_is_warned_in_every_event(moto, table):
    hold_pipes(moto, describes=2)
    pattern = {"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": [">", 100]}]}}}}

    final, events = drive("CREATE", pipeline_properties(FilterPattern=pattern))

    assert final["status"] == "SUCCESS", final
    warning = (
        "Warning: FilterPattern.dynamodb.NewImage.amount.N[0]: numeric never matches a DynamoDB number, which a "
        'stream record carries as a string ({"N": "12.5"}); match the string exactly or by prefix instead.'
    )
    assert len(events) > 1
    assert all(event["message"].startswith(warning) for event in events)
    # Pipes takes the pattern as it is: the warning does not refuse it.
    [live] = client("pipes").describe_pipe(Name=NAME)["SourceParameters"]["FilterCriteria"]["Filters"]
    assert json.loads(live["Pattern"]) == pattern
