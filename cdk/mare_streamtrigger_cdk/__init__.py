"""Mare::DynamoDB::StreamTrigger in the AWS CDK (Python).

- `DynamoDBStreamTrigger`, `StreamTriggerType`, `use_table_naming`: the drop-in for the
  construct of the same name, taking its keyword arguments.
- `CfnStreamTrigger` and its property classes: the typed L1 construct, generated from schema.json.
"""

from mare_streamtrigger_cdk.cfn_stream_trigger import (
    TYPE_NAME,
    CfnStreamTrigger,
    CfnStreamTriggerOptions,
    CodeProperty,
    DynamoDBStreamTriggerOptions,
    EphemeralStorageProperty,
    FilterProperty,
    LoggingConfigProperty,
    TagProperty,
    TracingConfigProperty,
    VpcConfigProperty,
)
from mare_streamtrigger_cdk.stream_trigger import (
    DynamoDBStreamTrigger,
    StreamTriggerType,
    table_name_of,
    use_table_naming,
)

__all__ = [
    "TYPE_NAME",
    "CfnStreamTrigger",
    "CfnStreamTriggerOptions",
    "CodeProperty",
    "DynamoDBStreamTrigger",
    "DynamoDBStreamTriggerOptions",
    "EphemeralStorageProperty",
    "FilterProperty",
    "LoggingConfigProperty",
    "StreamTriggerType",
    "TagProperty",
    "TracingConfigProperty",
    "VpcConfigProperty",
    "table_name_of",
    "use_table_naming",
]
