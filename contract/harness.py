"""Runs AWS's contract tests (`cfn test`) on this machine without Docker, SAM or an AWS account.

    python contract/harness.py [--entrypoint dotted.path] [-- pytest arguments]

One process holds everything: moto in server mode stands in for AWS; a small HTTP server answers
the Lambda Invoke API by calling, in-process, the entrypoint that .rpdk-config names; the
prerequisites (tables with streams and their SSM parameters, a topic, a queue) are created in moto
and exported from a moto CloudFormation stack, which the inputs/ files name as {{ExportName}}; then
the real `cfn test` command runs against that endpoint.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mare_dynamodb_streamtrigger.core.names import layer_of_version  # noqa: E402
from mare_streamtrigger_local.moto_world import (  # noqa: E402
    free_port,
    hold_pipes,
    make_network,
    moto_server,
    publish_layer,
    seed_table,
)

REGION = "us-east-1"
ACCOUNT = "123456789012"
PIPELINE_ARN = f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:deploy-pipeline"
SECOND_PIPELINE_ARN = f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:release-pipeline"
# Pipes stay CREATING for this many describes, so that the IN_PROGRESS path runs under the suite.
HELD_DESCRIBES = 2
INVOKE_PATH = "/2015-03-31/functions/"

Handler = Callable[[dict[str, Any], Any], Any]


def entrypoints(rpdk_config: dict[str, Any], override: str | None = None) -> dict[str, str]:
    """SAM's function names for the two entrypoints that .rpdk-config names."""
    return {
        "TypeFunction": override or rpdk_config["entrypoint"],
        "TestEntrypoint": rpdk_config["testEntrypoint"],
    }


def load(dotted: str) -> Handler:
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def counting(handler: Handler, statuses: Counter[str]) -> Handler:
    """The handler, counting the status of each answer (to show that the IN_PROGRESS path ran)."""

    def counted(event: dict[str, Any], context: Any) -> Any:
        answer = handler(event, context)
        statuses[f"{event.get('action')} {answer.get('status')}"] += 1
        return answer

    return counted


