"""CfnStreamTrigger, the typed L1 construct: every property of schema.json reaches the template."""

from __future__ import annotations

import inspect
import re
from typing import Any

import aws_cdk as cdk

from conftest import SCHEMA, TYPE_NAME, assert_lints_clean, synthesized, triggers
from mare_streamtrigger_cdk import (
    CfnStreamTrigger,
    CodeProperty,
    EphemeralStorageProperty,
    FilterProperty,
    LoggingConfigProperty,
    TagProperty,
    TracingConfigProperty,
    VpcConfigProperty,
)

READ_ONLY = [pointer.rsplit("/", 1)[-1] for pointer in SCHEMA["readOnlyProperties"]]
WRITABLE = [name for name in SCHEMA["properties"] if name not in READ_ONLY]
PIPELINE = "arn:aws:codepipeline:eu-west-1:123456789012:deploy"
# The required properties alone.
REQUIRED: dict[str, Any] = {
    "name": "n",
    "table_name": "deployment-requests",
    "trigger_type": "PIPELINE",
    "handler": "index.handler",
}
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# Every writable property, as the keyword argument and as the template holds it.
EVERY_PROPERTY: dict[str, tuple[Any, Any]] = {
    "name": ("deployment-processor", "deployment-processor"),
    "table_name": ("deployment-requests", "deployment-requests"),
    "trigger_type": ("PIPELINE", "PIPELINE"),
    "handler": ("app.handler", "app.handler"),
    "code": (
        CodeProperty(zip_file="def handler(event, context):\n    return None\n"),
        {"ZipFile": "def handler(event, context):\n    return None\n"},
    ),
    "runtime": ("python3.13", "python3.13"),
    "memory_size": (256, 256),
    "timeout": (30, 30),
    "description": ("Starts deployments", "Starts deployments"),
    "architectures": (["arm64"], ["arm64"]),
    "ephemeral_storage": (EphemeralStorageProperty(size=1024), {"Size": 1024}),
    "tracing_config": (TracingConfigProperty(mode="Active"), {"Mode": "Active"}),
    "logging_config": (
        LoggingConfigProperty(log_format="JSON", application_log_level="INFO", system_log_level="WARN"),
        {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN"},
    ),
    "reserved_concurrent_executions": (2, 2),
    "function_log_retention_in_days": (14, 14),
    "layers": (
        ["arn:aws:lambda:eu-west-1:123456789012:layer:shared:3"],
        ["arn:aws:lambda:eu-west-1:123456789012:layer:shared:3"],
    ),
    "vpc_config": (
        VpcConfigProperty(subnet_ids=["subnet-0123456789abcdef0"], security_group_ids=["sg-0123456789abcdef0"]),
        {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["sg-0123456789abcdef0"]},
    ),
    "environment": ({"PIPELINE_ARN": PIPELINE}, {"PIPELINE_ARN": PIPELINE}),
    "filter_pattern": ({"eventName": ["INSERT"]}, {"eventName": ["INSERT"]}),
    "filter_patterns": (
        [FilterProperty(pattern={"eventName": ["INSERT"]}), FilterProperty(pattern={"eventName": ["MODIFY"]})],
        [{"Pattern": {"eventName": ["INSERT"]}}, {"Pattern": {"eventName": ["MODIFY"]}}],
    ),
    "table_index_name": ("status-index", "status-index"),
    "is_devops": (False, False),
    "starting_position": ("TRIM_HORIZON", "TRIM_HORIZON"),
    "desired_state": ("STOPPED", "STOPPED"),
    "batch_size": (10, 10),
    "maximum_batching_window_in_seconds": (5, 5),
    "parallelization_factor": (2, 2),
    "maximum_retry_attempts": (3, 3),
    "maximum_record_age_in_seconds": (3600, 3600),
    "on_partial_batch_item_failure": ("AUTOMATIC_BISECT", "AUTOMATIC_BISECT"),
    "dead_letter_queue_arn": ("arn:aws:sqs:eu-west-1:123456789012:failed", "arn:aws:sqs:eu-west-1:123456789012:failed"),
    "alarm_topic_arn": ("arn:aws:sns:eu-west-1:123456789012:alarms", "arn:aws:sns:eu-west-1:123456789012:alarms"),
    "input_template": ('{"id": <$.eventID>}', '{"id": <$.eventID>}'),
    "log_level": ("ERROR", "ERROR"),
    "log_retention_in_days": (30, 30),
    "kms_key_arn": (KEY, KEY),
    "tags": ([TagProperty(key="team", value="platform")], [{"Key": "team", "Value": "platform"}]),
}


def pascal(snake_name: str) -> str:
    """The schema's name of a keyword argument, by the schema's own list."""
    [name] = [name for name in WRITABLE if re.sub(r"_", "", snake_name) == name.lower()]
    return name


def test_the_keyword_arguments_are_the_schemas_writable_properties():
    parameters = list(inspect.signature(CfnStreamTrigger.__init__).parameters)[3:]
    assert [pascal(parameter) for parameter in parameters] == [
        *SCHEMA["required"],
        *[name for name in WRITABLE if name not in SCHEMA["required"]],
    ]
    assert set(EVERY_PROPERTY) == set(parameters)
    assert list(CfnStreamTrigger.PROPERTY_NAMES) == WRITABLE
    assert list(CfnStreamTrigger.ATTRIBUTE_NAMES) == READ_ONLY


def test_every_property_reaches_the_template(app, stack, lint):
    trigger = CfnStreamTrigger(stack, "Trigger", **{key: value for key, (value, _) in EVERY_PROPERTY.items()})
    template = synthesized(app)

    assert template["Resources"] == {
        "Trigger": {
            "Type": TYPE_NAME,
            "Properties": {pascal(key): rendered for key, (_, rendered) in EVERY_PROPERTY.items()},
        }
    }
    assert set(template["Resources"]["Trigger"]["Properties"]) == set(WRITABLE)
    assert trigger.cfn_resource_type == TYPE_NAME
    # Each value fits the schema; together they break one of create's rules, which lint finds (E9301).
    result = lint(template)
    assert result.returncode == 2
    findings = [line for line in result.stdout.splitlines() if line[:1] in "EW" and line[1:5].isdigit()]
    assert findings == [
        "E9301 FilterPattern and FilterPatterns exclude each other: give one pattern or a list of 2 to 5"
    ]
    del template["Resources"]["Trigger"]["Properties"]["FilterPatterns"]
    assert_lints_clean(lint(template))


def test_properties_left_out_are_not_in_the_template(app, stack):
    CfnStreamTrigger(stack, "Trigger", **{**REQUIRED, "trigger_type": "SNS_TOPIC"})

    assert triggers(synthesized(app))["Trigger"]["Properties"] == {
        "Name": "n",
        "TableName": "deployment-requests",
        "TriggerType": "SNS_TOPIC",
        "Handler": "index.handler",
    }


def test_tags_of_the_stack_join_the_resources_own(app, stack):
    CfnStreamTrigger(
        stack,
        "Trigger",
        **REQUIRED,
        tags=[TagProperty(key="team", value="platform")],
    )
    cdk.Tags.of(stack).add("cost-center", "42")

    assert triggers(synthesized(app))["Trigger"]["Properties"]["Tags"] == [
        {"Key": "cost-center", "Value": "42"},
        {"Key": "team", "Value": "platform"},
    ]


def test_every_read_only_property_is_an_attribute(app, stack):
    trigger = CfnStreamTrigger(stack, "Trigger", **REQUIRED)
    for attribute in READ_ONLY:
        snake_name = re.sub(r"(?<!^)(?=[A-Z])", "_", attribute).lower()
        cdk.CfnOutput(stack, attribute, value=getattr(trigger, f"attr_{snake_name}"))

    outputs = synthesized(app)["Outputs"]
    assert {key: value["Value"] for key, value in outputs.items()} == {
        attribute: {"Fn::GetAtt": ["Trigger", attribute]} for attribute in READ_ONLY
    }


def test_tokens_reach_the_template_as_intrinsics(app, stack, lint):
    bucket = cdk.CfnParameter(stack, "CodeBucket")
    size = cdk.CfnParameter(stack, "BatchSize", type="Number", default=10)
    CfnStreamTrigger(
        stack,
        "Trigger",
        **{**REQUIRED, "handler": "app.handler"},
        code=CodeProperty(s3_bucket=bucket.value_as_string, s3_key="app.zip"),
        batch_size=size.value_as_number,
        environment={
            "PIPELINE_ARN": cdk.Fn.sub("arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:deploy")
        },
    )
    template = synthesized(app)

    properties = template["Resources"]["Trigger"]["Properties"]
    assert properties["Code"] == {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": "app.zip"}
    assert properties["BatchSize"] == {"Ref": "BatchSize"}
    assert properties["Environment"] == {
        "PIPELINE_ARN": {"Fn::Sub": "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:deploy"}
    }
    assert_lints_clean(lint(template))


def test_lint_finds_a_value_the_schema_refuses_in_a_synthesized_template(app, stack, lint):
    CfnStreamTrigger(
        stack,
        "Trigger",
        name="n",
        table_name="deployment-requests",
        trigger_type="PIPES",  # type: ignore[arg-type]  # what mypy catches, and lint too
        handler="index.handler",
        batch_size=20000,
    )
    result = lint(synthesized(app))

    assert result.returncode == 2
    assert "'PIPES' is not one of ['PIPELINE', 'SNS_TOPIC']" in result.stdout
    assert "20000 is greater than the maximum of 10000" in result.stdout
