"""The step runner: an action's steps, run in order across invocations, each done once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from time import monotonic
from typing import Protocol

from cloudformation_cli_python_lib import ProgressEvent

from mare_dynamodb_streamtrigger.core.callback_context import SteppingContext
from mare_dynamodb_streamtrigger.core.waits import in_progress, start_clock
from mare_dynamodb_streamtrigger.models import ResourceModel

# One line per handler step as it ends or waits; the local runner shows them as they happen.
STEPS_LOG = logging.getLogger("mare_dynamodb_streamtrigger.steps")


def step_done(action: str, step: str) -> None:
    STEPS_LOG.info("%s %s: done", action, step)


class StepWorker(Protocol):
    """An action's worker: a method per step, which returns an IN_PROGRESS event to wait, or None
    once its step is done."""

    @property
    def model(self) -> ResourceModel: ...


def run_steps(action: str, steps: Sequence[str], context: SteppingContext, worker: StepWorker) -> ProgressEvent | None:
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
        run_step: Callable[[], ProgressEvent | None] = getattr(worker, step)
        waiting = run_step()
        if waiting is not None:
            STEPS_LOG.info("%s %s: %s", action, step, waiting.message)
            return waiting
        done.append(step)
        step_done(action, step)
    return None


# One invocation starts no new step after this long, so that it returns well within the 60 s
# CloudFormation gives an invocation (core.invocation_time stops its calls in time, however slow AWS is).
INVOCATION_BUDGET_SECONDS = 15


CONTINUE_DELAY_SECONDS = 1
