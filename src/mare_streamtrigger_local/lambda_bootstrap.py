"""The child process `fire` runs a function's code in, as Lambda's Python runtime bootstrap runs it.

Standard library only, and run as `python -I lambda_bootstrap.py RESPONSE_FD`: isolated, so that
neither the runner's folder nor PYTHONPATH is on sys.path; the function's folder (LAMBDA_TASK_ROOT)
is put first instead, as Lambda does. Its environment is the one the parent gives it: the
function's Environment, Lambda's variables and the execution role's credentials, nothing of the
operator's. It imports the handler once (the init phase) and then serves invocations until its
standard input closes: a warm container.

Protocol: one JSON line per message. The child answers on RESPONSE_FD (its own standard output is
the function's, captured per invocation): first `{"ready": true}` or `{"init_error": [type,
message]}`; then, for each request `{"event": ..., "context": {...}}` read from standard input,
`{"result": ...}` or `{"error": [type, message]}`, with `"logs"`, what the function printed.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """What Lambda's Python runtime passes as `context`."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.function_name = fields["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = fields["invoked_function_arn"]
        self.memory_limit_in_mb = fields["memory_limit_in_mb"]
        self.aws_request_id = fields["aws_request_id"]
        self.log_group_name = fields["log_group_name"]
        self.log_stream_name = fields["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + float(fields["timeout_seconds"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def answer(channel: Any, message: dict[str, Any]) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def load_handler() -> Any:
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as error:
        raise LookupError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from error
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise LookupError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


def invoke(handler: Any, request: dict[str, Any]) -> dict[str, Any]:
    printed = io.StringIO()
    context = LambdaContext(request["context"])
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            result = handler(request["event"], context)
        except Exception as error:  # noqa: BLE001 - the function's own failure, as Lambda reports it
            traceback.print_exc(file=printed)
            return {"error": [type(error).__name__, str(error)], "logs": printed.getvalue()}
    try:
        return {"result": json.loads(json.dumps(result)), "logs": printed.getvalue()}
    except (TypeError, ValueError) as error:
        return {"error": ["Runtime.MarshalError", f"Unable to marshal response: {error}"], "logs": printed.getvalue()}


def main() -> None:
    channel = os.fdopen(int(sys.argv[1]), "w", encoding="utf-8")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            handler = load_handler()
    except LookupError as error:
        kind, message = error.args
        answer(channel, {"init_error": [kind, message], "logs": printed.getvalue()})
        return
    answer(channel, {"ready": True, "logs": printed.getvalue()})
    for line in sys.stdin:
        answer(channel, invoke(handler, json.loads(line)))


if __name__ == "__main__":
    main()