def invoke(handlers: dict[str, Handler], path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Lambda's Invoke API: the status, headers and payload for POST /2015-03-31/functions/{name}/invocations."""
    if not (path.startswith(INVOKE_PATH) and path.endswith("/invocations")):
        return 404, {}, json.dumps({"Message": f"No route {path}"}).encode()
    name = path[len(INVOKE_PATH) : -len("/invocations")]
    if name not in handlers:
        return 404, {}, json.dumps({"Message": f"Function not found: {name}"}).encode()
    try:
        result = handlers[name](json.loads(body or b"{}"), None)
    except Exception as error:  # noqa: BLE001 - answered as Lambda answers an unhandled error
        payload = {"errorMessage": str(error), "errorType": type(error).__name__}
        return 200, {"X-Amz-Function-Error": "Unhandled"}, json.dumps(payload).encode()
    return 200, {}, json.dumps(result).encode()


@contextmanager
def invoke_server(handlers: dict[str, Handler]) -> Iterator[str]:
    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, headers, payload = invoke(handlers, self.path, body)
            self.send_response(status)
            for key, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def write_type_configuration(exports: dict[str, str]) -> Path:
    """What the account's administrator allows: the prerequisites' layer and VPC (input set 3
    uses both); the other properties need no type configuration."""
    path = ROOT / "build" / "contract-type-configuration.json"
    allowed = {
        "LayerArns": [layer_of_version(exports["ContractLayerVersionArn"])],
        "VpcIds": [exports["ContractVpcId"]],
    }
    path.write_text(json.dumps(allowed))
    return path


def create_prerequisites() -> dict[str, str]:
    """What the inputs refer to, made in moto and exported from a CloudFormation stack."""
    seed_table("contract-requests", REGION)
    seed_table("contract-events", REGION)
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="contract-dead-letters")["QueueUrl"]
    vpc, (subnet,), group = make_network(REGION, "10.40.0.0/16")
    exports = {
        "ContractVpcId": vpc,
        "ContractSubnetId": subnet,
        "ContractSecurityGroupId": group,
        "ContractLayerVersionArn": publish_layer("contract-helpers", REGION),
        "ContractPipelineTable": "contract-requests",
        "ContractSnsTable": "contract-events",
        "ContractPipelineArn": PIPELINE_ARN,
        "ContractSecondPipelineArn": SECOND_PIPELINE_ARN,
        "ContractTopicArn": sns.create_topic(Name="contract-topic")["TopicArn"],
        "ContractSecondTopicArn": sns.create_topic(Name="contract-second-topic")["TopicArn"],
        "ContractDeadLetterQueueArn": sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"],
    }
    template = {
        "Resources": {"Anchor": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {name: {"Value": value, "Export": {"Name": name}} for name, value in exports.items()},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="contract-prerequisites", TemplateBody=json.dumps(template)
    )
    return exports


@contextmanager
def rpdk_pointed_at(moto_url: str) -> Iterator[None]:
    """rpdk asks STS for credentials at the real AWS host it builds itself: send it to moto, and
    don't sleep through callback delays that moto never needs."""
    from rpdk.core import boto_helpers
    from rpdk.core.contract import resource_client

    saved = boto_helpers.get_service_endpoint, resource_client.sleep
    boto_helpers.get_service_endpoint = lambda _service, _region: moto_url
    resource_client.sleep = lambda _seconds: None
    try:
        yield
    finally:
        boto_helpers.get_service_endpoint, resource_client.sleep = saved


@contextmanager
def project_tempdir() -> Iterator[Path]:
    """rpdk writes its pytest .ini to the temp dir, and pytest makes that dir its rootdir: keep it here."""
    path = ROOT / "build" / "contract-tmp"
    path.mkdir(parents=True, exist_ok=True)
    saved = tempfile.tempdir
    tempfile.tempdir = str(path)
    try:
        yield path
    finally:
        tempfile.tempdir = saved


def run(pytest_args: list[str], entrypoint: str | None = None) -> int:
    """The whole contract suite, once per inputs set; the exit code of `cfn test`."""
    from rpdk.core.cli import main as cfn
    from rpdk.core.contract.type_configuration import TypeConfiguration

    config = json.loads((ROOT / ".rpdk-config").read_text())
    statuses: Counter[str] = Counter()
    handlers = {name: load(path) for name, path in entrypoints(config, entrypoint).items()}
    handlers["TypeFunction"] = counting(handlers["TypeFunction"], statuses)
    # Read from the file written once the prerequisites exist.
    TypeConfiguration.TYPE_CONFIGURATION = None
    cwd = Path.cwd()
    with (
        moto_server(REGION) as moto_url,
        invoke_server(handlers) as lambda_url,
        rpdk_pointed_at(moto_url),
        project_tempdir(),
    ):
        type_configuration = write_type_configuration(create_prerequisites())
        hold_pipes(moto_url, HELD_DESCRIBES)
        os.chdir(ROOT)
        try:
            cfn(
                args_in=[
                    "test",
                    "--endpoint",
                    lambda_url,
                    "--region",
                    REGION,
                    "--cloudformation-endpoint-url",
                    moto_url,
                    "--typeconfig",
                    str(type_configuration),
                    "--",
                    *pytest_args,
                ]
            )
        except SystemExit as exit_:
            return int(exit_.code or 0)
        finally:
            os.chdir(cwd)
            print("handler answers:", ", ".join(f"{key}: {n}" for key, n in sorted(statuses.items())))
    return 0


def main(argv: list[str]) -> int:
    entrypoint = None
    if argv[:1] == ["--entrypoint"]:
        entrypoint, argv = argv[1], argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    return run(argv, entrypoint)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
