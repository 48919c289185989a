"""Checks a desired model before anything is touched. Pure: no AWS call.

The resource schema states the same rules, but CloudFormation is not the only caller (the local
runner and direct invocations are not schema-checked), so the handlers enforce them too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from mare_dynamodb_streamtrigger.core.code_archives import BUILTIN_SHARED_MODULE, inline_file_name
from mare_dynamodb_streamtrigger.core.errors import invalid, shortened
from mare_dynamodb_streamtrigger.core.filter_pattern import (
    ROOT,
    PatternError,
    numeric_on_stream_numbers,
    validate_stream_filter,
)
from mare_dynamodb_streamtrigger.core.names import (
    CODEPIPELINE_ARN,
    IAM_ROLE_ARN,
    KMS_KEY_ARN,
    LAYER_VERSION_ARN,
    SECURITY_GROUP_ID,
    SNS_TOPIC_ARN,
    SQS_QUEUE_ARN,
    SUBNET_ID,
    layer_of_version,
    layer_region,
)
from mare_dynamodb_streamtrigger.core.settings import LOGGING_LEVELS, desired_tags
from mare_dynamodb_streamtrigger.models import (
    Filter,
    ResourceHandlerRequest,
    ResourceModel,
    TypeConfigurationModel,
)

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TABLE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
HANDLER = re.compile(r"^[^\s.]+(\.[^\s.]+)+$")
ENVIRONMENT_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")
TRIGGER_TYPES = ("PIPELINE", "SNS_TOPIC")
STARTING_POSITIONS = ("LATEST", "TRIM_HORIZON")
DESIRED_STATES = ("RUNNING", "STOPPED")
# Lambda's limit on a function's Description; a pipe's is 512, and both get the same text.
DESCRIPTION_MAX = 256
ARCHITECTURES = ("x86_64", "arm64")
# /tmp in MB: AWS::Lambda::Function's EphemeralStorage ("any whole number between 512 and 10,240 MB").
EPHEMERAL_STORAGE_RANGE = (512, 10240)
TRACING_MODES = ("Active", "PassThrough")
LOG_FORMATS = ("Text", "JSON")
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
# Pipes' FilterCriteria holds at most 5 filters; FilterPatterns is for 2 or more (one is FilterPattern).
FILTER_PATTERNS_RANGE = (2, 5)
LAYERS_MAX = 5
SUBNETS_RANGE = (1, 16)
SECURITY_GROUPS_RANGE = (1, 5)
ENVIRONMENT_MAX_BYTES = 4096
INPUT_TEMPLATE_MAX = 8192
HANDLER_MAX = 128
# Lambda's Python runtimes that run a trigger: the built-in functions use Python 3.10 syntax, and
# Lambda's CreateFunction enum (botocore's model, AWS::Lambda::Function's schema) lists these.
RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13", "python3.14", "python3.15")
# How much of a refused Runtime the message repeats.
RUNTIME_SHOWN_MAX = 40
ZIP_FILE_MAX = 4096
S3_BUCKET = re.compile(r"[0-9A-Za-z.\-_]{3,63}(?<!\.)")
TAGS_MAX = 50
LOG_LEVELS = ("OFF", *LOGGING_LEVELS)
# The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

# Lambda sets these itself and refuses them in a function's environment.
RESERVED_ENVIRONMENT_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "TZ",
    }
)

# A pipe's execution, its target's included, may last 5 minutes (Pipes user guide, "Batching and
# concurrency"): a longer function run counts as failed, and its batch is sent again.
PIPE_EXECUTION_MAX_SECONDS = 300
# property: (minimum, maximum), AWS's ranges for Lambda and for a pipe's DynamoDB stream source
# (schema.json states the same; tests/unit/test_limits.py holds them together).
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "MemorySize": (128, 10240),
    "Timeout": (1, PIPE_EXECUTION_MAX_SECONDS),
    "BatchSize": (1, 10000),
    "MaximumBatchingWindowInSeconds": (0, 300),
    "ParallelizationFactor": (1, 10),
    "MaximumRetryAttempts": (-1, 10000),
    "MaximumRecordAgeInSeconds": (-1, 604800),
}
# Lambda's rule for a stream source, which Pipes shares: -1 (forever), or at least 60 s.
RECORD_AGE_FOREVER = -1
RECORD_AGE_MIN = 60


def is_dead_letter_arn(arn: str) -> bool:
    """A pipe on a DynamoDB stream sends what it gives up on to an SQS queue or an SNS topic (Pipes
    API reference, DeadLetterConfig)."""
    return bool(SQS_QUEUE_ARN.fullmatch(arn) or SNS_TOPIC_ARN.fullmatch(arn))


def target_arns(trigger_type: str, environment: Mapping[str, str] | None) -> list[str]:
    """The Environment values that the function's role may act on for this trigger type."""
    pattern = CODEPIPELINE_ARN if trigger_type == "PIPELINE" else SNS_TOPIC_ARN
    return sorted({value for value in (environment or {}).values() if pattern.fullmatch(value)})


