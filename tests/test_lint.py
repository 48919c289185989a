"""scripts/lint.py: cfn-lint checks Mare::DynamoDB::StreamTrigger's properties against schema.json (no AWS needed)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.lint

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "template.yml"]
RULES = {"E3002", "E3003", "E3012", "E3030", "E9305"}

# TableName missing (E3003), TriggerType LAMBDA (E3030, and create's check E9305), MemorySize and BatchSize of the
# wrong type (E3012), Colour unknown (E3002).
BAD_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Trigger:
    Type: Mare::DynamoDB::StreamTrigger
    Properties:
      Name: bad-trigger
      TriggerType: LAMBDA
      Code:
        ZipFile: "def handler(event, context): pass"
      MemorySize: lots
      BatchSize: [1]
      Colour: blue
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def lint(*args: str) -> subprocess.CompletedProcess[str]:
    return run("scripts/lint.py", *args)


def rule_ids(output: str) -> set[str]:
    return set(re.findall(r"^([EWI]\d{4}) ", output, re.MULTILINE))


@pytest.fixture
def bad_template(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TEMPLATE)
    return path


def test_the_examples_exist():
    names = {path.name for path in TEMPLATES}
    assert {"pipeline-trigger.yaml", "sns-trigger.yaml", "inline-code-trigger.yaml", "template.yml"} <= names


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_template_lints_clean(template: Path):
    result = lint(str(template))
    assert result.returncode == 0, result.stdout + result.stderr
    assert rule_ids(result.stdout) == set()


def test_no_arguments_lints_the_examples_and_template():
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr


def test_bad_template_is_rejected(bad_template: Path):
    result = lint(str(bad_template))
    assert result.returncode == 2, result.stdout + result.stderr
    for rule in RULES:
        assert re.search(rf"^{rule} ", result.stdout, re.MULTILINE), f"{rule} missing from:\n{result.stdout}"
    assert rule_ids(result.stdout) == RULES
    assert "'TableName' is a required property" in result.stdout
    assert "'LAMBDA' is not one of ['PIPELINE', 'SNS_TOPIC']" in result.stdout
    assert "TriggerType must be PIPELINE or SNS_TOPIC, not 'LAMBDA'" in result.stdout
    assert "'lots' is not of type 'integer'" in result.stdout
    assert "[1] is not of type 'integer'" in result.stdout
    assert "'Colour' was unexpected" in result.stdout


def test_warnings_alone_do_not_fail(tmp_path: Path):
    template = tmp_path / "warning.yaml"
    source = (ROOT / "examples" / "sns-trigger.yaml").read_text()
    template.write_text(source.replace("Parameters:\n", "Parameters:\n  Unused:\n    Type: String\n", 1))
    result = lint(str(template))
    assert result.returncode == 0, result.stdout + result.stderr
    assert rule_ids(result.stdout) == {"W2001"}


def test_plain_cfn_lint_misses_the_errors(bad_template: Path, tmp_path: Path):
    """The control: cfn-lint >= 1.43 with --registry-schemas alone knows the type but checks none of its properties."""
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    shutil.copy(ROOT / "schema.json", schemas / "schema.json")
    cfn_lint = ("-c", "from cfnlint.runner import main; main()")
    result = run(*cfn_lint, "--registry-schemas", str(schemas), "--", str(bad_template))
    assert not rule_ids(result.stdout) & RULES, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_lints_with_standard_input_closed():
    """CI runners may start commands with fd 0 closed, where sys.stdin is None and cfn-lint calls isatty() on it."""
    result = subprocess.run(
        [sys.executable, "scripts/lint.py", str(ROOT / "template.yml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.close(0),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert rule_ids(result.stdout) == set()
