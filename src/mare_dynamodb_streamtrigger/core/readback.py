"""The model as it lives in AWS, from what GetFunction, DescribePipe and GetRolePolicy return. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mare_dynamodb_streamtrigger.core.alarms import alarm_topic
from mare_dynamodb_streamtrigger.core.names import table_arn_of_stream, table_name_of_arn
from mare_dynamodb_streamtrigger.core.policies import (
    SID_PIPELINES,
    SID_TABLE_INDEX,
    SID_TOPICS,
    PolicyDocument,
    statement_resources,
)
from mare_dynamodb_streamtrigger.core.settings import logging_of
from mare_dynamodb_streamtrigger.models import (
    EphemeralStorage,
    Filter,
    LoggingConfig,
    ResourceModel,
    Tag,
    TracingConfig,
    VpcConfig,
)


def trigger_type_of(policy: PolicyDocument | None) -> str | None:
    if policy is None:
        return None
    if statement_resources(policy, SID_PIPELINES) is not None:
        return "PIPELINE"
    if statement_resources(policy, SID_TOPICS) is not None:
        return "SNS_TOPIC"
    return None


def index_name_of(policy: PolicyDocument | None) -> str | None:
    for resource in statement_resources(policy or {}, SID_TABLE_INDEX) or []:
        if "/index/" in resource:
            return resource.split("/index/", 1)[1]
    return None


def resource_tags(live_tags: dict[str, str], stack_tags: Mapping[str, Any] | None) -> list[Tag] | None:
    """The trigger's own Tags: what is live, less AWS's own and the stack's (which the type adds)."""
    stack_tags = stack_tags or {}
    own = {
        key: value for key, value in live_tags.items() if not key.startswith("aws:") and stack_tags.get(key) != value
    }
    return [Tag(Key=key, Value=own[key]) for key in sorted(own)] or None


def reserved_concurrency_of(function: Mapping[str, Any]) -> int | None:
    """GetFunction's Concurrency: the function's reserved concurrency, None where it has none."""
    reserved = (function.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return int(reserved) if reserved is not None else None


def filters_of(filters: list[Mapping[str, Any]]) -> tuple[dict[str, Any] | None, list[Filter] | None]:
    """FilterPattern for one filter, FilterPatterns for several; neither for none."""
    patterns = [json.loads(entry["Pattern"]) for entry in filters if entry.get("Pattern")]
    if len(patterns) == 1:
        return patterns[0], None
    return None, [Filter(Pattern=pattern) for pattern in patterns] or None


def logging_config_of(live: Mapping[str, Any] | None) -> LoggingConfig | None:
    """The function's log format and, for JSON, its levels (the log group is Lambda's default)."""
    if not live:
        return None
    json_levels = live.get("LogFormat") == "JSON"
    return LoggingConfig(
        LogFormat=live.get("LogFormat"),
        ApplicationLogLevel=live.get("ApplicationLogLevel") if json_levels else None,
        SystemLogLevel=live.get("SystemLogLevel") if json_levels else None,
    )


def vpc_config_of(live: Mapping[str, Any] | None) -> VpcConfig | None:
    """The function's VpcConfig as GetFunction shows it; None for a function outside a VPC (Lambda
    shows empty lists, and a VpcId of "", once a VpcConfig is removed)."""
    subnets = list((live or {}).get("SubnetIds") or [])
    if not subnets:
        return None
    return VpcConfig(SubnetIds=subnets, SecurityGroupIds=list((live or {}).get("SecurityGroupIds") or []))


def model_from_aws(
    function: Mapping[str, Any],
    pipe: Mapping[str, Any],
    function_policy: PolicyDocument | None,
    stack_tags: Mapping[str, Any] | None,
    log_group: Mapping[str, Any] | None = None,
    function_log_group: Mapping[str, Any] | None = None,
    alarm: Mapping[str, Any] | None = None,
) -> ResourceModel:
    config = function["Configuration"]
    stream_arn = pipe.get("Source", "")
    table_arn = table_arn_of_stream(stream_arn)
    source = (pipe.get("SourceParameters") or {}).get("DynamoDBStreamParameters") or {}
    filters = ((pipe.get("SourceParameters") or {}).get("FilterCriteria") or {}).get("Filters") or []
    target = pipe.get("TargetParameters") or {}
    filter_pattern, filter_patterns = filters_of(filters)
    storage = (config.get("EphemeralStorage") or {}).get("Size")
    tracing = (config.get("TracingConfig") or {}).get("Mode")
    return ResourceModel(
        Name=config["FunctionName"],
        TableName=table_name_of_arn(table_arn) if table_arn else None,
        TriggerType=trigger_type_of(function_policy),
        Handler=config.get("Handler"),
        Code=None,
        Runtime=config.get("Runtime"),
        MemorySize=config.get("MemorySize"),
        Timeout=config.get("Timeout"),
        Description=config.get("Description") or None,
        Architectures=config.get("Architectures") or None,
        EphemeralStorage=EphemeralStorage(Size=storage) if storage else None,
        TracingConfig=TracingConfig(Mode=tracing) if tracing else None,
        LoggingConfig=logging_config_of(config.get("LoggingConfig")),
        ReservedConcurrentExecutions=reserved_concurrency_of(function),
        Layers=[layer["Arn"] for layer in config.get("Layers") or []] or None,
        VpcConfig=vpc_config_of(config.get("VpcConfig")),
        Environment=(config.get("Environment") or {}).get("Variables") or None,
        FilterPattern=filter_pattern,
        FilterPatterns=filter_patterns,
        TableIndexName=index_name_of(function_policy),
        IsDevops=None,
        StartingPosition=source.get("StartingPosition"),
        DesiredState=pipe.get("DesiredState"),
        BatchSize=source.get("BatchSize"),
        MaximumBatchingWindowInSeconds=source.get("MaximumBatchingWindowInSeconds"),
        ParallelizationFactor=source.get("ParallelizationFactor"),
        MaximumRetryAttempts=source.get("MaximumRetryAttempts"),
        MaximumRecordAgeInSeconds=source.get("MaximumRecordAgeInSeconds"),
        OnPartialBatchItemFailure=source.get("OnPartialBatchItemFailure"),
        DeadLetterQueueArn=(source.get("DeadLetterConfig") or {}).get("Arn"),
        InputTemplate=target.get("InputTemplate"),
        # A pipe made without a LogConfiguration logs nothing: OFF, as one updated to OFF shows.
        LogLevel=logging_of(pipe.get("LogConfiguration"))[0],
        LogRetentionInDays=(log_group or {}).get("retentionInDays"),
        FunctionLogRetentionInDays=(function_log_group or {}).get("retentionInDays"),
        KmsKeyArn=pipe.get("KmsKeyIdentifier") or None,
        AlarmTopicArn=alarm_topic(alarm),
        Tags=resource_tags(pipe.get("Tags") or {}, stack_tags),
        FunctionArn=config.get("FunctionArn"),
        FunctionRoleArn=config.get("Role"),
        PipeArn=pipe.get("Arn"),
        PipeRoleArn=pipe.get("RoleArn"),
        TableArn=table_arn,
        StreamArn=stream_arn or None,
    )
