"""CloudFormation may deliver an invocation twice: every step checks before it acts, so a repeated
delivery with the same callback context leaves the same result."""

from __future__ import annotations

import json
import uuid
from typing import Any

from conftest import REGION, client, hold_pipes, invoke, pipeline_properties
from mare_dynamodb_streamtrigger.core.names import role_name

NAME = "deployment-processor"


def drive_delivering_twice(action: str, properties: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    """Invokes as CloudFormation does, but delivers every invocation twice with the same context
    (each delivery gets its own copy, as Lambda deserializes each); continues with the second answer."""
    token = str(uuid.uuid4())
    context: dict[str, Any] | None = None
    answers = []
    for _ in range(30):
        first = invoke(
            action, json.loads(json.dumps(properties)), token=token, context=json.loads(json.dumps(context)), **kwargs
        )
        second = invoke(
            action, json.loads(json.dumps(properties)), token=token, context=json.loads(json.dumps(context)), **kwargs
        )
        answers.append((first, second))
        if second["status"] != "IN_PROGRESS":
            return [answer for pair in answers for answer in pair]
        context, properties = second["callbackContext"], second["resourceModel"]
    raise AssertionError("still IN_PROGRESS")


def trigger_parts() -> dict[str, Any]:
    iam = client("iam")
    roles = sorted(r["RoleName"] for r in iam.list_roles(PathPrefix="/mare-dynamodb-streamtrigger/")["Roles"])
    return {
        "roles": roles,
        "role_policies": {role: iam.list_role_policies(RoleName=role)["PolicyNames"] for role in roles},
        "functions": [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]],
        "pipes": [p["Name"] for p in client("pipes").list_pipes()["Pipes"]],
    }


def permission_statements() -> list[dict[str, Any]]:
    return json.loads(client("lambda").get_policy(FunctionName=NAME)["Policy"])["Statement"]


def pending(parsed: dict[str, Any]) -> None:
    parsed.get("Configuration", parsed)["State"] = "Pending"


def test_create_delivered_twice_builds_each_part_once(moto, table, aws_calls):
    hold_pipes(moto, describes=3)
    # Pending first, so that the permission and the pipe come on later, repeated invocations.
    aws_calls.rewrite("lambda.CreateFunction", pending, times=2)
    aws_calls.rewrite("lambda.GetFunction", pending, times=1, after=2)
    answers = drive_delivering_twice("CREATE", pipeline_properties())

    # The two deliveries may see AWS in different states (a describe moves moto's pipe on).
    assert answers[-1]["status"] == "SUCCESS"
    assert all(a["status"] in ("IN_PROGRESS", "SUCCESS") for a in answers), answers
    assert trigger_parts() == {
        "roles": sorted([role_name(NAME, REGION, "fn"), role_name(NAME, REGION, "pipe")]),
        "role_policies": {role_name(NAME, REGION, k): ["StreamTrigger"] for k in ("fn", "pipe")},
        "functions": [NAME],
        "pipes": [NAME],
    }
    # moto would accept a second statement with the same Sid: the handler looks first.
    assert [s["Sid"] for s in permission_statements()] == ["AllowPipeInvoke"]
    counts = aws_calls.counts()
    assert counts["lambda.AddPermission"] == 1
    assert counts["pipes.CreatePipe"] == 1


def test_the_first_create_invocation_delivered_again_after_success_still_succeeds(table):
    token = "one-request"
    first = invoke("CREATE", pipeline_properties(), token=token)
    assert first["status"] == "SUCCESS"
    again = invoke("CREATE", pipeline_properties(), token=token)
    assert again["status"] == "SUCCESS", again
    assert again["resourceModel"] == first["resourceModel"]
    assert len(permission_statements()) == 1
    # Another request with the same Name is still refused.
    other = invoke("CREATE", pipeline_properties(), token="another-request")
    assert (other["status"], other["errorCode"]) == ("FAILED", "AlreadyExists")


def test_update_delivered_twice_leaves_the_same_result(table, topic_arn):
    invoke("CREATE", pipeline_properties(), token="c")
    desired = pipeline_properties(
        MemorySize=256,
        BatchSize=7,
        Tags=[{"Key": "a", "Value": "b"}],
        TriggerType="SNS_TOPIC",
        Environment={"TOPIC": topic_arn},
    )
    answers = drive_delivering_twice("UPDATE", desired, previous=pipeline_properties())
    assert answers[-1]["status"] == "SUCCESS", answers[-1]
    model = answers[-1]["resourceModel"]
    assert (model["MemorySize"], model["BatchSize"], model["Tags"]) == (256, 7, [{"Key": "a", "Value": "b"}])
    statements = client("iam").get_role_policy(RoleName=role_name(NAME, REGION, "fn"), PolicyName="StreamTrigger")
    document = statements["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    assert [s["Sid"] for s in document["Statement"]] == [
        "WriteOwnLogs",
        "ReadTableStream",
        "ListTableStreams",
        "PublishToTopics",
    ]
    assert len(permission_statements()) == 1


def test_delete_delivered_twice_removes_everything_once(table):
    invoke("CREATE", pipeline_properties(), token="c")
    answers = drive_delivering_twice("DELETE", {"Name": NAME})
    assert answers[-1]["status"] == "SUCCESS", answers[-1]
    assert trigger_parts() == {"roles": [], "role_policies": {}, "functions": [], "pipes": []}
