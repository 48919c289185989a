"""mare_streamtrigger_lint's rules: what create refuses, found by cfn-lint, with create's words and the line.

Each case is a template with one bad Mare::DynamoDB::StreamTrigger. The rules run in cfn-lint as users
load them (cfn-lint's API with `append_rules`, and the commands as subprocesses at the end). Every
expected message is also the one validate_model, create's own check, gives for the same properties.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from mare_dynamodb_streamtrigger.core.errors import TriggerError
from mare_dynamodb_streamtrigger.core.validation import filter_warnings, validate_alarm_topic, validate_model
from mare_dynamodb_streamtrigger.models import ResourceModel

ROOT = Path(__file__).resolve().parent.parent
RULES_MODULE = "mare_streamtrigger_lint.rules"
OUR_RULES = {"E9301", "E9302", "E9303", "E9304", "E9305", "W9301"}
BIN = Path(sys.executable).parent

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Trigger:
    Type: Mare::DynamoDB::StreamTrigger
    Properties:
      Name: orders-trigger
      TableName: orders
"""
PIPELINE = "arn:aws:codepipeline:eu-west-1:123456789012:deploy"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:orders"
# A valid PIPELINE trigger's other properties; most cases below add one bad property to it.
PIPELINE_BASE = f"""\
      TriggerType: PIPELINE
      Handler: index.handler
      Environment:
        PIPELINE_ARN: {PIPELINE}
"""


def template(body: str) -> str:
    """HEAD with the resource's other properties (6 spaces in), so that line numbers start at 8."""
    return HEAD + body


def our_matches(source: str) -> list[tuple[str, int, str]]:
    """(rule, line, message) of this project's rules, in line order."""
    matches = lint(source, config=ManualArgs(append_rules=[RULES_MODULE], regions=["us-east-1"]))
    found = sorted((m.linenumber, m.rule.id, m.message) for m in matches if m.rule.id in OUR_RULES)
    return [(rule, line, message) for line, rule, message in found]


def create_refusal(source: str) -> str | None:
    """What validate_model, create's check, says of the same properties (no intrinsic in them)."""
    properties = yaml.safe_load(source)["Resources"]["Trigger"]["Properties"]
    model = ResourceModel._deserialize(properties)
    try:
        validate_model(model)
        validate_alarm_topic(model, "eu-west-1")  # as create does, in the stack's region
    except TriggerError as error:
        return error.message
    return None


