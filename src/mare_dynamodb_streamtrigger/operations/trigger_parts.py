"""Each AWS step on one part of a trigger, safe to run twice: it checks before it acts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode

from mare_dynamodb_streamtrigger.core import ownership
from mare_dynamodb_streamtrigger.core.errors import TriggerError, error_code, error_message, invalid, is_not_found
from mare_dynamodb_streamtrigger.core.names import (
    INLINE_POLICY_NAME,
    PERMISSION_STATEMENT_ID,
    PIPES_PRINCIPAL,
    ROLE_PATH,
    LogGroup,
    RoleKind,
    TriggerNames,
    role_description,
)
from mare_dynamodb_streamtrigger.core.policies import PolicyDocument
from mare_dynamodb_streamtrigger.core.settings import logging_on
from mare_dynamodb_streamtrigger.models import ResourceModel
from mare_dynamodb_streamtrigger.operations.clients import Aws

if TYPE_CHECKING:
    from mypy_boto3_iam.type_defs import RoleTypeDef
    from mypy_boto3_lambda.type_defs import GetFunctionResponseTypeDef
    from mypy_boto3_logs.type_defs import LogGroupTypeDef
    from mypy_boto3_pipes.type_defs import DescribePipeResponseTypeDef


def get_function(aws: Aws, name: str) -> GetFunctionResponseTypeDef | None:
    try:
        return aws.lambda_.get_function(FunctionName=name)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


def describe_pipe(aws: Aws, name: str) -> DescribePipeResponseTypeDef | None:
    try:
        return aws.pipes.describe_pipe(Name=name)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


def stream_readers(aws: Aws, stream_arn: str) -> list[str]:
    """The names of the pipes that read this stream."""
    readers: list[str] = []
    for page in aws.pipes.get_paginator("list_pipes").paginate(SourcePrefix=stream_arn):
        readers.extend(pipe["Name"] for pipe in page["Pipes"] if pipe.get("Source") == stream_arn)
    return sorted(readers)


def get_role_policy(aws: Aws, role_name: str) -> PolicyDocument | None:
    try:
        document = aws.iam.get_role_policy(RoleName=role_name, PolicyName=INLINE_POLICY_NAME)["PolicyDocument"]
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    # IAM returns the document URL-encoded JSON over the wire; boto3 decodes it to a dict or a string.
    return cast(PolicyDocument, json.loads(document) if isinstance(document, str) else document)


def get_role(aws: Aws, role_name: str, denied_is_absent: bool = False) -> RoleTypeDef | None:
    """The role of this name, or None where there is none.

    The execution role may read only roles under the type's path (resource-role.yaml), so IAM
    refuses GetRole of a same-named role elsewhere, and may refuse it for a role that does not
    exist (how IAM authorizes a name it cannot find is not documented). Where the caller only
    asks whether a role is the type's own, `denied_is_absent` reads AccessDenied as "not ours";
    elsewhere it is an error, so that a role the type cannot see is never taken as gone."""
    try:
        return aws.iam.get_role(RoleName=role_name)["Role"]
    except ClientError as error:
        if is_not_found(error) or (denied_is_absent and error_code(error) == "AccessDenied"):
            return None
        raise


def role_made_by(aws: Aws, names: TriggerNames, kind: RoleKind, token: str, denied_is_absent: bool = True) -> bool:
    """Whether the role exists, is this trigger's and was made by the request with this token."""
    role = get_role(aws, names.role_name(kind), denied_is_absent)
    return ownership.role_made_by(role, names, kind, token)


def create_role(
    aws: Aws, names: TriggerNames, kind: RoleKind, trust: PolicyDocument, tags: dict[str, str], token: str
) -> None:
    """Creates the role; a role left by an earlier delivery of this same request counts as created."""
    role_name = names.role_name(kind)
    description = role_description(names.trigger_name, kind, token)
    try:
        aws.iam.create_role(
            Path=ROLE_PATH,
            RoleName=role_name,
            AssumeRolePolicyDocument=json.dumps(trust),
            Description=description,
            Tags=[{"Key": key, "Value": value} for key, value in sorted(tags.items())],
        )
    except ClientError as error:
        if error_code(error) != "EntityAlreadyExists":
            raise
        if not role_made_by(aws, names, kind, token):
            raise TriggerError(
                HandlerErrorCode.AlreadyExists,
                f"Role {role_name} already exists and belongs to another trigger or request",
            ) from error


