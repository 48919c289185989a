"""List: every trigger of this type in the account and region, in one page.

A pipe is a trigger when its target is the function of the same name in this account and
region, and both of that Name's roles are the type's own (under its path, with its marker), so
no call is made per pipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from cloudformation_cli_python_lib import OperationStatus, ProgressEvent, SessionProxy
from cloudformation_cli_python_lib.interface import BaseModel

from mare_dynamodb_streamtrigger.core.names import ROLE_PATH, table_arn_of_stream, table_name_of_arn
from mare_dynamodb_streamtrigger.core.ownership import own_role
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest, ResourceModel
from mare_dynamodb_streamtrigger.operations.clients import Aws


def list_triggers(session: SessionProxy | None, request: ResourceHandlerRequest) -> ProgressEvent:
    aws = Aws.of(session, request, "LIST")
    roles = {
        role["RoleName"]: role
        for page in aws.iam.get_paginator("list_roles").paginate(PathPrefix=ROLE_PATH)
        for role in page["Roles"]
    }
    pipes = [pipe for page in aws.pipes.get_paginator("list_pipes").paginate() for pipe in page["Pipes"]]
    models: list[BaseModel] = [model_of_summary(pipe) for pipe in pipes if is_trigger(aws, pipe, roles)]
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModels=models)


def is_trigger(aws: Aws, pipe: Mapping[str, Any], our_roles: Mapping[str, Mapping[str, Any]]) -> bool:
    name = pipe.get("Name", "")
    if not isinstance(name, str) or not name:
        return False
    names = aws.names(name)
    return pipe.get("Target") == names.function_arn and all(
        own_role(our_roles.get(names.role_name(kind)), names, kind) for kind in ("fn", "pipe")
    )


def model_of_summary(pipe: Mapping[str, Any]) -> ResourceModel:
    """What a ListPipes summary tells of a trigger."""
    stream_arn = pipe.get("Source")
    table_arn = table_arn_of_stream(stream_arn or "")
    # _deserialize answers None for None alone.
    return cast(
        ResourceModel,
        ResourceModel._deserialize(
            {
                "Name": pipe["Name"],
                "PipeArn": pipe.get("Arn"),
                "FunctionArn": pipe.get("Target"),
                "StreamArn": stream_arn,
                "TableArn": table_arn,
                "TableName": table_name_of_arn(table_arn) if table_arn else None,
            }
        ),
    )
