"""A deliberately broken copy of the entrypoint, for the harness's negative control: its create
reports SUCCESS for a trigger that already exists instead of failing with AlreadyExists."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cloudformation_cli_python_lib import Action, OperationStatus, ProgressEvent, Resource

from mare_dynamodb_streamtrigger import handlers
from mare_dynamodb_streamtrigger.models import ResourceModel, TypeConfigurationModel

resource = Resource(handlers.TYPE_NAME, ResourceModel, TypeConfigurationModel)
for action, handler in handlers.resource._handlers.items():
    resource.handler(action)(handler)


@resource.handler(Action.CREATE)
def create_without_existence_check(session: Any, request: Any, context: dict[str, Any]) -> ProgressEvent:
    event = handlers.resource._handlers[Action.CREATE](session, request, context)
    if event.status == OperationStatus.FAILED and event.errorCode == "AlreadyExists":
        model = replace(request.desiredResourceState, Code=None, IsDevops=None)
        return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=model)
    return event
