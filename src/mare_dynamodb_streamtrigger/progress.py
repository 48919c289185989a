"""Progress events and the waits kept in the JSON-only callback context."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from time import monotonic
from typing import Any, NamedTuple

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode, OperationStatus, ProgressEvent

from .errors import TriggerError, error_code, error_message, pipe_grant_not_yet_usable

Context = dict[str, Any]

# One line per handler step as it ends or waits; the local runner shows them as they happen.
STEPS_LOG = logging.getLogger("mare_dynamodb_streamtrigger.steps")


def step_done(action: str, step: str) -> None:
    STEPS_LOG.info("%s %s: done", action, step)


def run_steps(action: str, steps: Sequence[str], context: Context, worker: Any) -> ProgressEvent | None:
    """Runs, in order, the steps (methods of `worker`) not yet done in the context; the first that
    must wait ends the invocation with its IN_PROGRESS event, and so does the invocation's time
    budget once spent. None once every step is done."""
    started = monotonic()
    start_clock(context)
    done: list[str] = context["done"]
    for step in steps:
        if step in done:
            continue
        if monotonic() - started > INVOCATION_BUDGET_SECONDS:
            message = f"Continuing at step {step}: this invocation used its {INVOCATION_BUDGET_SECONDS} s"
            STEPS_LOG.info("%s %s: %s", action, step, message)
            return in_progress(worker.model, context, CONTINUE_DELAY_SECONDS, message)
        waiting = getattr(worker, step)()
        if waiting is not None:
            STEPS_LOG.info("%s %s: %s", action, step, waiting.message)
            return waiting
        done.append(step)
        step_done(action, step)
    return None


# How long to come back after, per kind of wait, and how long a wait may last in all.
FUNCTION_POLL_SECONDS = 5
PIPE_POLL_SECONDS = 10
ROLE_RETRY_SECONDS = 10
ROLE_PROPAGATION_DEADLINE_SECONDS = 300
STABILIZATION_DEADLINE_SECONDS = 1800
# How long a pipe made moments ago may be not found (DescribePipe is eventually consistent;
# Terraform's AWS provider tolerates 20 not-found polls after CreatePipe).
NEW_PIPE_VISIBLE_SECONDS = 120
# All of an action's waits end by this long after its first invocation: the schema's
# timeoutInMinutes is 60, and what is left serves the rollback and CloudFormation's own steps.
OVERALL_DEADLINE_SECONDS = 45 * 60
OVERALL = "the whole action"
# One invocation starts no new step after this long, so that it returns well within the 60 s
# CloudFormation gives an invocation, even where AWS answers slowly (aws.CLIENT_CONFIG bounds a call).
INVOCATION_BUDGET_SECONDS = 15
CONTINUE_DELAY_SECONDS = 1
# What is waited for while Pipes cannot yet use a role (or its new permissions) that IAM has accepted.
PIPE_ROLE_WAIT = "the pipe role to reach Pipes"


class Busy(NamedTuple):
    """How AWS refuses a change while an earlier one is still under way, and what is waited for."""

    error_code: str
    what: str
    delay_seconds: int


FUNCTION_BUSY = Busy("ResourceConflictException", "the function's earlier update to finish", FUNCTION_POLL_SECONDS)
PIPE_BUSY = Busy("ConflictException", "the pipe to finish its change of state", PIPE_POLL_SECONDS)


def in_progress(model: Any, context: Context, delay_seconds: int, message: str) -> ProgressEvent:
    return ProgressEvent(
        status=OperationStatus.IN_PROGRESS,
        resourceModel=model,
        callbackContext=context,
        callbackDelaySeconds=delay_seconds,
        message=message,
    )


def success(model: Any) -> ProgressEvent:
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=model)


def start_clock(context: Context) -> None:
    """The action's overall deadline, set on its first invocation."""
    context.setdefault("deadlines", {}).setdefault(OVERALL, time.time() + OVERALL_DEADLINE_SECONDS)


def wait(
    context: Context, what: str, limit_seconds: int, delay_seconds: int, model: Any, last_message: str
) -> ProgressEvent:
    """Asks to be called again for `what`, or fails once its deadline (kept in the context) or the
    action's overall deadline has passed."""
    start_clock(context)
    deadlines = context["deadlines"]
    deadline = deadlines.setdefault(what, time.time() + limit_seconds)
    if time.time() >= deadline:
        raise TriggerError(
            HandlerErrorCode.NotStabilized,
            f"Gave up waiting for {what} after {limit_seconds} s: {last_message}",
        )
    if time.time() >= deadlines[OVERALL]:
        raise TriggerError(
            HandlerErrorCode.NotStabilized,
            f"Gave up waiting for {what}: all waits of one action end after {OVERALL_DEADLINE_SECONDS} s, "
            f"leaving time to roll back within CloudFormation's 60 minutes: {last_message}",
        )
    return in_progress(model, context, delay_seconds, f"Waiting for {what}: {last_message}")


