"""Read returns the live state; List finds every trigger with calls that grow with pages, not pipes."""

from __future__ import annotations

import pytest

from conftest import ACCOUNT, REGION, TABLE, client, drive, pipeline_properties

NAME = "deployment-processor"


def test_read_shows_settings_changed_by_hand(table):
    drive("CREATE", pipeline_properties(Tags=[{"Key": "a", "Value": "1"}]))
    client("pipes").update_pipe(
        Name=NAME,
        RoleArn=client("pipes").describe_pipe(Name=NAME)["RoleArn"],
        SourceParameters={"DynamoDBStreamParameters": {"BatchSize": 7}},
    )
    client("lambda").update_function_configuration(FunctionName=NAME, MemorySize=1024)

    final, _ = drive("READ", {"Name": NAME})

    assert final["status"] == "SUCCESS"
    model = final["resourceModel"]
    assert model["BatchSize"] == 7
    assert model["MemorySize"] == 1024
    assert model["Tags"] == [{"Key": "a", "Value": "1"}]
    assert model["TableName"] == TABLE
    assert model["TriggerType"] == "PIPELINE"
    assert "Code" not in model and "IsDevops" not in model


def test_read_of_a_missing_trigger_is_not_found(moto):
    final, _ = drive("READ", {"Name": "nothing-here"})
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotFound")
    assert final["message"] == "Trigger nothing-here not found: no function and pipe of that name"


def test_read_of_a_function_without_its_pipe_is_not_found(table):
    drive("CREATE", pipeline_properties())
    client("pipes").delete_pipe(Name=NAME)
    final, _ = drive("READ", {"Name": NAME})
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotFound")


@pytest.mark.parametrize("triggers", [3])
def test_list_returns_exactly_the_triggers_of_this_type(table, aws_calls, triggers):
    names = [f"trigger-{i}" for i in range(triggers)]
    for name in names:
        final, _ = drive("CREATE", pipeline_properties(Name=name))
        assert final["status"] == "SUCCESS", final
    # A pipe of someone else's, to a function of its own name but with a role the type did not make.
    iam = client("iam")
    role = iam.create_role(RoleName="hand-made", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client("pipes").create_pipe(
        Name="hand-made",
        RoleArn=role,
        Source=table["LatestStreamArn"],
        Target=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hand-made",
    )
    aws_calls.calls.clear()

    final, _ = drive("LIST", {})

    assert final["status"] == "SUCCESS"
    models = final["resourceModels"]
    assert sorted(m["Name"] for m in models) == names
    first = next(m for m in models if m["Name"] == "trigger-0")
    assert first == {
        "Name": "trigger-0",
        "PipeArn": f"arn:aws:pipes:{REGION}:{ACCOUNT}:pipe/trigger-0",
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:trigger-0",
        "StreamArn": table["LatestStreamArn"],
        "TableArn": table["TableArn"],
        "TableName": TABLE,
    }
    # One page each: no call per pipe.
    assert sorted(aws_calls.calls) == ["iam.ListRoles", "pipes.ListPipes"]
