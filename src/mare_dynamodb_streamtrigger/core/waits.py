"""Progress events and the waits kept in the JSON-only callback context: each wait's deadline,
and the action's overall one."""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from functools import wraps
from typing import Any, NamedTuple, cast

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode, OperationStatus, ProgressEvent, SessionProxy

from mare_dynamodb_streamtrigger.core.callback_context import WaitingContext
from mare_dynamodb_streamtrigger.core.errors import TriggerError, error_code, error_message
from mare_dynamodb_streamtrigger.core.invocation_time import InvocationTimeSpent
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest, ResourceModel

# How long to come back after, per kind of wait.
FUNCTION_POLL_SECONDS = 5
PIPE_POLL_SECONDS = 10
ROLE_RETRY_SECONDS = 10
# How long a wait may last in all: for IAM's news to reach Lambda or Pipes, and for AWS to finish
# a change.
ROLE_PROPAGATION_DEADLINE_SECONDS = 300
STABILIZATION_DEADLINE_SECONDS = 1800
# How long a pipe made moments ago may be not found (DescribePipe is eventually consistent;
# Terraform's AWS provider tolerates 20 not-found polls after CreatePipe).
NEW_PIPE_VISIBLE_SECONDS = 120
# All of an action's waits end by this long after its first invocation: the schema's
# timeoutInMinutes is 60, and what is left serves the rollback and CloudFormation's own steps.
OVERALL_DEADLINE_SECONDS = 45 * 60


class Wait(NamedTuple):
    """One kind of wait: the key of its deadline in the callback context, what it waits for (as
    messages say it), how long it may last and how soon to look again."""

    key: str
    what: str
    limit_seconds: int
    delay_seconds: int


OVERALL = Wait("overall", "the whole action", OVERALL_DEADLINE_SECONDS, 0)
FUNCTION_ROLE_USABLE = Wait(
    "function_role_usable", "the function role to reach Lambda", ROLE_PROPAGATION_DEADLINE_SECONDS, ROLE_RETRY_SECONDS
)
FUNCTION_ACTIVE = Wait(
    "function_active", "the function to become Active", STABILIZATION_DEADLINE_SECONDS, FUNCTION_POLL_SECONDS
)
FUNCTION_BUSY = Wait(
    "function_busy", "the function's earlier update to finish", STABILIZATION_DEADLINE_SECONDS, FUNCTION_POLL_SECONDS
)
FUNCTION_CONFIGURATION_UPDATED = Wait(
    "function_configuration_updated",
    "the function's configuration",
    STABILIZATION_DEADLINE_SECONDS,
    FUNCTION_POLL_SECONDS,
)
FUNCTION_CODE_UPDATED = Wait(
    "function_code_updated", "the function's code", STABILIZATION_DEADLINE_SECONDS, FUNCTION_POLL_SECONDS
)
PIPE_ROLE_USABLE = Wait(
    "pipe_role_usable", "the pipe role to reach Pipes", ROLE_PROPAGATION_DEADLINE_SECONDS, ROLE_RETRY_SECONDS
)
NEW_PIPE_VISIBLE = Wait("new_pipe_visible", "the new pipe to be visible", NEW_PIPE_VISIBLE_SECONDS, PIPE_POLL_SECONDS)
PIPE_SETTLED = Wait(
    "pipe_settled", "the pipe to reach its DesiredState", STABILIZATION_DEADLINE_SECONDS, PIPE_POLL_SECONDS
)
PIPE_BUSY = Wait(
    "pipe_busy", "the pipe to finish its change of state", STABILIZATION_DEADLINE_SECONDS, PIPE_POLL_SECONDS
)
FAILED_PIPE_DELETED = Wait(
    "failed_pipe_deleted", "the failed pipe to be deleted", STABILIZATION_DEADLINE_SECONDS, PIPE_POLL_SECONDS
)
PIPE_DELETED = Wait("pipe_deleted", "the pipe to be deleted", STABILIZATION_DEADLINE_SECONDS, PIPE_POLL_SECONDS)
# A call that could not end within its invocation (core.invocation_time) is made by the next one,
# a second later; only the overall deadline ends this wait.
CALL_IN_NEXT_INVOCATION = Wait("call_in_next_invocation", "the next invocation", OVERALL_DEADLINE_SECONDS, 1)
# Every wait defined above, by its key: a callback context may hold deadlines of these alone. Read
# from the module itself, so that a new wait cannot be left out (a resumed context holding its
# deadline would be refused).
WAITS = {value.key: value for value in list(globals().values()) if isinstance(value, Wait)}


