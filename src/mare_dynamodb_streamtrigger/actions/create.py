"""Create: the two roles, the function, the pipe's permission and the pipe, one step at a time.

Each invocation runs the steps not yet done (kept in the callback context) and returns
IN_PROGRESS where AWS needs time. A failure removes what this request built, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode, ProgressEvent, SessionProxy

from mare_dynamodb_streamtrigger.core import (
    ownership,
    policies,
    request_arguments,
    settings,
)
from mare_dynamodb_streamtrigger.core.callback_context import CreateContext
from mare_dynamodb_streamtrigger.core.errors import (
    TriggerError,
    as_trigger_error,
    error_code,
    function_role_refusal,
)
from mare_dynamodb_streamtrigger.core.invocation_time import InvocationTimeSpent
from mare_dynamodb_streamtrigger.core.names import ALARM_PREFIX, LogGroup, RoleKind, TriggerNames
from mare_dynamodb_streamtrigger.core.pipe_state import (
    pipe_failed_for_role,
    pipe_progress,
    pipe_role_refusal,
    wait_for_pipe_role,
)
from mare_dynamodb_streamtrigger.core.steps import run_steps
from mare_dynamodb_streamtrigger.core.validation import (
    desired_model,
    filter_warnings,
    required,
    validate_alarm_topic,
    validate_code_bucket,
    validate_devops_access,
    validate_layers_allowed,
    validate_model,
)
from mare_dynamodb_streamtrigger.core.waits import (
    FAILED_PIPE_DELETED,
    FUNCTION_ACTIVE,
    FUNCTION_ROLE_USABLE,
    call_in_next_invocation,
    done_waiting,
    success,
    wait,
)
from mare_dynamodb_streamtrigger.guard.context_claims import check_claims, refused
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest, ResourceModel
from mare_dynamodb_streamtrigger.operations import encryption_keys, network, table_stream, trigger_alarms, trigger_parts
from mare_dynamodb_streamtrigger.operations.clients import Aws
from mare_dynamodb_streamtrigger.operations.trigger_state import read_model

STEPS = (
    "function_role",
    "pipe_role",
    "log_group",
    "function_log_group",
    "function",
    "function_active",
    "concurrency",
    "permission",
    "pipe",
    "pipe_settled",
    "alarms",
)
# The parts Create builds, each of which its rollback knows how to remove.
CREATED_PARTS = ("function_role", "pipe_role", "log_group", "function_log_group", "function", "pipe", "alarms")
# DynamoDB Streams serves at most two readers per shard at once; more are throttled.
STREAM_READERS_MAX = 2


def devops_access(request: ResourceHandlerRequest, model: ResourceModel) -> table_stream.DevopsAccess | None:
    """The type configuration's role, used only when the trigger reads the devops parameters."""
    configuration = request.typeConfiguration
    if not settings.setting(model, "IsDevops") or configuration is None or not configuration.DevopsParameterRoleArn:
        return None
    validate_devops_access(configuration.DevopsParameterRoleArn, configuration.DevopsParameterRoleExternalId)
    return table_stream.DevopsAccess(
        configuration.DevopsParameterRoleArn,
        configuration.DevopsParameterRoleExternalId,
        request.clientRequestToken,
    )


def create(session: SessionProxy | None, request: ResourceHandlerRequest, context: CreateContext) -> ProgressEvent:
    aws = Aws.of(session, request, "CREATE")
    model = desired_model(request)
    # Every invocation: the model and any context come with the request, and neither is trusted.
    validate_model(model, request.desiredResourceTags)
    validate_code_bucket(model, request.typeConfiguration)
    names = aws.names(required(model.Name, "Name"))
    validate_layers_allowed(model, request.typeConfiguration, names.region)
    validate_alarm_topic(model, names.region)
    absent: set[str] = set()
    if "StreamArn" not in context:  # the first invocation of this request
        stream = table_stream.resolve(
            aws, required(model.TableName, "TableName"), model.TableIndexName, devops_access(request, model)
        )
        network.check_vpc(aws, model, request.typeConfiguration)
        absent = refuse_existing(aws, names, request.clientRequestToken)
        trigger_parts.refuse_foreign_log_groups(aws, names, model)
        trigger_alarms.refuse_foreign_alarms(aws, names, model)
        keys = encryption_keys.pipe_keys(aws, stream.key_arn, model.DeadLetterQueueArn)
        context = {"TableArn": stream.table_arn, "StreamArn": stream.stream_arn, "done": [], "created": []}
        readers = too_many_readers(
            names.trigger_name, stream.stream_arn, trigger_parts.stream_readers(aws, stream.stream_arn)
        )
        warnings = ([readers] if readers else []) + filter_warnings(model)
        if warnings:
            context["warning"] = " ".join(warnings)
        return Creation(aws, request, context, absent, keys).run()
    check_resumed(aws, names, request, context)
    return Creation(aws, request, context, absent).run(resumed=True)


