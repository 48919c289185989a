"""Runs the handlers on this machine, as `cfn invoke` does but without Docker and SAM.

    mare-streamtrigger demo [--verbose | --json]
    mare-streamtrigger create|read|update|delete|list
        (--properties FILE | --template FILE --resource LOGICAL_ID [--parameter KEY=VALUE ...])
        [--previous FILE] [--region R] [--seed-table NAME | --aws] [--endpoint-url URL] [--json]
    mare-streamtrigger filter --pattern FILE [--pattern FILE ...] (--record FILE | --item FILE)
        [--input-template [T]]
    mare-streamtrigger fire --name NAME [--endpoint-url URL] [--from-start]
        [--cache-dir DIR] [--code ZIP_OR_FOLDER] [--region R] [--json]

(`python -m mare_streamtrigger_local` with `PYTHONPATH=src` is the same command.)

Each action goes through the real entrypoint (`handlers.resource`) with a HandlerRequest as
CloudFormation sends it, and is invoked again with the returned callback context while it is
IN_PROGRESS. By default it runs against moto, started in this process on 127.0.0.1; with --aws it
runs against the account of the default boto3 credentials and waits callbackDelaySeconds between
invocations as CloudFormation would.

Exit codes: 0 done (SUCCESS, passes, delivered), 1 not done (FAILED, filtered out, a batch failed),
2 the command could not run (a bad or missing input file, a template value only a deploy knows, an
invalid pattern, no such trigger to fire). Failures are written to stderr. `COMMAND --help` says more.

`fire` runs a built trigger's pipe once, until the stream is drained (`pipe_runner`): against a moto
server (`--endpoint-url`, or AWS_ENDPOINT_URL), it delivers the new records of the table's stream to
the function's code, run on this machine. The demo ends with such a firing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

from mare_dynamodb_streamtrigger.core.settings import DEFAULT_INPUT_TEMPLATE
from mare_streamtrigger_lint.type_schema import read_only_properties, write_only_properties

from .driving import Target, aws_target, describe_built, drive, moto_target
from .moto_world import (
    DEMO_HELD_DESCRIBES,
    DEMO_INDEX,
    DEMO_PIPELINE,
    DEMO_TABLE,
    FAKE_CREDENTIALS,
    MOTO_REGION,
    demo_properties,
    hold_pipes,
    moto_environment,
    moto_server,
    seed_pipeline,
    seed_table,
)
from .output import Printer, showing_steps
from .template_properties import TemplateError, load_template, parameter_values, trigger_properties

Json = dict[str, Any]


ACTIONS = ("create", "read", "update", "delete", "list")


def run_demo(args: argparse.Namespace, out: Printer) -> int:
    region = args.region or MOTO_REGION
    with moto_server(region) as url:
        target = moto_target(region)
        table = seed_table(DEMO_TABLE, region)
        hold_pipes(url, DEMO_HELD_DESCRIBES)
        out.note(
            f"moto started on {url} (region {region}, account {target.account}); seeded the table {DEMO_TABLE} "
            f"(stream {table['StreamSpecification']['StreamViewType']}, index {DEMO_INDEX}) and its 2 SSM "
            f"parameters; each pipe holds its state for {DEMO_HELD_DESCRIBES} describes, so waits show as IN_PROGRESS"
        )
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
            if action == "UPDATE":
                out.changes(previous, desired)
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
    out.note(f"seeded the CodePipeline pipeline {DEMO_PIPELINE}")
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

    from .lambda_emulator import FunctionCodeError

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise InputError("fire runs against moto: pass --endpoint-url URL (or set AWS_ENDPOINT_URL)")
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
        out.problem(f"fire {args.name}: {error}")
        return 2
    return 0 if report.ok else 1


class InputError(ValueError):
    """An input the command cannot use: one line on stderr, exit code 2."""


def load_json(path: str) -> Json:
    """A JSON object from a file, or InputError saying why not."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        hint = " (a template? use --template FILE --resource LOGICAL_ID)" if text.lstrip()[:1] not in "{[" else ""
        raise InputError(f"{path}: not JSON: {error.msg} at line {error.lineno}, column {error.colno}{hint}") from None
    if not isinstance(value, dict):
        raise InputError(f"{path}: expected a JSON object")
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


@contextlib.contextmanager
def action_target(args: argparse.Namespace) -> Iterator[Target]:
    """Where the action runs: real AWS, a running moto server, or moto started for this command."""
    if args.aws:
        yield aws_target(args.region)
        return
    region = args.region or MOTO_REGION
    # A moto server given by URL outlives this command, and keeps its state; else one starts here.
    world = moto_environment(args.endpoint_url, region) if args.endpoint_url else moto_server(region)
    with world:
        if args.seed_table:
            seed_table(args.seed_table, region)
        yield moto_target(region)


def live_previous(target: Target, desired: Json, out: Printer) -> Json | None:
    """For UPDATE without --previous: the trigger as READ returns it now, read-only properties left out
    (CloudFormation's previous properties are the template's)."""
    name = desired.get("Name")
    read = drive("READ", target, {"Name": name}, None, lambda action, number, event: None)
    if read.get("status") != "SUCCESS":
        out.problem(
            f"update {name}: no previous state: READ gave {read.get('errorCode')}: {read.get('message')} "
            "(pass --previous FILE)"
        )
        return None
    out.note(f"previous state: {name} as READ returns it now")
    return {key: value for key, value in read["resourceModel"].items() if key not in read_only_properties()}


def run_action(args: argparse.Namespace, out: Printer) -> int:
    action = args.command.upper()
    if args.aws and args.endpoint_url:
        raise InputError("--aws and --endpoint-url exclude each other")
    if args.template and not args.resource:
        raise InputError("--template needs --resource LOGICAL_ID: the trigger's logical ID in the template")
    template = load_template(Path(args.template)) if args.template else None
    values = parameter_values(args.parameter or [])
    desired, previous = load_properties(args)
    if desired is None and template is None and action != "LIST":
        raise InputError(f"{args.command} needs --properties FILE, or --template FILE --resource LOGICAL_ID")
    with action_target(args) as target:
        if template is not None:
            desired = trigger_properties(template, args.resource, values, target.region, target.account)
        compared: set[str] | None = None
        if action == "UPDATE" and previous is None and desired is not None:
            previous = live_previous(target, desired, out)
            if previous is None:
                return 1
            # READ gives every setting, defaults included, and no write-only property (Code): what the
            # template gives is what can be compared.
            compared = set(desired) - set(write_only_properties())
        if action == "UPDATE":
            out.changes(previous, desired, compared)
        final = drive(action, target, desired, previous, out.event)
    if final.get("status") == "SUCCESS" and action in ("CREATE", "UPDATE"):
        out.summary(final["resourceModel"])
    return 0 if final.get("status") == "SUCCESS" else 1


def run_filter(args: argparse.Namespace, out: Printer) -> int:
    """Whether a stream record passes the filter patterns (any one of them, as a pipe's filters),
    and what the function would receive."""
    from mare_dynamodb_streamtrigger.core.filter_pattern import (
        ROOT,
        PatternError,
        numeric_on_stream_numbers,
        validate_stream_filter,
    )
    from mare_dynamodb_streamtrigger.core.validation import FILTER_PATTERNS_RANGE

    from .filter_matching import matches
    from .preview import insert_record, render_input_template

    files: list[str] = args.pattern
    most = FILTER_PATTERNS_RANGE[1]
    if len(files) > most:
        out.filter_result({"valid": False, "error": f"{len(files)} patterns given; a pipe takes at most {most}"})
        return 2
    # Named as the trigger's properties name them: FilterPattern, or FilterPatterns[i].Pattern.
    roots = [ROOT] if len(files) == 1 else [f"FilterPatterns[{index}].Pattern" for index in range(len(files))]
    patterns = [load_json(path) for path in files]
    for path, root, pattern in zip(files, roots, patterns, strict=True):
        try:
            validate_stream_filter(pattern, root)
        except PatternError as error:
            out.filter_result({"pattern": path, "valid": False, "error": str(error)})
            return 2
    record = insert_record(load_json(args.item)) if args.item else load_json(args.record)
    found = [matches(pattern, record) for pattern in patterns]
    passing = next((index for index, match in enumerate(found) if match.matched), None)
    match = found[0] if passing is None else found[passing]
    result: Json = {"valid": True, "passes": match.matched, "failed_field": match.failed_path, "reason": match.reason}
    if len(patterns) > 1:
        result["passing_pattern"] = None if passing is None else roots[passing]
        result["failures"] = [
            {"pattern": root, "failed_field": each.failed_path, "reason": each.reason}
            for root, each in zip(roots, found, strict=True)
            if not each.matched
        ]
    warnings = [
        warning
        for root, pattern in zip(roots, patterns, strict=True)
        for warning in numeric_on_stream_numbers(pattern, root)
    ]
    if warnings:
        result["warnings"] = warnings
    if args.input_template is not None:
        result["function_receives"] = [render_input_template(args.input_template, record)] if match.matched else []
    if args.item:
        result["record"] = record
    out.filter_result(result)
    return 0 if match.matched else 1


EXIT_CODES = {
    "demo": "exit codes: 0 every step succeeded, 1 a step did not",
    "action": (
        "exit codes: 0 the action ended in SUCCESS, 1 it ended in FAILED (the event says why),\n"
        "2 the command could not run: an input file missing or not JSON, a template value only a deploy knows"
    ),
    "filter": (
        "exit codes: 0 the record passes (the pipe sends it to the function), 1 it does not,\n"
        "2 a pattern is invalid, or an input file is missing or not a JSON object"
    ),
    "fire": (
        "exit codes: 0 every batch was delivered and handled, 1 a batch failed or the pipe is not RUNNING,\n"
        "2 the firing could not run: no such trigger, no moto endpoint, code that cannot be loaded"
    ),
}
TEMPLATE_HELP = """\
--template reads JSON, or YAML with CloudFormation's short forms (!Ref, !Sub...). Parameters come from
--parameter KEY=VALUE, else their Default; pseudo parameters (AWS::Region, AWS::AccountId...) are those
of where the command runs; Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::If and the
template's Conditions are resolved. A Ref to or Fn::GetAtt of another resource is taken from
--parameter (Topic=ARN, Topic.TopicArn=ARN); Fn::ImportValue and dynamic references are refused.

UPDATE without --previous reads the live trigger (READ) as the previous state, as CloudFormation
would pass the last deployed properties, so a create-only change (StartingPosition...) is refused.
"""


def subcommand(
    commands: Any, name: str, parents: list[argparse.ArgumentParser], summary: str, description: str, codes: str
) -> argparse.ArgumentParser:
    return commands.add_parser(  # type: ignore[no-any-return]
        name,
        parents=parents,
        help=summary,
        description=description,
        epilog=codes,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object a line instead of text")
    common.add_argument(
        "--verbose", action="store_true", help="text: every event's full model, and each part CREATE built in full"
    )
    common.add_argument("--region", help=f"the request's region (moto: {MOTO_REGION}; --aws: the session's)")
    top = argparse.ArgumentParser(
        prog="mare-streamtrigger",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True)
    subcommand(
        commands,
        "demo",
        [common],
        "CREATE, READ, UPDATE, LIST and DELETE the example on moto",
        "Starts moto in this process, seeds a table with a stream, runs the real entrypoint through every\n"
        "action with the construct's example, then fires the zero-code PIPELINE trigger on two items.",
        EXIT_CODES["demo"],
    )
    sieve = subcommand(
        commands,
        "filter",
        [common],
        "try FilterPattern(s) on a stream record",
        "Checks the pattern(s) as create does, then says whether the record passes (EventBridge's matching),\n"
        "which field stops it, and with --input-template what the function would receive.",
        EXIT_CODES["filter"],
    )
    sieve.add_argument(
        "--pattern",
        required=True,
        action="append",
        help="JSON file: the FilterPattern; repeat for FilterPatterns (the record passes when any matches)",
    )
    source = sieve.add_mutually_exclusive_group(required=True)
    source.add_argument("--record", help="JSON file: a DynamoDB stream record")
    source.add_argument("--item", help="JSON file: a plain item, tried as the INSERT record of it")
    sieve.add_argument(
        "--input-template",
        nargs="?",
        const=DEFAULT_INPUT_TEMPLATE,
        help="show what the function receives (with this template; without a value, the default one)",
    )
    shot = subcommand(
        commands,
        "fire",
        [common],
        "run a built trigger's pipe once, on moto",
        "Reads the new records of the trigger's table stream in a moto server, filters and batches them as\n"
        "the pipe does, and runs the function's code on this machine until the stream is drained.",
        EXIT_CODES["fire"],
    )
    shot.add_argument("--name", required=True, help="the trigger's Name (its pipe's name)")
    shot.add_argument("--endpoint-url", help="the moto server (default: AWS_ENDPOINT_URL)")
    shot.add_argument("--from-start", action="store_true", help="forget the checkpoint: start as the pipe did")
    shot.add_argument("--cache-dir", help="where checkpoints are kept (default: the user's cache folder)")
    shot.add_argument("--code", help="the deployed zip file or folder, where moto cannot give the code")
    for name in ACTIONS:
        sub = subcommand(
            commands,
            name,
            [common],
            f"run {name.upper()} on a trigger's properties",
            f"Runs {name.upper()} through the real entrypoint with a request as CloudFormation sends it, invoking\n"
            "again with the callback context while IN_PROGRESS; on moto unless --aws.\n\n" + TEMPLATE_HELP,
            EXIT_CODES["action"],
        )
        given = sub.add_mutually_exclusive_group(required=name != "list")
        given.add_argument("--properties", help="JSON file: the properties, or a cfn invoke request")
        given.add_argument("--template", help="a CloudFormation template (YAML or JSON) holding the trigger")
        sub.add_argument("--resource", metavar="LOGICAL_ID", help="with --template: the trigger's logical ID")
        sub.add_argument(
            "--parameter",
            action="append",
            metavar="KEY=VALUE",
            help="with --template: a parameter's value, or a resource's Ref (Topic=...) or attribute (Topic.Arn=...)",
        )
        sub.add_argument(
            "--previous", help="JSON file of the previous properties (UPDATE; default: READ of the trigger)"
        )
        where = sub.add_mutually_exclusive_group()
        where.add_argument("--aws", action="store_true", help="real AWS with the default boto3 credentials")
        sub.add_argument("--endpoint-url", help="a running moto server to use instead of a new one")
        where.add_argument("--seed-table", metavar="NAME", help="moto: first create this table, stream and parameters")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Printer(args.json, args.verbose)
    try:
        with showing_steps(out):
            return run(args, out)
    except (InputError, TemplateError) as error:
        out.problem(str(error))
        return 2


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
