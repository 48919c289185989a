"""What the local commands print: human text (rich in a terminal) or one JSON object a line, and the
handlers' step log shown as each step happens."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

from mare_dynamodb_streamtrigger.core.names import TYPE_NAME
from mare_dynamodb_streamtrigger.core.steps import STEPS_LOG

Json = dict[str, Any]


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


def shown(value: Any) -> str:
    """A property's value in a change line: JSON, short."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def property_changes(
    previous: Json | None, desired: Json | None, defaults: Json | None = None, only: set[str] | None = None
) -> list[str]:
    """What an update changes, a property a line: `MemorySize: 128 -> 256`; a property not given
    stands at its default (the schema's), if it has one. `only`: the properties compared, if not all."""
    before, after, default = previous or {}, desired or {}, defaults or {}

    def value(properties: Json, key: str) -> str:
        if key in properties:
            return shown(properties[key])
        return f"{shown(default[key])} (default)" if key in default else "(not set)"

    def effective(properties: Json, key: str) -> Any:
        return properties.get(key, default.get(key))

    keys = set(before) | set(after)
    if only is not None:
        keys &= only
    return [
        f"{key}: {value(before, key)} -> {value(after, key)}"
        for key in sorted(keys)
        if effective(before, key) != effective(after, key)
    ]


def schema_defaults() -> Json:
    """The type's properties that have a default, with it (schema.json)."""
    from mare_streamtrigger_lint.type_schema import type_schema

    return {name: spec["default"] for name, spec in type_schema()["properties"].items() if "default" in spec}


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

    def __init__(self, as_json: bool, verbose: bool = False) -> None:
        self.as_json = as_json
        # Text: a summary by default; the full models and what CREATE built with verbose.
        self.verbose = verbose
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
            # What it waits for, on the same line: the handler's message says it.
            head += f", call back in {event.get('callbackDelaySeconds')} s: {event.get('message')}"
        models = event.get("resourceModels")
        if models is not None and not self.verbose:
            names = ", ".join(str(model.get("Name")) for model in models) or "none"
            head += f": {len(models)} trigger(s): {names}"
        self.print(head)
        if event.get("message") and status != "IN_PROGRESS":
            self.print(f"  message: {event['message']}")
        if not self.verbose:
            return
        if event.get("resourceModel") is not None:
            self.print("  model:\n" + indented(dumps(event["resourceModel"])))
        if models is not None:
            self.print(f"  models ({len(models)}):\n" + indented(dumps(models)))

    def built(self, built: Json) -> None:
        if self.as_json:
            self.line({"kind": "built", **built})
            return
        if not self.verbose:
            return  # the summary's table says what was built; --verbose shows each part in full
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
        for note in summary.get("notes") or []:
            self.print(f"note: {note}")
        if summary["problem"]:
            self.problem(f"fire {summary['pipe']}: {summary['problem']}")
            return
        self.print(
            f"fired {summary['pipe']}: {summary['batches']} batch(es), {summary['records_read']} record(s) read, "
            f"{summary['records_kept']} kept, {summary['records_delivered']} delivered, "
            f"{summary['invocations']} invocation(s), {summary['dead_lettered']} dead-lettered"
        )

    def changes(self, previous: Json | None, desired: Json | None, only: set[str] | None = None) -> None:
        """What an update asks for, as a diff of the properties (of `only`, if given)."""
        lines = property_changes(previous, desired, schema_defaults(), only)
        if self.as_json:
            self.line({"kind": "changes", "changes": lines})
            return
        self.print("changes: none" if not lines else "changes:")
        for line in lines:
            self.print(f"  {line}")

    def problem(self, message: str) -> None:
        """Why a command failed: one line on stderr (a JSON object with --json), never on stdout."""
        text = json.dumps({"kind": "problem", "message": message}) if self.as_json else f"mare-streamtrigger: {message}"
        print(text, file=sys.stderr, flush=True)

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
        elif result["passes"] and result.get("passing_pattern"):
            self.print(f"passes ({result['passing_pattern']} matches): the pipe sends this record to the function")
        elif result["passes"]:
            self.print("passes: the pipe sends this record to the function")
        elif "failures" in result:
            self.print("does not pass: no pattern matches")
            for failure in result["failures"]:
                self.print(f"  {failure['pattern']}: {failure['failed_field']}: {failure['reason']}")
        else:
            self.print(f"does not pass: {result['failed_field']}: {result['reason']}")
        for warning in result.get("warnings", []):
            self.print(f"warning: {warning}")
        if "record" in result:
            self.print("record:\n" + indented(dumps(result["record"])))
        if result.get("function_receives"):
            self.print("the function receives:\n" + indented(dumps(result["function_receives"])))


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
