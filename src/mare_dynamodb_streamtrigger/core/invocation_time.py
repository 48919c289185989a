"""How long one handler invocation may take, and the error that stops its calls in time.

CloudFormation waits a bounded time for each invocation's answer: `cfn test` asserts 30 s for READ
and LIST and twice that for CREATE, UPDATE and DELETE (its --enforce-timeout, 30 by default). With
AWS slow, a call started late could run past it, so no attempt of a call starts once too little
time is left for it to end (operations/clients.py sends none after then).
"""

from __future__ import annotations

# The time each action's invocation has to answer, in seconds.
ANSWER_WITHIN_SECONDS = {"CREATE": 60, "UPDATE": 60, "DELETE": 60, "READ": 30, "LIST": 30}
# Left after the last attempt's end for the handler to make its answer.
ANSWER_MARGIN_SECONDS = 3


def latest_attempt_seconds(action: str, attempt_seconds: float, retry_pause_seconds: float) -> float:
    """How far into an invocation of `action` an attempt may still start: it can take
    `attempt_seconds`, and botocore pauses before the next attempt (which is then not sent)."""
    return ANSWER_WITHIN_SECONDS[action] - attempt_seconds - retry_pause_seconds - ANSWER_MARGIN_SECONDS


class InvocationTimeSpent(Exception):
    """Raised in place of an attempt that could not end in time: nothing was sent. A create,
    update or delete goes on in its next invocation; a read or list fails as a network failure."""

    def __init__(self, operation: str, elapsed: float, latest: float) -> None:
        super().__init__(
            f"{operation} was not sent: AWS answered slowly, and {elapsed:.0f} s into this invocation "
            f"no call starts after {latest:.0f} s"
        )
