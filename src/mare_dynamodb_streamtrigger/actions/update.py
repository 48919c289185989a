"""Update: policies, tags, the function and the pipe, changed in place, one step at a time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode, ProgressEvent, SessionProxy

from mare_dynamodb_streamtrigger.core import (
    code_archives,
    differences,
    ownership,
    policies,
    readback,
    request_arguments,
    settings,
)
from mare_dynamodb_streamtrigger.core.callback_context import UpdateContext
from mare_dynamodb_streamtrigger.core.errors import TriggerError, function_role_refusal
from mare_dynamodb_streamtrigger.core.invocation_time import InvocationTimeSpent
from mare_dynamodb_streamtrigger.core.names import table_arn_of_stream, table_name_of_arn
from mare_dynamodb_streamtrigger.core.pipe_state import (
    pipe_failed_for_role,
    pipe_progress,
    pipe_role_refusal,
    wait_for_pipe_role,
)
from mare_dynamodb_streamtrigger.core.steps import run_steps
from mare_dynamodb_streamtrigger.core.validation import (
    desired_model,
    required,
    validate_alarm_topic,
    validate_code_bucket,
    validate_layers_allowed,
    validate_model,
)
from mare_dynamodb_streamtrigger.core.waits import (
    FUNCTION_BUSY,
    FUNCTION_CHANGING,
    FUNCTION_CODE_UPDATED,
    FUNCTION_CONFIGURATION_UPDATED,
    FUNCTION_ROLE_USABLE,
    PIPE_BUSY,
    PIPE_CHANGING,
    Wait,
    call_in_next_invocation,
    done_waiting,
    success,
    wait,
    wait_if_busy,
)
from mare_dynamodb_streamtrigger.guard.context_claims import check_claims, refused
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest, ResourceModel
from mare_dynamodb_streamtrigger.operations import encryption_keys, network, table_stream, trigger_alarms, trigger_parts
from mare_dynamodb_streamtrigger.operations.clients import Aws
from mare_dynamodb_streamtrigger.operations.trigger_state import not_found, read_model

STEPS = (
    "policies",
    "log_group",
    "function_log_group",
    "tags",
    "configuration",
    "configuration_applied",
    "code",
    "code_applied",
    "concurrency",
    "pipe",
    "pipe_settled",
    "alarms",
)
CREATE_ONLY = ("Name", "TableName", "StartingPosition")


def update(session: SessionProxy | None, request: ResourceHandlerRequest, context: UpdateContext) -> ProgressEvent:
    aws = Aws.of(session, request, "UPDATE")
    model = desired_model(request)
    # Every invocation: the model, the trigger's ownership and any context are checked again,
    # since each comes with the request and none is trusted.
    validate_model(model, request.desiredResourceTags)
    validate_code_bucket(model, request.typeConfiguration)
    validate_layers_allowed(model, request.typeConfiguration, aws.region)
    validate_alarm_topic(model, aws.region)
    refuse_create_only_changes(model, request.previousResourceState)
    look = first_look(aws, model)
    if "StreamArn" not in context:  # the first invocation of this request
        return Update(aws, request, look).run()
    check_claims(context, model, request, STEPS)
    if context["StreamArn"] != look.context["StreamArn"]:
        raise refused("StreamArn is not the stream the trigger's pipe reads")
    return Update(aws, request, look._replace(context={**look.context, **context})).run()


def refuse_create_only_changes(model: ResourceModel, previous: ResourceModel | None) -> None:
    if previous is None:
        return
    for prop in CREATE_ONLY:
        before, after = settings.setting(previous, prop), settings.setting(model, prop)
        if before is not None and before != after:
            raise TriggerError(
                HandlerErrorCode.NotUpdatable, f"{prop} cannot be changed in place ({before!r} to {after!r})"
            )


class FirstLook(NamedTuple):
    """What every invocation of an update sees first."""

    # The context of a first invocation (with whether the pipe changes at all).
    context: UpdateContext
    # The function as GetFunction shows it now.
    function: Mapping[str, Any]
    # When the pipe was made: a function log group made since holds only the trigger's logs.
    pipe_created: datetime | None
    # Whose the function's log group is, where a retention is asked for, and the group itself.
    function_log_group: tuple[trigger_parts.LogGroupStanding, Mapping[str, Any] | None] | None
    # The trigger's alarm names as CloudWatch has them, where alarms are asked for.
    alarms: trigger_alarms.AlarmsFound | None


def first_look(aws: Aws, model: ResourceModel) -> FirstLook:
    """The trigger must exist and be the type's own; its stream is the one its pipe reads; a
    log group whose retention is asked for is the trigger's, or holds only its logs."""
    names = aws.names(required(model.Name, "Name"))
    function = trigger_parts.get_function(aws, names.function_name)
    pipe = trigger_parts.describe_pipe(aws, names.pipe_name) if ownership.own_function(function, names) else None
    if function is None or pipe is None or not ownership.own_pipe(pipe, names):
        raise not_found(names.trigger_name)
    stream_arn = pipe["Source"]
    table_arn = table_arn_of_stream(stream_arn) or ""
    live_table = table_name_of_arn(table_arn)
    if live_table != model.TableName:
        raise TriggerError(
            HandlerErrorCode.NotUpdatable,
            f"TableName cannot be changed in place ({live_table!r} to {model.TableName!r})",
        )
    if model.TableIndexName:
        table_stream.check_index(
            table_stream.describe_table(aws, required(model.TableName, "TableName")), model.TableIndexName
        )
    asked = settings.logging_on(model) and model.LogRetentionInDays is not None
    if asked and trigger_parts.log_group_standing(aws, names.pipe_log_group)[0] == "foreign":
        raise trigger_parts.foreign_log_group(names.pipe_log_group)
    function_log_group = None
    if model.FunctionLogRetentionInDays is not None:
        # Lambda made the group if the function logged before a retention was asked for: a group
        # made since the pipe holds only the trigger's logs, and becomes the trigger's own.
        function_log_group = trigger_parts.log_group_standing(aws, names.function_log_group, pipe.get("CreationTime"))
        if function_log_group[0] == "foreign":
            raise trigger_parts.foreign_log_group(names.function_log_group)
    alarms_found = trigger_alarms.refuse_foreign_alarms(aws, names, model)
    context: UpdateContext = {
        "TableArn": table_arn,
        "StreamArn": stream_arn,
        "LiveTags": pipe.get("Tags") or {},
        # UpdatePipe takes the pipe through UPDATING even when nothing changes: call it only when needed.
        "pipe_changes": differences.pipe_differs(
            model, pipe, names.pipe_role_arn, names.function_arn, names.pipe_log_group.arn
        ),
        "done": [],
    }
    return FirstLook(context, function, pipe.get("CreationTime"), function_log_group, alarms_found)


