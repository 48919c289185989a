"""docs/migrating-from-cdk.md, played in moto: what each order of cut-over delivers, record by record.

The construct's trigger is built here as the construct built it (a function and a pipe named
resource_base_name, the pipe at LATEST with the construct's input template); the type's trigger is
built by the real entrypoint. The local pipe runner then fires each pipe as the deployed pipe would,
from where it starts reading, so what each order of steps delivers, loses or delivers twice is seen.
"""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import NOTHING_LEFT, TABLE, client, drive, left_behind, pipeline_properties
from mare_dynamodb_streamtrigger.core.settings import DEFAULT_INPUT_TEMPLATE
from mare_streamtrigger_local import pipe_runner

NAME = "deployment-processor"
# The user's function: returns the ids it was given (the runner reports the result).
HANDLER = textwrap.dedent(
    """
    def process_deployment(event, context):
        return [element["Records"][0]["dynamodb"]["NewImage"]["id"]["S"] for element in event]
    """
)
PENDING_INSERTS = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "sts:AssumeRole"}],
}


def zipped(source: str, module: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{module}.py", source)
    return buffer.getvalue()


def construct_trigger(stream_arn: str) -> dict[str, str]:
    """What the construct deployed: its function, its pipe at LATEST, and their roles."""
    iam = client("iam")
    function_role = iam.create_role(RoleName="construct-fn", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    pipe_role = iam.create_role(RoleName="construct-pipe", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    function = client("lambda").create_function(
        FunctionName=NAME,
        Runtime="python3.12",
        Role=function_role["Arn"],
        Handler="handlers.process_deployment",
        Code={"ZipFile": zipped(HANDLER, "handlers")},
    )
    pipe = client("pipes").create_pipe(
        Name=NAME,
        RoleArn=pipe_role["Arn"],
        Source=stream_arn,
        SourceParameters={
            "DynamoDBStreamParameters": {"StartingPosition": "LATEST"},
            "FilterCriteria": {"Filters": [{"Pattern": json.dumps(PENDING_INSERTS)}]},
        },
        Target=function["FunctionArn"],
        TargetParameters={"InputTemplate": DEFAULT_INPUT_TEMPLATE},
    )
    return {"function": function["FunctionArn"], "pipe": pipe["Arn"]}


def remove_construct_trigger() -> None:
    """The first deploy of the guide: the construct's call removed, CloudFormation deletes its parts."""
    client("pipes").delete_pipe(Name=NAME)
    client("lambda").delete_function(FunctionName=NAME)
    for role in ("construct-fn", "construct-pipe"):
        client("iam").delete_role(RoleName=role)


def type_properties(name: str = NAME, **overrides: Any) -> dict[str, Any]:
    """The drop-in's template for the construct's example, with the user's code inline (moto has no asset bucket)."""
    return pipeline_properties(
        Name=name,
        Handler="handlers.process_deployment",
        Code={"ZipFile": HANDLER},
        FilterPattern=PENDING_INSERTS,
        **overrides,
    )


def put(item_id: str) -> None:
    client("dynamodb").put_item(TableName=TABLE, Item={"id": {"S": item_id}, "status": {"S": "PENDING"}})


def delivered_ids(name: str, cache: Path) -> list[str]:
    """The ids each delivered batch's function run returned, in order, after firing the pipe `name`."""
    report = pipe_runner.fire(name, cache_folder=cache)
    assert report.ok, report
    return [item_id for batch in report.batches if batch.status == "delivered" for item_id in batch.result]


@pytest.fixture
def stream_arn(table: dict[str, Any]) -> str:
    return str(table["LatestStreamArn"])


def test_the_type_under_the_constructs_name_beside_it_is_already_exists_and_touches_nothing(stream_arn):
    before = construct_trigger(stream_arn)

    final, events = drive("CREATE", type_properties())

    assert (len(events), final["status"], final["errorCode"]) == (1, "FAILED", "AlreadyExists")
    assert final["message"] == f"Trigger {NAME} cannot be created: a function named {NAME} already exists"
    assert client("lambda").get_function(FunctionName=NAME)["Configuration"]["FunctionArn"] == before["function"]
    assert client("pipes").describe_pipe(Name=NAME)["Arn"] == before["pipe"]
    assert sorted(left_behind()["roles"]) == ["construct-fn", "construct-pipe"]


@pytest.mark.parametrize(
    ("starting_position", "expected"),
    [
        # The guide's order: every record written while no trigger ran is delivered; so is the one
        # the construct already handled (the stream still holds it), hence idempotent handlers.
        ("TRIM_HORIZON", ["handled-by-the-construct", "written-between-the-deploys", "written-after"]),
        # The type's default: what was written between the two deploys is never delivered.
        ("LATEST", ["written-after"]),
    ],
)
def test_removing_the_construct_then_creating_the_type_delivers_the_gap_only_from_the_trim_horizon(
    stream_arn, tmp_path, starting_position, expected
):
    construct_trigger(stream_arn)
    put("handled-by-the-construct")
    assert delivered_ids(NAME, tmp_path / "construct") == ["handled-by-the-construct"]

    remove_construct_trigger()  # deploy 1
    put("written-between-the-deploys")
    final, _ = drive("CREATE", type_properties(StartingPosition=starting_position))  # deploy 2
    assert final["status"] == "SUCCESS", final
    put("written-after")

    assert delivered_ids(NAME, tmp_path / "type") == expected
    # The guide's check after deploy 2: the pipe reads from where the template says.
    pipe = client("pipes").describe_pipe(Name=NAME)
    assert pipe["SourceParameters"]["DynamoDBStreamParameters"]["StartingPosition"] == starting_position
    assert pipe["CurrentState"] == "RUNNING"


def test_a_new_name_beside_the_construct_overlaps_delivering_twice_and_losing_nothing(stream_arn, tmp_path):
    construct_trigger(stream_arn)
    put("before-the-overlap")
    assert delivered_ids(NAME, tmp_path / "construct") == ["before-the-overlap"]

    final, events = drive("CREATE", type_properties(name=f"{NAME}-v2"))  # deploy 1: both run
    assert final["status"] == "SUCCESS", final
    # Two readers of the stream (the construct's pipe and the new one) is within DynamoDB Streams' limit.
    assert not any("readers" in (event.get("message") or "") for event in events)
    put("during-the-overlap")
    assert delivered_ids(NAME, tmp_path / "construct") == ["during-the-overlap"]
    assert delivered_ids(f"{NAME}-v2", tmp_path / "type") == ["during-the-overlap"]

    remove_construct_trigger()  # deploy 2
    put("after-the-overlap")
    assert delivered_ids(f"{NAME}-v2", tmp_path / "type") == ["after-the-overlap"]


def test_rolling_back_a_failed_create_leaves_the_stream_to_be_read_again(stream_arn, tmp_path):
    construct_trigger(stream_arn)
    remove_construct_trigger()  # deploy 1
    put("written-while-nothing-runs")

    # Deploy 2 fails (here: a table index that does not exist) and CloudFormation rolls it back.
    final, _ = drive("CREATE", type_properties(StartingPosition="TRIM_HORIZON", TableIndexName="no-such-index"))
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert left_behind() == NOTHING_LEFT

    # Fixed and deployed again (within the stream's 24 hours): nothing written meanwhile is lost.
    final, _ = drive("CREATE", type_properties(StartingPosition="TRIM_HORIZON"))
    assert final["status"] == "SUCCESS", final
    assert delivered_ids(NAME, tmp_path / "type") == ["written-while-nothing-runs"]