# What sts:AssumeRole accepts as an external ID.
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)


def validate_devops_access(role_arn: str, external_id: str | None) -> None:
    """The type configuration's foundation role and external ID, before sts:AssumeRole is called."""
    if not IAM_ROLE_ARN.fullmatch(role_arn):
        raise invalid(f"DevopsParameterRoleArn (type configuration) must be an IAM role ARN, not {role_arn!r}")
    if external_id is not None and not EXTERNAL_ID.fullmatch(external_id):
        # The value itself is not repeated: it is the foundation account's shared secret.
        raise invalid(
            "DevopsParameterRoleExternalId (type configuration) must be 2 to 1224 letters, digits or any of _+=,.@:/-"
        )


def validate_code_bucket(model: ResourceModel, type_configuration: TypeConfigurationModel | None) -> None:
    """Code from S3 only from a bucket the type configuration's CodeBuckets lists: the execution
    role fetches the package, so an unlisted bucket would let a stack author deploy, and then
    download with GetFunction, any package the role can read."""
    bucket = model.Code.S3Bucket if model is not None and model.Code is not None else None
    code_buckets = getattr(type_configuration, "CodeBuckets", None)
    if bucket is None or bucket in (code_buckets or []):
        return
    allowed = ", ".join(code_buckets or []) or "none: the type configuration sets no CodeBuckets"
    raise invalid(
        f"Code.S3Bucket {bucket} is not one of the type configuration's CodeBuckets (allowed: {allowed}); "
        "ask the account's administrator to add it, or give the code inline (Code.ZipFile)"
    )


Value = TypeVar("Value")


def desired_model(request: ResourceHandlerRequest) -> ResourceModel:
    """The request's desired properties. The entrypoint's guard has refused CREATE and UPDATE
    requests without them; this names the property set that is missing all the same."""
    if request.desiredResourceState is None:
        raise invalid("The request carries no resource properties")
    return request.desiredResourceState


def required(value: Value | None, prop: str) -> Value:
    """A property validate_model requires, typed as present: InvalidRequest naming it otherwise."""
    if value is None:
        raise invalid(f"{prop} is required")
    return value


def validate_model(model: ResourceModel, stack_tags: Mapping[str, Any] | None = None) -> None:
    """Raises InvalidRequest naming the first property that breaks a rule."""
    if model is None:
        raise invalid("The request carries no resource properties")
    for check in MODEL_CHECKS:
        check.run(model)
    applied = desired_tags(model, stack_tags)
    if len(applied) > TAGS_MAX:
        raise invalid(
            f"Tags with the stack's tags come to {len(applied)} tags on each part; AWS allows at most {TAGS_MAX}"
        )
    _validate_tag_text(applied)


@dataclass(frozen=True)
class ModelCheck:
    """One of the checks create and update run before anything is touched. `properties` are the
    properties it reads, the one its messages are about first: the lint rules run a check only
    where a template gives all of them as plain values."""

    properties: tuple[str, ...]
    run: Callable[[ResourceModel], None]


def why_limited(prop: str) -> str:
    """Where a limit is the type's, not the service's, the reason."""
    if prop == "Timeout":
        return (
            f": a pipe's execution, the function's run included, may last {PIPE_EXECUTION_MAX_SECONDS} s; "
            "a longer run counts as failed and its records are sent again (pipelines started twice)"
        )
    return ""


def _validate_name(model: ResourceModel) -> None:
    if not isinstance(model.Name, str) or not NAME.fullmatch(model.Name):
        raise invalid(f"Name must be 1 to 64 letters, digits, - or _, not {model.Name!r}")


