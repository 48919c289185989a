"""What Lambda and Pipes are asked for, from the desired model: the function's configuration and
code, and the pipe's source, target, logging and tags. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from mare_dynamodb_streamtrigger.core.code_archives import builtin_files, inline_zip, zip_of
from mare_dynamodb_streamtrigger.core.filter_pattern import compact_json
from mare_dynamodb_streamtrigger.core.settings import DEFAULTS, filter_patterns, logging_on, setting
from mare_dynamodb_streamtrigger.core.validation import required
from mare_dynamodb_streamtrigger.models import ResourceModel

# The services' request shapes, from their type stubs (a development dependency).
if TYPE_CHECKING:
    from mypy_boto3_lambda.type_defs import FunctionCodeTypeDef
    from mypy_boto3_pipes.type_defs import (
        PipeLogConfigurationParametersTypeDef,
        PipeSourceParametersTypeDef,
        PipeTargetParametersTypeDef,
        UpdatePipeSourceParametersTypeDef,
    )


# Lambda's own defaults, sent when the model leaves an option out: UpdateFunctionConfiguration
# keeps what a request leaves out, so an option removed from the model is set back explicitly.
ARCHITECTURE_DEFAULT = "x86_64"
EPHEMERAL_STORAGE_DEFAULT = 512
TRACING_MODE_DEFAULT = "PassThrough"
LOG_FORMAT_DEFAULT = "Text"
# With JSON logs, Lambda keeps INFO and above of both kinds unless told otherwise (Lambda
# developer guide, "Log-level filtering"); sent explicitly so that removing a level resets it.
LOG_LEVEL_DEFAULT = "INFO"


def function_configuration(model: ResourceModel, role_arn: str, *, for_create: bool = False) -> dict[str, Any]:
    """The arguments shared by CreateFunction and UpdateFunctionConfiguration. An update sends
    Layers and VpcConfig even when empty: that is how Lambda removes them."""
    placed: dict[str, Any] = {"Layers": list(model.Layers or []), "VpcConfig": vpc_config(model)}
    if for_create:
        placed = {key: value for key, value in placed.items() if value != EMPTY_PLACEMENT[key]}
    return {
        "FunctionName": model.Name,
        "Role": role_arn,
        "Handler": model.Handler,
        "Runtime": setting(model, "Runtime"),
        "MemorySize": setting(model, "MemorySize"),
        "Timeout": setting(model, "Timeout"),
        "Environment": {"Variables": dict(model.Environment or {})},
        "Description": model.Description or "",
        "EphemeralStorage": {
            "Size": (model.EphemeralStorage.Size if model.EphemeralStorage else None) or EPHEMERAL_STORAGE_DEFAULT
        },
        "TracingConfig": {"Mode": (model.TracingConfig.Mode if model.TracingConfig else None) or TRACING_MODE_DEFAULT},
        "LoggingConfig": logging_config(model),
        **placed,
    }


# Layers and VpcConfig as Lambda shows a function without them.
EMPTY_PLACEMENT: dict[str, Any] = {"Layers": [], "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []}}


def vpc_config(model: ResourceModel) -> dict[str, list[str]]:
    config = model.VpcConfig
    if config is None:
        return {"SubnetIds": [], "SecurityGroupIds": []}
    return {"SubnetIds": list(config.SubnetIds or []), "SecurityGroupIds": list(config.SecurityGroupIds or [])}


def logging_config(model: ResourceModel) -> dict[str, str]:
    """The function's LoggingConfig, as the model asks for it."""
    config = model.LoggingConfig
    if config is None:
        return logging_settings(None, None, None)
    return logging_settings(config.LogFormat, config.ApplicationLogLevel, config.SystemLogLevel)


def logging_settings(log_format: str | None, application_level: str | None, system_level: str | None) -> dict[str, str]:
    """A LoggingConfig in full: Text, or JSON with both log levels (Lambda filters levels in JSON
    only); the log group, Lambda's default, is not the type's to set."""
    log_format = log_format or LOG_FORMAT_DEFAULT
    if log_format != "JSON":
        return {"LogFormat": log_format}
    return {
        "LogFormat": log_format,
        "ApplicationLogLevel": application_level or LOG_LEVEL_DEFAULT,
        "SystemLogLevel": system_level or LOG_LEVEL_DEFAULT,
    }


Architecture = Literal["arm64", "x86_64"]


def architectures(model: ResourceModel) -> list[Architecture]:
    """CreateFunction's and UpdateFunctionCode's Architectures (UpdateFunctionConfiguration has none)."""
    # validate_model has checked the list: one of the two architectures.
    return cast(list[Architecture], list(model.Architectures or [ARCHITECTURE_DEFAULT]))


