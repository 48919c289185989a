"""DynamoDBStreamTrigger: the CDK construct's call, word for word, made into one Mare::DynamoDB::StreamTrigger.

The construct built a function, a pipe and their roles itself; this one declares the type, whose
handlers build the same. Each keyword argument keeps the construct's meaning:

- `trigger_type`: StreamTriggerType.PIPELINE or .SNS_TOPIC (TriggerType).
- `table_base_name`: turned into the table's name (TableName) by the naming rule: `table_naming`
  if given, else the rule `use_table_naming` set for helpers, applied to `app_helper`, else the
  name as given. The type reads the table's SSM parameters under that name, as the construct did.
- `resource_base_name`: the function's and the pipe's name (Name).
- `lambda_handler` (Handler), `env_vars` (Environment), `filter_pattern` (FilterPattern),
  `table_index_name` (TableIndexName), `is_devops` (IsDevops).
- `lambda_code_path`: a folder or a .zip file, uploaded as an S3 asset of the app and given as
  Code.S3Bucket and Code.S3Key; None deploys the type's built-in function of the trigger type.
- `app_helper`: used for the naming only. The type reads the SSM parameters itself (in the
  foundation account through its type configuration when `is_devops`), and takes the region and
  account from the stack, so nothing else of the helper is needed.

Every other property of the type is a keyword argument of CfnStreamTrigger's, passed through
(`starting_position="TRIM_HORIZON"`, `dead_letter_queue_arn=...`, `tags=[...]`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Unpack

from aws_cdk import Annotations
from aws_cdk.aws_s3_assets import Asset
from constructs import Construct

from mare_streamtrigger_cdk.cfn_stream_trigger import CfnStreamTrigger, CodeProperty, DynamoDBStreamTriggerOptions


class StreamTriggerType(Enum):
    """What the trigger's function triggers: the construct's enumeration, with its values."""

    PIPELINE = "pipeline"
    SNS_TOPIC = "sns_topic"


# The type's TriggerType of each of the construct's values.
TRIGGER_TYPES: dict[StreamTriggerType, Literal["PIPELINE", "SNS_TOPIC"]] = {
    StreamTriggerType.PIPELINE: "PIPELINE",
    StreamTriggerType.SNS_TOPIC: "SNS_TOPIC",
}

# The type's properties that the construct's arguments give under other names: passing both is an error.
NAMED_BY_ARGUMENTS = {
    "name": "resource_base_name",
    "table_name": "table_base_name",
    "handler": "lambda_handler",
    "environment": "env_vars",
}

TableNaming = Callable[[str], str]
HelperTableNaming = Callable[[Any, str], str]


class _NamingRule:
    """The naming rule for app helpers, set once for the app (as the construct's library held it)."""

    rule: HelperTableNaming | None = None


def use_table_naming(rule: HelperTableNaming | None) -> None:
    """Sets how `table_base_name` becomes the table's name for a trigger given an `app_helper`.

    `rule(app_helper, table_base_name)` returns the table's full name. Give the rule the construct
    used, its library's ResourceNaming.get_name_for_resource(helper, AWSResourceType.DYNAMODB,
    resource_name=base, max_length=AWSResourceNameLength.DYN_TABLE.value)[0], and the triggers
    read the same SSM parameters as before. None clears it.
    """
    _NamingRule.rule = rule


def table_name_of(
    table_base_name: str, *, app_helper: Any = None, table_naming: TableNaming | None = None
) -> tuple[str, str | None]:
    """The table's name, and a warning when an app helper was given but no rule to name with."""
    if table_naming is not None:
        return table_naming(table_base_name), None
    if app_helper is not None and _NamingRule.rule is not None:
        return _NamingRule.rule(app_helper, table_base_name), None
    if app_helper is not None:
        return table_base_name, (
            f"app_helper was given but no naming rule: the table's name is table_base_name as given "
            f"({table_base_name}). Set the construct's rule with use_table_naming(...) or pass table_naming=..."
        )
    return table_base_name, None


class DynamoDBStreamTrigger(Construct):
    """A Lambda function run on a DynamoDB table's changes through a pipe: one Mare::DynamoDB::StreamTrigger.

    The construct's keyword arguments, with the same meaning (this module's docstring maps each to
    the type's property); any other property of the type as a keyword argument of CfnStreamTrigger.
    The resource is `self.trigger`; its attributes are properties (`function_arn`, `pipe_arn`, ...).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        trigger_type: StreamTriggerType,
        table_base_name: str,
        resource_base_name: str,
        lambda_handler: str,
        lambda_code_path: str | os.PathLike[str] | None,
        env_vars: Mapping[str, str] | None,
        filter_pattern: Mapping[str, Any] | None,
        table_index_name: str | None = None,
        is_devops: bool = True,
        app_helper: Any = None,
        table_naming: TableNaming | None = None,
        **more: Unpack[DynamoDBStreamTriggerOptions],
    ) -> None:
        super().__init__(scope, id)
        # Typed callers cannot pass these (DynamoDBStreamTriggerOptions leaves them out); others are told.
        for option, argument in NAMED_BY_ARGUMENTS.items():
            if option in more:
                raise TypeError(f"{option} is the construct's argument {argument}: give it once, as {argument}")
        if not isinstance(trigger_type, StreamTriggerType):
            raise TypeError(f"trigger_type must be a StreamTriggerType (PIPELINE or SNS_TOPIC), not {trigger_type!r}")
        table_name, warning = table_name_of(table_base_name, app_helper=app_helper, table_naming=table_naming)
        if warning is not None:
            Annotations.of(self).add_warning_v2("mare-streamtrigger:table-naming", warning)

        self.code_asset: Asset | None = None
        if lambda_code_path is not None:
            if "code" in more:
                raise TypeError("give the function's code once: lambda_code_path or code, not both")
            self.code_asset = self._asset(lambda_code_path)
            more["code"] = CodeProperty(s3_bucket=self.code_asset.s3_bucket_name, s3_key=self.code_asset.s3_object_key)

        self.table_name = table_name
        self.trigger = CfnStreamTrigger(
            self,
            "Resource",
            name=resource_base_name,
            table_name=table_name,
            trigger_type=TRIGGER_TYPES[trigger_type],
            handler=lambda_handler,
            environment=env_vars,
            filter_pattern=filter_pattern,
            table_index_name=table_index_name,
            is_devops=is_devops,
            **more,
        )

    def _asset(self, lambda_code_path: str | os.PathLike[str]) -> Asset:
        """The code as an S3 asset: a folder is zipped by the CDK, a .zip file uploaded as it is.

        A relative path is taken from this process's working folder (jsii's Node.js process keeps
        the folder it started in).
        """
        path = Path(lambda_code_path)
        if not path.exists():
            raise ValueError(f"lambda_code_path {path} does not exist (relative paths start at {Path.cwd().name}/)")
        if path.is_file() and path.suffix != ".zip":
            raise ValueError(f"lambda_code_path must be a folder or a .zip file, not {path}")
        return Asset(self, "Code", path=str(path.resolve()))

    @property
    def function_arn(self) -> str:
        """The function's ARN."""
        return self.trigger.attr_function_arn

    @property
    def function_role_arn(self) -> str:
        """The ARN of the function's execution role."""
        return self.trigger.attr_function_role_arn

    @property
    def pipe_arn(self) -> str:
        """The pipe's ARN."""
        return self.trigger.attr_pipe_arn

    @property
    def pipe_role_arn(self) -> str:
        """The ARN of the pipe's execution role."""
        return self.trigger.attr_pipe_role_arn

    @property
    def table_arn(self) -> str:
        """The table's ARN."""
        return self.trigger.attr_table_arn

    @property
    def stream_arn(self) -> str:
        """The ARN of the table's stream that the pipe reads."""
        return self.trigger.attr_stream_arn