def _validate_table_name(model: ResourceModel) -> None:
    if not isinstance(model.TableName, str) or not TABLE_NAME.fullmatch(model.TableName):
        raise invalid(f"TableName must be 3 to 255 letters, digits, _, - or ., not {model.TableName!r}")


def _validate_trigger_type(model: ResourceModel) -> None:
    if model.TriggerType not in TRIGGER_TYPES:
        raise invalid(f"TriggerType must be PIPELINE or SNS_TOPIC, not {model.TriggerType!r}")


def _validate_handler(model: ResourceModel) -> None:
    handler = model.Handler
    if not isinstance(handler, str) or len(handler) > HANDLER_MAX or not HANDLER.fullmatch(handler):
        raise invalid(f"Handler must be module.function (at most {HANDLER_MAX} characters, no spaces), not {handler!r}")


def _validate_table_index_name(model: ResourceModel) -> None:
    if model.TableIndexName is not None and not TABLE_NAME.fullmatch(str(model.TableIndexName)):
        raise invalid(f"TableIndexName must be 3 to 255 letters, digits, _, - or ., not {model.TableIndexName!r}")


def _validate_runtime(model: ResourceModel) -> None:
    if model.Runtime is not None and model.Runtime not in RUNTIMES:
        runtime = shortened(repr(model.Runtime), RUNTIME_SHOWN_MAX)
        raise invalid(f"Runtime must be one of {', '.join(RUNTIMES)} (Lambda's Python runtimes), not {runtime}")


def _validate_range(prop: str) -> Callable[[ResourceModel], None]:
    low, high = INTEGER_RANGES[prop]

    def check(model: ResourceModel) -> None:
        value = getattr(model, prop)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            raise invalid(f"{prop} must be a whole number from {low} to {high}, not {value!r}{why_limited(prop)}")
        if prop == "MaximumRecordAgeInSeconds" and value is not None and RECORD_AGE_FOREVER < value < RECORD_AGE_MIN:
            raise invalid(
                f"MaximumRecordAgeInSeconds must be -1 (keep records until they leave the stream) or from "
                f"{RECORD_AGE_MIN} to {high}, not {value}: AWS refuses 0 to 59"
            )

    return check


def _validate_code(model: ResourceModel) -> None:
    code = model.Code
    if code is None:
        if inline_file_name(required(model.Handler, "Handler")) == BUILTIN_SHARED_MODULE:
            shared_module = BUILTIN_SHARED_MODULE.removesuffix(".py")
            raise invalid(
                f"Handler must not name the module {shared_module} when Code is left out: "
                f"the built-in function's {BUILTIN_SHARED_MODULE} is zipped beside it"
            )
        return
    has_s3 = any(v is not None for v in (code.S3Bucket, code.S3Key, code.S3ObjectVersion))
    has_zip = code.ZipFile is not None
    if has_s3 and has_zip:
        raise invalid("Code must give either S3Bucket and S3Key, or ZipFile, not both")
    if has_zip and not code.ZipFile:
        raise invalid("Code.ZipFile must not be empty")
    if not has_zip and not (code.S3Bucket and code.S3Key):
        raise invalid("Code must give either S3Bucket and S3Key, or ZipFile")
    if code.ZipFile is not None and len(code.ZipFile) > ZIP_FILE_MAX:
        raise invalid(f"Code.ZipFile holds {len(code.ZipFile)} characters; at most {ZIP_FILE_MAX} are allowed")
    if code.S3Bucket is not None and not S3_BUCKET.fullmatch(code.S3Bucket):
        raise invalid(f"Code.S3Bucket must be an S3 bucket name (3 to 63 characters), not {code.S3Bucket!r}")


def _validate_environment(trigger_type: str, environment: Any) -> None:
    if environment is None:
        environment = {}
    if not isinstance(environment, dict):
        raise invalid("Environment must be a map of names to strings")
    size = 0
    for key, value in environment.items():
        if key in RESERVED_ENVIRONMENT_KEYS:
            raise invalid(f"Environment key {key} is reserved by Lambda", f"Environment.{key}")
        if not isinstance(key, str) or not ENVIRONMENT_KEY.fullmatch(key):
            raise invalid(
                f"Environment key {key!r} must start with a letter and hold only letters, digits and _ (2 or more)",
                f"Environment.{key}",
            )
        if not isinstance(value, str):
            raise invalid(f"Environment value of {key} must be a string", f"Environment.{key}")
        if value != value.strip() and any(arn.fullmatch(value.strip()) for arn in (CODEPIPELINE_ARN, SNS_TOPIC_ARN)):
            raise invalid(
                f"Environment value of {key} has whitespace around an ARN: AWS takes it as it is, so "
                "neither the function role's policy nor the function would use it; remove the whitespace",
                f"Environment.{key}",
            )
        size += len(key.encode()) + len(value.encode())
    if size > ENVIRONMENT_MAX_BYTES:
        raise invalid(f"Environment holds {size} bytes of keys and values; Lambda allows {ENVIRONMENT_MAX_BYTES}")
    _validate_environment_arns(trigger_type, environment)


