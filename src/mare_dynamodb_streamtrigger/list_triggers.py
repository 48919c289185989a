"""List: every trigger of this type in the account and region, in one page.

A pipe is a trigger when its target is the function of the same name and its role is one this
type made (found under the type's IAM path), so no call is made per pipe.
"""

from __future__ import annotations

from typing import Any

from cloudformation_cli_python_lib import OperationStatus, ProgressEvent, SessionProxy

from .aws import Aws
from .models import ResourceModel
from .names import ROLE_PATH, function_name_of_arn, role_name, table_arn_of_stream, table_name_of_arn


def list_triggers(session: SessionProxy | None, request: Any, _context: dict[str, Any]) -> ProgressEvent:
    aws = Aws.of(session, request)
    roles = {
        role["RoleName"]
        for page in aws.iam.get_paginator("list_roles").paginate(PathPrefix=ROLE_PATH)
        for role in page["Roles"]
    }
    pipes = [pipe for page in aws.pipes.get_paginator("list_pipes").paginate() for pipe in page["Pipes"]]
    models = [model_of_summary(pipe) for pipe in pipes if is_trigger(pipe, roles, aws.region)]
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModels=models)


def is_trigger(pipe: dict[str, Any], our_roles: set[str], region: str) -> bool:
    name = pipe.get("Name", "")
    return function_name_of_arn(pipe.get("Target", "")) == name and role_name(name, region, "pipe") in our_roles


def model_of_summary(pipe: dict[str, Any]) -> ResourceModel:
    """What a ListPipes summary tells of a trigger."""
    stream_arn = pipe.get("Source")
    table_arn = table_arn_of_stream(stream_arn or "")
    return ResourceModel._deserialize(
        {
            "Name": pipe["Name"],
            "PipeArn": pipe.get("Arn"),
            "FunctionArn": pipe.get("Target"),
            "StreamArn": stream_arn,
            "TableArn": table_arn,
            "TableName": table_name_of_arn(table_arn) if table_arn else None,
        }
    )
