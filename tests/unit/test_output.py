"""The local runner's progress: steps as they happen, and a table of what was built."""

from __future__ import annotations

import io
import json

from rich.console import Console

from mare_dynamodb_streamtrigger.core.steps import step_done
from mare_streamtrigger_local.output import Printer, showing_steps

MODEL = {
    "Name": "t",
    "FunctionRoleArn": "arn:aws:iam::1:role/fn",
    "PipeRoleArn": "arn:aws:iam::1:role/pipe",
    "FunctionArn": "arn:aws:lambda:r:1:function:t",
    "PipeArn": "arn:aws:pipes:r:1:pipe/t",
    "TableArn": "arn:aws:dynamodb:r:1:table/x",
    "StreamArn": "arn:aws:dynamodb:r:1:table/x/stream/s",
}


def test_plain_lines_where_the_output_is_not_a_terminal(capsys):
    out = Printer(as_json=False)
    assert out.console is None  # pytest's captured output is no terminal
    with showing_steps(out):
        step_done("create", "pipe_role")
    out.summary(MODEL)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "  . create pipe_role: done"
    assert lines[1] == "built: Mare::DynamoDB::StreamTrigger t"
    assert lines[2].split() == ["function", "role", "arn:aws:iam::1:role/fn"]
    assert len(lines) == 8


def test_a_rich_table_in_a_terminal():
    out = Printer(as_json=False)
    buffer = io.StringIO()
    out.console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    out.summary(MODEL)
    text = buffer.getvalue()
    assert "┃ part" in text and "arn:aws:pipes:r:1:pipe/t" in text


def test_json_lines(capsys):
    out = Printer(as_json=True)
    with showing_steps(out):
        step_done("update", "tags")
    out.summary(MODEL)
    step, summary = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert step == {"kind": "step", "message": "update tags: done"}
    assert summary["kind"] == "summary" and summary["pipe"] == MODEL["PipeArn"]


def test_property_changes_name_each_change_with_defaults_for_what_was_not_given():
    from mare_streamtrigger_local.output import property_changes

    previous = {"Name": "t", "MemorySize": 256, "Description": "old", "Environment": {"A_B": "1"}}
    desired = {"Name": "t", "BatchSize": 50, "Description": "new", "Environment": {"A_B": "2"}}
    assert property_changes(previous, desired, {"MemorySize": 128, "BatchSize": 100}) == [
        "BatchSize: 100 (default) -> 50",
        'Description: "old" -> "new"',
        'Environment: {"A_B": "1"} -> {"A_B": "2"}',
        "MemorySize: 256 -> 128 (default)",
    ]
    assert property_changes({"Tags": [{"Key": "a"}]}, {}, {}) == ['Tags: [{"Key": "a"}] -> (not set)']
    assert property_changes(previous, previous, {}) == []
    assert property_changes(previous, desired, {}, only={"Description"}) == ['Description: "old" -> "new"']
