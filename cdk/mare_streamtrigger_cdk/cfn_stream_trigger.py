"""The typed L1 construct of Mare::DynamoDB::StreamTrigger, generated from schema.json.

Written by scripts/generate_cdk.py (`make generate`); edit the schema, not this file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import jsii
from aws_cdk import CfnResource, ITaggable, TagManager, TagType, Token
from constructs import Construct

TYPE_NAME = "Mare::DynamoDB::StreamTrigger"


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """The values that are set: the template leaves the others out."""
    return {key: value for key, value in values.items() if value is not None}


@dataclasses.dataclass(frozen=True, kw_only=True)
class CodeProperty:
    """The function's code: either an object in S3 (S3Bucket, S3Key, optionally S3ObjectVersion) or inline source
    (ZipFile). Leave it out to deploy the built-in function of the trigger type: PIPELINE starts every
    CodePipeline pipeline named by ARN in Environment; SNS_TOPIC publishes each new image, as plain JSON, to
    every SNS topic named there.
    """

    s3_bucket: str | None = None
    """The S3 bucket that holds the deployment package: one the type configuration's CodeBuckets lists, in this
    account.
    """
    s3_key: str | None = None
    """The key of the deployment package in S3Bucket."""
    s3_object_version: str | None = None
    """The version of the deployment package, for a versioned bucket."""
    zip_file: str | None = None
    """Inline source of the function, written to the file named by the module part of Handler."""

    def to_cloudformation(self) -> dict[str, Any]:
        """This Code as the template holds it."""
        return _present(
            {
                "S3Bucket": self.s3_bucket,
                "S3Key": self.s3_key,
                "S3ObjectVersion": self.s3_object_version,
                "ZipFile": self.zip_file,
            }
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class TagProperty:
    """A key-value pair applied to both roles, the function and the pipe."""

    key: str
    """The tag's key: 1 to 128 characters, not starting with aws:."""
    value: str
    """The tag's value: 0 to 256 characters."""

    def to_cloudformation(self) -> dict[str, Any]:
        """This Tag as the template holds it."""
        return _present(
            {
                "Key": self.key,
                "Value": self.value,
            }
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class EphemeralStorageProperty:
    """The size of the function's /tmp directory."""

    size: int | float
    """The size of /tmp in MB: 512 to 10240."""

    def to_cloudformation(self) -> dict[str, Any]:
        """This EphemeralStorage as the template holds it."""
        return _present(
            {
                "Size": self.size,
            }
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class TracingConfigProperty:
    """Whether the function samples and records its invocations with AWS X-Ray."""

    mode: Literal["Active", "PassThrough"]
    """Active traces the function's invocations (its role may then write traces to X-Ray); PassThrough traces only
    those that arrive traced.
    """

    def to_cloudformation(self) -> dict[str, Any]:
        """This TracingConfig as the template holds it."""
        return _present(
            {
                "Mode": self.mode,
            }
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoggingConfigProperty:
    """How the function's logs reach CloudWatch Logs (its log group is /aws/lambda/<Name>)."""

    log_format: Literal["Text", "JSON"] | None = None
    """Text (Lambda's default) or JSON. The log levels below need JSON."""
    application_log_level: Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] | None = None
    """The most detailed level of the function's own logs that Lambda keeps (JSON only)."""
    system_log_level: Literal["DEBUG", "INFO", "WARN"] | None = None
    """The most detailed level of Lambda's own logs of the function that Lambda keeps (JSON only)."""

    def to_cloudformation(self) -> dict[str, Any]:
        """This LoggingConfig as the template holds it."""
        return _present(
            {
                "LogFormat": self.log_format,
                "ApplicationLogLevel": self.application_log_level,
                "SystemLogLevel": self.system_log_level,
            }
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class FilterProperty:
    """One of FilterPatterns: a record passes when its Pattern, or another's, matches."""

    pattern: Mapping[str, Any]
    """An EventBridge Pipes filter pattern over the stream records, checked as FilterPattern is."""

    def to_cloudformation(self) -> dict[str, Any]:
        """This Filter as the template holds it."""
        return _present(
            {
                "Pattern": dict(self.pattern),
            }
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class VpcConfigProperty:
    """The VPC the function reaches: its subnets and security groups, all of one VPC that the type configuration's
    VpcIds lists. The function's role may then create, use and delete network interfaces in exactly these
    subnets and groups. Removing it takes the function out of the VPC.
    """

    subnet_ids: Sequence[str]
    """1 to 16 subnets, in different Availability Zones for availability."""
    security_group_ids: Sequence[str]
    """1 to 5 security groups of the same VPC."""

    def to_cloudformation(self) -> dict[str, Any]:
        """This VpcConfig as the template holds it."""
        return _present(
            {
                "SubnetIds": list(self.subnet_ids),
                "SecurityGroupIds": list(self.security_group_ids),
            }
        )


class DynamoDBStreamTriggerOptions(TypedDict, total=False):
    """The optional properties but those the drop-in names as the construct did: its `**more`."""

    code: CodeProperty
    runtime: Literal["python3.10", "python3.11", "python3.12", "python3.13", "python3.14", "python3.15"]
    memory_size: int | float
    timeout: int | float
    description: str
    architectures: Sequence[Literal["x86_64", "arm64"]]
    ephemeral_storage: EphemeralStorageProperty
    tracing_config: TracingConfigProperty
    logging_config: LoggingConfigProperty
    reserved_concurrent_executions: int | float
    function_log_retention_in_days: Literal[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
    ]
    layers: Sequence[str]
    vpc_config: VpcConfigProperty
    filter_patterns: Sequence[FilterProperty]
    starting_position: Literal["LATEST", "TRIM_HORIZON"]
    desired_state: Literal["RUNNING", "STOPPED"]
    batch_size: int | float
    maximum_batching_window_in_seconds: int | float
    parallelization_factor: int | float
    maximum_retry_attempts: int | float
    maximum_record_age_in_seconds: int | float
    on_partial_batch_item_failure: Literal["AUTOMATIC_BISECT"]
    dead_letter_queue_arn: str
    alarm_topic_arn: str
    input_template: str
    log_level: Literal["OFF", "ERROR", "INFO", "TRACE"]
    log_retention_in_days: Literal[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
    ]
    kms_key_arn: str
    tags: Sequence[TagProperty]


class CfnStreamTriggerOptions(DynamoDBStreamTriggerOptions, total=False):
    """Every optional property, for a construct that passes them on (`**options`)."""

    environment: Mapping[str, str]
    filter_pattern: Mapping[str, Any]
    table_index_name: str
    is_devops: bool


@jsii.implements(ITaggable)
class CfnStreamTrigger(CfnResource):
    """A Mare::DynamoDB::StreamTrigger: Runs a Lambda function on the changes of an existing DynamoDB table: builds
    the function and its role, an EventBridge Pipe from the table's stream to the function, the pipe's role, and
    the permissions that fit the trigger (CodePipeline or SNS). Tags.of(scope).add(...) reaches its Tags.
    """

    CFN_RESOURCE_TYPE_NAME = TYPE_NAME
    PROPERTY_NAMES = (
        "Name",
        "TableName",
        "TriggerType",
        "Handler",
        "Code",
        "Runtime",
        "MemorySize",
        "Timeout",
        "Description",
        "Architectures",
        "EphemeralStorage",
        "TracingConfig",
        "LoggingConfig",
        "ReservedConcurrentExecutions",
        "FunctionLogRetentionInDays",
        "Layers",
        "VpcConfig",
        "Environment",
        "FilterPattern",
        "FilterPatterns",
        "TableIndexName",
        "IsDevops",
        "StartingPosition",
        "DesiredState",
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "ParallelizationFactor",
        "MaximumRetryAttempts",
        "MaximumRecordAgeInSeconds",
        "OnPartialBatchItemFailure",
        "DeadLetterQueueArn",
        "AlarmTopicArn",
        "InputTemplate",
        "LogLevel",
        "LogRetentionInDays",
        "KmsKeyArn",
        "Tags",
    )
    ATTRIBUTE_NAMES = ("FunctionArn", "FunctionRoleArn", "PipeArn", "PipeRoleArn", "TableArn", "StreamArn")

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        table_name: str,
        trigger_type: Literal["PIPELINE", "SNS_TOPIC"],
        handler: str,
        code: CodeProperty | None = None,
        runtime: Literal["python3.10", "python3.11", "python3.12", "python3.13", "python3.14", "python3.15"]
        | None = None,
        memory_size: int | float | None = None,
        timeout: int | float | None = None,
        description: str | None = None,
        architectures: Sequence[Literal["x86_64", "arm64"]] | None = None,
        ephemeral_storage: EphemeralStorageProperty | None = None,
        tracing_config: TracingConfigProperty | None = None,
        logging_config: LoggingConfigProperty | None = None,
        reserved_concurrent_executions: int | float | None = None,
        function_log_retention_in_days: Literal[
            1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
        ]
        | None = None,
        layers: Sequence[str] | None = None,
        vpc_config: VpcConfigProperty | None = None,
        environment: Mapping[str, str] | None = None,
        filter_pattern: Mapping[str, Any] | None = None,
        filter_patterns: Sequence[FilterProperty] | None = None,
        table_index_name: str | None = None,
        is_devops: bool | None = None,
        starting_position: Literal["LATEST", "TRIM_HORIZON"] | None = None,
        desired_state: Literal["RUNNING", "STOPPED"] | None = None,
        batch_size: int | float | None = None,
        maximum_batching_window_in_seconds: int | float | None = None,
        parallelization_factor: int | float | None = None,
        maximum_retry_attempts: int | float | None = None,
        maximum_record_age_in_seconds: int | float | None = None,
        on_partial_batch_item_failure: Literal["AUTOMATIC_BISECT"] | None = None,
        dead_letter_queue_arn: str | None = None,
        alarm_topic_arn: str | None = None,
        input_template: str | None = None,
        log_level: Literal["OFF", "ERROR", "INFO", "TRACE"] | None = None,
        log_retention_in_days: Literal[
            1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
        ]
        | None = None,
        kms_key_arn: str | None = None,
        tags: Sequence[TagProperty] | None = None,
    ) -> None:
        """Declares the resource.

        Args:
            name: The name of the function and of the pipe. The two roles are named after it.
            table_name: The full name of the existing DynamoDB table. Its ARN and stream ARN are read from the SSM
                parameters dynamodb_table_<name> and dynamodb_table_stream_<name>, with - replaced by _.
            trigger_type: What the function triggers: PIPELINE (CodePipeline executions) or SNS_TOPIC (SNS
                publishing). The function's role may act on exactly the ARNs of that kind found among the Environment
                values.
            handler: The function's handler, as module.function. Without Code, the built-in function of the trigger
                type is deployed as this handler (for instance index.handler).
            code: The function's code: either an object in S3 (S3Bucket, S3Key, optionally S3ObjectVersion) or
                inline source (ZipFile). Leave it out to deploy the built-in function of the trigger type: PIPELINE
                starts every CodePipeline pipeline named by ARN in Environment; SNS_TOPIC publishes each new image, as
                plain JSON, to every SNS topic named there.
            runtime: The function's runtime: one of Lambda's Python runtimes from python3.10 (the built-in functions
                use Python 3.10 syntax).
            memory_size: The function's memory in MB.
            timeout: The function's timeout in seconds, at most 300: a pipe's execution, the function's run
                included, may last 5 minutes, and a longer run counts as failed and is retried.
            description: A description of the trigger, given to both the function and the pipe: 0 to 256 characters
                (Lambda's limit; the pipe's is 512).
            architectures: The function's instruction set: [x86_64] (Lambda's default) or [arm64]. The built-in
                functions run on both.
            ephemeral_storage: The size of the function's /tmp directory.
            tracing_config: Whether the function samples and records its invocations with AWS X-Ray.
            logging_config: How the function's logs reach CloudWatch Logs (its log group is /aws/lambda/<Name>).
            reserved_concurrent_executions: How many runs of the function at once are reserved for it, and its most:
                0 or more. 0 keeps it from running (pause a trigger with DesiredState STOPPED instead). Left out, the
                function shares the account's unreserved concurrency; removing it deletes the function's setting. AWS
                refuses a value that would leave the account less unreserved concurrency than its minimum.
            function_log_retention_in_days: How long the function's log group, /aws/lambda/<Name>, keeps its events;
                absent leaves the group to Lambda, which keeps them forever. The type makes the group, tagged as its
                own, before the function, and removes it on delete. On update, a group Lambda made since the trigger was
                created is taken as the trigger's own; a group older than the trigger is someone else's, and
                FunctionLogRetentionInDays is refused there. Removing it keeps the group, its events kept forever.
            layers: Up to 5 Lambda layer versions (layer version ARNs of this region) added to the function's code,
                in order. Each layer must be one the type configuration's LayerArns lists: the type's execution role
                fetches the layer, so without that list any stack author could have it deploy, and so read, any layer
                the role can reach. Removing it removes the layers.
            vpc_config: The VPC the function reaches: its subnets and security groups, all of one VPC that the type
                configuration's VpcIds lists. The function's role may then create, use and delete network interfaces in
                exactly these subnets and groups. Removing it takes the function out of the VPC.
            environment: The function's environment variables. Their values name the CodePipeline pipelines
                (PIPELINE) or SNS topics (SNS_TOPIC) that the function may act on.
            filter_pattern: An EventBridge Pipes filter pattern over the stream records; absent (and without
                FilterPatterns) means every record.
            filter_patterns: 2 to 5 filters, each with an EventBridge Pipes filter pattern (Pattern) over the stream
                records: a record passes when any of them matches. FilterPattern and FilterPatterns exclude each other.
            table_index_name: A secondary index of the table that the function queries and updates: its role may
                call dynamodb:Query and dynamodb:UpdateItem on the table and this index.
            is_devops: Whether the table's SSM parameters are read in the foundation (devops) account, through the
                type configuration's DevopsParameterRoleArn; with false, or with nothing configured, they are read in
                the stack's own account.
            starting_position: Where the pipe starts reading the stream.
            desired_state: RUNNING reads the stream and runs the function; STOPPED keeps the trigger but reads
                nothing. While STOPPED, records older than the stream's 24 hours are lost.
            batch_size: The most records the pipe sends to the function at once.
            maximum_batching_window_in_seconds: The longest the pipe gathers records before it invokes the function.
            parallelization_factor: How many batches of one stream shard the pipe processes at once: 1 to 10. The
                records of one item (one key) stay in order.
            maximum_retry_attempts: How often the pipe retries a failed batch; -1 retries until the record expires.
                Default: -1 (AWS's), or 3 when DeadLetterQueueArn is set, so that failed records reach the queue instead
                of holding the shard until they expire.
            maximum_record_age_in_seconds: Records older than this are discarded (or sent to the dead-letter queue):
                -1 keeps them until they expire from the stream, otherwise 60 to 604800 (AWS refuses 0 to 59). Default:
                -1 (AWS's), or 3600 when DeadLetterQueueArn is set.
            on_partial_batch_item_failure: With AUTOMATIC_BISECT the pipe halves a failing batch and retries each
                half.
            dead_letter_queue_arn: An SQS queue or an SNS topic that receives the records the pipe gives up on
                (Pipes takes either for a DynamoDB stream). The pipe's role may send to exactly it (sqs:SendMessage or
                sns:Publish), and use its KMS key where it has one.
            alarm_topic_arn: An SNS topic of the trigger's region to notify when the trigger fails: the type creates
                CloudWatch alarms named mare-streamtrigger-<Name>-<what> on the pipe's failed executions, the function's
                errors and throttles and, with an SQS dead-letter queue, messages waiting in it. Each alarms on 1 or
                more in 5 minutes, notifies the topic when it goes into alarm and back to OK, and is tagged as the
                trigger's. Leave it out to have no alarms. A standard topic: CloudWatch's notifications carry no message
                group, which a FIFO topic requires. The topic's access policy must let CloudWatch publish
                (cloudwatch.amazonaws.com), and its KMS key, if any, too.
            input_template: What the pipe sends to the function for each record. The default is the construct's
                template, {"Records": [{"dynamodb": {"NewImage": <$.dynamodb.NewImage>}}]}; without Code it also keeps
                each record's eventID and dynamodb.SequenceNumber, which name a record in a partial batch response
                ({"batchItemFailures": [{"itemIdentifier": <eventID>}]}).
            log_level: What the pipe logs: OFF, ERROR, INFO or TRACE. With anything but OFF the pipe logs to the log
                group /aws/vendedlogs/pipes/<Name>, which the type creates when it does not exist (and then removes with
                the trigger).
            log_retention_in_days: How long the pipe's log group keeps its events; absent keeps them forever.
                Applies when LogLevel is not OFF, and only to a log group the type made: where
                /aws/vendedlogs/pipes/<Name> already exists and is not the type's, the pipe logs there as it is and
                LogRetentionInDays is refused.
            kms_key_arn: A customer managed KMS key with which the pipe encrypts its filter and input template at
                rest; absent uses a key AWS owns. The key policy must let the pipe's role use it
                (docs/compared-with-pipes.md gives the statement).
            tags: Tags applied, with the stack's tags, to both roles, the function and the pipe.
        """
        super().__init__(
            scope,
            id,
            type=TYPE_NAME,
            properties=_present(
                {
                    "Name": name,
                    "TableName": table_name,
                    "TriggerType": trigger_type,
                    "Handler": handler,
                    "Code": None if code is None else code.to_cloudformation(),
                    "Runtime": runtime,
                    "MemorySize": memory_size,
                    "Timeout": timeout,
                    "Description": description,
                    "Architectures": None if architectures is None else list(architectures),
                    "EphemeralStorage": None if ephemeral_storage is None else ephemeral_storage.to_cloudformation(),
                    "TracingConfig": None if tracing_config is None else tracing_config.to_cloudformation(),
                    "LoggingConfig": None if logging_config is None else logging_config.to_cloudformation(),
                    "ReservedConcurrentExecutions": reserved_concurrent_executions,
                    "FunctionLogRetentionInDays": function_log_retention_in_days,
                    "Layers": None if layers is None else list(layers),
                    "VpcConfig": None if vpc_config is None else vpc_config.to_cloudformation(),
                    "Environment": None if environment is None else dict(environment),
                    "FilterPattern": None if filter_pattern is None else dict(filter_pattern),
                    "FilterPatterns": None
                    if filter_patterns is None
                    else [item.to_cloudformation() for item in filter_patterns],
                    "TableIndexName": table_index_name,
                    "IsDevops": is_devops,
                    "StartingPosition": starting_position,
                    "DesiredState": desired_state,
                    "BatchSize": batch_size,
                    "MaximumBatchingWindowInSeconds": maximum_batching_window_in_seconds,
                    "ParallelizationFactor": parallelization_factor,
                    "MaximumRetryAttempts": maximum_retry_attempts,
                    "MaximumRecordAgeInSeconds": maximum_record_age_in_seconds,
                    "OnPartialBatchItemFailure": on_partial_batch_item_failure,
                    "DeadLetterQueueArn": dead_letter_queue_arn,
                    "AlarmTopicArn": alarm_topic_arn,
                    "InputTemplate": input_template,
                    "LogLevel": log_level,
                    "LogRetentionInDays": log_retention_in_days,
                    "KmsKeyArn": kms_key_arn,
                }
            ),
        )
        # Tags: rendered by the tag manager (as [{Key, Value}]) with those Tags.of() adds.
        self._tag_manager = TagManager(
            TagType.KEY_VALUE,
            TYPE_NAME,
            None if tags is None else {tag.key: tag.value for tag in tags},
            tag_property_name="Tags",
        )

    @property
    def tags(self) -> TagManager:
        """The tag manager of the resource (ITaggable)."""
        return self._tag_manager

    @property
    def attr_function_arn(self) -> str:
        """The function's ARN."""
        return Token.as_string(self.get_att("FunctionArn"))

    @property
    def attr_function_role_arn(self) -> str:
        """The ARN of the function's execution role."""
        return Token.as_string(self.get_att("FunctionRoleArn"))

    @property
    def attr_pipe_arn(self) -> str:
        """The pipe's ARN."""
        return Token.as_string(self.get_att("PipeArn"))

    @property
    def attr_pipe_role_arn(self) -> str:
        """The ARN of the pipe's execution role."""
        return Token.as_string(self.get_att("PipeRoleArn"))

    @property
    def attr_table_arn(self) -> str:
        """The table's ARN."""
        return Token.as_string(self.get_att("TableArn"))

    @property
    def attr_stream_arn(self) -> str:
        """The ARN of the table's stream that the pipe reads."""
        return Token.as_string(self.get_att("StreamArn"))