CASES: dict[str, tuple[str, tuple[str, int, str]]] = {
    "environment, a CodePipeline ARN on an SNS_TOPIC trigger beside a topic": (
        f"""\
      TriggerType: SNS_TOPIC
      Handler: index.handler
      Environment:
        TOPIC_ARN: {TOPIC}
        PIPELINE_ARN: {PIPELINE}
""",
        (
            "E9302",
            12,
            "Environment does not fit TriggerType SNS_TOPIC: PIPELINE_ARN holds a CodePipeline ARN, "
            "where a SNS_TOPIC trigger takes SNS topic ARNs",
        ),
    ),
    "environment, a CodePipeline ARN alone on an SNS_TOPIC trigger": (
        f"""\
      TriggerType: SNS_TOPIC
      Handler: index.handler
      Environment:
        PIPELINE_ARN: {PIPELINE}
""",
        (
            "E9302",
            11,
            "Environment does not fit TriggerType SNS_TOPIC: PIPELINE_ARN holds a CodePipeline ARN, "
            "where a SNS_TOPIC trigger takes SNS topic ARNs",
        ),
    ),
    "environment, no ARN of the trigger's kind": (
        """\
      TriggerType: PIPELINE
      Handler: index.handler
      Environment:
        STAGE: prod
""",
        ("E9302", 10, "Environment must hold at least one CodePipeline ARN for TriggerType PIPELINE"),
    ),
    "environment, a reserved key": (
        PIPELINE_BASE
        + """\
        AWS_REGION: eu-west-1
""",
        ("E9302", 12, "Environment key AWS_REGION is reserved by Lambda"),
    ),
    "filter, an unknown operator": (
        PIPELINE_BASE
        + """\
      FilterPattern:
        eventName:
          - bigger-than: INSERT
""",
        ("E9301", 14, "FilterPattern.eventName[0]: unknown operator 'bigger-than'"),
    ),
    "filter, wildcard": (
        PIPELINE_BASE
        + """\
      FilterPattern:
        dynamodb:
          Keys:
            id:
              S:
                - wildcard: "order-*"
""",
        ("E9301", 17, "FilterPattern.dynamodb.Keys.id.S[0]: EventBridge Pipes does not support wildcard"),
    ),
    "filter, numeric with a string": (
        PIPELINE_BASE
        + """\
      FilterPattern:
        eventVersion:
          - numeric: [">", "one"]
""",
        ("E9301", 14, "FilterPattern.eventVersion[0]: numeric: '>' must be followed by a number, not 'one'"),
    ),
    "filter, a plain value where a list is needed": (
        PIPELINE_BASE
        + """\
      FilterPattern:
        eventName: INSERT
""",
        None,  # filled in below from create's words
    ),
    "filter, a top-level key a stream record does not have": (
        PIPELINE_BASE
        + """\
      FilterPattern:
        detail:
          status: [PENDING]
""",
        None,
    ),
    "filter, one of FilterPatterns": (
        PIPELINE_BASE
        + """\
      FilterPatterns:
        - Pattern:
            eventName: [INSERT]
        - Pattern:
            eventName:
              - wildcard: "MOD*"
""",
        ("E9301", 17, "FilterPatterns[1].Pattern.eventName[0]: EventBridge Pipes does not support wildcard"),
    ),
    "code, python2.7 for the built-in function": (
        f"""\
      TriggerType: PIPELINE
      Handler: index.handler
      Runtime: python2.7
      Environment:
        PIPELINE_ARN: {PIPELINE}
""",
        (
            "E9303",
            10,
            "Runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14, python3.15 "
            "(Lambda's Python runtimes), not 'python2.7'",
        ),
    ),
    "code, S3 and inline at once": (
        f"""\
      TriggerType: PIPELINE
      Handler: index.handler
      Code:
        S3Bucket: code-bucket
        S3Key: trigger.zip
        ZipFile: "def handler(event, context): pass"
      Environment:
        PIPELINE_ARN: {PIPELINE}
""",
        ("E9303", 10, "Code must give either S3Bucket and S3Key, or ZipFile, not both"),
    ),
    "arns, an S3 bucket as the dead-letter queue": (
        PIPELINE_BASE
        + """\
      DeadLetterQueueArn: arn:aws:s3:::dead-letters
""",
        (
            "E9304",
            12,
            "DeadLetterQueueArn must be the ARN of an SQS queue or an SNS topic, not 'arn:aws:s3:::dead-letters'",
        ),
    ),
    "arns, a KMS alias as the key": (
        PIPELINE_BASE
        + """\
      KmsKeyArn: arn:aws:kms:eu-west-1:123456789012:alias/pipes
""",
        (
            "E9304",
            12,
            "KmsKeyArn must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>), "
            "not 'arn:aws:kms:eu-west-1:123456789012:alias/pipes'",
        ),
    ),
    "arns, a FIFO topic for the alarms": (
        PIPELINE_BASE
        + """\
      AlarmTopicArn: arn:aws:sns:eu-west-1:123456789012:alarms.fifo
""",
        (
            "E9304",
            12,
            "AlarmTopicArn arn:aws:sns:eu-west-1:123456789012:alarms.fifo is a FIFO topic: SNS takes a message "
            "there only with a message group, which CloudWatch's notifications do not carry; use a standard topic",
        ),
    ),
    "properties, a record age AWS refuses": (
        PIPELINE_BASE
        + """\
      MaximumRecordAgeInSeconds: 30
""",
        (
            "E9305",
            12,
            "MaximumRecordAgeInSeconds must be -1 (keep records until they leave the stream) or from 60 to "
            "604800, not 30: AWS refuses 0 to 59",
        ),
    ),
    "properties, log levels without JSON": (
        PIPELINE_BASE
        + """\
      LoggingConfig:
        ApplicationLogLevel: DEBUG
""",
        (
            "E9305",
            13,
            "LoggingConfig.ApplicationLogLevel needs LoggingConfig.LogFormat JSON: Lambda filters logs by level "
            "only in the JSON format",
        ),
    ),
}


def expected(case: str) -> tuple[str, int, str]:
    body, match = CASES[case]
    if match is not None:
        return match
    message = create_refusal(template(body))
    assert message is not None
    return "E9301", 13, message


@pytest.mark.parametrize("case", CASES)
def test_each_refusal_is_found_with_creates_words_and_line(case: str):
    source = template(CASES[case][0])
    rule, line, message = expected(case)
    assert our_matches(source) == [(rule, line, message)]
    assert create_refusal(source) == message


def test_a_plain_value_and_a_foreign_key_are_refused_as_create_does():
    """The two cases whose words come from create: they name the property path and what Pipes needs."""
    assert expected("filter, a plain value where a list is needed")[2].startswith("FilterPattern.eventName: ")
    assert expected("filter, a top-level key a stream record does not have")[2].startswith("FilterPattern.detail")


# Valid, but numeric on a DynamoDB number never matches: create's warning.
NUMERIC_ON_A_NUMBER = template(
    PIPELINE_BASE
    + """\
      FilterPattern:
        dynamodb:
          NewImage:
            amount:
              N:
                - numeric: [">", 100]
"""
)


