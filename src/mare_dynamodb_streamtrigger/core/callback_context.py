"""The callback context each action writes between its invocations: one TypedDict per action.

The request-shape guard takes the keys and their JSON types from these same classes, so a context
holds only what its action's handler could have written. Every value is JSON: CloudFormation keeps
the context as JSON between invocations, and a caller can forge it (guard/context_claims.py checks
what it claims against AWS).
"""

from __future__ import annotations

from typing import TypedDict


class WaitingContext(TypedDict, total=False):
    # Wait key (waits.Wait.key) -> when that wait gives up, in seconds since the epoch.
    deadlines: dict[str, float]


class SteppingContext(WaitingContext, total=False):
    # The steps already done, in order (steps.run_steps).
    done: list[str]


class CreateContext(SteppingContext, total=False):
    TableArn: str
    StreamArn: str
    # The parts this request made, each once: what a rollback may remove.
    created: list[str]
    # A warning about the filter, shown on the final event.
    warning: str


class UpdateContext(SteppingContext, total=False):
    TableArn: str
    StreamArn: str
    # The pipe's tags as they were before the update.
    LiveTags: dict[str, str]
    pipe_changes: bool


class DeleteContext(WaitingContext, total=False):
    pipe_deleting: bool


# The keys a resumed context (one that holds StreamArn) cannot do without.
RESUMED_REQUIRED: dict[str, tuple[str, ...]] = {
    "CREATE": ("TableArn", "StreamArn", "done", "created"),
    "UPDATE": ("TableArn", "StreamArn", "LiveTags", "done"),
}
# action -> the context its handler writes; READ and LIST write none.
CONTEXTS: dict[str, type[WaitingContext] | None] = {
    "CREATE": CreateContext,
    "UPDATE": UpdateContext,
    "DELETE": DeleteContext,
    "READ": None,
    "LIST": None,
}
