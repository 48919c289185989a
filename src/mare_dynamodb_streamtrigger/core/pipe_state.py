"""The pipe's state read as progress: RUNNING, still moving, failed, stopped by AWS, or refused
because Pipes cannot use its role yet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode, ProgressEvent

from mare_dynamodb_streamtrigger.core.callback_context import WaitingContext
from mare_dynamodb_streamtrigger.core.errors import TriggerError, error_code, error_message, pipe_grant_not_yet_usable
from mare_dynamodb_streamtrigger.core.settings import setting
from mare_dynamodb_streamtrigger.core.waits import NEW_PIPE_VISIBLE, PIPE_ROLE_USABLE, PIPE_SETTLED, done_waiting, wait
from mare_dynamodb_streamtrigger.models import ResourceModel


def pipe_progress(
    context: WaitingContext,
    model: ResourceModel,
    pipe_name: str,
    pipe: Mapping[str, Any] | None,
    *,
    new: bool = False,
    just_asked: bool = False,
) -> ProgressEvent | None:
    """None once the pipe is in its DesiredState (RUNNING or STOPPED); IN_PROGRESS while it moves;
    NotStabilized when it fails or AWS has stopped it. DescribePipe is eventually consistent: a
    `new` pipe may be not found for a while, and where the change was `just_asked` for, the answer
    may still show the pipe as it was."""
    if pipe is None:
        if not new:
            raise TriggerError(
                HandlerErrorCode.NotStabilized, f"Pipe {pipe_name} disappeared while it was being set up"
            )
        return wait(context, NEW_PIPE_VISIBLE, model, f"DescribePipe {pipe_name}: not found")
    done_waiting(context, NEW_PIPE_VISIBLE)
    state = pipe.get("CurrentState", "")
    if state == setting(model, "DesiredState"):
        done_waiting(context, PIPE_SETTLED)
        return None
    refuse_failed(pipe_name, pipe)
    if not just_asked:
        refuse_stopped(pipe_name, pipe)
    return wait(context, PIPE_SETTLED, model, f"state {state}")


def refuse_stopped(pipe_name: str, pipe: Mapping[str, Any]) -> None:
    """NotStabilized for a pipe AWS has stopped: it stays STOPPED although RUNNING is wanted, and
    says why (after near-continuous 4xx errors, Pipes troubleshooting); no wait would start it."""
    reason = pipe.get("StateReason")
    if pipe.get("CurrentState") == "STOPPED" and pipe.get("DesiredState") == "RUNNING" and reason:
        raise TriggerError(HandlerErrorCode.NotStabilized, f"Pipe {pipe_name} was stopped by AWS: {reason}")


def wait_for_pipe_role(context: WaitingContext, model: ResourceModel, reason: str) -> ProgressEvent:
    """IN_PROGRESS while Pipes cannot yet use the pipe's role, until the deadline kept in the context."""
    return wait(context, PIPE_ROLE_USABLE, model, reason)


def pipe_role_refusal(error: ClientError) -> str | None:
    """AWS's message where Pipes refused a CreatePipe or UpdatePipe because it cannot use the role,
    or a grant the role just gained, yet."""
    message = error_message(error)
    return message if error_code(error) == "ValidationException" and pipe_grant_not_yet_usable(message) else None


def pipe_failed_for_role(pipe: Mapping[str, Any] | None, failed_state: str) -> str | None:
    """The pipe's StateReason where it is in `failed_state` because it could not use its role yet."""
    reason = (pipe or {}).get("StateReason") or ""
    return reason if (pipe or {}).get("CurrentState") == failed_state and pipe_grant_not_yet_usable(reason) else None


def refuse_failed(pipe_name: str, pipe: Mapping[str, Any]) -> None:
    """NotStabilized, with the pipe's StateReason, for a pipe in a *_FAILED state."""
    state = pipe.get("CurrentState", "")
    if state.endswith("_FAILED"):
        raise TriggerError(
            HandlerErrorCode.NotStabilized, f"Pipe {pipe_name} is {state}: {pipe.get('StateReason', 'no reason given')}"
        )
