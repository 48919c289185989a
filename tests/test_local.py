"""The local runner, in-process: the demo, and one action on a properties file with --json."""

import json
import os

import pytest

from conftest import pipeline_properties
from mare_streamtrigger_local.cli import main


@pytest.fixture
def environment():
    """The runner sets and restores its own AWS environment; check that it does, and undo it if not."""
    saved = dict(os.environ)
    yield saved
    changed = dict(os.environ)
    os.environ.clear()
    os.environ.update(saved)
    for env in (changed, saved):
        env.pop("PYTEST_CURRENT_TEST", None)
    assert changed == saved


def test_demo(environment, capsys):
    """The default: a summary a person reads, each part of the cycle in a line or a few."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("moto started on http://127.0.0.1:")
    assert lines[0].endswith(
        "(region eu-west-1, account 123456789012); seeded the table deployment-requests (stream NEW_AND_OLD_IMAGES, "
        "index status-index) and its 2 SSM parameters; each pipe holds its state for 2 describes, so waits show "
        "as IN_PROGRESS"
    )
    for expected in (
        "=== CREATE ===",
        "  . create function_role: done",
        "CREATE #1: IN_PROGRESS, call back in 10 s: Waiting for the pipe to reach its DesiredState: state CREATING",
        "CREATE #2: SUCCESS",
        "built: Mare::DynamoDB::StreamTrigger deployment-processor",
        "  function       arn:aws:lambda:eu-west-1:123456789012:function:deployment-processor",
        "  pipe           arn:aws:pipes:eu-west-1:123456789012:pipe/deployment-processor",
        "READ #1: SUCCESS",
        "changes:\n  BatchSize: 100 (default) -> 50\n  MemorySize: 128 (default) -> 256\n",
        "UPDATE #1: SUCCESS",
        "LIST #1: SUCCESS: 1 trigger(s): deployment-processor",
        "DELETE #1: IN_PROGRESS, call back in 10 s: Waiting for the pipe to be deleted: DeletePipe accepted",
        "DELETE #2: SUCCESS",
        # The demo ends with a real firing: a PENDING item starts the pipeline, a DONE item does not.
        "=== FIRE ===",
        "seeded the CodePipeline pipeline deploy-pipeline",
        "CREATE of the zero-code PIPELINE trigger deployment-processor: SUCCESS",
        'PutItem {"id": "req-1", "status": "PENDING"}',
        'PutItem {"id": "req-2", "status": "DONE"}',
        "batch 1: read 2, kept 1, delivered 1, 1 invocation: delivered",
        '"pipeline": "deploy-pipeline"',
        "started pipeline deploy-pipeline in eu-west-1 for 1 record(s)",
        "1 batch(es), 2 record(s) read, 1 kept, 1 delivered, 1 invocation(s), 0 dead-lettered",
        "executions of deploy-pipeline (ListPipelineExecutions):",
    ):
        assert expected in out, expected
    for action in ("CREATE", "READ", "UPDATE", "LIST", "DELETE", "FIRE"):
        assert f"=== {action} ===" in out
    # No model and no part in full: --verbose shows those.
    assert "model:" not in out and "models (" not in out and "=== what CREATE built ===" not in out
    assert len(lines) < 130
    assert out.rstrip().endswith("]")  # the last thing shown: the pipeline's executions
    assert out.count('"pipelineExecutionId"') == 1
    assert "FAILED" not in out


def test_demo_verbose_shows_every_model_and_each_part_built(environment, capsys):
    assert main(["demo", "--verbose"]) == 0
    out = capsys.readouterr().out
    for expected in (
        "=== what CREATE built ===",
        '"PolicyName": "StreamTrigger"',
        '"Service": "pipes.amazonaws.com"',
        '"CurrentState": "RUNNING"',
        '"Sid": "AllowPipeInvoke"',
        "  model:",
        '"MemorySize": 256',
        '"BatchSize": 50',
        "models (1):",
    ):
        assert expected in out, expected


def test_demo_json(environment, capsys):
    assert main(["demo", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    events = [line for line in lines if line["kind"] == "event"]
    finals = [event["action"] for event in events if event["status"] != "IN_PROGRESS"]
    assert finals == ["CREATE", "READ", "UPDATE", "LIST", "DELETE"]
    assert all(e["status"] in ("IN_PROGRESS", "SUCCESS") for e in events)
    [built] = [line for line in lines if line["kind"] == "built"]
    assert built["function role"]["PolicyName"] == "StreamTrigger"
    assert built["pipe"]["SourceParameters"]["FilterCriteria"]["Filters"]
    [batch] = [line for line in lines if line["kind"] == "batch"]
    # The zero-code trigger's default template: the new image, and what names the record.
    [[record]] = [element["Records"] for element in batch["event"]]
    assert record["dynamodb"]["NewImage"] == {"id": {"S": "req-1"}, "status": {"S": "PENDING"}}
    assert record["dynamodb"]["SequenceNumber"] == batch["first_sequence_number"]
    assert record["eventID"]
    assert [line["kind"] for line in lines[-2:]] == ["fired", "seen"]
    [execution] = lines[-1]["value"]
    assert batch["result"]["started"] == [
        {"pipeline": "deploy-pipeline", "executionId": execution["pipelineExecutionId"]}
    ]


def test_create_on_a_seeded_table_as_json(environment, tmp_path, capsys):
    properties = tmp_path / "properties.json"
    properties.write_text(json.dumps(pipeline_properties()))
    code = main(["create", "--properties", str(properties), "--seed-table", "deployment-requests", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert {line["kind"] for line in lines} == {"event", "step", "summary"}
    events = [line for line in lines if line["kind"] == "event"]
    assert events and all(event["action"] == "CREATE" for event in events)
    assert next(line["message"] for line in lines if line["kind"] == "step") == "create function_role: done"
    assert lines[-1]["kind"] == "summary"
    final = events[-1]
    assert final["status"] == "SUCCESS"
    assert final["resourceModel"]["PipeArn"] == "arn:aws:pipes:eu-west-1:123456789012:pipe/deployment-processor"


def test_create_without_a_table_fails(environment, tmp_path, capsys):
    properties = tmp_path / "properties.json"
    properties.write_text(json.dumps(pipeline_properties()))
    assert main(["create", "--properties", str(properties), "--json"]) == 1
    [event] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert event["status"] == "FAILED"
    assert "dynamodb_table_deployment_requests" in event["message"]


def test_runs_after_the_session_moto(environment, table, capsys):
    """The session's moto (conftest) and the runner's share moto's in-process state: the runner starts clean."""
    assert main(["demo", "--json"]) == 0
    assert os.environ["AWS_ENDPOINT_URL"] == environment["AWS_ENDPOINT_URL"]
