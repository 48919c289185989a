"""Each AWS step on one part of a trigger, safe to run twice: it checks before it acts."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode

from .aws import Aws
from .errors import TriggerError, error_code, error_message, is_not_found
from .names import (
    INLINE_POLICY_NAME,
    PERMISSION_STATEMENT_ID,
    PIPES_PRINCIPAL,
    ROLE_PATH,
    RoleKind,
    TriggerNames,
    role_description,
)
from .policies import PolicyDocument


def get_function(aws: Aws, name: str) -> dict[str, Any] | None:
    try:
        return aws.lambda_.get_function(FunctionName=name)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


def describe_pipe(aws: Aws, name: str) -> dict[str, Any] | None:
    try:
        return aws.pipes.describe_pipe(Name=name)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


def get_role_policy(aws: Aws, role_name: str) -> PolicyDocument | None:
    try:
        document = aws.iam.get_role_policy(RoleName=role_name, PolicyName=INLINE_POLICY_NAME)["PolicyDocument"]
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    # IAM returns the document URL-encoded JSON over the wire; boto3 decodes it to a dict or a string.
    return json.loads(document) if isinstance(document, str) else document


def role_made_by(aws: Aws, names: TriggerNames, kind: RoleKind, token: str) -> bool:
    """Whether the role exists and was made by the request with this token."""
    role_name = names.function_role_name if kind == "fn" else names.pipe_role_name
    try:
        role = aws.iam.get_role(RoleName=role_name)["Role"]
    except ClientError as error:
        if is_not_found(error):
            return False
        raise
    return role.get("Description") == role_description(names.trigger_name, kind, token)


def create_role(
    aws: Aws, names: TriggerNames, kind: RoleKind, trust: PolicyDocument, tags: dict[str, str], token: str
) -> None:
    """Creates the role; a role left by an earlier delivery of this same request counts as created."""
    role_name = names.function_role_name if kind == "fn" else names.pipe_role_name
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
    """Starts deleting the pipe; False where there is none."""
    try:
        aws.pipes.delete_pipe(Name=name)
    except ClientError as error:
        if is_not_found(error):
            return False
        raise
    return True


def delete_function(aws: Aws, name: str) -> None:
    """Deletes the function, and with it its resource policy (the pipe's permission)."""
    try:
        aws.lambda_.delete_function(FunctionName=name)
    except ClientError as error:
        if not is_not_found(error):
            raise


def delete_role(aws: Aws, role_name: str) -> bool:
    """Deletes the role and its inline policy; False where there was no role.

    Policies added to the role by hand would block DeleteRole (DeleteConflict): those are
    removed too, with the role they were given to.
    """
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
    """Removes every inline and managed policy from the role."""
    for page in aws.iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for policy_name in page["PolicyNames"]:
            aws.iam.delete_role_policy(RoleName=role_name, PolicyName=policy_name)
    for page in aws.iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for policy in page["AttachedPolicies"]:
            aws.iam.detach_role_policy(RoleName=role_name, PolicyArn=policy["PolicyArn"])
