"""Runs the handlers on this machine, as `cfn invoke` does but without Docker and SAM.

    python -m mare_dynamodb_streamtrigger.local demo [--json]
    python -m mare_dynamodb_streamtrigger.local create|read|update|delete|list --properties FILE
        [--previous FILE] [--region R] [--seed-table NAME | --aws] [--json]
    python -m mare_dynamodb_streamtrigger.local fire --name NAME [--endpoint-url URL] [--from-start]
        [--cache-dir DIR] [--code ZIP_OR_FOLDER] [--region R] [--json]

Each action goes through the real entrypoint (`handlers.resource`) with a HandlerRequest as
CloudFormation sends it, and is invoked again with the returned callback context while it is
IN_PROGRESS. By default it runs against moto, started in this process on 127.0.0.1; with --aws it
runs against the account of the default boto3 credentials and waits callbackDelaySeconds between
invocations as CloudFormation would. moto is a development dependency: it is imported only when
started.

`fire` runs a built trigger's pipe once, until the stream is drained (`pipe_runner`): against a moto
server (`--endpoint-url`, or AWS_ENDPOINT_URL), it delivers the new records of the table's stream to
the function's code, run on this machine. The demo ends with such a firing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import socket
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from .names import INLINE_POLICY_NAME, TYPE_NAME, stream_parameter_name, table_parameter_name
from .progress import STEPS_LOG
from .spec import DEFAULT_INPUT_TEMPLATE

Json = dict[str, Any]

MOTO_REGION = "eu-west-1"
FAKE_CREDENTIALS = {"accessKeyId": "testing", "secretAccessKey": "testing", "sessionToken": "testing"}
# What moto needs in the environment; all of it is put back when moto stops.
MOTO_ENVIRONMENT = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
)
# Enough for any wait against moto, which never needs real time: more means a handler loops.
MOTO_MAX_INVOCATIONS = 50

DEMO_TABLE = "deployment-requests"
DEMO_INDEX = "status-index"
DEMO_PIPELINE = "deploy-pipeline"
DEMO_HELD_DESCRIBES = 2
ACTIONS = ("create", "read", "update", "delete", "list")


def demo_properties(region: str, account: str) -> Json:
    """The seed's example: start a pipeline on the INSERT of a PENDING deployment request."""
    return {
        "Name": "deployment-processor",
        "TableName": DEMO_TABLE,
        "TriggerType": "PIPELINE",
        "Handler": "app.handler",
        "Code": {"ZipFile": "def handler(event, context):\n    print(event)\n    return event\n"},
        "Environment": {"PIPELINE_ARN": f"arn:aws:codepipeline:{region}:{account}:deploy-pipeline"},
        "FilterPattern": {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}},
        "TableIndexName": DEMO_INDEX,
        "IsDevops": False,
    }


@dataclass(frozen=True)
class Target:
    """Where the handlers run: the request's region, account and caller credentials."""

    region: str
    account: str
    credentials: dict[str, str | None]
    wait: bool
    max_invocations: int | None


