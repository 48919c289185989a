"""Finds the table and its stream: SSM parameters first, then DynamoDB's own word."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode

from mare_dynamodb_streamtrigger.core.errors import TriggerError, error_code, error_message, invalid
from mare_dynamodb_streamtrigger.core.names import (
    STREAM_ARN,
    TABLE_ARN,
    account_of_role,
    devops_session_name,
    parameter_arn,
    stream_parameter_name,
    table_parameter_name,
)
from mare_dynamodb_streamtrigger.core.policies import devops_session_policy
from mare_dynamodb_streamtrigger.guard import redaction
from mare_dynamodb_streamtrigger.operations import encryption_keys
from mare_dynamodb_streamtrigger.operations.clients import Aws

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TableDescriptionTypeDef

NEW_IMAGE_VIEW_TYPES = ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")


# The shortest session STS grants: the session reads two parameters, once.
DEVOPS_SESSION_SECONDS = 900


@dataclass(frozen=True)
class TableStream:
    table_arn: str
    stream_arn: str
    # The table's KMS key, where it is encrypted with one (encryption_keys.table_key_arn).
    key_arn: str | None = None


@dataclass(frozen=True)
class DevopsAccess:
    """How the foundation (devops) account's parameters are reached: its role, the external ID
    its trust policy asks for, and the request the session is named after."""

    role_arn: str
    external_id: str | None
    request_token: str


def read_parameters(aws: Aws, table_name: str, devops: DevopsAccess | None) -> TableStream:
    """Reads both SSM parameters in one call, through the devops role when one is given."""
    table_param, stream_param = table_parameter_name(table_name), stream_parameter_name(table_name)
    ssm = devops_ssm(aws, devops, [table_param, stream_param]) if devops else aws.ssm
    answer = ssm.get_parameters(Names=[table_param, stream_param])
    values = {p["Name"]: p["Value"] for p in answer.get("Parameters", [])}
    missing = [name for name in (table_param, stream_param) if name not in values]
    if missing:
        where = f"the account of {devops.role_arn}" if devops else f"account {aws.account}"
        raise invalid(
            f"TableName {table_name}: SSM parameter {' and '.join(missing)} not found in {where} ({aws.region})"
        )
    return check_parameters(table_name, values[table_param], values[stream_param], table_param, stream_param)


def check_parameters(
    table_name: str, table_arn: str, stream_arn: str, table_param: str, stream_param: str
) -> TableStream:
    """The parameters must hold this table's ARN and a stream ARN of the same table. A value that
    is not such an ARN is never repeated: the parameter may hold anything, a secret included."""
    table_match = TABLE_ARN.fullmatch(table_arn)
    if not table_match:
        raise invalid(f"TableName {table_name}: SSM parameter {table_param} does not hold a DynamoDB table ARN")
    if table_match.group("table") != table_name:
        raise invalid(
            f"TableName {table_name}: SSM parameter {table_param} holds the ARN of another table, {table_arn}"
        )
    stream_match = STREAM_ARN.fullmatch(stream_arn)
    if not stream_match:
        raise invalid(f"TableName {table_name}: SSM parameter {stream_param} does not hold a DynamoDB stream ARN")
    if stream_match.group("table_arn") != table_arn:
        raise invalid(
            f"TableName {table_name}: SSM parameter {stream_param} holds a stream of another table, {stream_arn}"
        )
    return TableStream(table_arn, stream_arn)


def describe_table(aws: Aws, table_name: str) -> TableDescriptionTypeDef:
    try:
        return aws.dynamodb.describe_table(TableName=table_name)["Table"]
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            raise TriggerError(
                HandlerErrorCode.NotFound, f"TableName {table_name}: no such DynamoDB table in {aws.region}"
            ) from error
        raise


def check_table(table: Mapping[str, Any], expected: TableStream, index_name: str | None) -> None:
    """The live table must be the one the parameters name, with a stream that carries new images."""
    name = table.get("TableName")
    if table.get("TableArn") != expected.table_arn:
        raise invalid(
            f"TableName {name}: the SSM parameter names {expected.table_arn}, the table is {table.get('TableArn')}"
        )
    spec = table.get("StreamSpecification") or {}
    if not spec.get("StreamEnabled"):
        raise invalid(f"TableName {name}: the table has no stream enabled")
    if spec.get("StreamViewType") not in NEW_IMAGE_VIEW_TYPES:
        raise invalid(
            f"TableName {name}: the stream's view type is {spec.get('StreamViewType')}; "
            "the trigger needs NEW_IMAGE or NEW_AND_OLD_IMAGES"
        )
    if table.get("LatestStreamArn") != expected.stream_arn:
        raise invalid(
            f"TableName {name}: the SSM parameter names stream {expected.stream_arn}, "
            f"but the table's latest stream is {table.get('LatestStreamArn')}"
        )
    check_index(table, index_name)


def check_index(table: Mapping[str, Any], index_name: str | None) -> None:
    if not index_name:
        return
    indexes = [i["IndexName"] for i in table.get("GlobalSecondaryIndexes", []) + table.get("LocalSecondaryIndexes", [])]
    if index_name not in indexes:
        have = ", ".join(sorted(indexes)) or "none"
        raise invalid(f"TableIndexName {index_name}: table {table.get('TableName')} has no such index (it has: {have})")


def resolve(aws: Aws, table_name: str, index_name: str | None, devops: DevopsAccess | None) -> TableStream:
    stream = read_parameters(aws, table_name, devops)
    table = describe_table(aws, table_name)
    check_table(table, stream, index_name)
    return replace(stream, key_arn=encryption_keys.table_key_arn(table))


def assume_role_request(aws: Aws, devops: DevopsAccess, parameter_names: list[str]) -> dict[str, Any]:
    """sts:AssumeRole's parameters: a short session, named after the request, whose inline policy
    narrows even a broad foundation role to reading these parameters."""
    account = account_of_role(devops.role_arn)
    arns = [parameter_arn(aws.partition, aws.region, account, name) for name in parameter_names]
    request: dict[str, Any] = {
        "RoleArn": devops.role_arn,
        "RoleSessionName": devops_session_name(devops.request_token),
        "DurationSeconds": DEVOPS_SESSION_SECONDS,
        "Policy": json.dumps(devops_session_policy(arns), separators=(",", ":")),
    }
    if devops.external_id:
        request["ExternalId"] = devops.external_id
    return request


def devops_ssm(aws: Aws, devops: DevopsAccess, parameter_names: list[str]) -> Any:
    try:
        credentials = aws.sts.assume_role(**assume_role_request(aws, devops, parameter_names))["Credentials"]
    except ClientError as error:
        if error_code(error) != "AccessDenied":
            raise
        external = "with" if devops.external_id else "without"
        raise TriggerError(
            HandlerErrorCode.AccessDenied,
            f"DevopsParameterRoleArn {devops.role_arn}: sts:AssumeRole was refused {external} an external ID "
            f"(the type configuration's DevopsParameterRoleExternalId): {error_message(error)}",
        ) from error
    redaction.keep_secret(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    return aws.client("ssm", credentials)