def check_resumed(aws: Aws, names: TriggerNames, request: ResourceHandlerRequest, context: CreateContext) -> None:
    """A resumed context's claims, before anything is done with it: its values fit the request,
    and the roles it says were made were made by this very request (so that it is this request's
    context, not another's replayed). Nothing is done, nor rolled back, for a context that fails."""
    check_claims(context, desired_model(request), request, STEPS, CREATED_PARTS)
    kinds: tuple[tuple[str, RoleKind], ...] = (("function_role", "fn"), ("pipe_role", "pipe"))
    for step, kind in kinds:
        claimed = step in context["done"] or step in context["created"]
        if claimed and not trigger_parts.role_made_by(aws, names, kind, request.clientRequestToken):
            raise refused(f"{step} was not made by this request")


def check_stream(aws: Aws, model: ResourceModel, context: CreateContext) -> None:
    """The context's table and stream are the table's own now (a table deleted, or its stream
    replaced, since the first invocation fails the create, and what it built is rolled back)."""
    live = table_stream.describe_table(aws, required(model.TableName, "TableName"))
    if live.get("TableArn") != context["TableArn"] or live.get("LatestStreamArn") != context["StreamArn"]:
        raise refused(f"StreamArn is not the latest stream of table {model.TableName}")


def too_many_readers(name: str, stream_arn: str, readers: list[str]) -> str | None:
    """A warning when this pipe would be a third (or later) reader of the table's stream."""
    others = [reader for reader in readers if reader != name]
    if len(others) < STREAM_READERS_MAX:
        return None
    return (
        f"Warning: {len(others)} other pipes already read stream {stream_arn} ({', '.join(others)}). "
        f"DynamoDB Streams serves at most {STREAM_READERS_MAX} readers per shard at once, so the "
        f"{len(others) + 1} pipes will be throttled and fall behind."
    )


def refuse_existing(aws: Aws, names: TriggerNames, token: str) -> set[str]:
    """AlreadyExists for a function or pipe of this name, unless this same request made it (a
    repeated delivery); returns the parts known not to exist, which need no look before creation."""
    # Some Pipes implementations silently take over a pipe of the same name: look first.
    function = trigger_parts.get_function(aws, names.function_name)
    pipe = trigger_parts.describe_pipe(aws, names.pipe_name)
    # kind: (whether it exists, the role it uses)
    found = {
        "function": (function is not None, function["Configuration"].get("Role") if function else None),
        "pipe": (pipe is not None, pipe.get("RoleArn") if pipe else None),
    }
    for kind, (exists, role_arn) in found.items():
        if exists and not is_own(aws, names, kind, role_arn, token):
            raise TriggerError(
                HandlerErrorCode.AlreadyExists,
                f"Trigger {names.trigger_name} cannot be created: a {kind} named {names.trigger_name} already exists",
            )
    return {kind for kind, (exists, _) in found.items() if not exists}


def is_own(aws: Aws, names: TriggerNames, kind: str, role_arn: str | None, token: str) -> bool:
    """A part is this request's own when it uses the role this request made."""
    role_kind: RoleKind = "fn" if kind == "function" else "pipe"
    expected = names.function_role_arn if role_kind == "fn" else names.pipe_role_arn
    if role_arn != expected:
        return False
    return trigger_parts.role_made_by(aws, names, role_kind, token)