# --- moto ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def moto_api(url: str, path: str, body: Json) -> None:
    request = urllib.request.Request(
        f"{url}/moto-api/{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@contextlib.contextmanager
def environment(variables: dict[str, str], cleared: Iterable[str]) -> Iterator[None]:
    """The process environment with `cleared` unset and `variables` set, until the block ends."""
    names = set(variables) | set(cleared)
    saved = {name: os.environ.get(name) for name in names}
    for name in cleared:
        os.environ.pop(name, None)
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def moto_environment(url: str, region: str) -> contextlib.AbstractContextManager[None]:
    """This process's AWS environment pointed at the moto server at `url`; put back on exit."""
    variables = {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["accessKeyId"],
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["secretAccessKey"],
        "AWS_SESSION_TOKEN": FAKE_CREDENTIALS["sessionToken"],
        "AWS_DEFAULT_REGION": region,
    }
    return environment(variables, cleared=MOTO_ENVIRONMENT)


@contextlib.contextmanager
def moto_server(region: str) -> Iterator[str]:
    """moto on 127.0.0.1 with this process's AWS environment pointed at it; both undone on exit.

    moto's backends live in the process, so they are reset on start and stop: it starts empty
    even where another moto (a test session's) ran before, and leaves nothing behind.
    """
    from moto.server import ThreadedMotoServer

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    requests_log = logging.getLogger("werkzeug")  # one line per request otherwise
    saved_level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with moto_environment(url, region):
            moto_api(url, "reset", {})
            try:
                yield url
            finally:
                with contextlib.suppress(OSError):
                    moto_api(url, "state-manager/unset-transition", {"model_name": "pipes::pipe"})
                    moto_api(url, "reset", {})
    finally:
        server.stop()
        requests_log.setLevel(saved_level)


def hold_pipes(url: str, describes: int) -> None:
    """Keeps each pipe in its state for `describes` DescribePipe calls, so waits show as IN_PROGRESS."""
    moto_api(
        url,
        "state-manager/set-transition",
        {"model_name": "pipes::pipe", "transition": {"progression": "manual", "times": describes}},
    )


def seed_table(
    name: str,
    region: str,
    view_type: str | None = "NEW_AND_OLD_IMAGES",
    parameters: bool = True,
    ssm: Any = None,
) -> Json:
    """A table with a stream (of `view_type`; None for none) and the GSI status-index, and, with
    `parameters`, its two SSM parameters (through `ssm`, another account's client, where given)."""
    specification: Json = {
        "TableName": name,
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": DEMO_INDEX,
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }
    if view_type:
        specification["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    table = boto3.client("dynamodb", region_name=region).create_table(**specification)["TableDescription"]
    if parameters:
        put_table_parameters(
            ssm or boto3.client("ssm", region_name=region),
            name,
            table["TableArn"],
            table.get("LatestStreamArn", "none"),
        )
    return table


def put_table_parameters(ssm: Any, name: str, table_arn: str, stream_arn: str) -> None:
    for parameter, value in ((table_parameter_name(name), table_arn), (stream_parameter_name(name), stream_arn)):
        ssm.put_parameter(Name=parameter, Value=value, Type="String", Overwrite=True)


def seed_pipeline(name: str, region: str) -> str:
    """A minimal CodePipeline pipeline (an S3 source and a build) and its role; returns its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam = boto3.client("iam", region_name=region)
    role = f"{name}-role"
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    action = {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"}
    build = {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}
    codepipeline = boto3.client("codepipeline", region_name=region)
    codepipeline.create_pipeline(
        pipeline={
            "name": name,
            "roleArn": iam.get_role(RoleName=role)["Role"]["Arn"],
            "artifactStore": {"type": "S3", "location": f"{name}-artifacts"},
            "stages": [
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Source",
                            "actionTypeId": action,
                            "configuration": {"S3Bucket": f"{name}-sources", "S3ObjectKey": "source.zip"},
                            "outputArtifacts": [{"name": "source"}],
                        }
                    ],
                },
                {
                    "name": "Build",
                    "actions": [
                        {
                            "name": "Build",
                            "actionTypeId": build,
                            "configuration": {"ProjectName": name},
                            "inputArtifacts": [{"name": "source"}],
                        }
                    ],
                },
            ],
        }
    )
    return codepipeline.get_pipeline(name=name)["metadata"]["pipelineArn"]


def moto_target(region: str) -> Target:
    account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    return Target(region, account, dict(FAKE_CREDENTIALS), wait=False, max_invocations=MOTO_MAX_INVOCATIONS)


def aws_target(region: str | None) -> Target:
    session = boto3.Session()
    region = region or session.region_name
    if not region:
        raise SystemExit("No region: pass --region or configure a default region for boto3")
    credentials = session.get_credentials()
    if credentials is None:
        raise SystemExit("No AWS credentials found for boto3")
    frozen = credentials.get_frozen_credentials()
    account = session.client("sts", region_name=region).get_caller_identity()["Account"]
    caller = {"accessKeyId": frozen.access_key, "secretAccessKey": frozen.secret_key, "sessionToken": frozen.token}
    return Target(region, account, caller, wait=True, max_invocations=None)


# --- invoking the entrypoint --------------------------------------------------------------------


def handler_request(
    action: str,
    target: Target,
    token: str,
    properties: Json | None,
    previous: Json | None,
    context: Json | None,
    stack_tags: dict[str, str] | None = None,
    type_configuration: Json | None = None,
) -> Json:
    """A HandlerRequest as CloudFormation sends it to the `resource` entrypoint."""
    return {
        "awsAccountId": target.account,
        "bearerToken": token,
        "region": target.region,
        "action": action,
        "responseEndpoint": None,
        "resourceType": TYPE_NAME,
        "resourceTypeVersion": "00000001",
        "callbackContext": context,
        "stackId": f"arn:aws:cloudformation:{target.region}:{target.account}:stack/local/{uuid.uuid4()}",
        "requestData": {
            "callerCredentials": target.credentials,
            "resourceProperties": properties,
            "previousResourceProperties": previous,
            "logicalResourceId": "Trigger",
            "stackTags": stack_tags,
            "typeConfiguration": type_configuration,
        },
    }


def invoke(payload: Json) -> Json:
    from . import handlers

    # The library prints its own error notes to stdout; keep stdout for our events alone.
    with contextlib.redirect_stdout(sys.stderr):
        event = handlers.resource(payload, None)
    return json.loads(json.dumps(event, default=str))


def drive(
    action: str, target: Target, properties: Json | None, previous: Json | None, emit: Callable[[str, int, Json], None]
) -> Json:
    """Invokes as CloudFormation does, one token, until the status is final; returns the final event."""
    token, context, invocation = str(uuid.uuid4()), None, 0
    while True:
        invocation += 1
        event = invoke(handler_request(action, target, token, properties, previous, context))
        emit(action, invocation, event)
        if event.get("status") != "IN_PROGRESS":
            return event
        if target.max_invocations is not None and invocation >= target.max_invocations:
            gave_up = {
                "status": "FAILED",
                "errorCode": "NotStabilized",
                "message": f"{action} still IN_PROGRESS after {invocation} invocations: a handler loops",
            }
            emit(action, invocation, gave_up)
            return gave_up
        if target.wait:
            time.sleep(event.get("callbackDelaySeconds") or 0)
        context = event.get("callbackContext")
        properties = event.get("resourceModel") or properties


# --- what was built -----------------------------------------------------------------------------


def describe_built(model: Json, region: str) -> Json:
    """Both roles with their trust and inline policies, the function, the pipe and the invoke permission."""
    iam = boto3.client("iam", region_name=region)
    lambda_ = boto3.client("lambda", region_name=region)
    pipes = boto3.client("pipes", region_name=region)
    roles = {}
    for kind, key in (("function role", "FunctionRoleArn"), ("pipe role", "PipeRoleArn")):
        name = model[key].rsplit("/", 1)[-1]
        role = iam.get_role(RoleName=name)["Role"]
        policy = iam.get_role_policy(RoleName=name, PolicyName=INLINE_POLICY_NAME)
        roles[kind] = {
            "RoleName": name,
            "Path": role.get("Path"),
            "AssumeRolePolicyDocument": role.get("AssumeRolePolicyDocument"),
            "PolicyName": policy["PolicyName"],
            "PolicyDocument": policy["PolicyDocument"],
        }
    config = lambda_.get_function(FunctionName=model["Name"])["Configuration"]
    pipe = pipes.describe_pipe(Name=model["Name"])
    return {
        **roles,
        "function": {
            key: config.get(key)
            for key in ("FunctionName", "Runtime", "Handler", "Role", "MemorySize", "Timeout", "Environment")
        },
        "pipe": {
            key: pipe.get(key)
            for key in ("Name", "CurrentState", "RoleArn", "Source", "Target", "SourceParameters", "TargetParameters")
        },
        "permission": json.loads(lambda_.get_policy(FunctionName=model["Name"])["Policy"]),
    }


# --- output -------------------------------------------------------------------------------------


def dumps(value: Any, indent: int | None = 2) -> str:
    return json.dumps(value, indent=indent, sort_keys=True, default=str)


def indented(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


SUMMARY_PARTS = (
    ("function role", "FunctionRoleArn"),
    ("pipe role", "PipeRoleArn"),
    ("function", "FunctionArn"),
    ("pipe", "PipeArn"),
    ("table", "TableArn"),
    ("stream", "StreamArn"),
)


def rich_console() -> Any:
    """A rich console where the output is a terminal and rich is installed; None for plain lines."""
    if not sys.stdout.isatty():
        return None
    try:
        from rich.console import Console
    except ImportError:
        return None
    return Console(file=sys.stdout)


class Printer:
    """Human text (rich in a terminal), or one JSON object a line: {"kind": "event" | "step" | "built" |
    "summary" | "filter", ...}."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        # Kept now: while a handler runs, the library's own notes are sent to stderr through stdout.
        self.stream = sys.stdout
        self.console = None if as_json else rich_console()

    def print(self, *text: str) -> None:
        print(*text, file=self.stream, flush=True)

    def step(self, message: str) -> None:
        """A handler step, as it ends or waits."""
        if self.as_json:
            self.line({"kind": "step", "message": message})
        elif self.console is not None:
            self.console.print(f"  [dim]·[/dim] {message}", highlight=False, markup=True)
        else:
            self.print(f"  . {message}")

    def summary(self, model: Json) -> None:
        """What was built, a row a part."""
        rows = [(part, str(model.get(key, ""))) for part, key in SUMMARY_PARTS]
        if self.as_json:
            self.line({"kind": "summary", **{part: arn for part, arn in rows}})
            return
        if self.console is not None:
            from rich.table import Table

            table = Table(title=f"{TYPE_NAME} {model.get('Name')}")
            table.add_column("part")
            table.add_column("ARN")
            for part, arn in rows:
                table.add_row(part, arn)
            self.console.print(table)
            return
        self.print(f"built: {TYPE_NAME} {model.get('Name')}")
        for part, arn in rows:
            self.print(f"  {part:<14} {arn}")

    def line(self, value: Json) -> None:
        self.print(json.dumps(value, sort_keys=True, default=str))

    def heading(self, text: str) -> None:
        if not self.as_json:
            self.print(f"\n=== {text} ===")

    def event(self, action: str, invocation: int, event: Json) -> None:
        if self.as_json:
            self.line({"kind": "event", "action": action, "invocation": invocation, **event})
            return
        status = event.get("status")
        head = f"{action} #{invocation}: {status}"
        if event.get("errorCode"):
            head += f" ({event['errorCode']})"
        if status == "IN_PROGRESS":
            head += f", call back in {event.get('callbackDelaySeconds')} s"
        self.print(head)
        if event.get("message"):
            self.print(f"  message: {event['message']}")
        if event.get("resourceModel") is not None:
            self.print("  model:\n" + indented(dumps(event["resourceModel"])))
        if event.get("resourceModels") is not None:
            self.print(f"  models ({len(event['resourceModels'])}):\n" + indented(dumps(event["resourceModels"])))

    def built(self, built: Json) -> None:
        if self.as_json:
            self.line({"kind": "built", **built})
            return
        self.heading("what CREATE built")
        for part, value in built.items():
            self.print(f"{part}:\n" + indented(dumps(value), "  "))

    def batch(self, number: int, batch: Json) -> None:
        """One batch of a firing: what was read, kept and delivered, and how the function answered."""
        if self.as_json:
            self.line({"kind": "batch", "number": number, **batch})
            return
        head = f"batch {number}: read {batch['read']}, kept {batch['kept']}"
        if batch["status"] == "filtered":
            self.print(head + ": no invocation (no record passed the filter)")
            return
        invocations = f"{batch['attempts']} invocation{'s' if batch['attempts'] != 1 else ''}"
        self.print(f"{head}, delivered {batch['delivered']}, {invocations}: {batch['status']}")
        self.print(
            f"  shard {batch['shard']}, sequence numbers {batch['first_sequence_number']} to "
            f"{batch['last_sequence_number']}"
        )
        self.print("  the function received:\n" + indented(dumps(batch["event"]), "    "))
        if batch["error"]:
            self.print(f"  error: {batch['error']}")
        else:
            self.print("  the function returned:\n" + indented(dumps(batch["result"]), "    "))
        if batch["logs"].strip():
            self.print("  it printed:\n" + indented(batch["logs"].rstrip(), "    "))
        if batch["dead_letter_message_id"]:
            self.print(f"  dead-letter queue message: {batch['dead_letter_message_id']}")

    def fired(self, summary: Json) -> None:
        if self.as_json:
            self.line({"kind": "fired", **summary})
            return
        for warning in summary.get("warnings") or []:
            self.print(f"warning: {warning}")
        if summary["problem"]:
            self.print(f"fired {summary['pipe']}: {summary['problem']}")
            return
        self.print(
            f"fired {summary['pipe']}: {summary['batches']} batch(es), {summary['records_read']} record(s) read, "
            f"{summary['records_kept']} kept, {summary['records_delivered']} delivered, "
            f"{summary['invocations']} invocation(s), {summary['dead_lettered']} dead-lettered"
        )

    def note(self, message: str) -> None:
        if self.as_json:
            self.line({"kind": "note", "message": message})
        else:
            self.print(message)

    def seen(self, what: str, value: Any) -> None:
        """Something the firing left in moto (a pipeline execution, an SNS message)."""
        if self.as_json:
            self.line({"kind": "seen", "what": what, "value": value})
        else:
            self.print(f"{what}:\n" + indented(dumps(value)))

    def filter_result(self, result: Json) -> None:
        if self.as_json:
            self.line({"kind": "filter", **result})
            return
        if not result["valid"]:
            self.print(f"invalid pattern: {result['error']}")
        elif result["passes"]:
            self.print("passes: the pipe sends this record to the function")
        else:
            self.print(f"does not pass: {result['failed_field']}: {result['reason']}")
        for warning in result.get("warnings", []):
            self.print(f"warning: {warning}")
        if "record" in result:
            self.print("record:\n" + indented(dumps(result["record"])))
        if result.get("function_receives"):
            self.print("the function receives:\n" + indented(dumps(result["function_receives"])))


# --- commands -----------------------------------------------------------------------------------


def run_demo(args: argparse.Namespace, out: Printer) -> int:
    region = args.region or MOTO_REGION
    with moto_server(region) as url:
        target = moto_target(region)
        seed_table(DEMO_TABLE, region)
        hold_pipes(url, DEMO_HELD_DESCRIBES)
        properties = demo_properties(region, target.account)
        name = {"Name": properties["Name"]}
        updated = {**properties, "MemorySize": 256, "BatchSize": 50}
        steps: list[tuple[str, Json | None, Json | None]] = [
            ("CREATE", properties, None),
            ("READ", name, None),
            ("UPDATE", updated, properties),
            ("LIST", None, None),
            ("DELETE", updated, None),
        ]
        for action, desired, previous in steps:
            out.heading(action)
            final = drive(action, target, desired, previous, out.event)
            if final.get("status") != "SUCCESS":
                return 1
            if action == "CREATE":
                out.built(describe_built(final["resourceModel"], region))
                out.summary(final["resourceModel"])
        return demo_firing(url, target, out)


DEMO_ITEMS = ({"id": "req-1", "status": "PENDING"}, {"id": "req-2", "status": "DONE"})


def demo_firing(url: str, target: Target, out: Printer) -> int:
    """The zero-code PIPELINE trigger fired: a PENDING item starts the pipeline, a DONE item does not."""
    out.heading("FIRE")
    seed_pipeline(DEMO_PIPELINE, target.region)
    properties = {key: value for key, value in demo_properties(target.region, target.account).items() if key != "Code"}
    final = drive("CREATE", target, properties, None, lambda action, number, event: None)
    out.note(f"CREATE of the zero-code PIPELINE trigger {properties['Name']}: {final.get('status')}")
    if final.get("status") != "SUCCESS":
        return 1
    dynamodb = boto3.client("dynamodb", region_name=target.region)
    for item in DEMO_ITEMS:
        dynamodb.put_item(TableName=DEMO_TABLE, Item={key: {"S": value} for key, value in item.items()})
        out.note(f"PutItem {json.dumps(item)}")
    with tempfile.TemporaryDirectory() as cache:
        report = fire_and_print(properties["Name"], out, endpoint_url=url, cache_folder=Path(cache))
    executions = boto3.client("codepipeline", region_name=target.region).list_pipeline_executions(
        pipelineName=DEMO_PIPELINE
    )["pipelineExecutionSummaries"]
    out.seen(
        f"executions of {DEMO_PIPELINE} (ListPipelineExecutions)",
        [{"pipelineExecutionId": e["pipelineExecutionId"], "status": e["status"]} for e in executions],
    )
    return 0 if report.ok and report.invocations == 1 and len(executions) == 1 else 1


def fire_and_print(name: str, out: Printer, **options: Any) -> Any:
    """Fires the pipe `name` (options: those of pipe_runner.PipeRunner) and prints each batch."""
    from .pipe_runner import fire

    report = fire(name, **options)
    for number, batch in enumerate(report.batches, 1):
        out.batch(number, batch.as_json())
    out.fired(report.summary())
    return report


def run_fire(args: argparse.Namespace, out: Printer) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from .local_function import FunctionCodeError

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise SystemExit("fire runs against moto: pass --endpoint-url URL (or set AWS_ENDPOINT_URL)")
    region = args.region or os.environ.get("AWS_DEFAULT_REGION") or MOTO_REGION
    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:  # moto takes any credentials
        session = boto3.Session(
            aws_access_key_id=FAKE_CREDENTIALS["accessKeyId"],
            aws_secret_access_key=FAKE_CREDENTIALS["secretAccessKey"],
            region_name=region,
        )
    try:
        report = fire_and_print(
            args.name,
            out,
            session=session,
            endpoint_url=endpoint,
            cache_folder=Path(args.cache_dir) if args.cache_dir else None,
            from_start=args.from_start,
            code_path=Path(args.code) if args.code else None,
        )
    except (ClientError, BotoCoreError, FunctionCodeError) as error:
        out.fired({"pipe": args.name, "problem": str(error)})
        return 2
    return 0 if report.ok else 1


def load_json(path: str) -> Json:
    value = json.loads(Path(path).read_text())
    if not isinstance(value, dict):
        raise SystemExit(f"{path}: expected a JSON object")
    return value


def load_properties(args: argparse.Namespace) -> tuple[Json | None, Json | None]:
    """The properties, bare or as a `cfn invoke` request file (desiredResourceState, previousResourceState)."""
    desired: Json | None = load_json(args.properties) if args.properties else None
    previous: Json | None = None
    if desired is not None and "desiredResourceState" in desired:
        desired, previous = desired["desiredResourceState"], desired.get("previousResourceState")
    if args.previous:
        previous = load_json(args.previous)
    return desired, previous


def run_action(args: argparse.Namespace, out: Printer) -> int:
    action = args.command.upper()
    desired, previous = load_properties(args)
    if desired is None and action != "LIST":
        raise SystemExit(f"{args.command} needs --properties FILE")
    if args.aws and args.endpoint_url:
        raise SystemExit("--aws and --endpoint-url exclude each other")
    if args.aws:
        final = drive(action, aws_target(args.region), desired, previous, out.event)
    elif args.endpoint_url:  # a moto server that outlives this command: its state is kept
        region = args.region or MOTO_REGION
        with moto_environment(args.endpoint_url, region):
            if args.seed_table:
                seed_table(args.seed_table, region)
            final = drive(action, moto_target(region), desired, previous, out.event)
    else:
        region = args.region or MOTO_REGION
        with moto_server(region):
            if args.seed_table:
                seed_table(args.seed_table, region)
            final = drive(action, moto_target(region), desired, previous, out.event)
    if final.get("status") == "SUCCESS" and action in ("CREATE", "UPDATE"):
        out.summary(final["resourceModel"])
    return 0 if final.get("status") == "SUCCESS" else 1


def run_filter(args: argparse.Namespace, out: Printer) -> int:
    """Whether a stream record passes a filter pattern, and what the function would receive."""
    from .filter_pattern import PatternError, matches, numeric_on_stream_numbers, validate_stream_filter
    from .preview import insert_record, render_input_template

    pattern = load_json(args.pattern)
    try:
        validate_stream_filter(pattern)
    except PatternError as error:
        out.filter_result({"pattern": args.pattern, "valid": False, "error": str(error)})
        return 2
    record = insert_record(load_json(args.item)) if args.item else load_json(args.record)
    match = matches(pattern, record)
    result: Json = {"valid": True, "passes": match.matched, "failed_field": match.failed_path, "reason": match.reason}
    warnings = numeric_on_stream_numbers(pattern)
    if warnings:
        result["warnings"] = warnings
    if args.input_template is not None:
        result["function_receives"] = [render_input_template(args.input_template, record)] if match.matched else []
    if args.item:
        result["record"] = record
    out.filter_result(result)
    return 0 if match.matched else 1


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object a line instead of text")
    common.add_argument("--region", help=f"the request's region (moto: {MOTO_REGION}; --aws: the session's)")
    top = argparse.ArgumentParser(
        prog="python -m mare_dynamodb_streamtrigger.local",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", parents=[common], help="CREATE, READ, UPDATE, LIST and DELETE the example on moto")
    sieve = commands.add_parser("filter", parents=[common], help="try a FilterPattern on a stream record")
    sieve.add_argument("--pattern", required=True, help="JSON file: the FilterPattern")
    source = sieve.add_mutually_exclusive_group(required=True)
    source.add_argument("--record", help="JSON file: a DynamoDB stream record")
    source.add_argument("--item", help="JSON file: a plain item, tried as the INSERT record of it")
    sieve.add_argument(
        "--input-template",
        nargs="?",
        const=DEFAULT_INPUT_TEMPLATE,
        help="show what the function receives (with this template; without a value, the default one)",
    )
    shot = commands.add_parser("fire", parents=[common], help="run a built trigger's pipe once, on moto")
    shot.add_argument("--name", required=True, help="the trigger's Name (its pipe's name)")
    shot.add_argument("--endpoint-url", help="the moto server (default: AWS_ENDPOINT_URL)")
    shot.add_argument("--from-start", action="store_true", help="forget the checkpoint: start as the pipe did")
    shot.add_argument("--cache-dir", help="where checkpoints are kept (default: the user's cache folder)")
    shot.add_argument("--code", help="the deployed zip file or folder, where moto cannot give the code")
    for name in ACTIONS:
        sub = commands.add_parser(name, parents=[common], help=f"run {name.upper()} on a properties file")
        sub.add_argument("--properties", required=name != "list", help="JSON: properties or a cfn invoke request")
        sub.add_argument("--previous", help="JSON file of the previous properties (UPDATE)")
        where = sub.add_mutually_exclusive_group()
        where.add_argument("--aws", action="store_true", help="real AWS with the default boto3 credentials")
        sub.add_argument("--endpoint-url", help="a running moto server to use instead of a new one")
        where.add_argument("--seed-table", metavar="NAME", help="moto: first create this table, stream and parameters")
    return top


class StepLines(logging.Handler):
    """Shows the handlers' step log through the printer, as each step happens."""

    def __init__(self, out: Printer) -> None:
        super().__init__(logging.INFO)
        self.out = out

    def emit(self, record: logging.LogRecord) -> None:
        self.out.step(record.getMessage())


@contextlib.contextmanager
def showing_steps(out: Printer) -> Iterator[None]:
    handler = StepLines(out)
    saved = STEPS_LOG.level, STEPS_LOG.propagate
    STEPS_LOG.addHandler(handler)
    STEPS_LOG.setLevel(logging.INFO)
    STEPS_LOG.propagate = False
    try:
        yield
    finally:
        STEPS_LOG.removeHandler(handler)
        STEPS_LOG.level, STEPS_LOG.propagate = saved


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Printer(args.json)
    with showing_steps(out):
        return run(args, out)


def run(args: argparse.Namespace, out: Printer) -> int:
    if args.command == "demo":
        return run_demo(args, out)
    if args.command == "filter":
        return run_filter(args, out)
    if args.command == "fire":
        return run_fire(args, out)
    return run_action(args, out)


if __name__ == "__main__":
    raise SystemExit(main())
