"""The local commands on the user's own template, and what they do with bad input: one line on stderr,
exit code 2, never a traceback. Actions run against the session's moto server through the real entrypoint."""

import json
from pathlib import Path

import pytest

from conftest import ACCOUNT, REGION, TABLE, client, make_table
from mare_streamtrigger_local.cli import ACTIONS, main, parser
from mare_streamtrigger_local.moto_world import seed_pipeline

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: dev
  Table:
    Type: String
    Default: {TABLE}
Resources:
  Trigger:
    Type: Mare::DynamoDB::StreamTrigger
    Properties:
      Name: !Sub orders-${{Stage}}
      TableName: !Ref Table
      TriggerType: PIPELINE
      Handler: app.handler
      Code:
        ZipFile: |
          def handler(event, context):
              return event
      Environment:
        PIPELINE_ARN: !Sub arn:${{AWS::Partition}}:codepipeline:${{AWS::Region}}:${{AWS::AccountId}}:release-${{Stage}}
      StartingPosition: LATEST
      IsDevops: false
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(TEMPLATE)
    return path


def run(capsys, *arguments: str) -> tuple[int, list[dict], str]:
    code = main(list(arguments))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_create_from_the_users_template_with_a_parameter(table, moto, template, capsys):
    code, lines, err = run(
        capsys, "create", "--template", str(template), "--resource", "Trigger", "--parameter", "Stage=prod",
        "--endpoint-url", moto, "--region", REGION, "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert lines[-1]["kind"] == "summary"
    configuration = client("lambda").get_function(FunctionName="orders-prod")["Configuration"]
    assert configuration["Environment"]["Variables"] == {
        "PIPELINE_ARN": f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:release-prod"
    }
    assert client("pipes").describe_pipe(Name="orders-prod")["CurrentState"] == "RUNNING"


@pytest.fixture
def built(table, moto, template, capsys) -> tuple[str, ...]:
    """The template's trigger, created in the session's moto; the arguments that name it again."""
    base = ("--template", str(template), "--resource", "Trigger", "--endpoint-url", moto, "--region", REGION)
    assert run(capsys, "create", *base, "--json")[0] == 0
    return base


def test_update_without_previous_reads_the_live_trigger_and_refuses_a_create_only_change(built, template, capsys):
    base = built
    template.write_text(TEMPLATE.replace("StartingPosition: LATEST", "StartingPosition: TRIM_HORIZON"))

    code, lines, err = run(capsys, "update", *base, "--json")

    assert (code, err) == (1, "")
    assert lines[0] == {"kind": "note", "message": "previous state: orders-dev as READ returns it now"}
    assert lines[1] == {"kind": "changes", "changes": ['StartingPosition: "LATEST" -> "TRIM_HORIZON"']}
    final = lines[-1]
    assert (final["status"], final["errorCode"]) == ("FAILED", "NotUpdatable")
    assert final["message"].startswith("Trigger orders-dev: StartingPosition cannot be changed in place ('LATEST' to ")
    pipe = client("pipes").describe_pipe(Name="orders-dev")
    assert pipe["SourceParameters"]["DynamoDBStreamParameters"]["StartingPosition"] == "LATEST"


def test_update_without_previous_applies_an_updatable_change(built, template, capsys):
    base = built
    template.write_text(TEMPLATE.replace("      IsDevops: false\n", "      IsDevops: false\n      MemorySize: 512\n"))

    code, lines, err = run(capsys, "update", *base, "--json")

    assert (code, err) == (0, "")
    assert lines[1] == {"kind": "changes", "changes": ["MemorySize: 128 -> 512"]}
    assert lines[-1]["kind"] == "summary"
    assert client("lambda").get_function(FunctionName="orders-dev")["Configuration"]["MemorySize"] == 512


def test_update_of_a_trigger_that_does_not_exist_says_so_on_stderr(moto, template, capsys):
    code, lines, err = run(
        capsys, "update", "--template", str(template), "--resource", "Trigger", "--endpoint-url", moto, "--json"
    )
    assert (code, lines) == (1, [])
    problem = json.loads(err)
    assert problem["kind"] == "problem"
    assert problem["message"].startswith("update orders-dev: no previous state: READ gave NotFound: ")
    assert problem["message"].endswith("(pass --previous FILE)")


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """command line: the one line on stderr it gives."""
    template = tmp_path / "stack.yaml"
    template.write_text(TEMPLATE)
    broken = tmp_path / "broken.json"
    broken.write_text('{"eventName": [')
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    item = tmp_path / "item.json"
    item.write_text('{"id": "1"}')
    pattern = tmp_path / "pattern.json"
    pattern.write_text('{"eventName": ["INSERT"]}')
    absent = tmp_path / "absent.json"
    return {
        "a template as --properties": (
            ["create", "--properties", str(template)],
            f"{template}: not JSON: Expecting value at line 1, column 1 (a template? use --template FILE --resource "
            "LOGICAL_ID)",
        ),
        "a missing properties file": (["create", "--properties", str(absent)], f"{absent}: No such file or directory"),
        "a properties file that is not an object": (
            ["delete", "--properties", str(listed)],
            f"{listed}: expected a JSON object",
        ),
        "a missing previous file": (
            ["update", "--template", str(template), "--resource", "Trigger", "--previous", str(absent)],
            f"{absent}: No such file or directory",
        ),
        "a template without --resource": (
            ["read", "--template", str(template)],
            "--template needs --resource LOGICAL_ID: the trigger's logical ID in the template",
        ),
        "a resource not in the template": (
            ["create", "--template", str(template), "--resource", "Other"],
            "no resource Other in the template (its Mare::DynamoDB::StreamTrigger resources: Trigger)",
        ),
        "a malformed pattern file": (
            ["filter", "--pattern", str(broken), "--item", str(item)],
            f"{broken}: not JSON: Expecting value at line 1, column 16",
        ),
        "a missing pattern file": (
            ["filter", "--pattern", str(absent), "--item", str(item)],
            f"{absent}: No such file or directory",
        ),
        "a missing record file": (
            ["filter", "--pattern", str(pattern), "--record", str(absent)],
            f"{absent}: No such file or directory",
        ),
        "fire without moto": (
            ["fire", "--name", "orders-dev"],
            "fire runs against moto: pass --endpoint-url URL (or set AWS_ENDPOINT_URL)",
        ),
        "--aws with --endpoint-url": (
            ["list", "--aws", "--endpoint-url", "http://127.0.0.1:1"],
            "--aws and --endpoint-url exclude each other",
        ),
    }


BAD_INPUT_CASES = [
    "a template as --properties",
    "a missing properties file",
    "a properties file that is not an object",
    "a missing previous file",
    "a template without --resource",
    "a resource not in the template",
    "a malformed pattern file",
    "a missing pattern file",
    "a missing record file",
    "fire without moto",
    "--aws with --endpoint-url",
]


@pytest.mark.parametrize("case", BAD_INPUT_CASES)
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(case, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    cases = bad_inputs(tmp_path)
    assert list(cases) == BAD_INPUT_CASES
    arguments, message = cases[case]
    code = main(arguments)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"mare-streamtrigger: {message}\n"


@pytest.mark.parametrize("command", ["demo", "filter", "fire", *ACTIONS])
def test_every_command_says_what_it_does_its_options_and_exit_codes(command, capsys):
    with pytest.raises(SystemExit) as ended:
        main([command, "--help"])
    assert ended.value.code == 0
    text = capsys.readouterr().out
    subparser = parser()._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
    assert subparser.description and subparser.description.split("\n")[0] in text
    assert "exit codes: 0 " in text and ", 1 " in text
    for action in subparser._actions:
        for option in action.option_strings:
            assert option in text


def test_the_inline_example_runs_from_its_own_template_and_starts_its_pipeline(moto, capsys, tmp_path):
    """examples/inline-code-trigger.yaml, unchanged: built from the template, fired on one approval."""
    make_table("release-approvals")
    seed_pipeline("release", REGION)
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="failed-approvals")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    example = str(ROOT / "examples" / "inline-code-trigger.yaml")

    code, _, err = run(
        capsys, "create", "--template", example, "--resource", "ApprovalTrigger",
        "--parameter", f"FailedApprovals.Arn={queue}", "--endpoint-url", moto, "--region", REGION, "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    client("dynamodb").put_item(TableName="release-approvals", Item={"id": {"S": "a-1"}, "release": {"S": "v1.2"}})
    code, lines, err = run(
        capsys, "fire", "--name", "approval-starter-dev", "--endpoint-url", moto, "--cache-dir", str(tmp_path),
        "--region", REGION, "--json",
    )  # fmt: skip

    assert (code, err) == (0, "")
    [batch] = [line for line in lines if line["kind"] == "batch"]
    assert (batch["status"], batch["result"]) == ("delivered", {"started": 1})
    assert json.loads(batch["logs"].strip()) == {"approved": "v1.2"}
    executions = client("codepipeline").list_pipeline_executions(pipelineName="release")
    assert len(executions["pipelineExecutionSummaries"]) == 1
