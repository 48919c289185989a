"""A callback context is a claim made by whoever sent the request: checked, never trusted. Pure.

request_shape.py checks that a context has the keys and JSON types its action writes. Here its
values are checked against the request they come with: the table and stream must be this
trigger's table in the request's account and region, the steps must be the action's own, and
no deadline may lie further ahead than the longest wait (or the action's overall deadline)
allows. What a claim says of AWS (that this request made the roles, that the stream is the
table's) is checked live by the action.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from mare_dynamodb_streamtrigger.core.errors import TriggerError, invalid
from mare_dynamodb_streamtrigger.core.names import STREAM_ARN, TABLE_ARN
from mare_dynamodb_streamtrigger.core.waits import WAITS
from mare_dynamodb_streamtrigger.guard.request_shape import shown
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest, ResourceModel

# A callback context as sent: request_shape.py has checked its keys and their JSON types.
ClaimedContext = Mapping[str, Any]


def refused(problem: str) -> TriggerError:
    return invalid(f"The callback context is not one this request could have written: {problem}")


def check_claims(
    context: ClaimedContext,
    model: ResourceModel,
    request: ResourceHandlerRequest,
    steps: Sequence[str],
    parts_made: Sequence[str] = (),
) -> None:
    """InvalidRequest unless every value of a resumed context fits this request and its model."""
    table_match = TABLE_ARN.fullmatch(str(context.get("TableArn", "")))
    partition = request.awsPartition or "aws"
    if not table_match or (
        table_match.group("partition"),
        table_match.group("region"),
        table_match.group("account"),
        table_match.group("table"),
    ) != (partition, request.region, request.awsAccountId, model.TableName):
        raise refused(f"TableArn is not the ARN of table {model.TableName} in this account and region")
    stream_match = STREAM_ARN.fullmatch(str(context.get("StreamArn", "")))
    if not stream_match or stream_match.group("table_arn") != context["TableArn"]:
        raise refused(f"StreamArn is not a stream of table {model.TableName}")
    check_progress(context, steps, parts_made)


def check_progress(context: ClaimedContext, steps: Sequence[str] = (), parts_made: Sequence[str] = ()) -> None:
    """Steps and parts the action knows, each once; deadlines of the handler's own waits alone, none
    further ahead than its wait may last."""
    done = context.get("done", [])
    if any(step not in steps for step in done) or len(set(done)) != len(done):
        raise refused("done names steps this action does not have")
    created = context.get("created", [])
    if any(part not in parts_made for part in created) or len(set(created)) != len(created):
        raise refused("created names parts this action does not make")
    now = time.time()
    for key, deadline in context.get("deadlines", {}).items():
        kind = WAITS.get(key)
        if kind is None:
            raise refused(f"deadlines names {shown(key)!r}, a wait this handler never starts")
        if deadline > now + kind.limit_seconds:
            raise refused(f"a deadline lies more than {kind.limit_seconds} s ahead")
