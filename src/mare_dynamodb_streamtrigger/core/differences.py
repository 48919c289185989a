"""Whether what lives in AWS differs from what the model asks for: the function's configuration,
the pipe, the tags. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mare_dynamodb_streamtrigger.core.request_arguments import (
    ARCHITECTURE_DEFAULT,
    EPHEMERAL_STORAGE_DEFAULT,
    TRACING_MODE_DEFAULT,
    architectures,
    log_configuration,
    logging_settings,
    managed_stream_settings,
    source_parameters,
    target_parameters,
)
from mare_dynamodb_streamtrigger.core.settings import filter_patterns, logging_of, setting
from mare_dynamodb_streamtrigger.models import ResourceModel


def configuration_differs(wanted: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Whether UpdateFunctionConfiguration's arguments `wanted` would change the live configuration."""
    live_variables = (live.get("Environment") or {}).get("Variables") or {}
    return (
        any(wanted[key] != live.get(key) for key in ("Role", "Handler", "Runtime", "MemorySize", "Timeout"))
        or wanted["Environment"]["Variables"] != live_variables
        or wanted["Description"] != (live.get("Description") or "")
        or wanted["EphemeralStorage"]["Size"]
        != (live.get("EphemeralStorage") or {}).get("Size", EPHEMERAL_STORAGE_DEFAULT)
        or wanted["TracingConfig"]["Mode"] != (live.get("TracingConfig") or {}).get("Mode", TRACING_MODE_DEFAULT)
        or wanted["LoggingConfig"] != live_logging_config(live.get("LoggingConfig") or {})
        or wanted["Layers"] != [layer.get("Arn") for layer in live.get("Layers") or []]
        or placement_differs(wanted["VpcConfig"], live.get("VpcConfig") or {})
    )


def placement_differs(wanted: Mapping[str, list[str]], live: Mapping[str, Any]) -> bool:
    """Whether the function's subnets or security groups change (their order is no change)."""
    return any(set(wanted[key]) != set(live.get(key) or []) for key in ("SubnetIds", "SecurityGroupIds"))


def live_logging_config(live: Mapping[str, Any]) -> dict[str, str]:
    return logging_settings(live.get("LogFormat"), live.get("ApplicationLogLevel"), live.get("SystemLogLevel"))


def architectures_differ(model: ResourceModel, live: Mapping[str, Any]) -> bool:
    return architectures(model) != (live.get("Architectures") or [ARCHITECTURE_DEFAULT])


def pipe_differs(
    model: ResourceModel, live: Mapping[str, Any], role_arn: str, function_arn: str, log_group_arn: str
) -> bool:
    """Whether UpdatePipe would change what the pipe does: its stream settings, filters, template,
    role, target, logging, key, description or state."""
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
        or live_patterns != filter_patterns(model)
        or live_target.get("InputTemplate") != wanted_target["InputTemplate"]
        or live_invocation != wanted_target["LambdaFunctionParameters"]["InvocationType"]
        or logging_of(live.get("LogConfiguration")) != logging_of(log_configuration(model, log_group_arn))
        or (live.get("KmsKeyIdentifier") or None) != model.KmsKeyArn
        or live.get("RoleArn") != role_arn
        or live.get("Target") != function_arn
        or (live.get("Description") or "") != (model.Description or "")
        or live.get("DesiredState") != setting(model, "DesiredState")
        or live.get("CurrentState") != setting(model, "DesiredState")
    )


def tag_changes(wanted: dict[str, str], live: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """What to tag and which keys to untag to turn `live` into `wanted` (AWS's own keys untouched)."""
    to_tag = {key: value for key, value in wanted.items() if live.get(key) != value}
    to_untag = sorted(key for key in live if key not in wanted and not key.startswith("aws:"))
    return to_tag, to_untag
