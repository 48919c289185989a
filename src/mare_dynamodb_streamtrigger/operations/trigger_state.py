"""The trigger as it lives in AWS: its parts read, checked to be its own, and made a model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudformation_cli_python_lib import HandlerErrorCode

from mare_dynamodb_streamtrigger.core.errors import TriggerError
from mare_dynamodb_streamtrigger.core.names import LogGroup
from mare_dynamodb_streamtrigger.core.ownership import own_function, own_pipe
from mare_dynamodb_streamtrigger.core.readback import model_from_aws
from mare_dynamodb_streamtrigger.core.settings import logging_of
from mare_dynamodb_streamtrigger.core.validation import NAME
from mare_dynamodb_streamtrigger.guard.request_shape import shown
from mare_dynamodb_streamtrigger.models import ResourceModel
from mare_dynamodb_streamtrigger.operations import trigger_alarms
from mare_dynamodb_streamtrigger.operations.clients import Aws
from mare_dynamodb_streamtrigger.operations.trigger_parts import (
    describe_log_group,
    describe_pipe,
    get_function,
    get_role_policy,
    own_log_group,
)


def not_found(name: str | None) -> TriggerError:
    return TriggerError(HandlerErrorCode.NotFound, f"Trigger {name} not found: no function and pipe of that name")


def existing_name(name: str | None) -> str:
    """The Name of a trigger that could exist: NotFound, before any call, for none or for one
    that breaks the naming rule (no trigger can have it)."""
    if not name:
        raise TriggerError(HandlerErrorCode.NotFound, "Trigger without a Name not found")
    if not NAME.fullmatch(name):
        raise TriggerError(
            HandlerErrorCode.NotFound,
            f"Trigger {shown(name)} not found: a trigger's Name is 1 to 64 letters, digits, - or _",
        )
    return name


def read_model(aws: Aws, name: str | None, stack_tags: Mapping[str, Any] | None) -> ResourceModel:
    """Five calls: the function, the pipe, the function role's policy, the function's log group
    and the trigger's pipe-failures alarm; one more for the pipe's log group when the pipe logs,
    for a group with a retention one for its tags (only the trigger's own group shows its
    retention), and for an alarm found one for its tags (only the trigger's own shows its topic)."""
    name = existing_name(name)
    names = aws.names(name)
    function = get_function(aws, name)
    # Only the trigger's own parts make a trigger: a function or pipe of this Name with another
    # role, or a pipe that feeds another function, is someone else's (ownership.py).
    if function is None or not own_function(function, names):
        raise not_found(name)
    pipe = describe_pipe(aws, name)
    if pipe is None or not own_pipe(pipe, names):
        raise not_found(name)
    _, log_group_arn = logging_of(pipe.get("LogConfiguration"))
    log_group = own_retention(aws, names.pipe_log_group) if log_group_arn else None
    function_log_group = own_retention(aws, names.function_log_group)
    policy = get_role_policy(aws, names.function_role_name)
    alarm = trigger_alarms.own_alarm(aws, names)
    return model_from_aws(function, pipe, policy, stack_tags, log_group, function_log_group, alarm)


def own_retention(aws: Aws, group: LogGroup) -> Mapping[str, Any] | None:
    """The log group, where it is the trigger's own or has no retention: the retention of a group
    the user (or Lambda) made is its maker's, not the trigger's, and is not shown as the trigger's."""
    found = describe_log_group(aws, group)
    if found and "retentionInDays" in found and not own_log_group(aws, group):
        return None
    return found
