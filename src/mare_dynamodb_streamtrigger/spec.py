"""What AWS is asked for, from the desired model: defaults, function and pipe settings. Pure."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from importlib.resources import files
from typing import Any

from . import builtin
from .filter_pattern import compact_json

DEFAULT_INPUT_TEMPLATE = '{"Records": [{"dynamodb": {"NewImage": <$.dynamodb.NewImage>}}]}'
DEFAULTS: dict[str, Any] = {
    "Runtime": "python3.12",
    "MemorySize": 128,
    "Timeout": 3,
    "IsDevops": True,
    "StartingPosition": "LATEST",
    "BatchSize": 100,
    "MaximumBatchingWindowInSeconds": 0,
    "InputTemplate": DEFAULT_INPUT_TEMPLATE,
    "LogLevel": "OFF",
}
# With a dead-letter queue, AWS's defaults (-1: retry until the record leaves the stream, 24 hours
# later) would send nothing to the queue and hold the shard for a day. Three retries (four attempts)
# ride out a brief outage of what the function calls; an hour caps how long one bad batch stops
# its shard. Explicit values, -1 included, always win.
DEAD_LETTER_DEFAULTS: dict[str, int] = {"MaximumRetryAttempts": 3, "MaximumRecordAgeInSeconds": 3600}
# AWS's own retry limits, in force without a dead-letter queue.
RETRY_DEFAULTS: dict[str, int] = {"MaximumRetryAttempts": -1, "MaximumRecordAgeInSeconds": -1}
# LogLevel values with which the pipe writes to its log group.
LOGGING_LEVELS = ("ERROR", "INFO", "TRACE")
BUILTIN_MODULES = {"PIPELINE": "pipeline.py", "SNS_TOPIC": "sns_topic.py"}
# What the built-in modules share, zipped beside them at the archive's root.
BUILTIN_SHARED_MODULE = "stream_batch.py"
# A fixed timestamp keeps the archive of the same source byte-for-byte the same.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def setting(model: Any, prop: str) -> Any:
    """The value in force: the model's own (0 included), else the default, which for the retry
    limits depends on whether the trigger has a dead-letter queue."""
    value = getattr(model, prop)
    if value is not None:
        return value
    if prop in RETRY_DEFAULTS:
        return (DEAD_LETTER_DEFAULTS if model.DeadLetterQueueArn else RETRY_DEFAULTS)[prop]
    return DEFAULTS.get(prop)


def logging_on(model: Any) -> bool:
    return model.LogLevel in LOGGING_LEVELS


def builtin_source(trigger_type: str, handler: str) -> str:
    """The built-in function of the trigger type, its entry point named as the handler says."""
    source = (files(builtin) / BUILTIN_MODULES[trigger_type]).read_text()
    function = handler.rsplit(".", 1)[1]
    return source if function == "handler" else f"{source}\n\n{function} = handler\n"


def builtin_files(trigger_type: str, handler: str) -> dict[str, str]:
    """The built-in function's archive: its module where the handler names it, the shared module beside."""
    return {
        inline_file_name(handler): builtin_source(trigger_type, handler),
        BUILTIN_SHARED_MODULE: (files(builtin) / BUILTIN_SHARED_MODULE).read_text(),
    }


def function_configuration(model: Any, role_arn: str) -> dict[str, Any]:
    """The arguments shared by CreateFunction and UpdateFunctionConfiguration."""
    return {
        "FunctionName": model.Name,
        "Role": role_arn,
        "Handler": model.Handler,
        "Runtime": setting(model, "Runtime"),
        "MemorySize": setting(model, "MemorySize"),
        "Timeout": setting(model, "Timeout"),
        "Environment": {"Variables": dict(model.Environment or {})},
    }


def configuration_differs(wanted: dict[str, Any], live: dict[str, Any]) -> bool:
    live_variables = (live.get("Environment") or {}).get("Variables") or {}
    return (
        any(wanted[key] != live.get(key) for key in ("Role", "Handler", "Runtime", "MemorySize", "Timeout"))
        or wanted["Environment"]["Variables"] != live_variables
    )


def inline_file_name(handler: str) -> str:
    """Where inline source goes: the module part of Handler, as Python's runtime imports it
    (everything before the last dot, as a module path)."""
    return handler.rsplit(".", 1)[0].replace(".", "/") + ".py"


def inline_zip(source: str, handler: str) -> bytes:
    return zip_of({inline_file_name(handler): source})