def _validate_model_environment(model: ResourceModel) -> None:
    _validate_environment(required(model.TriggerType, "TriggerType"), model.Environment)


def _validate_environment_arns(trigger_type: str, environment: Mapping[str, str]) -> None:
    """At least one ARN of the trigger type's kind, none of the other kind."""
    own, other, own_kind, other_kind = (
        (CODEPIPELINE_ARN, SNS_TOPIC_ARN, "CodePipeline", "SNS topic")
        if trigger_type == "PIPELINE"
        else (SNS_TOPIC_ARN, CODEPIPELINE_ARN, "SNS topic", "CodePipeline")
    )
    wrong = sorted(key for key, value in environment.items() if other.fullmatch(value))
    if wrong:
        raise invalid(
            f"Environment does not fit TriggerType {trigger_type}: {', '.join(wrong)} "
            f"holds a {other_kind} ARN, where a {trigger_type} trigger takes {own_kind} ARNs",
            f"Environment.{wrong[0]}",
        )
    if not any(own.fullmatch(value) for value in environment.values()):
        raise invalid(f"Environment must hold at least one {own_kind} ARN for TriggerType {trigger_type}")


def _validate_starting_position(model: ResourceModel) -> None:
    if model.StartingPosition is not None and model.StartingPosition not in STARTING_POSITIONS:
        raise invalid(f"StartingPosition must be LATEST or TRIM_HORIZON, not {model.StartingPosition!r}")


def _validate_partial_batch(model: ResourceModel) -> None:
    if model.OnPartialBatchItemFailure is not None and model.OnPartialBatchItemFailure != "AUTOMATIC_BISECT":
        raise invalid(f"OnPartialBatchItemFailure must be AUTOMATIC_BISECT, not {model.OnPartialBatchItemFailure!r}")


def _validate_dead_letter_queue(model: ResourceModel) -> None:
    if model.DeadLetterQueueArn is not None and not is_dead_letter_arn(str(model.DeadLetterQueueArn)):
        raise invalid(
            f"DeadLetterQueueArn must be the ARN of an SQS queue or an SNS topic, not {model.DeadLetterQueueArn!r}"
        )


def _validate_input_template(model: ResourceModel) -> None:
    if model.InputTemplate is not None and len(model.InputTemplate) > INPUT_TEMPLATE_MAX:
        raise invalid(f"InputTemplate holds {len(model.InputTemplate)} characters; Pipes allows {INPUT_TEMPLATE_MAX}")


def _validate_log_level(model: ResourceModel) -> None:
    if model.LogLevel is not None and model.LogLevel not in LOG_LEVELS:
        raise invalid(f"LogLevel must be OFF, ERROR, INFO or TRACE, not {model.LogLevel!r}")


def _validate_retention(prop: str) -> Callable[[ResourceModel], None]:
    def check(model: ResourceModel) -> None:
        retention = getattr(model, prop)
        if retention is not None and (isinstance(retention, bool) or retention not in LOG_RETENTION_DAYS):
            days = ", ".join(str(days) for days in LOG_RETENTION_DAYS)
            raise invalid(f"{prop} must be one of {days}, not {retention!r}")

    return check


def _validate_kms_key(model: ResourceModel) -> None:
    if model.KmsKeyArn is not None and not KMS_KEY_ARN.fullmatch(str(model.KmsKeyArn)):
        raise invalid(
            f"KmsKeyArn must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>), not {model.KmsKeyArn!r}"
        )


def _validate_desired_state(model: ResourceModel) -> None:
    if model.DesiredState is not None and model.DesiredState not in DESIRED_STATES:
        raise invalid(f"DesiredState must be RUNNING or STOPPED, not {model.DesiredState!r}")


