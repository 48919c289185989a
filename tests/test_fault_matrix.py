"""Every AWS call of create, update and delete, failed in turn with each kind of error.

The n-th call's first attempt gets an HTTP error in the service's own protocol (injected at
botocore's `before-send`, so that botocore's standard retry mode sees it as AWS's answer). Each
action must then succeed after a retry, leaving the trigger as a run without the error does, or end
FAILED with the right code; afterwards, as
CloudFormation would go on (delete after a success, the stack's rollback update after a failed
update, a second delete after a failed one), moto must hold nothing of the trigger.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.retries import standard

from conftest import client, drive, left_behind, make_table, network, pipeline_properties, published_layer
from faults import ERROR_KINDS, SERVICE_ERRORS, Recorder
from mare_dynamodb_streamtrigger.core.names import layer_of_version
from mare_streamtrigger_local import moto_world

NAME = "deployment-processor"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:deployments"
ALERTS = "arn:aws:sns:eu-west-1:123456789012:alerts"
# What an action may end as when its n-th call fails once, by kind of error.
ALLOWED = {
    "throttling": {"SUCCESS"},  # retried by botocore
    "internal": {"SUCCESS"},  # retried by botocore
    "access-denied": {"FAILED AccessDenied"},
    "conflict": {"FAILED AlreadyExists", "FAILED ResourceConflict"},
    # A 404 where the handler looks for what may be absent is an answer, not a failure.
    "not-found": {"SUCCESS", "FAILED NotFound", "FAILED NotStabilized"},
}

# Where a call's answer is itself a reason to wait: Lambda refuses an update with
# ResourceConflictException while an earlier one is still being applied, Pipes a change with
# ConflictException while the pipe moves between states.
# Where an error is an answer about the input: a dead-letter queue that is not there, or that the
# type may not read, is refused as InvalidRequest, naming DeadLetterQueueArn.
REFUSED_AS_INPUT = {
    (operation, kind)
    for operation in ("sqs.GetQueueUrl", "sqs.GetQueueAttributes", "sns.GetTopicAttributes")
    for kind in ("access-denied", "not-found")
} | {
    # A VpcConfig's subnet or group that EC2 does not know is refused, naming VpcConfig.
    ("ec2.DescribeSubnets", "not-found"),
    ("ec2.DescribeSecurityGroups", "not-found"),
}
# The network and the layer each fresh world has (their IDs are moto's, new each time).
WORLD: dict[str, Any] = {}
WAITED_OUT = {
    ("lambda.UpdateFunctionConfiguration", "conflict"),
    ("lambda.UpdateFunctionCode", "conflict"),
    ("lambda.DeleteFunctionConcurrency", "conflict"),
    ("pipes.UpdatePipe", "conflict"),
    ("pipes.DeletePipe", "conflict"),
}


def created_properties() -> dict[str, Any]:
    """The trigger the matrix creates (and updates from): with a reserved concurrency, a topic for
    dead letters and the function's log group, so that PutFunctionConcurrency, GetTopicAttributes
    and that group's calls are failed in CREATE, and DeleteFunctionConcurrency, the queue's calls
    (which replaces the topic) and the group's new retention in UPDATE."""
    return pipeline_properties(
        ReservedConcurrentExecutions=5,
        DeadLetterQueueArn=TOPIC,
        FunctionLogRetentionInDays=14,
        VpcConfig={"SubnetIds": WORLD["subnets"][:1], "SecurityGroupIds": [WORLD["group"]]},
        AlarmTopicArn=TOPIC,
    )


def type_configuration() -> dict[str, Any]:
    """What the account's administrator allows: the world's layer and VPC."""
    return {"LayerArns": [layer_of_version(WORLD["layer"])], "VpcIds": [WORLD["vpc"]]}


def updated_properties(queue_arn: str) -> dict[str, Any]:
    properties = pipeline_properties(
        TriggerType="SNS_TOPIC",
        Environment={"TOPIC_ARN": TOPIC},
        Handler="main.process",
        Code={"ZipFile": "def process(event, context):\n    return 2\n"},
        MemorySize=256,
        TableIndexName="status-index",
        DeadLetterQueueArn=queue_arn,
        BatchSize=10,
        FilterPatterns=[{"Pattern": {"eventName": ["MODIFY"]}}, {"Pattern": {"eventName": ["REMOVE"]}}],
        Tags=[{"Key": "team", "Value": "data"}],
        # Issue 22's options, each changed: a failure at any call must roll them all back too.
        DesiredState="STOPPED",
        ParallelizationFactor=3,
        Description="Publishes each change",
        Architectures=["arm64"],
        EphemeralStorage={"Size": 1024},
        TracingConfig={"Mode": "Active"},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN"},
        FunctionLogRetentionInDays=30,
        Layers=[WORLD["layer"]],
        VpcConfig={"SubnetIds": WORLD["subnets"], "SecurityGroupIds": [WORLD["group"]]},
        # Another topic, and with the queue a fourth alarm: alarms changed, made, retagged (and,
        # by the stack's rollback, deleted and untagged).
        AlarmTopicArn=ALERTS,
    )
    del properties["FilterPattern"]  # in place of FilterPatterns
    return properties