def zip_of(sources: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in sources.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.external_attr = 0o644 << 16
            archive.writestr(info, source)
    return buffer.getvalue()


def code_sha256(archive: bytes) -> str:
    """As Lambda reports CodeSha256: base64 of the archive's SHA-256."""
    return base64.b64encode(hashlib.sha256(archive).digest()).decode()


def code_arguments(model: Any) -> dict[str, Any]:
    code = model.Code
    if code is None:  # a zero-code trigger: the built-in function of its type
        return {"ZipFile": zip_of(builtin_files(model.TriggerType, model.Handler))}
    if code.ZipFile is not None:
        return {"ZipFile": inline_zip(code.ZipFile, model.Handler)}
    arguments = {"S3Bucket": code.S3Bucket, "S3Key": code.S3Key}
    if code.S3ObjectVersion:
        arguments["S3ObjectVersion"] = code.S3ObjectVersion
    return arguments


def source_parameters(model: Any, *, for_create: bool) -> dict[str, Any]:
    """The pipe's DynamoDB stream settings and filter; StartingPosition only at creation."""
    stream: dict[str, Any] = {
        prop: setting(model, prop)
        for prop in ("BatchSize", "MaximumBatchingWindowInSeconds", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds")
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
    filters = [{"Pattern": compact_json(model.FilterPattern)}] if model.FilterPattern else []
    return {"DynamoDBStreamParameters": stream, "FilterCriteria": {"Filters": filters}}


def log_configuration(model: Any, log_group_arn: str) -> dict[str, Any]:
    """The pipe's LogConfiguration: its level, and its log group when it logs at all."""
    if not logging_on(model):
        return {"Level": "OFF"}
    return {"Level": model.LogLevel, "CloudwatchLogsLogDestination": {"LogGroupArn": log_group_arn}}


def pipe_options(model: Any, log_group_arn: str, *, for_create: bool) -> dict[str, Any]:
    """LogConfiguration and KmsKeyIdentifier for CreatePipe or UpdatePipe.

    UpdatePipe keeps a field the request leaves out, so an update always says what it wants:
    logging OFF, and an empty key identifier for the key AWS owns. CreatePipe needs neither.
    """
    options: dict[str, Any] = {}
    if logging_on(model) or not for_create:
        options["LogConfiguration"] = log_configuration(model, log_group_arn)
    if model.KmsKeyArn or not for_create:
        options["KmsKeyIdentifier"] = model.KmsKeyArn or ""
    return options


def pipe_tags(tags: dict[str, str]) -> dict[str, Any]:
    """CreatePipe's Tags: left out when there are none, as Pipes' TagMap holds at least one tag."""
    return {"Tags": tags} if tags else {}


def target_parameters(model: Any) -> dict[str, Any]:
    return {
        "InputTemplate": setting(model, "InputTemplate"),
        "LambdaFunctionParameters": {"InvocationType": "REQUEST_RESPONSE"},
    }


# The stream settings the type manages; StartingPosition cannot change after creation.
MANAGED_STREAM_SETTINGS = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "OnPartialBatchItemFailure",
    "DeadLetterConfig",
)


def managed_stream_settings(stream: dict[str, Any]) -> dict[str, Any]:
    settings = {key: stream.get(key) for key in MANAGED_STREAM_SETTINGS}
    # An update says "no queue" with an empty DeadLetterConfig; AWS then shows none.
    settings["DeadLetterConfig"] = settings["DeadLetterConfig"] or None
    return settings


def logging_of(configuration: dict[str, Any] | None) -> tuple[str, str | None]:
    """A LogConfiguration's level and log group, as sent or as DescribePipe shows it."""
    configuration = configuration or {}
    destination = configuration.get("CloudwatchLogsLogDestination") or {}
    level = configuration.get("Level") or "OFF"
    return level, (destination.get("LogGroupArn") if level != "OFF" else None)


def pipe_differs(model: Any, live: dict[str, Any], role_arn: str, function_arn: str, log_group_arn: str) -> bool:
    """Whether UpdatePipe would change what the pipe does: its stream settings, filter, template,
    role, target, logging, key or state."""
    wanted_stream = source_parameters(model, for_create=False)["DynamoDBStreamParameters"]
    live_source = live.get("SourceParameters") or {}
    live_stream = live_source.get("DynamoDBStreamParameters") or {}
    live_filters = (live_source.get("FilterCriteria") or {}).get("Filters") or []
    live_patterns = [json.loads(entry["Pattern"]) for entry in live_filters if entry.get("Pattern")]
    wanted_target = target_parameters(model)
    live_target = live.get("TargetParameters") or {}
    live_invocation = (live_target.get("LambdaFunctionParameters") or {}).get("InvocationType", "REQUEST_RESPONSE")
    return (
        managed_stream_settings(wanted_stream) != managed_stream_settings(live_stream)
        or live_patterns != ([model.FilterPattern] if model.FilterPattern else [])
        or live_target.get("InputTemplate") != wanted_target["InputTemplate"]
        or live_invocation != wanted_target["LambdaFunctionParameters"]["InvocationType"]
        or logging_of(live.get("LogConfiguration")) != logging_of(log_configuration(model, log_group_arn))
        or (live.get("KmsKeyIdentifier") or None) != model.KmsKeyArn
        or live.get("RoleArn") != role_arn
        or live.get("Target") != function_arn
        or live.get("DesiredState") != "RUNNING"
        or live.get("CurrentState") != "RUNNING"
    )


def desired_tags(model: Any, stack_tags: dict[str, str] | None) -> dict[str, str]:
    """The stack's tags with the trigger's own Tags over them; AWS-reserved keys cannot be set."""
    tags = {key: value for key, value in (stack_tags or {}).items() if not key.startswith("aws:")}
    tags.update({tag.Key: tag.Value for tag in model.Tags or []})
    return tags


def tag_changes(wanted: dict[str, str], live: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """What to tag and which keys to untag to turn `live` into `wanted` (AWS's own keys untouched)."""
    to_tag = {key: value for key, value in wanted.items() if live.get(key) != value}
    to_untag = sorted(key for key in live if key not in wanted and not key.startswith("aws:"))
    return to_tag, to_untag