def named_filter_patterns(model: ResourceModel) -> list[tuple[str, object]]:
    """Each pattern the model gives, with the property path that messages name it by."""
    named: list[tuple[str, object]] = [(ROOT, model.FilterPattern)] if model.FilterPattern is not None else []
    for index, entry in enumerate(model.FilterPatterns or []):
        named.append((f"FilterPatterns[{index}].Pattern", entry.Pattern if isinstance(entry, Filter) else entry))
    return named


def _validate_filters(model: ResourceModel) -> None:
    """FilterPattern, or 2 to 5 FilterPatterns, each a valid filter on a DynamoDB stream."""
    patterns = model.FilterPatterns
    if patterns is not None and model.FilterPattern is not None:
        raise invalid("FilterPattern and FilterPatterns exclude each other: give one pattern or a list of 2 to 5")
    low, high = FILTER_PATTERNS_RANGE
    if patterns is not None and (not isinstance(patterns, list) or not low <= len(patterns) <= high):
        count = len(patterns) if isinstance(patterns, list) else "not a list"
        raise invalid(
            f"FilterPatterns must be a list of {low} to {high} patterns (Pipes takes at most {high}; "
            f"give a single pattern as FilterPattern), not {count}"
        )
    for root, pattern in named_filter_patterns(model):
        try:
            validate_stream_filter(pattern, root)
        except PatternError as error:
            raise invalid(str(error), error.path) from error


def _validate_description(model: ResourceModel) -> None:
    description = model.Description
    if description is not None and (not isinstance(description, str) or len(description) > DESCRIPTION_MAX):
        raise invalid(f"Description must be text of at most {DESCRIPTION_MAX} characters (Lambda's limit)")


def _validate_architectures(model: ResourceModel) -> None:
    chosen = model.Architectures
    if chosen is not None and (not isinstance(chosen, list) or len(chosen) != 1 or chosen[0] not in ARCHITECTURES):
        raise invalid(f"Architectures must be [x86_64] or [arm64], not {shortened(repr(chosen), RUNTIME_SHOWN_MAX)}")


def _validate_ephemeral_storage(model: ResourceModel) -> None:
    if model.EphemeralStorage is not None:
        size, (low, high) = model.EphemeralStorage.Size, EPHEMERAL_STORAGE_RANGE
        if isinstance(size, bool) or not isinstance(size, int) or not low <= size <= high:
            raise invalid(
                f"EphemeralStorage.Size must be a whole number of MB from {low} to {high}, not {size!r}",
                "EphemeralStorage.Size",
            )


def _validate_tracing(model: ResourceModel) -> None:
    if model.TracingConfig is not None and model.TracingConfig.Mode not in TRACING_MODES:
        raise invalid(
            f"TracingConfig.Mode must be Active or PassThrough, not {model.TracingConfig.Mode!r}", "TracingConfig.Mode"
        )


def _validate_reserved_concurrency(model: ResourceModel) -> None:
    reserved = model.ReservedConcurrentExecutions
    if reserved is not None and (isinstance(reserved, bool) or not isinstance(reserved, int) or reserved < 0):
        raise invalid(f"ReservedConcurrentExecutions must be a whole number, 0 or more, not {reserved!r}")


def _validate_vpc(model: ResourceModel) -> None:
    if model.VpcConfig is not None:
        vpc = model.VpcConfig
        _validate_ids("VpcConfig.SubnetIds", vpc.SubnetIds, SUBNET_ID, SUBNETS_RANGE, "subnet-")
        _validate_ids(
            "VpcConfig.SecurityGroupIds", vpc.SecurityGroupIds, SECURITY_GROUP_ID, SECURITY_GROUPS_RANGE, "sg-"
        )


def _validate_layers(model: ResourceModel) -> None:
    layers = model.Layers
    if layers is None:
        return
    if not isinstance(layers, list) or len(layers) > LAYERS_MAX:
        raise invalid(f"Layers must be a list of at most {LAYERS_MAX} layer version ARNs (Lambda's limit)")
    for index, layer in enumerate(layers):
        if not isinstance(layer, str) or not LAYER_VERSION_ARN.fullmatch(layer):
            raise invalid(
                f"Layers[{index}] must be a layer version's ARN (arn:aws:lambda:<region>:<account>:layer:<name>:"
                f"<version>), not {shortened(repr(layer), RUNTIME_SHOWN_MAX)}",
                f"Layers[{index}]",
            )
    if len(set(layers)) != len(layers):
        raise invalid("Layers names a layer version twice")


