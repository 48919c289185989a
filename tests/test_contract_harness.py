"""The contract harness's pieces, and its negative control: a broken handler must fail `cfn test`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "contract"))

import harness  # noqa: E402 - the harness lives beside the project, not in the package

pytestmark = pytest.mark.contract


def echo(event, _context):
    return {"status": "SUCCESS", "echo": event}


def explode(_event, _context):
    raise RuntimeError("handler blew up")


def test_entrypoints_follow_rpdk_config_and_take_an_override():
    config = json.loads((ROOT / ".rpdk-config").read_text())
    assert harness.entrypoints(config) == {
        "TypeFunction": "mare_dynamodb_streamtrigger.handlers.resource",
        "TestEntrypoint": "mare_dynamodb_streamtrigger.handlers.test_entrypoint",
    }
    assert harness.entrypoints(config, "broken_create.resource")["TypeFunction"] == "broken_create.resource"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/2015-03-31/functions/Nope/invocations", 404),
        ("/2015-03-31/functions/TypeFunction", 404),
        ("/other", 404),
    ],
)
def test_invoke_refuses_unknown_routes(path, status):
    code, _headers, payload = harness.invoke({"TypeFunction": echo}, path, b"{}")
    assert code == status
    assert "Message" in json.loads(payload)


def test_invoke_server_answers_the_lambda_invoke_api_over_http():
    statuses: Counter[str] = Counter()
    handlers = {"TypeFunction": harness.counting(echo, statuses), "TestEntrypoint": explode}
    with harness.invoke_server(handlers) as url:
        client = boto3.client(
            "lambda", endpoint_url=url, region_name="us-east-1", config=Config(signature_version=UNSIGNED)
        )
        answer = client.invoke(FunctionName="TypeFunction", Payload=json.dumps({"action": "READ"}).encode())
        assert "FunctionError" not in answer
        assert json.load(answer["Payload"]) == {"status": "SUCCESS", "echo": {"action": "READ"}}
        failed = client.invoke(FunctionName="TestEntrypoint", Payload=b"{}")
        assert failed["FunctionError"] == "Unhandled"
        assert json.load(failed["Payload"]) == {"errorMessage": "handler blew up", "errorType": "RuntimeError"}
    assert statuses == Counter({"READ SUCCESS": 1})


def test_inputs_name_only_exports_the_harness_creates():
    names = {
        "ContractPipelineTable",
        "ContractSnsTable",
        "ContractPipelineArn",
        "ContractSecondPipelineArn",
        "ContractTopicArn",
        "ContractSecondTopicArn",
        "ContractDeadLetterQueueArn",
        "ContractVpcId",
        "ContractSubnetId",
        "ContractSecurityGroupId",
        "ContractLayerVersionArn",
    }
    import re

    for path in sorted((ROOT / "inputs").glob("inputs_*.json")):
        used = set(re.findall(r"{{([-A-Za-z0-9:\s]+?)}}", path.read_text()))
        assert used <= names, path.name


def run_harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "contract" / "harness.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_negative_control_a_create_that_ignores_an_existing_trigger_fails_the_suite():
    result = run_harness("--entrypoint", "broken_create.resource", "--", "-k", "contract_create_create")
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout
    assert "AssertionError: status should be FAILED" in result.stdout


def test_the_same_contract_test_passes_with_the_real_handler():
    result = run_harness("--", "-k", "contract_create_create")
    assert result.returncode == 0, result.stdout[-2000:]
    input_sets = len(list((ROOT / "inputs").glob("inputs_*_create.json")))
    assert input_sets == 3
    assert result.stdout.count("1 passed") == input_sets  # once per inputs set