def fresh_world(moto_url: str) -> str:
    """An empty moto with the table, topic and queue a trigger needs; returns the queue's ARN."""
    moto_world.reset(moto_url)
    make_table()
    client("sns").create_topic(Name="deployments")
    client("sns").create_topic(Name="alerts")
    vpc, subnets, group = network("10.20.0.0/16", subnets=2)
    WORLD.update(vpc=vpc, subnets=subnets, group=group, layer=published_layer())
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def leftovers() -> list[str]:
    return [name for names in left_behind().values() for name in names]


def outcome(event: dict[str, Any]) -> str:
    return event["status"] if event["status"] == "SUCCESS" else f"{event['status']} {event.get('errorCode')}"


def set_up(action: str, queue_arn: str) -> dict[str, Any] | None:
    """What must exist before the action; the model Read returned for it."""
    if action == "CREATE":
        return None
    created, _ = drive("CREATE", created_properties(), type_configuration=type_configuration())
    assert created["status"] == "SUCCESS", created
    return drive("READ", {"Name": NAME})[0]["resourceModel"]


def live_state() -> dict[str, Any]:
    """What a create or update leaves: the model Read returns (less the stream, which each fresh table
    makes anew, and StartingPosition, which moto's UpdatePipe drops) and the function's code."""
    model = drive("READ", {"Name": NAME})[0].get("resourceModel") or {}
    state = {key: value for key, value in model.items() if key not in ("StreamArn", "StartingPosition")}
    state["CodeSha256"] = client("lambda").get_function(FunctionName=NAME)["Configuration"]["CodeSha256"]
    return in_world_terms(state)


def in_world_terms(value: dict[str, Any]) -> dict[str, Any]:
    """The value with the world's network IDs named by their part: each fresh world makes new ones."""
    text = json.dumps(value)
    for index, subnet in enumerate(WORLD["subnets"]):
        text = text.replace(subnet, f"<subnet {index}>")
    for part in ("group", "vpc"):
        text = text.replace(WORLD[part], f"<{part}>")
    result: dict[str, Any] = json.loads(text)
    return result


def act(action: str, queue_arn: str) -> dict[str, Any]:
    return act_with_events(action, queue_arn)[0]


def act_with_events(action: str, queue_arn: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    allowed = type_configuration()
    if action == "CREATE":
        return drive("CREATE", created_properties(), type_configuration=allowed)
    if action == "UPDATE":
        desired, previous = updated_properties(queue_arn), created_properties()
        return drive("UPDATE", desired, previous=previous, type_configuration=allowed)
    if action == "READ":
        return drive("READ", {"Name": NAME})
    return drive("DELETE", {"Name": NAME})


def follow_up(action: str, final: dict[str, Any], queue_arn: str, before: dict[str, Any] | None) -> list[str]:
    """What CloudFormation does next; returns what is wrong afterwards."""
    problems = []
    if action == "UPDATE" and final["status"] == "FAILED":
        # The stack's rollback: an update back to the previous properties, which must restore them.
        desired, previous = created_properties(), updated_properties(queue_arn)
        rolled_back, _ = drive("UPDATE", desired, previous=previous, type_configuration=type_configuration())
        if rolled_back["status"] != "SUCCESS":
            problems.append(f"rollback update {outcome(rolled_back)}: {rolled_back.get('message')}")
        read = drive("READ", {"Name": NAME})[0].get("resourceModel") or {}
        differences = sorted(
            key
            for key in set(read) | set(before or {})
            # moto's UpdatePipe drops StartingPosition, which AWS keeps (it cannot be updated).
            if key != "StartingPosition" and read.get(key) != (before or {}).get(key)
        )
        if differences:
            problems.append(f"after rollback Read differs in {differences}: {json.dumps(read)}")
    if action == "DELETE" and final["status"] == "FAILED":
        retried, _ = drive("DELETE", {"Name": NAME})
        if retried["status"] != "SUCCESS":
            problems.append(f"second delete {outcome(retried)}: {retried.get('message')}")
    elif not (action == "CREATE" and final["status"] == "FAILED"):
        deleted, _ = drive("DELETE", {"Name": NAME})
        if action != "DELETE" and deleted["status"] != "SUCCESS":
            problems.append(f"delete after {action} {outcome(deleted)}: {deleted.get('message')}")
    left = leftovers()
    if left:
        problems.append(f"leaked {left}")
    return problems


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda _self, _context: 0)


