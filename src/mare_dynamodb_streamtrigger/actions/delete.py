"""Delete: the pipe (waiting until it is gone), the trigger's alarms, the function with its
permission, the function's and the pipe's log groups if the type made them, both roles. Each only
if it is the trigger's own (ownership.py, or an alarm's and a log group's tag):
anything else under the Name is someone else's, and a Name with none of the trigger's parts is
NotFound, with nothing changed."""

from __future__ import annotations

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import OperationStatus, ProgressEvent, SessionProxy

from mare_dynamodb_streamtrigger.core import ownership
from mare_dynamodb_streamtrigger.core.callback_context import DeleteContext
from mare_dynamodb_streamtrigger.core.pipe_state import refuse_failed
from mare_dynamodb_streamtrigger.core.waits import (
    PIPE_BUSY,
    PIPE_CHANGING,
    PIPE_DELETED,
    done_waiting,
    wait,
    wait_if_busy,
)
from mare_dynamodb_streamtrigger.guard.context_claims import check_progress
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest
from mare_dynamodb_streamtrigger.operations import trigger_alarms, trigger_parts
from mare_dynamodb_streamtrigger.operations.clients import Aws
from mare_dynamodb_streamtrigger.operations.trigger_state import existing_name, not_found


def delete(session: SessionProxy | None, request: ResourceHandlerRequest, context: DeleteContext) -> ProgressEvent:
    aws = Aws.of(session, request, "DELETE")
    model = request.desiredResourceState
    names = aws.names(existing_name(model.Name if model else None))
    check_progress(context)  # a context is a claim: no deadline beyond the longest wait
    pipe = trigger_parts.describe_pipe(aws, names.pipe_name)
    own_pipe = pipe if ownership.own_pipe(pipe, names) else None
    if not context.get("pipe_deleting"):
        function = trigger_parts.get_function(aws, names.function_name)
        if own_pipe is None and not ownership.own_function(function, names):
            # Log groups and roles left by an earlier delete that failed half-way are still this
            # trigger's to remove (a group's tag, a role's path and marker say so); a role IAM will
            # not show here is not one of them.
            removed = [
                trigger_alarms.delete_own_alarms(aws, names),
                trigger_parts.delete_own_log_group(aws, names.function_log_group),
                trigger_parts.delete_own_log_group(aws, names.pipe_log_group),
                *(trigger_parts.delete_own_role(aws, names, kind, denied_is_absent=True) for kind in ("pipe", "fn")),
            ]
            if not any(removed):
                raise not_found(names.trigger_name)
            return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=None)
        try:
            accepted = own_pipe is not None and trigger_parts.delete_pipe(aws, names.pipe_name)
        except ClientError as error:
            return wait_if_busy(error, PIPE_CHANGING, context, model)
        done_waiting(context, PIPE_BUSY)
        context = {**context, "pipe_deleting": True}
        pipe_state = "DeletePipe accepted" if accepted else None
    else:
        if own_pipe is not None:
            refuse_failed(names.pipe_name, own_pipe)  # DELETE_FAILED: no use waiting
        pipe_state = None if own_pipe is None else f"state {own_pipe.get('CurrentState')}"
    if pipe_state is not None:
        return wait(context, PIPE_DELETED, model, pipe_state)
    trigger_alarms.delete_own_alarms(aws, names)
    trigger_parts.delete_own_function(aws, names)
    trigger_parts.delete_own_log_group(aws, names.function_log_group)
    trigger_parts.delete_own_log_group(aws, names.pipe_log_group)
    trigger_parts.delete_own_role(aws, names, "pipe")
    trigger_parts.delete_own_role(aws, names, "fn")
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=None)