class Update:
    def __init__(self, aws: Aws, request: ResourceHandlerRequest, look: FirstLook) -> None:
        self.aws = aws
        context, function = look.context, look.function
        self.function_log_group_standing = look.function_log_group
        self.alarms_found = look.alarms
        self.pipe_created = look.pipe_created
        # The function's configuration as last seen in this invocation (from a look or an update's answer).
        self.known_configuration: Mapping[str, Any] = function["Configuration"]
        # Whether that configuration is as Lambda has it now: no change was asked for since the look.
        self.looked_since_change = True
        # Its reserved concurrency, as the first look of this invocation found it.
        self.live_concurrency = readback.reserved_concurrency_of(function)
        self.request = request
        self.model = desired_model(request)
        self.previous = request.previousResourceState
        self.context = context
        self.names = aws.names(required(self.model.Name, "Name"))
        # Whether UpdatePipe was called in this invocation (a look right after may not show it yet).
        self.asked_pipe = False

    def run(self) -> ProgressEvent:
        try:
            waiting = run_steps("update", STEPS, self.context, self)
            return waiting or success(read_model(self.aws, self.names.trigger_name, self.request.desiredResourceTags))
        except InvocationTimeSpent as spent:
            # With the steps this invocation did: the next goes on from the one not sent.
            return call_in_next_invocation(self.context, self.model, spent)

    def policies(self) -> None:
        # The network and the keys first: a VPC not allowed, or a dead-letter queue that cannot be
        # read, is refused before anything changes.
        network.check_vpc(self.aws, self.model, self.request.typeConfiguration)
        table_key = encryption_keys.table_key_arn(
            table_stream.describe_table(self.aws, required(self.model.TableName, "TableName"))
        )
        keys = encryption_keys.pipe_keys(self.aws, table_key, self.model.DeadLetterQueueArn)
        table_arn, stream_arn = self.context["TableArn"], self.context["StreamArn"]
        function_policy = policies.function_role_policy(self.model, self.names, table_arn, stream_arn)
        trigger_parts.put_role_policy(self.aws, self.names.function_role_name, function_policy)
        pipe_policy = policies.pipe_role_policy(self.model, self.names, stream_arn, keys)
        trigger_parts.put_role_policy(self.aws, self.names.pipe_role_name, pipe_policy)

    def log_group(self) -> None:
        """The pipe's log group, made when logging is turned on, with the retention asked for.
        Turning logging off keeps the group and its events; Delete removes it if the type made it.
        A group the type did not make is used as it is: its retention is never changed."""
        if not settings.logging_on(self.model):
            return
        pipe_group = self.names.pipe_log_group
        group = trigger_parts.describe_log_group(self.aws, pipe_group)
        if group is None:
            trigger_parts.create_log_group(self.aws, pipe_group)
        elif not trigger_parts.own_log_group(self.aws, pipe_group):
            return  # someone else's: a retention asked for there was refused by first_look
        if (group or {}).get("retentionInDays") != self.model.LogRetentionInDays:
            trigger_parts.set_log_retention(self.aws, pipe_group, self.model.LogRetentionInDays)

    def function_log_group(self) -> None:
        """The function's log group, with the retention asked for: made if absent, adopted if
        Lambda made it for the trigger. Removing the retention keeps the group, its events kept
        forever; Delete removes it if it is the trigger's own."""
        group = self.names.function_log_group
        wanted = self.model.FunctionLogRetentionInDays
        if wanted is None:
            if self.previous is None or self.previous.FunctionLogRetentionInDays is None:
                return  # never asked for: the group, if any, is Lambda's or the user's
            live = trigger_parts.describe_log_group(self.aws, group)
            if live and "retentionInDays" in live and trigger_parts.own_log_group(self.aws, group):
                trigger_parts.set_log_retention(self.aws, group, None)
            return
        standing, found = self.function_log_group_standing or ("absent", None)
        if standing == "absent" and not trigger_parts.create_log_group(self.aws, group):
            # Lambda made it since the first look (the function logged): whose it is decides.
            standing, found = trigger_parts.log_group_standing(self.aws, group, self.pipe_created)
            if standing == "foreign":
                raise trigger_parts.foreign_log_group(group)
        if standing == "adoptable":
            trigger_parts.adopt_log_group(self.aws, group)
        if (found or {}).get("retentionInDays") != wanted:
            trigger_parts.set_log_retention(self.aws, group, wanted)

    def tags(self) -> None:
        wanted = settings.desired_tags(self.model, self.request.desiredResourceTags)
        to_tag, to_untag = differences.tag_changes(wanted, self.context["LiveTags"])
        iam, lambda_, pipes = self.aws.iam, self.aws.lambda_, self.aws.pipes
        if to_untag:
            for role in (self.names.function_role_name, self.names.pipe_role_name):
                iam.untag_role(RoleName=role, TagKeys=to_untag)
            lambda_.untag_resource(Resource=self.names.function_arn, TagKeys=to_untag)
            pipes.untag_resource(resourceArn=self.names.pipe_arn, tagKeys=to_untag)
        if to_tag:
            for role in (self.names.function_role_name, self.names.pipe_role_name):
                iam.tag_role(RoleName=role, Tags=[{"Key": k, "Value": v} for k, v in sorted(to_tag.items())])
            lambda_.tag_resource(Resource=self.names.function_arn, Tags=to_tag)
            pipes.tag_resource(resourceArn=self.names.pipe_arn, tags=to_tag)

    def live_function(self, fresh: bool = False) -> Mapping[str, Any]:
        if fresh and not self.looked_since_change:
            function = trigger_parts.get_function(self.aws, self.names.function_name)
            if function is None:
                raise not_found(self.names.trigger_name)
            self.known_configuration = function["Configuration"]
            self.looked_since_change = True
        return self.known_configuration

    def configuration(self) -> ProgressEvent | None:
        wanted = request_arguments.function_configuration(self.model, self.names.function_role_arn)
        if not differences.configuration_differs(wanted, self.live_function()):
            self.context["done"].append("configuration_applied")
            return None
        try:
            answer = self.aws.lambda_.update_function_configuration(**wanted)
        except ClientError as error:
            refusal = function_role_refusal(error)
            if refusal:
                # A grant the function role just gained (X-Ray's, for Active tracing) has not reached Lambda yet.
                return wait(self.context, FUNCTION_ROLE_USABLE, self.model, refusal)
            return wait_if_busy(error, FUNCTION_CHANGING, self.context, self.model)
        done_waiting(self.context, FUNCTION_ROLE_USABLE)
        done_waiting(self.context, FUNCTION_BUSY)
        self.known_configuration = answer
        self.looked_since_change = False
        if answer.get("LastUpdateStatus", "Successful") == "Successful":
            self.context["done"].append("configuration_applied")
        return None

    def configuration_applied(self) -> ProgressEvent | None:
        return self.function_updated(FUNCTION_CONFIGURATION_UPDATED)

    def code(self) -> ProgressEvent | None:
        code = request_arguments.code_arguments(self.model)
        archive = code.get("ZipFile")
        if isinstance(archive, bytes):
            changed = code_archives.code_sha256(archive) != self.live_function().get("CodeSha256")
        else:
            previous_code = self.previous.Code if self.previous is not None else None
            changed = previous_code != self.model.Code
        # The architecture changes with the code alone: UpdateFunctionConfiguration does not take it.
        if not changed and not differences.architectures_differ(self.model, self.live_function()):
            self.context["done"].append("code_applied")
            return None
        try:
            answer = self.aws.lambda_.update_function_code(
                FunctionName=self.names.function_name, Architectures=request_arguments.architectures(self.model), **code
            )
        except ClientError as error:
            return wait_if_busy(error, FUNCTION_CHANGING, self.context, self.model)
        self.looked_since_change = False
        done_waiting(self.context, FUNCTION_BUSY)
        if answer.get("LastUpdateStatus", "Successful") == "Successful":
            self.context["done"].append("code_applied")
        return None

    def code_applied(self) -> ProgressEvent | None:
        return self.function_updated(FUNCTION_CODE_UPDATED)

    def function_updated(self, kind: Wait) -> ProgressEvent | None:
        config = self.live_function(fresh=True)
        status = config.get("LastUpdateStatus", "Successful")
        if status == "Successful":
            done_waiting(self.context, kind)
            return None
        if status == "Failed":
            raise TriggerError(
                HandlerErrorCode.NotStabilized, f"Updating {kind.what} failed: {config.get('LastUpdateStatusReason')}"
            )
        return wait(self.context, kind, self.model, f"status {status}")

    def concurrency(self) -> ProgressEvent | None:
        wanted = self.model.ReservedConcurrentExecutions
        if wanted == self.live_concurrency:
            return None
        try:
            trigger_parts.set_reserved_concurrency(self.aws, self.names, wanted)
        except ClientError as error:
            return wait_if_busy(error, FUNCTION_CHANGING, self.context, self.model)
        done_waiting(self.context, FUNCTION_BUSY)
        return None

    def pipe(self) -> ProgressEvent | None:
        if not self.context.get("pipe_changes", True):
            self.context["done"].append("pipe_settled")
            return None
        try:
            answer = self.aws.pipes.update_pipe(
                Name=self.names.pipe_name,
                RoleArn=self.names.pipe_role_arn,
                SourceParameters=request_arguments.source_parameters(self.model, for_create=False),
                Target=self.names.function_arn,
                TargetParameters=request_arguments.target_parameters(self.model),
                **request_arguments.pipe_options(self.model, self.names.pipe_log_group.arn, for_create=False),
            )
        except ClientError as error:
            refusal = pipe_role_refusal(error)
            if refusal:
                # The pipe role's new permissions (a dead-letter queue, a key) have not reached Pipes yet.
                return wait_for_pipe_role(self.context, self.model, refusal)
            return wait_if_busy(error, PIPE_CHANGING, self.context, self.model)
        # The role's deadline is kept: a pipe that then fails for the role counts against it too.
        done_waiting(self.context, PIPE_BUSY)
        self.asked_pipe = True
        if answer.get("CurrentState") == settings.setting(self.model, "DesiredState"):
            self.context["done"].append("pipe_settled")
        return None

    def alarms(self) -> None:
        """The alarms as the model asks, tagged as the stack's; a trigger that never had alarms
        (nor asks for them) is not looked at."""
        had = self.previous is not None and self.previous.AlarmTopicArn
        if self.model.AlarmTopicArn or had:
            tags = settings.desired_tags(self.model, self.request.desiredResourceTags)
            trigger_alarms.set_alarms(self.aws, self.names, self.model, tags, self.alarms_found)

    def pipe_settled(self) -> ProgressEvent | None:
        pipe = trigger_parts.describe_pipe(self.aws, self.names.pipe_name)
        reason = pipe_failed_for_role(pipe, "UPDATE_FAILED")
        if reason:
            # Pipes tried the new settings before the role's new permissions reached it: ask again.
            event = wait_for_pipe_role(self.context, self.model, reason)
            self.context["done"].remove("pipe")
            return event
        return pipe_progress(self.context, self.model, self.names.pipe_name, pipe, just_asked=self.asked_pipe)