@pytest.mark.parametrize("action", ["CREATE", "UPDATE", "DELETE"])
def test_every_call_failed_with_every_kind_of_error(moto, aws_calls: Recorder, no_retry_sleep, action, capsys):
    queue_arn = fresh_world(moto)
    set_up(action, queue_arn)
    aws_calls.calls.clear()
    assert outcome(act(action, queue_arn)) == "SUCCESS"
    calls = list(aws_calls.calls)
    # What a successful create or update must leave, whichever call failed on the way.
    expected = live_state() if action != "DELETE" else None

    wrong: list[str] = []
    leaks = 0
    runs = 0
    for position in range(1, len(calls) + 1):
        for kind in ERROR_KINDS:
            if kind not in SERVICE_ERRORS[calls[position - 1].split(".")[0]]:
                continue
            runs += 1
            queue_arn = fresh_world(moto)
            before = set_up(action, queue_arn)
            aws_calls.calls.clear()
            aws_calls.nth_call_error = (position, kind)
            final = act(action, queue_arn)
            aws_calls.nth_call_error = None
            where = f"{action} call {position} ({calls[position - 1]}) {kind}"
            allowed = ALLOWED[kind] | ({"SUCCESS"} if (calls[position - 1], kind) in WAITED_OUT else set())
            if (calls[position - 1], kind) in REFUSED_AS_INPUT:
                allowed = {"FAILED InvalidRequest"}
            if outcome(final) not in allowed:
                wrong.append(f"{where}: {outcome(final)}: {final.get('message')}")
            elif final["status"] == "FAILED" and not final.get("message"):
                wrong.append(f"{where}: FAILED without a message")
            elif expected is not None and final["status"] == "SUCCESS" and live_state() != expected:
                wrong.append(f"{where}: SUCCESS, but the trigger is not as it should be: {json.dumps(live_state())}")
            problems = follow_up(action, final, queue_arn, before)
            leaks += any(p.startswith("leaked") for p in problems)
            wrong.extend(f"{where}: {p}" for p in problems)

    with capsys.disabled():
        print(
            f"\n{action}: matrix 1 action x {len(calls)} positions x up to {len(ERROR_KINDS)} errors = "
            f"{runs} runs; leaks: {leaks}"
        )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("action", ["CREATE", "UPDATE", "DELETE", "READ"])
def test_every_call_due_too_late_in_its_invocation_is_left_to_the_next(moto, aws_calls: Recorder, action, capsys):
    """Each call in turn comes when its invocation has no time left for it, as if AWS had answered
    the calls before it slowly: it is not sent, and the action goes on in the next invocation from
    the step it belongs to, ending as a run on time does (READ, which cannot go on, fails as a
    network failure CloudFormation retries)."""
    # READ reads the trigger that DELETE's set-up makes.
    prepared = "DELETE" if action == "READ" else action
    queue_arn = fresh_world(moto)
    set_up(prepared, queue_arn)
    aws_calls.calls.clear()
    assert outcome(act_with_events(action, queue_arn)[0]) == "SUCCESS"
    calls = list(aws_calls.calls)
    expected = live_state() if action in ("CREATE", "UPDATE") else None

    wrong: list[str] = []
    leaks = 0
    for position, operation in enumerate(calls, start=1):
        queue_arn = fresh_world(moto)
        set_up(prepared, queue_arn)
        aws_calls.calls.clear()
        aws_calls.attempts.clear()
        aws_calls.late_call = position
        final, events = act_with_events(action, queue_arn)
        aws_calls.late_call = None
        where = f"{action} call {position} ({operation}) late"
        not_sent = f"{operation} was not sent: AWS answered slowly"
        if action == "READ":
            if outcome(final) != "FAILED NetworkFailure" or not_sent not in final.get("message", ""):
                wrong.append(f"{where}: {outcome(final)}: {final.get('message')}")
        elif outcome(final) != "SUCCESS":
            wrong.append(f"{where}: {outcome(final)}: {final.get('message')}")
        elif not any(
            event.get("message", "").startswith(f"Waiting for the next invocation: {not_sent}") for event in events
        ):
            wrong.append(f"{where}: no invocation left it to the next: {[e.get('message') for e in events]}")
        elif expected is not None and live_state() != expected:
            wrong.append(f"{where}: SUCCESS, but the trigger is not as it should be: {json.dumps(live_state())}")
        # Every call was sent once, but the late one: not sent in its invocation.
        if aws_calls.attempts != aws_calls.calls[: position - 1] + aws_calls.calls[position:]:
            wrong.append(f"{where}: calls {aws_calls.calls}, attempts {aws_calls.attempts}")
        problems = follow_up(action, final, queue_arn, None) if action != "READ" else []
        leaks += any(p.startswith("leaked") for p in problems)
        wrong.extend(f"{where}: {p}" for p in problems)

    with capsys.disabled():
        print(f"\n{action}: every call late once: {len(calls)} positions; leaks: {leaks}")
    assert not wrong, "\n".join(wrong)
