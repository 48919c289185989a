"""The local runner, in-process: the demo, and one action on a properties file with --json."""

import json
import os

import pytest

from conftest import pipeline_properties
from mare_dynamodb_streamtrigger.local import main


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
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for expected in (
        "=== CREATE ===",
        "CREATE #1: IN_PROGRESS, call back in 10 s",
        "message: Waiting for the pipe to be RUNNING",
        "CREATE #2: SUCCESS",
        "=== what CREATE built ===",
        '"PolicyName": "StreamTrigger"',
        '"Service": "pipes.amazonaws.com"',
        '"CurrentState": "RUNNING"',
        '"Sid": "AllowPipeInvoke"',
        "READ #1: SUCCESS",
        '"MemorySize": 256',
        '"BatchSize": 50',
        "LIST #1: SUCCESS",
        "models (1):",
        "DELETE #2: SUCCESS",
    ):
        assert expected in out, expected
    for action in ("CREATE", "READ", "UPDATE", "LIST", "DELETE"):
        assert f"=== {action} ===" in out
    assert "FAILED" not in out


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