def put_role_policy(aws: Aws, role_name: str, document: PolicyDocument) -> None:
    aws.iam.put_role_policy(RoleName=role_name, PolicyName=INLINE_POLICY_NAME, PolicyDocument=json.dumps(document))


def set_reserved_concurrency(aws: Aws, names: TriggerNames, reserved: int | None) -> None:
    """The function's reserved concurrency: put, or, for None, deleted (the account's unreserved pool)."""
    if reserved is None:
        aws.lambda_.delete_function_concurrency(FunctionName=names.function_name)
    else:
        aws.lambda_.put_function_concurrency(FunctionName=names.function_name, ReservedConcurrentExecutions=reserved)


def has_pipe_permission(aws: Aws, names: TriggerNames) -> bool:
    """Whether the function's resource policy already holds the pipe's statement."""
    try:
        policy = json.loads(aws.lambda_.get_policy(FunctionName=names.function_name)["Policy"])
    except ClientError as error:
        if is_not_found(error):
            return False
        raise
    return any(statement.get("Sid") == PERMISSION_STATEMENT_ID for statement in policy.get("Statement", []))


def add_pipe_permission(aws: Aws, names: TriggerNames) -> None:
    """Lets pipes.amazonaws.com invoke the function, for this pipe in this account only."""
    try:
        aws.lambda_.add_permission(
            FunctionName=names.function_name,
            StatementId=PERMISSION_STATEMENT_ID,
            Action="lambda:InvokeFunction",
            Principal=PIPES_PRINCIPAL,
            SourceArn=names.pipe_arn,
            SourceAccount=names.account,
        )
    except ClientError as error:
        # The same statement added by an earlier delivery of this request.
        if error_code(error) == "ResourceConflictException" and "already exists" in error_message(error):
            return
        raise


def delete_pipe(aws: Aws, name: str) -> bool:
    """Starts deleting a pipe the caller has just seen to be the trigger's own; False where it is gone."""
    try:
        aws.pipes.delete_pipe(Name=name)
    except ClientError as error:
        if is_not_found(error):
            return False
        raise
    return True


def delete_own_pipe(aws: Aws, names: TriggerNames) -> bool:
    """Starts deleting the trigger's pipe; False where there is none of its own (a pipe of that
    name with another role or target is someone else's, and is left alone)."""
    if not ownership.own_pipe(describe_pipe(aws, names.pipe_name), names):
        return False
    return delete_pipe(aws, names.pipe_name)


def delete_own_function(aws: Aws, names: TriggerNames) -> bool:
    """Deletes the trigger's function, and with it its resource policy (the pipe's permission);
    False where there is none of its own (a function of that name with another role is kept)."""
    if not ownership.own_function(get_function(aws, names.function_name), names):
        return False
    try:
        aws.lambda_.delete_function(FunctionName=names.function_name)
    except ClientError as error:
        if not is_not_found(error):
            raise
        return False
    return True


def delete_own_role(
    aws: Aws, names: TriggerNames, kind: RoleKind, token: str | None = None, denied_is_absent: bool = False
) -> bool:
    """Deletes the trigger's role and its policies; False where there is none of its own, or,
    with a token, none made by that request. IAM role names are unique whatever the path, so a
    role of the same name elsewhere (another path, no marker) is never touched.

    Policies added to the role by hand would block DeleteRole (DeleteConflict): those are
    removed too, with the role they were given to.
    """
    role_name = names.role_name(kind)
    role = get_role(aws, role_name, denied_is_absent)
    own = ownership.own_role(role, names, kind) if token is None else ownership.role_made_by(role, names, kind, token)
    if not own:
        return False
    try:
        aws.iam.delete_role_policy(RoleName=role_name, PolicyName=INLINE_POLICY_NAME)
    except ClientError as error:
        if not is_not_found(error):
            raise
    try:
        aws.iam.delete_role(RoleName=role_name)
    except ClientError as error:
        if is_not_found(error):
            return False
        if error_code(error) != "DeleteConflict":
            raise
        clear_role(aws, role_name)
        aws.iam.delete_role(RoleName=role_name)
    return True


def clear_role(aws: Aws, role_name: str) -> None:
    """Removes every inline and managed policy from the role (one of the type's own: see delete_own_role)."""
    for page in aws.iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for policy_name in page["PolicyNames"]:
            aws.iam.delete_role_policy(RoleName=role_name, PolicyName=policy_name)
    for attached in aws.iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for policy in attached["AttachedPolicies"]:
            aws.iam.detach_role_policy(RoleName=role_name, PolicyArn=policy["PolicyArn"])


