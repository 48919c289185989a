"""Delete removes every part; a second delete is NotFound."""

from __future__ import annotations

from conftest import NOTHING_LEFT, REGION, client, drive, left_behind, pipeline_properties
from mare_dynamodb_streamtrigger.core.names import role_name

NAME = "deployment-processor"


def test_delete_removes_pipe_function_permission_roles_and_policies(table, aws_calls):
    created, _ = drive("CREATE", pipeline_properties())
    assert created["status"] == "SUCCESS"
    aws_calls.calls.clear()

    final, events = drive("DELETE", {"Name": NAME, "TableName": "deployment-requests"})

    assert [e["status"] for e in events] == ["IN_PROGRESS", "SUCCESS"]
    assert events[0]["message"] == "Waiting for the pipe to be deleted: DeletePipe accepted"
    assert events[0]["callbackDelaySeconds"] == 10
    assert "resourceModel" not in final
    assert client("pipes").list_pipes()["Pipes"] == []
    assert client("lambda").list_functions()["Functions"] == []
    iam = client("iam")
    assert iam.list_roles()["Roles"] == []
    for kind in ("fn", "pipe"):
        assert role_name(NAME, REGION, kind) not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    # Each part is removed only when it is the trigger's own, looked at as it is removed.
    assert aws_calls.calls == [
        "pipes.DescribePipe",
        "lambda.GetFunction",
        "pipes.DeletePipe",
        "pipes.DescribePipe",
        "cloudwatch.DescribeAlarms",  # the trigger's alarms, deleted only where tagged as its own
        "lambda.GetFunction",  # the function's role is the trigger's
        "lambda.DeleteFunction",
        "logs.ListTagsForResource",  # the function's log group is removed only if the type made it
        "logs.ListTagsForResource",  # and so is the pipe's
        "iam.GetRole",  # under the type's path, with its marker
        "iam.DeleteRolePolicy",
        "iam.DeleteRole",
        "iam.GetRole",
        "iam.DeleteRolePolicy",
        "iam.DeleteRole",
    ]


def test_second_delete_is_not_found(table):
    drive("CREATE", pipeline_properties())
    first, _ = drive("DELETE", {"Name": NAME})
    assert first["status"] == "SUCCESS"
    second, events = drive("DELETE", {"Name": NAME})
    assert len(events) == 1
    assert (second["status"], second["errorCode"]) == ("FAILED", "NotFound")
    assert second["message"] == f"Trigger {NAME} not found: no function and pipe of that name"


def test_delete_finishes_a_trigger_whose_pipe_is_already_gone(table):
    drive("CREATE", pipeline_properties())
    client("pipes").delete_pipe(Name=NAME)
    _, events = drive("DELETE", {"Name": NAME})
    assert [e["status"] for e in events] == ["SUCCESS"]
    assert left_behind() == NOTHING_LEFT


def test_delete_removes_policies_added_to_the_roles_by_hand(table):
    drive("CREATE", pipeline_properties())
    iam = client("iam")
    role = role_name(NAME, REGION, "fn")
    iam.put_role_policy(
        RoleName=role,
        PolicyName="added-by-hand",
        PolicyDocument='{"Version": "2012-10-17", '
        '"Statement": [{"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}]}',
    )
    managed = iam.create_policy(
        PolicyName="tracing",
        PolicyDocument='{"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}]}',
    )
    iam.attach_role_policy(RoleName=role, PolicyArn=managed["Policy"]["Arn"])

    final, _ = drive("DELETE", {"Name": NAME})

    assert final["status"] == "SUCCESS", final
    assert iam.list_roles(PathPrefix="/mare-dynamodb-streamtrigger/")["Roles"] == []
    # The managed policy itself is the user's: only detached, never deleted.
    assert iam.get_policy(PolicyArn=managed["Policy"]["Arn"])["Policy"]["AttachmentCount"] == 0


def test_delete_finishes_roles_left_by_a_delete_that_failed_half_way(table):
    drive("CREATE", pipeline_properties())
    client("pipes").delete_pipe(Name=NAME)
    client("lambda").delete_function(FunctionName=NAME)
    final, _ = drive("DELETE", {"Name": NAME})
    assert final["status"] == "SUCCESS", final
    assert client("iam").list_roles(PathPrefix="/mare-dynamodb-streamtrigger/")["Roles"] == []
    again, _ = drive("DELETE", {"Name": NAME})
    assert (again["status"], again["errorCode"]) == ("FAILED", "NotFound")


def test_a_delete_refused_while_the_pipe_changes_state_is_asked_again_later(table, aws_calls):
    created, _ = drive("CREATE", pipeline_properties())
    assert created["status"] == "SUCCESS"
    aws_calls.calls.clear()
    busy = "Pipe deployment-processor is in state UPDATING"
    aws_calls.fail("pipes.DeletePipe", "ConflictException", busy, status=409)

    _, events = drive("DELETE", {"Name": NAME})

    assert [e["status"] for e in events] == ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    assert events[0]["message"] == f"Waiting for the pipe to finish its change of state: {busy}"
    assert events[0]["callbackDelaySeconds"] == 10
    assert events[1]["message"] == "Waiting for the pipe to be deleted: DeletePipe accepted"
    assert aws_calls.counts()["pipes.DeletePipe"] == 2
    assert client("pipes").list_pipes()["Pipes"] == []
    assert left_behind() == NOTHING_LEFT


def test_a_pipe_that_fails_to_delete_gives_not_stabilized_with_its_reason(table, aws_calls):
    created, _ = drive("CREATE", pipeline_properties())
    assert created["status"] == "SUCCESS"
    # Pipes accepts the deletion, then fails it: the pipe stays, in DELETE_FAILED.
    aws_calls.accept("pipes.DeletePipe", {"Name": NAME, "CurrentState": "DELETING", "DesiredState": "DELETED"})
    reason = "Internal error while deleting the pipe's source mapping"

    def delete_failed(parsed: dict) -> None:
        parsed.update(CurrentState="DELETE_FAILED", StateReason=reason)

    aws_calls.rewrite("pipes.DescribePipe", delete_failed, after=1)  # the look before DeletePipe is as it is

    final, events = drive("DELETE", {"Name": NAME})

    assert [e["status"] for e in events] == ["IN_PROGRESS", "FAILED"]
    assert (final["errorCode"], final["message"]) == ("NotStabilized", f"Pipe {NAME} is DELETE_FAILED: {reason}")
    # Nothing else was removed, so that a later delete can finish the job.
    assert client("lambda").get_function(FunctionName=NAME)["Configuration"]["FunctionName"] == NAME
    assert len(client("iam").list_roles(PathPrefix="/mare-dynamodb-streamtrigger/")["Roles"]) == 2
    retried, _ = drive("DELETE", {"Name": NAME})
    assert retried["status"] == "SUCCESS", retried
    assert client("pipes").list_pipes()["Pipes"] == []
    assert left_behind() == NOTHING_LEFT
