"""Delete: the pipe (waiting until it is gone), the function with its permission, the pipe's log
group if the type made it, both roles."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import OperationStatus, ProgressEvent, SessionProxy

from . import parts
from .aws import Aws
from .progress import (
    PIPE_BUSY,
    PIPE_POLL_SECONDS,
    STABILIZATION_DEADLINE_SECONDS,
    Context,
    done_waiting,
    refuse_failed,
    wait,
    wait_if_busy,
)
from .read import existing_name, not_found


def delete(session: SessionProxy | None, request: Any, context: Context) -> ProgressEvent:
    aws = Aws.of(session, request)
    model = request.desiredResourceState
    names = aws.names(existing_name(model.Name if model else None))
    if not context.get("pipe_deleting"):
        function = parts.get_function(aws, names.function_name)
        pipe = parts.describe_pipe(aws, names.pipe_name)
        if function is None and pipe is None:
            # Roles left by an earlier delete that failed half-way are still this trigger's to remove.
            removed = [parts.delete_role(aws, role) for role in (names.pipe_role_name, names.function_role_name)]
            if not any(removed):
                raise not_found(model.Name)
            return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=None)
        try:
            accepted = pipe is not None and parts.delete_pipe(aws, names.pipe_name)
        except ClientError as error:
            return wait_if_busy(error, PIPE_BUSY, context, model)
        done_waiting(context, PIPE_BUSY.what)
        context = {**context, "pipe_deleting": True}
        pipe_state = "DeletePipe accepted" if accepted else None
    else:
        pipe = parts.describe_pipe(aws, names.pipe_name)
        if pipe is not None:
            refuse_failed(names.pipe_name, pipe)  # DELETE_FAILED: no use waiting
        pipe_state = None if pipe is None else f"state {pipe.get('CurrentState')}"
    if pipe_state is not None:
        return wait(
            context, "the pipe to be deleted", STABILIZATION_DEADLINE_SECONDS, PIPE_POLL_SECONDS, model, pipe_state
        )
    parts.delete_function(aws, names.function_name)
    parts.delete_own_log_group(aws, names)
    parts.delete_role(aws, names.pipe_role_name)
    parts.delete_role(aws, names.function_role_name)
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=None)