def describe_log_group(aws: Aws, group: LogGroup) -> LogGroupTypeDef | None:
    """The log group as DescribeLogGroups shows it (retentionInDays among the rest), or None."""
    answer = aws.logs.describe_log_groups(logGroupNamePrefix=group.name)
    # A prefix: /aws/lambda/orders also finds /aws/lambda/orders-eu.
    return next((found for found in answer["logGroups"] if found["logGroupName"] == group.name), None)


def create_log_group(aws: Aws, group: LogGroup) -> bool:
    """Creates the log group, tagged as this trigger's own; False where one exists already
    (the user's, kept as it is, or one this trigger made in an earlier delivery of the request)."""
    try:
        aws.logs.create_log_group(logGroupName=group.name, tags={group.creator_tag: group.creator})
    except ClientError as error:
        if error_code(error) == "ResourceAlreadyExistsException":
            return False
        raise
    return True


def adopt_log_group(aws: Aws, group: LogGroup) -> None:
    """Marks as the trigger's own a group that holds only its logs (see log_group_standing)."""
    aws.logs.tag_resource(resourceArn=group.arn, tags={group.creator_tag: group.creator})


def set_log_retention(aws: Aws, group: LogGroup, days: int | None) -> None:
    """Keeps the log group's events for `days`, or forever with None."""
    if days is not None:
        aws.logs.put_retention_policy(logGroupName=group.name, retentionInDays=days)
        return
    try:
        aws.logs.delete_retention_policy(logGroupName=group.name)
    except ClientError as error:
        if not is_not_found(error):
            raise


def log_group_tags(aws: Aws, group: LogGroup) -> dict[str, str] | None:
    """The log group's tags; None where there is no such group."""
    try:
        return aws.logs.list_tags_for_resource(resourceArn=group.arn)["tags"]
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


def own_log_group(aws: Aws, group: LogGroup) -> bool:
    """Whether the log group is one this trigger made (its tag says so)."""
    return (log_group_tags(aws, group) or {}).get(group.creator_tag) == group.creator


LogGroupStanding = Literal["absent", "own", "adoptable", "foreign"]


def log_group_standing(
    aws: Aws, group: LogGroup, trigger_since: datetime | None = None
) -> tuple[LogGroupStanding, LogGroupTypeDef | None]:
    """Whose the log group is, with the group as DescribeLogGroups shows it.

    "adoptable": not tagged, but made after `trigger_since` (when the trigger's pipe was made):
    Lambda makes /aws/lambda/<Name> when the trigger's function first logs, so such a group
    holds only the trigger's own logs. One older than the trigger may hold another's."""
    found = describe_log_group(aws, group)
    tags = log_group_tags(aws, group) if found is not None else None
    if found is None or tags is None:  # gone between the two looks
        return "absent", None
    if tags.get(group.creator_tag) == group.creator:
        return "own", found
    made = found.get("creationTime")
    if trigger_since is not None and made is not None and made >= trigger_since.timestamp() * 1000:
        return "adoptable", found
    return "foreign", found


def foreign_log_group(group: LogGroup) -> TriggerError:
    """The refusal of a retention asked for on a log group that is not the trigger's."""
    return invalid(
        f"{group.retention_property}: log group {group.name} exists and was not made by this trigger; "
        f"its retention is its owner's to set. Leave {group.retention_property} out to log there as it is"
    )


def refuse_foreign_log_groups(aws: Aws, names: TriggerNames, model: ResourceModel) -> None:
    """A retention asked for on a log group that the type did not make would change a group that
    is not the trigger's: refused, before anything is made. The pipe's group is looked at only
    when the pipe logs; the function's, at creation (see update's look for an existing trigger)."""
    wanted = [(names.function_log_group, model.FunctionLogRetentionInDays)]
    if logging_on(model):
        wanted.append((names.pipe_log_group, model.LogRetentionInDays))
    for group, days in wanted:
        if days is not None and log_group_standing(aws, group)[0] == "foreign":
            raise foreign_log_group(group)


def delete_own_log_group(aws: Aws, group: LogGroup) -> bool:
    """Deletes the log group if this trigger created it; a log group the user made is kept.
    False where nothing was deleted."""
    if not own_log_group(aws, group):
        return False
    try:
        aws.logs.delete_log_group(logGroupName=group.name)
    except ClientError as error:
        if is_not_found(error):
            return False
        raise
    return True