def done_waiting(context: Context, what: str) -> None:
    context.get("deadlines", {}).pop(what, None)


def wait_if_busy(error: ClientError, busy: Busy, context: Context, model: Any) -> ProgressEvent:
    """IN_PROGRESS, so that the change is asked for again later, when AWS refused it as `busy`
    says; any other error is raised."""
    if error_code(error) != busy.error_code:
        raise error
    return wait(context, busy.what, STABILIZATION_DEADLINE_SECONDS, busy.delay_seconds, model, error_message(error))


def pipe_progress(
    context: Context,
    model: Any,
    pipe_name: str,
    pipe: dict[str, Any] | None,
    *,
    new: bool = False,
    just_asked: bool = False,
) -> ProgressEvent | None:
    """None once the pipe is RUNNING; IN_PROGRESS while it moves; NotStabilized when it fails or
    AWS has stopped it. DescribePipe is eventually consistent: a `new` pipe may be not found for a
    while, and where the change was `just_asked` for, the answer may still show the pipe as it was."""
    if pipe is None:
        if not new:
            raise TriggerError(
                HandlerErrorCode.NotStabilized, f"Pipe {pipe_name} disappeared while it was being set up"
            )
        return wait(
            context,
            "the new pipe to be visible",
            NEW_PIPE_VISIBLE_SECONDS,
            PIPE_POLL_SECONDS,
            model,
            f"DescribePipe {pipe_name}: not found",
        )
    done_waiting(context, "the new pipe to be visible")
    state = pipe.get("CurrentState", "")
    if state == "RUNNING":
        done_waiting(context, "the pipe to be RUNNING")
        return None
    refuse_failed(pipe_name, pipe)
    if not just_asked:
        refuse_stopped(pipe_name, pipe)
    return wait(
        context, "the pipe to be RUNNING", STABILIZATION_DEADLINE_SECONDS, PIPE_POLL_SECONDS, model, f"state {state}"
    )


def refuse_stopped(pipe_name: str, pipe: dict[str, Any]) -> None:
    """NotStabilized for a pipe AWS has stopped: it stays STOPPED although RUNNING is wanted, and
    says why (after near-continuous 4xx errors, Pipes troubleshooting); no wait would start it."""
    reason = pipe.get("StateReason")
    if pipe.get("CurrentState") == "STOPPED" and pipe.get("DesiredState") == "RUNNING" and reason:
        raise TriggerError(HandlerErrorCode.NotStabilized, f"Pipe {pipe_name} was stopped by AWS: {reason}")


def wait_for_pipe_role(context: Context, model: Any, reason: str) -> ProgressEvent:
    """IN_PROGRESS while Pipes cannot yet use the pipe's role, until the deadline kept in the context."""
    return wait(context, PIPE_ROLE_WAIT, ROLE_PROPAGATION_DEADLINE_SECONDS, ROLE_RETRY_SECONDS, model, reason)


def pipe_role_refusal(error: ClientError) -> str | None:
    """AWS's message where Pipes refused a CreatePipe or UpdatePipe because it cannot use the role,
    or a grant the role just gained, yet."""
    message = error_message(error)
    return message if error_code(error) == "ValidationException" and pipe_grant_not_yet_usable(message) else None


def pipe_failed_for_role(pipe: dict[str, Any] | None, failed_state: str) -> str | None:
    """The pipe's StateReason where it is in `failed_state` because it could not use its role yet."""
    reason = (pipe or {}).get("StateReason") or ""
    return reason if (pipe or {}).get("CurrentState") == failed_state and pipe_grant_not_yet_usable(reason) else None


def refuse_failed(pipe_name: str, pipe: dict[str, Any]) -> None:
    """NotStabilized, with the pipe's StateReason, for a pipe in a *_FAILED state."""
    state = pipe.get("CurrentState", "")
    if state.endswith("_FAILED"):
        raise TriggerError(
            HandlerErrorCode.NotStabilized, f"Pipe {pipe_name} is {state}: {pipe.get('StateReason', 'no reason given')}"
        )
