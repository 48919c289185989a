"""The entrypoint: routes each CloudFormation action to the module that does it.

Each action's module is imported on its first use (by an import statement in its route, which
the package check follows), so that a cold start loads only what the invoked action needs. Before
the library reads a request, its shape is checked (a malformed one is refused with a message
naming the problem), and while it is handled no log record carries its secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, MutableMapping
from typing import Any, cast

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

from mare_dynamodb_streamtrigger.core.callback_context import CreateContext, DeleteContext, UpdateContext
from mare_dynamodb_streamtrigger.core.errors import guarded
from mare_dynamodb_streamtrigger.core.names import TYPE_NAME
from mare_dynamodb_streamtrigger.core.validation import NAME
from mare_dynamodb_streamtrigger.core.waits import going_on_when_late
from mare_dynamodb_streamtrigger.guard import redaction
from mare_dynamodb_streamtrigger.guard.request_shape import request_problem, with_defaults
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest, ResourceModel, TypeConfigurationModel

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

# Callback contexts are JSON objects; each action's TypedDict (core.callback_context) says which.
ActionHandler = Callable[[SessionProxy | None, ResourceHandlerRequest, MutableMapping[str, Any]], ProgressEvent]


def create(
    session: SessionProxy | None, request: ResourceHandlerRequest, context: MutableMapping[str, Any]
) -> ProgressEvent:
    from mare_dynamodb_streamtrigger.actions.create import create

    return create(session, request, cast(CreateContext, context))


def read(
    session: SessionProxy | None, request: ResourceHandlerRequest, context: MutableMapping[str, Any]
) -> ProgressEvent:
    from mare_dynamodb_streamtrigger.actions.read import read

    return read(session, request)


def update(
    session: SessionProxy | None, request: ResourceHandlerRequest, context: MutableMapping[str, Any]
) -> ProgressEvent:
    from mare_dynamodb_streamtrigger.actions.update import update

    return update(session, request, cast(UpdateContext, context))


def delete(
    session: SessionProxy | None, request: ResourceHandlerRequest, context: MutableMapping[str, Any]
) -> ProgressEvent:
    from mare_dynamodb_streamtrigger.actions.delete import delete

    return delete(session, request, cast(DeleteContext, context))


def list_triggers(
    session: SessionProxy | None, request: ResourceHandlerRequest, context: MutableMapping[str, Any]
) -> ProgressEvent:
    from mare_dynamodb_streamtrigger.actions.list_triggers import list_triggers

    return list_triggers(session, request)


ROUTES: dict[Action, ActionHandler] = {
    Action.CREATE: create,
    Action.READ: read,
    Action.UPDATE: update,
    Action.DELETE: delete,
    Action.LIST: list_triggers,
}


def route(action: ActionHandler) -> ActionHandler:
    def handle(
        session: SessionProxy | None, request: ResourceHandlerRequest, context: MutableMapping[str, Any]
    ) -> ProgressEvent:
        return naming_the_trigger(guarded(action)(session, request, context), request)

    handle.__name__ = action.__name__
    return handle


def naming_the_trigger(event: ProgressEvent, request: ResourceHandlerRequest) -> ProgressEvent:
    """A failure names the trigger it is about (a valid Name only), where its message does not
    already. A refused request is not prefixed: its message names the property at fault."""
    model = request.desiredResourceState
    name = model.Name if model is not None else None
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        return event
    failed = event.status == OperationStatus.FAILED and event.errorCode != HandlerErrorCode.InvalidRequest
    if failed and event.message and not mentions(event.message, name):
        event.message = f"Trigger {name}: {event.message}"
    return event


def mentions(message: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", message) is not None


# These three go on in a next invocation with a call that could not end in time; READ and LIST fail.
RESUMABLE = (Action.CREATE, Action.UPDATE, Action.DELETE)
for action, handler in ROUTES.items():
    resource.handler(action)(route(going_on_when_late(handler) if action in RESUMABLE else handler))