def test_numeric_on_a_dynamodb_number_is_a_warning():
    source = NUMERIC_ON_A_NUMBER
    warning = (
        "FilterPattern.dynamodb.NewImage.amount.N[0]: numeric never matches a DynamoDB number, which a stream "
        'record carries as a string ({"N": "12.5"}); match the string exactly or by prefix instead'
    )
    assert our_matches(source) == [("W9301", 17, warning)]
    properties = yaml.safe_load(source)["Resources"]["Trigger"]["Properties"]
    assert filter_warnings(ResourceModel._deserialize(properties)) == [f"Warning: {warning}."]


def test_every_finding_of_one_resource_is_reported():
    """create stops at the first; lint reports one per check, so that one run shows them all."""
    source = template(
        f"""\
      TriggerType: SNS_TOPIC
      Handler: index.handler
      Runtime: python2.7
      Environment:
        PIPELINE_ARN: {PIPELINE}
      DeadLetterQueueArn: arn:aws:s3:::dead-letters
      FilterPattern:
        colour: [blue]
"""
    )
    assert [(rule, line) for rule, line, _ in our_matches(source)] == [
        ("E9303", 10),
        ("E9302", 12),
        ("E9304", 13),
        ("E9301", 15),
    ]


HEADER = HEAD.split("      Name:", 1)[0]
# After the resource: what the values settled at deploy refer to.
TAIL = """\
Parameters:
  Pipeline:
    Type: String
Conditions:
  IsSns: !Equals [!Ref Pipeline, sns]
"""
GOOD_PROPERTIES = {
    "Name": "      Name: orders-trigger\n",
    "TableName": "      TableName: orders\n",
    "TriggerType": "      TriggerType: PIPELINE\n",
    "Handler": "      Handler: index.handler\n",
    "Environment": f"      Environment:\n        PIPELINE_ARN: {PIPELINE}\n",
    "FilterPattern": "      FilterPattern:\n        eventName: [INSERT]\n",
    "DeadLetterQueueArn": "      DeadLetterQueueArn: arn:aws:sqs:eu-west-1:123456789012:dead-letters\n",
}
# Each replaces one property of GOOD_PROPERTIES with a value CloudFormation settles at deploy.
UNKNOWN_CASES = {
    "Name from Fn::Sub": ("Name", "      Name: !Sub '${AWS::StackName}-trigger'\n"),
    "Environment value from a parameter": ("Environment", "      Environment:\n        PIPELINE_ARN: !Ref Pipeline\n"),
    "Environment value from a dynamic reference": (
        "Environment",
        "      Environment:\n        PIPELINE_ARN: '{{resolve:ssm:/pipelines/deploy}}'\n",
    ),
    "TriggerType from Fn::If": ("TriggerType", "      TriggerType: !If [IsSns, SNS_TOPIC, PIPELINE]\n"),
    "FilterPattern from Fn::GetAtt": ("FilterPattern", "      FilterPattern: !GetAtt Patterns.Pattern\n"),
    "DeadLetterQueueArn from Fn::ImportValue": (
        "DeadLetterQueueArn",
        "      DeadLetterQueueArn: !ImportValue dead-letter-queue\n",
    ),
}


def test_the_good_properties_pass():
    """The control for the cases below: with plain values, nothing is found."""
    assert our_matches(HEADER + "".join(GOOD_PROPERTIES.values()) + TAIL) == []


@pytest.mark.parametrize("case", UNKNOWN_CASES)
def test_values_settled_at_deploy_are_not_judged(case: str):
    name, snippet = UNKNOWN_CASES[case]
    assert our_matches(HEADER + "".join({**GOOD_PROPERTIES, name: snippet}.values()) + TAIL) == []


def test_a_wrong_value_beside_unknown_ones_is_still_found():
    """The control for the cases above: the same template with a known bad value is refused."""
    bad = {**GOOD_PROPERTIES, "Name": UNKNOWN_CASES["Name from Fn::Sub"][1], "Handler": "      Handler: nodots\n"}
    assert [rule for rule, _, _ in our_matches(HEADER + "".join(bad.values()) + TAIL)] == ["E9305"]


def test_known_environment_values_are_checked_beside_unknown_ones():
    """A value from a parameter may be anything; a wrong literal beside it is still wrong."""
    source = TAIL + template(
        """\
      TriggerType: SNS_TOPIC
      Handler: index.handler
      Environment:
        TOPIC_ARN: !Ref Pipeline
        PIPELINE_ARN: arn:aws:codepipeline:eu-west-1:123456789012:deploy
        AWS_REGION: eu-west-1
"""
    )
    assert our_matches(source) == [("E9302", 18, "Environment key AWS_REGION is reserved by Lambda")]
    without_reserved = source.replace("        AWS_REGION: eu-west-1\n", "")
    assert [rule for rule, _, _ in our_matches(without_reserved)] == ["E9302"]
    assert "PIPELINE_ARN holds a CodePipeline ARN" in our_matches(without_reserved)[0][2]