class Creation:
    def __init__(
        self,
        aws: Aws,
        request: ResourceHandlerRequest,
        context: CreateContext,
        absent: set[str],
        keys: policies.PipeKeys | None = None,
    ) -> None:
        self.aws = aws
        # The keys the pipe role needs, as the first invocation found them; looked up again if needed later.
        self.keys = keys
        # Parts this invocation has seen absent (or made itself): no look is needed before acting.
        self.absent = absent
        self.fresh_configuration: Mapping[str, Any] | None = None
        # Whether CreatePipe was called in this invocation (a look right after may not show it yet).
        self.asked_pipe = False
        self.request = request
        self.model = desired_model(request)
        self.context = context
        self.names: TriggerNames = aws.names(required(self.model.Name, "Name"))
        self.tags = settings.desired_tags(self.model, request.desiredResourceTags)

    def run(self, resumed: bool = False) -> ProgressEvent:
        try:
            event = self.go_on(resumed)
        except Exception as error:  # noqa: BLE001 - every failure is rolled back, then reported
            # The step that failed is the first not done; after them all, reading the result.
            failed = next((step for step in STEPS if step not in self.context["done"]), "read")
            with self.aws.unbounded():  # all of it now: a rollback stopped half-way would leave parts
                return self.roll_back(failed, as_trigger_error(error))
        warning = self.context.get("warning")
        if warning:  # said in every event of the create, so that the stack's events show it
            event.message = f"{warning} {event.message}" if event.message else warning
        return event

    def go_on(self, resumed: bool) -> ProgressEvent:
        """The steps not yet done, then the result; a call left for the next invocation is made
        there, with the step it belongs to (past the overall deadline, this raises)."""
        try:
            if resumed:
                check_stream(self.aws, self.model, self.context)
            event = run_steps("create", STEPS, self.context, self)
            return event or success(read_model(self.aws, self.names.trigger_name, self.request.desiredResourceTags))
        except InvocationTimeSpent as spent:
            return call_in_next_invocation(self.context, self.model, spent)

    def built(self, part: str) -> None:
        if part not in self.context["created"]:
            self.context["created"].append(part)

    def function_role(self) -> None:
        trust = policies.lambda_trust_policy(self.names.account)
        trigger_parts.create_role(self.aws, self.names, "fn", trust, self.tags, self.request.clientRequestToken)
        self.built("function_role")
        document = policies.function_role_policy(
            self.model, self.names, self.context["TableArn"], self.context["StreamArn"]
        )
        trigger_parts.put_role_policy(self.aws, self.names.function_role_name, document)

    def pipe_role(self) -> None:
        trust = policies.pipe_trust_policy(self.names.account)
        trigger_parts.create_role(self.aws, self.names, "pipe", trust, self.tags, self.request.clientRequestToken)
        self.built("pipe_role")
        document = policies.pipe_role_policy(self.model, self.names, self.context["StreamArn"], self.pipe_keys())
        trigger_parts.put_role_policy(self.aws, self.names.pipe_role_name, document)

    def pipe_keys(self) -> policies.PipeKeys:
        if self.keys is None:
            table_key = encryption_keys.table_key_arn(
                table_stream.describe_table(self.aws, required(self.model.TableName, "TableName"))
            )
            self.keys = encryption_keys.pipe_keys(self.aws, table_key, self.model.DeadLetterQueueArn)
        return self.keys

    def log_group(self) -> None:
        if settings.logging_on(self.model):
            self.make_log_group("log_group", self.names.pipe_log_group, self.model.LogRetentionInDays)

    def function_log_group(self) -> None:
        # Made before the function, so that Lambda does not make it without the retention.
        days = self.model.FunctionLogRetentionInDays
        if days is not None:
            self.make_log_group("function_log_group", self.names.function_log_group, days)

    def make_log_group(self, part: str, group: LogGroup, days: int | None) -> None:
        if trigger_parts.create_log_group(self.aws, group):
            self.built(part)
        elif part not in self.context["created"] and trigger_parts.log_group_standing(self.aws, group)[0] != "own":
            # Someone else's group (made since the first look): used as it is, never changed.
            if days is not None:
                raise trigger_parts.foreign_log_group(group)
            return
        if days is not None:
            trigger_parts.set_log_retention(self.aws, group, days)

    def function(self) -> ProgressEvent | None:
        try:
            created = self.aws.lambda_.create_function(
                **request_arguments.function_configuration(self.model, self.names.function_role_arn, for_create=True),
                Code=request_arguments.code_arguments(self.model),
                Architectures=request_arguments.architectures(self.model),
                PackageType="Zip",
                Tags=self.tags,
            )
        except ClientError as error:
            refusal = function_role_refusal(error)
            if refusal:
                # IAM has not yet shown the new role to Lambda: try again on a later invocation.
                return wait(self.context, FUNCTION_ROLE_USABLE, self.model, refusal)
            if error_code(error) == "ResourceConflictException" and self.own_function_exists():
                return None
            raise
        done_waiting(self.context, FUNCTION_ROLE_USABLE)
        self.built("function")
        self.absent.add("function")
        # CreateFunction's answer is the first look at the function's state.
        self.fresh_configuration = created
        return None

    def own_function_exists(self) -> bool:
        """A function of this name made by an earlier delivery of this request uses our role."""
        existing = trigger_parts.get_function(self.aws, self.names.function_name)
        token = self.request.clientRequestToken
        if not ownership.own_function(existing, self.names) or not trigger_parts.role_made_by(
            self.aws, self.names, "fn", token
        ):
            raise TriggerError(
                HandlerErrorCode.AlreadyExists, f"A function named {self.names.function_name} already exists"
            )
        self.built("function")
        return True

    def function_active(self) -> ProgressEvent | None:
        config = self.fresh_configuration
        if config is None:
            function = trigger_parts.get_function(self.aws, self.names.function_name)
            if function is None:
                raise TriggerError(
                    HandlerErrorCode.NotStabilized,
                    f"Function {self.names.function_name} disappeared while it was being created",
                )
            config = self.fresh_configuration = function["Configuration"]
        state = config.get("State", "Active")
        if state == "Active":
            done_waiting(self.context, FUNCTION_ACTIVE)
            return None
        if state == "Failed":
            raise TriggerError(
                HandlerErrorCode.NotStabilized,
                f"Function {self.names.function_name} failed: {config.get('StateReason')}",
            )
        return wait(self.context, FUNCTION_ACTIVE, self.model, f"state {state}: {config.get('StateReason', '')}")

    def concurrency(self) -> None:
        # A new function has no reserved concurrency: only a set one is put.
        if self.model.ReservedConcurrentExecutions is not None:
            trigger_parts.set_reserved_concurrency(self.aws, self.names, self.model.ReservedConcurrentExecutions)

    def permission(self) -> None:
        # A function made in this invocation has no policy yet; otherwise look before adding.
        if "function" in self.absent or not trigger_parts.has_pipe_permission(self.aws, self.names):
            trigger_parts.add_pipe_permission(self.aws, self.names)

    def pipe(self) -> ProgressEvent | None:
        if "pipe" not in self.absent:
            existing = trigger_parts.describe_pipe(self.aws, self.names.pipe_name)
            if existing is not None and existing.get("CurrentState") == "DELETING":
                return wait(self.context, FAILED_PIPE_DELETED, self.model, "state DELETING")
            if existing is not None:
                self.take_existing_pipe(existing)
                return None
        try:
            created = self.aws.pipes.create_pipe(
                Name=self.names.pipe_name,
                RoleArn=self.names.pipe_role_arn,
                Source=self.context["StreamArn"],
                SourceParameters=request_arguments.source_parameters(self.model, for_create=True),
                Target=self.names.function_arn,
                TargetParameters=request_arguments.target_parameters(self.model),
                **request_arguments.pipe_tags(self.tags),
                **request_arguments.pipe_options(self.model, self.names.pipe_log_group.arn, for_create=True),
            )
        except ClientError as error:
            refusal = pipe_role_refusal(error)
            if refusal:
                return wait_for_pipe_role(self.context, self.model, refusal)
            if error_code(error) != "ConflictException":
                raise
            self.take_existing_pipe(trigger_parts.describe_pipe(self.aws, self.names.pipe_name))
            return None
        self.built("pipe")
        self.asked_pipe = True
        if created.get("CurrentState") == settings.setting(self.model, "DesiredState"):
            self.context["done"].append("pipe_settled")
        return None

    def take_existing_pipe(self, existing: Mapping[str, Any] | None) -> None:
        """A pipe of this name made by an earlier delivery of this request uses our role."""
        token = self.request.clientRequestToken
        if not ownership.own_pipe(existing, self.names) or not trigger_parts.role_made_by(
            self.aws, self.names, "pipe", token
        ):
            raise TriggerError(HandlerErrorCode.AlreadyExists, f"A pipe named {self.names.pipe_name} already exists")
        self.built("pipe")

    def pipe_settled(self) -> ProgressEvent | None:
        pipe = trigger_parts.describe_pipe(self.aws, self.names.pipe_name)
        reason = pipe_failed_for_role(pipe, "CREATE_FAILED")
        if reason:
            # The new role did not yet reach Pipes: remove the failed pipe and make it again later.
            event = wait_for_pipe_role(self.context, self.model, reason)
            trigger_parts.delete_own_pipe(self.aws, self.names)
            self.context["done"].remove("pipe")
            return event
        return pipe_progress(self.context, self.model, self.names.pipe_name, pipe, new=True, just_asked=self.asked_pipe)

    def alarms(self) -> None:
        # Last: an alarm watches a pipe and a function that exist.
        if self.model.AlarmTopicArn:
            self.built("alarms")
            trigger_alarms.set_alarms(self.aws, self.names, self.model, self.tags, retag=False)

    def roll_back(self, step: str, failure: TriggerError) -> ProgressEvent:
        """Removes what this request built, newest first, and says so in the failure. Each part is
        looked at again as it is removed: only one that is the trigger's own and was made by this
        request (its roles carry this request's digest) is removed; anything else is left alone."""
        token = self.request.clientRequestToken
        seen: dict[RoleKind, bool] = {}

        def made_here(kind: RoleKind) -> bool:
            """The trigger's role of this kind carries this request's digest (looked at once)."""
            if kind not in seen:
                seen[kind] = trigger_parts.role_made_by(self.aws, self.names, kind, token, denied_is_absent=False)
            return seen[kind]

        removals: dict[str, tuple[str, Callable[[], bool]]] = {
            "alarms": (
                self.names.alarm_arn(f"{ALARM_PREFIX}{self.names.trigger_name}-*"),
                lambda: made_here("pipe") and trigger_alarms.delete_own_alarms(self.aws, self.names),
            ),
            "pipe": (
                self.names.pipe_arn,
                lambda: made_here("pipe") and trigger_parts.delete_own_pipe(self.aws, self.names),
            ),
            "function": (
                self.names.function_arn,
                lambda: made_here("fn") and trigger_parts.delete_own_function(self.aws, self.names),
            ),
            "log_group": (
                self.names.pipe_log_group.arn,
                lambda: made_here("pipe") and trigger_parts.delete_own_log_group(self.aws, self.names.pipe_log_group),
            ),
            "function_log_group": (
                self.names.function_log_group.arn,
                lambda: made_here("fn") and trigger_parts.delete_own_log_group(self.aws, self.names.function_log_group),
            ),
            "pipe_role": (
                self.names.pipe_role_arn,
                lambda: trigger_parts.delete_own_role(self.aws, self.names, "pipe", token),
            ),
            "function_role": (
                self.names.function_role_arn,
                lambda: trigger_parts.delete_own_role(self.aws, self.names, "fn", token),
            ),
        }
        removed: list[str] = []
        left: list[str] = []
        for part in reversed(self.context["created"]):
            arn, remove = removals[part]
            try:
                if remove():
                    removed.append(arn)
            except Exception:  # noqa: BLE001 - report what could not be removed, by ARN
                left.append(arn)
        message = f"Create failed at step {step}: {failure.message.rstrip('.')}."
        if removed:
            message += f" Rolled back: {', '.join(removed)}."
        if left:
            message += f" Could not remove, still present: {', '.join(left)}."
        return ProgressEvent.failed(failure.code, message)
