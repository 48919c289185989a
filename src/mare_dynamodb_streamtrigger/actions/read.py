"""Read: the trigger as it lives in AWS."""

from __future__ import annotations

from cloudformation_cli_python_lib import ProgressEvent, SessionProxy

from mare_dynamodb_streamtrigger.core.waits import success
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest
from mare_dynamodb_streamtrigger.operations.clients import Aws
from mare_dynamodb_streamtrigger.operations.trigger_state import read_model


def read(session: SessionProxy | None, request: ResourceHandlerRequest) -> ProgressEvent:
    aws = Aws.of(session, request, "READ")
    model = request.desiredResourceState
    return success(read_model(aws, model.Name if model else None, request.desiredResourceTags))