def _validate_ids(prop: str, ids: object, pattern: re.Pattern[str], limits: tuple[int, int], prefix: str) -> None:
    low, high = limits
    if not isinstance(ids, list) or not low <= len(ids) <= high:
        raise invalid(f"{prop} must be a list of {low} to {high} IDs")
    for index, value in enumerate(ids):
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise invalid(
                f"{prop}[{index}] must be an ID such as {prefix}0123456789abcdef0, "
                f"not {shortened(repr(value), RUNTIME_SHOWN_MAX)}",
                f"{prop}[{index}]",
            )
    if len(set(ids)) != len(ids):
        raise invalid(f"{prop} names an ID twice")


def validate_layers_allowed(
    model: ResourceModel, type_configuration: TypeConfigurationModel | None, region: str
) -> None:
    """Layers only of this region (Lambda's rule) and only those the type configuration's
    LayerArns lists: the execution role fetches each layer, so an unlisted one would let a stack
    author deploy, and then read from the function, any layer the role can reach."""
    allowed = list(getattr(type_configuration, "LayerArns", None) or [])
    for index, layer in enumerate(model.Layers or []):
        if layer_region(layer) != region:
            raise invalid(f"Layers[{index}] {layer} is not in {region}: a function takes only layers of its region")
        if layer_of_version(layer) not in allowed:
            listed = ", ".join(allowed) or "none: the type configuration sets no LayerArns"
            raise invalid(
                f"Layers[{index}] {layer} is not a version of a layer the type configuration's LayerArns lists "
                f"(allowed: {listed}); ask the account's administrator to add it"
            )


def is_alarm_topic_arn(arn: str) -> bool:
    """A standard SNS topic's ARN (the schema's AlarmTopicArn pattern)."""
    return bool(SNS_TOPIC_ARN.fullmatch(arn)) and not arn.endswith(".fifo")


def _validate_alarm_topic_kind(model: ResourceModel) -> None:
    """A standard SNS topic; whether it is of the trigger's region only the request says (validate_alarm_topic)."""
    topic = model.AlarmTopicArn
    if topic is None:
        return
    if not SNS_TOPIC_ARN.fullmatch(topic):
        raise invalid(f"AlarmTopicArn must be the ARN of an SNS topic, not {shortened(topic, 300)!r}")
    if not is_alarm_topic_arn(topic):
        raise invalid(
            f"AlarmTopicArn {topic} is a FIFO topic: SNS takes a message there only with a message group, "
            "which CloudWatch's notifications do not carry; use a standard topic"
        )


def validate_alarm_topic(model: ResourceModel, region: str) -> None:
    """A standard SNS topic of the trigger's region: CloudWatch notifies topics of the alarm's region only."""
    _validate_alarm_topic_kind(model)
    topic = model.AlarmTopicArn
    if topic is not None and topic.split(":")[3] != region:
        raise invalid(
            f"AlarmTopicArn {topic} is not in {region}: CloudWatch notifies only topics of the alarm's region"
        )


def _validate_logging_config(model: ResourceModel) -> None:
    config = model.LoggingConfig
    if config is None:
        return
    if config.LogFormat is not None and config.LogFormat not in LOG_FORMATS:
        raise invalid(
            f"LoggingConfig.LogFormat must be Text or JSON, not {config.LogFormat!r}", "LoggingConfig.LogFormat"
        )
    levels = (
        ("ApplicationLogLevel", config.ApplicationLogLevel, APPLICATION_LOG_LEVELS),
        ("SystemLogLevel", config.SystemLogLevel, SYSTEM_LOG_LEVELS),
    )
    for prop, level, allowed in levels:
        if level is None:
            continue
        if level not in allowed:
            raise invalid(
                f"LoggingConfig.{prop} must be one of {', '.join(allowed)}, not {level!r}", f"LoggingConfig.{prop}"
            )
        if config.LogFormat != "JSON":
            raise invalid(
                f"LoggingConfig.{prop} needs LoggingConfig.LogFormat JSON: Lambda filters logs by level "
                "only in the JSON format",
                f"LoggingConfig.{prop}",
            )


