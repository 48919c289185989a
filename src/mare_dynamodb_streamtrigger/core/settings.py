"""The desired model's settings with their defaults applied: what the trigger is to be. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mare_dynamodb_streamtrigger.models import ResourceModel

DEFAULT_INPUT_TEMPLATE = '{"Records": [{"dynamodb": {"NewImage": <$.dynamodb.NewImage>}}]}'

# The construct's template keeping what names a record in a partial batch response: Pipes matches a
# batchItemFailures itemIdentifier to the source record's eventID (docs/aws-behaviour.md). The
# sequence number is kept too: Lambda's own stream event source mappings name records by it.
# The default of a trigger without Code, so that the built-in function can report the records it failed on.
BATCH_ITEM_INPUT_TEMPLATE = (
    '{"Records": [{"eventID": "<$.eventID>", "dynamodb": {"NewImage": <$.dynamodb.NewImage>, '
    '"SequenceNumber": "<$.dynamodb.SequenceNumber>"}}]}'
)


DEFAULTS: dict[str, Any] = {
    "Runtime": "python3.12",
    "MemorySize": 128,
    "Timeout": 3,
    "IsDevops": True,
    "StartingPosition": "LATEST",
    "DesiredState": "RUNNING",
    "BatchSize": 100,
    "ParallelizationFactor": 1,
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


def setting(model: ResourceModel, prop: str) -> Any:
    """The value in force: the model's own (0 included), else the default, which for the retry
    limits depends on whether the trigger has a dead-letter queue, and for the input template on
    whether it has Code."""
    value = getattr(model, prop)
    if value is not None:
        return value
    if prop in RETRY_DEFAULTS:
        return (DEAD_LETTER_DEFAULTS if model.DeadLetterQueueArn else RETRY_DEFAULTS)[prop]
    if prop == "InputTemplate" and model.Code is None:
        return BATCH_ITEM_INPUT_TEMPLATE
    return DEFAULTS.get(prop)


def filter_patterns(model: ResourceModel) -> list[Mapping[str, Any]]:
    """The pipe's filters: FilterPattern alone, or FilterPatterns; none means every record."""
    if model.FilterPattern:
        return [model.FilterPattern]
    return [entry.Pattern for entry in model.FilterPatterns or [] if entry.Pattern is not None]


def logging_on(model: ResourceModel) -> bool:
    return model.LogLevel in LOGGING_LEVELS


def logging_of(configuration: Mapping[str, Any] | None) -> tuple[str, str | None]:
    """A LogConfiguration's level and log group, as sent or as DescribePipe shows it."""
    configuration = configuration or {}
    destination = configuration.get("CloudwatchLogsLogDestination") or {}
    level = configuration.get("Level") or "OFF"
    return level, (destination.get("LogGroupArn") if level != "OFF" else None)


def desired_tags(model: ResourceModel, stack_tags: Mapping[str, Any] | None) -> dict[str, str]:
    """The stack's tags with the trigger's own Tags over them; AWS-reserved keys cannot be set."""
    tags = {key: value for key, value in (stack_tags or {}).items() if not key.startswith("aws:")}
    tags.update({tag.Key: tag.Value for tag in model.Tags or [] if tag.Key is not None and tag.Value is not None})
    return tags
