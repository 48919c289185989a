"""The entrypoint: routes each CloudFormation action to the module that does it.

Each action's module is imported on its first use, so that a cold start loads only what the
invoked action needs. Before the library reads a request, its shape is checked (a malformed
one is refused with a message naming the problem), and while it is handled no log record
carries its secrets.
"""

from __future__ import annotations

import json
import re
from importlib import import_module
from typing import Any

# boto3 before the library: the same modules load about 20 ms sooner in this order (bench/bench.py).
import boto3  # noqa: F401
from cloudformation_cli_python_lib import (
    Action,
    HandlerErrorCode,
    OperationStatus,
    ProgressEvent,
    Resource,
    SessionProxy,
)

from . import redaction
from .errors import guarded
from .models import ResourceModel, TypeConfigurationModel
from .names import TYPE_NAME
from .request_shape import request_problem, with_defaults
from .validation import NAME

redaction.install()


class StreamTriggerResource(Resource):
    def __call__(self, event: Any, context: Any) -> Any:
        problem = request_problem(event)
        if problem:
            refusal = ProgressEvent.failed(HandlerErrorCode.InvalidRequest, redaction.scrub(problem))
            # Plain JSON, as the library answers.
            return json.loads(json.dumps(refusal._serialize()))
        with redaction.secrets_of(event):
            answer = super().__call__(with_defaults(event), context)
            if isinstance(answer.get("message"), str):
                answer["message"] = redaction.scrub(answer["message"])
            return answer


resource = StreamTriggerResource(TYPE_NAME, ResourceModel, TypeConfigurationModel)
test_entrypoint = resource.test_entrypoint

# action: (module, function)
ROUTES = {
    Action.CREATE: ("create", "create"),
    Action.READ: ("read", "read"),
    Action.UPDATE: ("update", "update"),
    Action.DELETE: ("delete", "delete"),
    Action.LIST: ("list_triggers", "list_triggers"),
}


def route(module: str, function: str) -> Any:
    def handle(session: SessionProxy | None, request: Any, context: dict[str, Any]) -> ProgressEvent:
        worker = getattr(import_module(f".{module}", __package__), function)
        return naming_the_trigger(guarded(worker)(session, request, context), request)

    handle.__name__ = function
    return handle


def naming_the_trigger(event: ProgressEvent, request: Any) -> ProgressEvent:
    """A failure names the trigger it is about (a valid Name only), where its message does not
    already. A refused request is not prefixed: its message names the property at fault."""
    name = getattr(request.desiredResourceState, "Name", None)
    named = isinstance(name, str) and NAME.fullmatch(name) is not None
    failed = event.status == OperationStatus.FAILED and event.errorCode != HandlerErrorCode.InvalidRequest
    if named and failed and event.message and not mentions(event.message, name):
        event.message = f"Trigger {name}: {event.message}"
    return event


def mentions(message: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", message) is not None


for action, (module, function) in ROUTES.items():
    resource.handler(action)(route(module, function))