# What IAM, Lambda and Pipes accept in a tag key or value: [\p{L}\p{Z}\p{N}_.:/=+\-@]*
TAG_PUNCTUATION = frozenset("_.:/=+-@")
TAG_CHARACTERS = "letters, digits, spaces and _ . : / = + - @"


def tag_text_allowed(text: str) -> bool:
    return all(
        char.isalpha() or char.isnumeric() or unicodedata.category(char).startswith("Z") or char in TAG_PUNCTUATION
        for char in text
    )


def _validate_tag_text(tags: Mapping[str, str]) -> None:
    for key, value in tags.items():
        if not tag_text_allowed(key):
            raise invalid(
                f"Tags: tag key {key[:128]!r} holds a character AWS does not allow in tags ({TAG_CHARACTERS})"
            )
        if not tag_text_allowed(value):
            raise invalid(
                f"Tags: the value of tag {key[:128]!r} holds a character AWS does not allow in tags ({TAG_CHARACTERS})"
            )


def _validate_tags(model: ResourceModel) -> None:
    tags: Any = model.Tags
    if not tags:
        return
    if len(tags) > TAGS_MAX:
        raise invalid(f"Tags holds {len(tags)} tags; at most {TAGS_MAX} are allowed")
    keys = [tag.Key for tag in tags]
    for key in keys:
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            raise invalid(f"Tags key {key!r} must be 1 to 128 characters and not start with aws:")
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise invalid(f"Tags repeats the key {', '.join(duplicates)}")
    for tag in tags:
        if tag.Value is None or len(tag.Value) > 256:
            raise invalid(f"Tags value of {tag.Key} must be 0 to 256 characters")


def _validate_own_tag_text(model: ResourceModel) -> None:
    _validate_tag_text(desired_tags(model, None))


def filter_warnings(model: ResourceModel) -> list[str]:
    """What a valid FilterPattern or FilterPatterns asks that can never match in a stream record."""
    return [
        f"Warning: {warning}."
        for root, pattern in named_filter_patterns(model)
        if isinstance(pattern, dict)
        for warning in numeric_on_stream_numbers(pattern, root)
    ]


# In the order create and update run them: the first that fails is the one reported.
MODEL_CHECKS: tuple[ModelCheck, ...] = (
    ModelCheck(("Name",), _validate_name),
    ModelCheck(("TableName",), _validate_table_name),
    ModelCheck(("TriggerType",), _validate_trigger_type),
    ModelCheck(("Handler",), _validate_handler),
    ModelCheck(("TableIndexName",), _validate_table_index_name),
    ModelCheck(("Runtime",), _validate_runtime),
    ModelCheck(("Code", "Handler"), _validate_code),
    ModelCheck(("Environment", "TriggerType"), _validate_model_environment),
    ModelCheck(("Description",), _validate_description),
    ModelCheck(("Architectures",), _validate_architectures),
    ModelCheck(("EphemeralStorage",), _validate_ephemeral_storage),
    ModelCheck(("TracingConfig",), _validate_tracing),
    ModelCheck(("LoggingConfig",), _validate_logging_config),
    ModelCheck(("ReservedConcurrentExecutions",), _validate_reserved_concurrency),
    ModelCheck(("Layers",), _validate_layers),
    ModelCheck(("VpcConfig",), _validate_vpc),
    ModelCheck(("StartingPosition",), _validate_starting_position),
    ModelCheck(("OnPartialBatchItemFailure",), _validate_partial_batch),
    ModelCheck(("DeadLetterQueueArn",), _validate_dead_letter_queue),
    ModelCheck(("InputTemplate",), _validate_input_template),
    ModelCheck(("LogLevel",), _validate_log_level),
    ModelCheck(("LogRetentionInDays",), _validate_retention("LogRetentionInDays")),
    ModelCheck(("FunctionLogRetentionInDays",), _validate_retention("FunctionLogRetentionInDays")),
    ModelCheck(("KmsKeyArn",), _validate_kms_key),
    ModelCheck(("AlarmTopicArn",), _validate_alarm_topic_kind),
    ModelCheck(("DesiredState",), _validate_desired_state),
    ModelCheck(("FilterPattern", "FilterPatterns"), _validate_filters),
    ModelCheck(("Tags",), _validate_tags),
    ModelCheck(("Tags",), _validate_own_tag_text),
    *(ModelCheck((prop,), _validate_range(prop)) for prop in INTEGER_RANGES),
)