def test_a_missing_required_property_is_left_to_the_schema():
    source = template(f"      TriggerType: PIPELINE\n      Environment:\n        PIPELINE_ARN: {PIPELINE}\n")
    matches = lint(source, config=ManualArgs(append_rules=[RULES_MODULE], regions=["us-east-1"]))
    assert {m.rule.id for m in matches} == {"E3003"}  # 'Handler' is a required property


@pytest.mark.parametrize("example", [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "template.yml"], ids=str)
def test_no_finding_on_the_examples(example: Path):
    matches = lint(example.read_text(), config=ManualArgs(append_rules=[RULES_MODULE], regions=["us-east-1"]))
    assert [(m.rule.id, m.message) for m in matches] == []


# --- the commands, as users run them ---------------------------------------------------------------------

BAD = template(
    f"""\
      TriggerType: SNS_TOPIC
      Handler: index.handler
      Environment:
        PIPELINE_ARN: {PIPELINE}
"""
)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.lint
def test_make_lints_command_reports_the_refusal_with_file_and_line(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    result = run(sys.executable, "scripts/lint.py", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == (
        "E9302 Environment does not fit TriggerType SNS_TOPIC: PIPELINE_ARN holds a CodePipeline ARN, "
        f"where a SNS_TOPIC trigger takes SNS topic ARNs\n{path}:11:9\n\n"
    )


@pytest.mark.lint
def test_plain_cfn_lint_with_the_rules_appended_checks_schema_and_create(tmp_path: Path):
    """No --registry-schemas: loading the rules registers the type's schema too (E3030 is the schema's)."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        BAD.replace("      Handler: index.handler\n", "      Handler: index.handler\n      Runtime: go1.x\n")
    )
    result = run(str(BIN / "cfn-lint"), str(path), "-a", RULES_MODULE)
    assert result.returncode == 2, result.stdout + result.stderr
    found = [line.split(" ", 1)[0] for line in result.stdout.splitlines() if line[:1] in "EW" and " " in line]
    assert sorted(found) == ["E3030", "E9302", "E9303"]


@pytest.mark.lint
def test_the_installed_command_fails_on_errors_and_passes_on_warnings(tmp_path: Path):
    bad, warned = tmp_path / "bad.yaml", tmp_path / "warned.yaml"
    bad.write_text(BAD)
    warned.write_text(NUMERIC_ON_A_NUMBER)
    command = str(BIN / "mare-streamtrigger-lint")
    assert run(command, str(bad)).returncode == 2
    result = run(command, str(warned))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("W9301 FilterPattern.dynamodb.NewImage.amount.N[0]: numeric never matches")


@pytest.mark.lint
def test_the_project_installs_the_rules_the_schema_and_the_hooks_command(tmp_path: Path):
    """What a pre-commit hook (language: python) or `pip install` gets: a wheel of this project."""
    built = run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), "."
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("mare_streamtrigger_lint/schema.json") == (ROOT / "schema.json").read_bytes()
        (entry_points,) = (name for name in names if name.endswith(".dist-info/entry_points.txt"))
        scripts = dict(line.split(" = ") for line in archive.read(entry_points).decode().splitlines() if " = " in line)
    assert {f"mare_streamtrigger_lint/{name}.py" for name in ("rules", "template_checks", "command")} <= names
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert scripts[hook["entry"]] == "mare_streamtrigger_lint.command:main"
    assert hook["language"] == "python"


@pytest.mark.lint
def test_a_cfnlintrc_that_appends_the_rules_is_enough(tmp_path: Path):
    (tmp_path / "stack.yaml").write_text(BAD)
    (tmp_path / ".cfnlintrc").write_text(
        "templates:\n  - stack.yaml\nappend_rules:\n  - mare_streamtrigger_lint.rules\n"
    )
    result = subprocess.run([str(BIN / "cfn-lint")], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.startswith("E9302 Environment does not fit TriggerType SNS_TOPIC")


def guide_block(after: str, fence: str) -> str:
    """The first fenced block (opened by `fence`) after the line `after` in guide 8.4."""
    text = (ROOT / "docs" / "guide.md").read_text()
    start = text.index(fence, text.index(after)) + len(fence) + 1
    return text[start : text.index("```", start)]


@pytest.mark.lint
def test_the_guides_lint_run_is_what_make_lint_prints(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(guide_block("A template with four mistakes", "```yaml"))
    shown = guide_block("A template with four mistakes", "```\n$ make lint").split("\n", 1)[1]
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lint.py"), "bad.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    # The block starts after the command and make's echo of it; cfn-lint ends with an empty line.
    assert result.stdout.rstrip("\n") == shown.split("\n", 1)[1].rstrip("\n")