def code_arguments(model: ResourceModel) -> FunctionCodeTypeDef:
    code = model.Code
    handler = required(model.Handler, "Handler")
    if code is None:  # a zero-code trigger: the built-in function of its type
        return {"ZipFile": zip_of(builtin_files(required(model.TriggerType, "TriggerType"), handler))}
    if code.ZipFile is not None:
        return {"ZipFile": inline_zip(code.ZipFile, handler)}
    arguments: FunctionCodeTypeDef = {
        "S3Bucket": required(code.S3Bucket, "Code.S3Bucket"),
        "S3Key": required(code.S3Key, "Code.S3Key"),
    }
    if code.S3ObjectVersion:
        arguments["S3ObjectVersion"] = code.S3ObjectVersion
    return arguments


@overload
def source_parameters(model: ResourceModel, *, for_create: Literal[True]) -> PipeSourceParametersTypeDef: ...


@overload
def source_parameters(model: ResourceModel, *, for_create: Literal[False]) -> UpdatePipeSourceParametersTypeDef: ...


def source_parameters(
    model: ResourceModel, *, for_create: bool
) -> PipeSourceParametersTypeDef | UpdatePipeSourceParametersTypeDef:
    """The pipe's DynamoDB stream settings and filter; StartingPosition only at creation."""
    stream: dict[str, Any] = {
        prop: setting(model, prop)
        for prop in (
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "MaximumRetryAttempts",
            "MaximumRecordAgeInSeconds",
            "ParallelizationFactor",
        )
    }
    if for_create:
        stream["StartingPosition"] = setting(model, "StartingPosition")
    if model.OnPartialBatchItemFailure:
        stream["OnPartialBatchItemFailure"] = model.OnPartialBatchItemFailure
    if model.DeadLetterQueueArn:
        stream["DeadLetterConfig"] = {"Arn": model.DeadLetterQueueArn}
    elif not for_create:
        # An empty DeadLetterConfig removes the queue on UpdatePipe (as Terraform's AWS provider does).
        stream["DeadLetterConfig"] = {}
    filters = [{"Pattern": compact_json(pattern)} for pattern in filter_patterns(model)]
    # Built key by key from the model's settings: its shape is the stubs' for each request.
    parameters = {"DynamoDBStreamParameters": stream, "FilterCriteria": {"Filters": filters}}
    if for_create:
        return cast("PipeSourceParametersTypeDef", parameters)
    return cast("UpdatePipeSourceParametersTypeDef", parameters)


def log_configuration(model: ResourceModel, log_group_arn: str) -> PipeLogConfigurationParametersTypeDef:
    """The pipe's LogConfiguration: its level, and its log group when it logs at all."""
    if not logging_on(model):
        return {"Level": "OFF"}
    level = cast(Literal["ERROR", "INFO", "TRACE"], model.LogLevel)  # logging_on: one of LOGGING_LEVELS
    return {"Level": level, "CloudwatchLogsLogDestination": {"LogGroupArn": log_group_arn}}


def pipe_options(model: ResourceModel, log_group_arn: str, *, for_create: bool) -> dict[str, Any]:
    """DesiredState, Description, LogConfiguration and KmsKeyIdentifier for CreatePipe or UpdatePipe.

    UpdatePipe keeps a field the request leaves out, so an update always says what it wants:
    no description, logging OFF, and an empty key identifier for the key AWS owns. CreatePipe
    needs none of these.
    """
    options: dict[str, Any] = {"DesiredState": setting(model, "DesiredState")}
    if model.Description or not for_create:
        options["Description"] = model.Description or ""
    if logging_on(model) or not for_create:
        options["LogConfiguration"] = log_configuration(model, log_group_arn)
    if model.KmsKeyArn or not for_create:
        options["KmsKeyIdentifier"] = model.KmsKeyArn or ""
    return options


def pipe_tags(tags: dict[str, str]) -> dict[str, Any]:
    """CreatePipe's Tags: left out when there are none, as Pipes' TagMap holds at least one tag."""
    return {"Tags": tags} if tags else {}


def target_parameters(model: ResourceModel) -> PipeTargetParametersTypeDef:
    return {
        "InputTemplate": setting(model, "InputTemplate"),
        "LambdaFunctionParameters": {"InvocationType": "REQUEST_RESPONSE"},
    }


# The stream settings the type manages; StartingPosition cannot change after creation.
MANAGED_STREAM_SETTINGS = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "OnPartialBatchItemFailure",
    "DeadLetterConfig",
)


def managed_stream_settings(stream: Mapping[str, Any]) -> dict[str, Any]:
    settings = {key: stream.get(key) for key in MANAGED_STREAM_SETTINGS}
    # An update says "no queue" with an empty DeadLetterConfig; AWS then shows none.
    settings["DeadLetterConfig"] = settings["DeadLetterConfig"] or None
    # A pipe that never set a factor processes one batch per shard at once (the Pipes API reference's default).
    settings["ParallelizationFactor"] = settings["ParallelizationFactor"] or DEFAULTS["ParallelizationFactor"]
    return settings