class Busy(NamedTuple):
    """How AWS refuses a change while an earlier one is still under way, and the wait that follows."""

    error_code: str
    wait: Wait


FUNCTION_CHANGING = Busy("ResourceConflictException", FUNCTION_BUSY)
PIPE_CHANGING = Busy("ConflictException", PIPE_BUSY)


def in_progress(
    model: ResourceModel | None, context: WaitingContext, delay_seconds: int, message: str
) -> ProgressEvent:
    return ProgressEvent(
        status=OperationStatus.IN_PROGRESS,
        resourceModel=model,
        # The same object: what the action records after this event is still sent.
        callbackContext=cast(MutableMapping[str, Any], context),
        callbackDelaySeconds=delay_seconds,
        message=message,
    )


def success(model: ResourceModel) -> ProgressEvent:
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=model)


def start_clock(context: WaitingContext) -> dict[str, float]:
    """The action's overall deadline, set on its first invocation; returns the context's deadlines."""
    deadlines = context.setdefault("deadlines", {})
    deadlines.setdefault(OVERALL.key, time.time() + OVERALL.limit_seconds)
    return deadlines


def wait(context: WaitingContext, kind: Wait, model: ResourceModel | None, last_message: str) -> ProgressEvent:
    """Asks to be called again for what `kind` waits for, or fails once its deadline (kept in the
    context) or the action's overall deadline has passed."""
    deadlines = start_clock(context)
    deadline = deadlines.setdefault(kind.key, time.time() + kind.limit_seconds)
    if time.time() >= deadline:
        raise TriggerError(
            HandlerErrorCode.NotStabilized,
            f"Gave up waiting for {kind.what} after {kind.limit_seconds} s: {last_message}",
        )
    if time.time() >= deadlines[OVERALL.key]:
        raise TriggerError(
            HandlerErrorCode.NotStabilized,
            f"Gave up waiting for {kind.what}: all waits of one action end after {OVERALL.limit_seconds} s, "
            f"leaving time to roll back within CloudFormation's 60 minutes: {last_message}",
        )
    return in_progress(model, context, kind.delay_seconds, f"Waiting for {kind.what}: {last_message}")


def done_waiting(context: WaitingContext, kind: Wait) -> None:
    context.get("deadlines", {}).pop(kind.key, None)


def wait_if_busy(error: ClientError, busy: Busy, context: WaitingContext, model: ResourceModel | None) -> ProgressEvent:
    """IN_PROGRESS, so that the change is asked for again later, when AWS refused it as `busy`
    says; any other error is raised."""
    if error_code(error) != busy.error_code:
        raise error
    return wait(context, busy.wait, model, error_message(error))


def call_in_next_invocation(
    context: WaitingContext, model: ResourceModel | None, spent: InvocationTimeSpent
) -> ProgressEvent:
    """IN_PROGRESS, so that the call not sent (and what follows it) is made by the next invocation."""
    return wait(context, CALL_IN_NEXT_INVOCATION, model, str(spent))


Action = Callable[[SessionProxy | None, ResourceHandlerRequest, MutableMapping[str, Any]], ProgressEvent]


def going_on_when_late(action: Action) -> Action:
    """A create, update or delete whose call was left for the next invocation before any of its
    steps ran (its first looks): the next invocation starts from the same context."""

    @wraps(action)
    def run(
        session: SessionProxy | None, request: ResourceHandlerRequest, context: MutableMapping[str, Any]
    ) -> ProgressEvent:
        try:
            return action(session, request, context)
        except InvocationTimeSpent as spent:
            return call_in_next_invocation(cast(WaitingContext, context), request.desiredResourceState, spent)

    return run
