"""readback: the model as it lives in AWS, from GetFunction, DescribePipe and GetRolePolicy."""

from __future__ import annotations

import datetime
import json

import pytest

from mare_dynamodb_streamtrigger.core.readback import index_name_of, model_from_aws, resource_tags, trigger_type_of
from mare_dynamodb_streamtrigger.core.settings import logging_of
from mare_dynamodb_streamtrigger.models import Tag

from .builders import (
    FUNCTION_ARN,
    FUNCTION_ROLE_ARN,
    INDEX,
    NAME,
    PIPE_ARN,
    PIPE_ROLE_ARN,
    PIPELINE_ARN,
    QUEUE_ARN,
    STREAM_ARN,
    TABLE,
    TABLE_ARN,
    TOPIC_ARN,
    built_function_policy,
)

FILTER = {"dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}
TEMPLATE = '{"Records": [{"dynamodb": {"NewImage": <$.dynamodb.NewImage>}}]}'
STACK_TAGS = {
    "env": "prod",
    "aws:cloudformation:stack-name": "deploy",
    "aws:cloudformation:logical-id": "Trigger",
}
NOW = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


def get_function_response(**configuration):
    """GetFunction's response as boto3 returns it."""
    return {
        "ResponseMetadata": {"RequestId": "0a1b2c3d", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0},
        "Configuration": {
            "FunctionName": NAME,
            "FunctionArn": FUNCTION_ARN,
            "Runtime": "python3.12",
            "Role": FUNCTION_ROLE_ARN,
            "Handler": "app.handler",
            "CodeSize": 312,
            "Description": "",
            "Timeout": 30,
            "MemorySize": 256,
            "LastModified": "2024-05-01T12:00:00.000+0000",
            "CodeSha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "Version": "$LATEST",
            "Environment": {"Variables": {"PIPELINE_ARN": PIPELINE_ARN, "STAGE": "prod"}},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": "6f1c8a2e-0000-4000-8000-000000000000",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{NAME}"},
            **configuration,
        },
        "Code": {"RepositoryType": "S3", "Location": "https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/x"},
        "Tags": {"team": "platform", "env": "prod", "aws:cloudformation:stack-name": "deploy"},
    }


def describe_pipe_response(**changes):
    """DescribePipe's response as boto3 returns it."""
    response = {
        "ResponseMetadata": {"RequestId": "4e5f6a7b", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0},
        "Arn": PIPE_ARN,
        "Name": NAME,
        "DesiredState": "RUNNING",
        "CurrentState": "RUNNING",
        "StateReason": "",
        "Source": STREAM_ARN,
        "SourceParameters": {
            "FilterCriteria": {"Filters": [{"Pattern": json.dumps(FILTER)}]},
            "DynamoDBStreamParameters": {
                "BatchSize": 10,
                "DeadLetterConfig": {"Arn": QUEUE_ARN},
                "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
                "MaximumBatchingWindowInSeconds": 5,
                "MaximumRecordAgeInSeconds": 3600,
                "MaximumRetryAttempts": 3,
                "ParallelizationFactor": 1,
                "StartingPosition": "TRIM_HORIZON",
            },
        },
        "Enrichment": "",
        "EnrichmentParameters": {},
        "Target": FUNCTION_ARN,
        "TargetParameters": {
            "InputTemplate": TEMPLATE,
            "LambdaFunctionParameters": {"InvocationType": "REQUEST_RESPONSE"},
        },
        "RoleArn": PIPE_ROLE_ARN,
        "Tags": {
            "team": "platform",
            "env": "prod",
            "aws:cloudformation:stack-name": "deploy",
            "aws:cloudformation:logical-id": "Trigger",
        },
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
    }
    response.update(changes)
    return response


def test_model_from_aws_of_a_full_trigger():
    model = model_from_aws(
        get_function_response(),
        describe_pipe_response(),
        built_function_policy("PIPELINE", [PIPELINE_ARN], INDEX),
        STACK_TAGS,
    )
    assert model._serialize() == {
        "Name": "deploy-trigger",
        "TableName": "deployment-requests",
        "TriggerType": "PIPELINE",
        "Handler": "app.handler",
        "Runtime": "python3.12",
        "MemorySize": 256,
        "Timeout": 30,
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
        "LoggingConfig": {"LogFormat": "Text"},  # its log group is Lambda's default, not a property
        "Environment": {"PIPELINE_ARN": PIPELINE_ARN, "STAGE": "prod"},
        "FilterPattern": {"dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}},
        "TableIndexName": "status-index",
        "StartingPosition": "TRIM_HORIZON",
        "DesiredState": "RUNNING",
        "BatchSize": 10,
        "MaximumBatchingWindowInSeconds": 5,
        "ParallelizationFactor": 1,
        "MaximumRetryAttempts": 3,
        "MaximumRecordAgeInSeconds": 3600,
        "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
        "DeadLetterQueueArn": QUEUE_ARN,
        "InputTemplate": TEMPLATE,
        "LogLevel": "OFF",  # no LogConfiguration: the pipe logs nothing
        "Tags": [{"Key": "team", "Value": "platform"}],
        "FunctionArn": FUNCTION_ARN,
        "FunctionRoleArn": FUNCTION_ROLE_ARN,
        "PipeArn": PIPE_ARN,
        "PipeRoleArn": PIPE_ROLE_ARN,
        "TableArn": TABLE_ARN,
        "StreamArn": STREAM_ARN,
    }


def test_model_from_aws_of_a_stopped_trigger_with_every_function_option_and_several_filters():
    patterns = [FILTER, {"eventName": ["REMOVE"]}, {"dynamodb": {"Keys": {"id": {"S": [{"prefix": "order-"}]}}}}]
    function = get_function_response(
        Description="Starts the deployment pipeline",
        Architectures=["arm64"],
        EphemeralStorage={"Size": 2048},
        TracingConfig={"Mode": "Active"},
        LoggingConfig={
            "LogFormat": "JSON",
            "ApplicationLogLevel": "DEBUG",
            "SystemLogLevel": "WARN",
            "LogGroup": f"/aws/lambda/{NAME}",
        },
    )
    pipe = describe_pipe_response(
        DesiredState="STOPPED", CurrentState="STOPPED", Description="Starts the deployment pipeline"
    )
    pipe["SourceParameters"]["FilterCriteria"] = {"Filters": [{"Pattern": json.dumps(p)} for p in patterns]}
    pipe["SourceParameters"]["DynamoDBStreamParameters"]["ParallelizationFactor"] = 7
    model = model_from_aws(function, pipe, built_function_policy("PIPELINE", [PIPELINE_ARN], None), STACK_TAGS)
    serialized = model._serialize()
    assert {
        key: serialized.get(key)
        for key in (
            "Description",
            "Architectures",
            "EphemeralStorage",
            "TracingConfig",
            "LoggingConfig",
            "DesiredState",
            "ParallelizationFactor",
            "FilterPattern",
            "FilterPatterns",
        )
    } == {
        "Description": "Starts the deployment pipeline",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 2048},
        "TracingConfig": {"Mode": "Active"},
        "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN"},
        "DesiredState": "STOPPED",
        "ParallelizationFactor": 7,
        "FilterPattern": None,  # several filters are FilterPatterns, in the pipe's order
        "FilterPatterns": [{"Pattern": pattern} for pattern in patterns],
    }


@pytest.mark.parametrize(
    ("concurrency", "reserved"),
    [(None, None), ({"ReservedConcurrentExecutions": 0}, 0), ({"ReservedConcurrentExecutions": 25}, 25)],
    ids=["none", "zero", "25"],
)
def test_reserved_concurrency_is_read_from_get_functions_concurrency(concurrency, reserved):
    function = get_function_response()
    if concurrency is not None:
        function["Concurrency"] = concurrency
    policy = built_function_policy("PIPELINE", [PIPELINE_ARN], None)
    model = model_from_aws(function, describe_pipe_response(), policy, None)
    assert model.ReservedConcurrentExecutions == reserved  # 0 is a setting, not its absence


def test_model_from_aws_never_reports_write_only_properties():
    model = model_from_aws(
        get_function_response(), describe_pipe_response(), built_function_policy("PIPELINE", [PIPELINE_ARN], None), None
    )
    assert model.Code is None
    assert model.IsDevops is None
    assert "Code" not in model._serialize()
    assert "IsDevops" not in model._serialize()


def test_model_from_aws_of_a_bare_sns_trigger():
    function = get_function_response(Environment={"Variables": {"TOPIC_ARN": TOPIC_ARN}})
    function["Configuration"].pop("MemorySize")
    pipe = describe_pipe_response(
        SourceParameters={
            "FilterCriteria": {"Filters": []},
            "DynamoDBStreamParameters": {
                "BatchSize": 100,
                "DeadLetterConfig": {},
                "MaximumBatchingWindowInSeconds": 0,
                "MaximumRecordAgeInSeconds": -1,
                "MaximumRetryAttempts": -1,
                "StartingPosition": "LATEST",
            },
        },
        Tags={"aws:cloudformation:stack-name": "deploy"},
    )
    model = model_from_aws(function, pipe, built_function_policy("SNS_TOPIC", [TOPIC_ARN], None), {})
    assert model._serialize() == {
        "Name": "deploy-trigger",
        "TableName": "deployment-requests",
        "TriggerType": "SNS_TOPIC",
        "Handler": "app.handler",
        "Runtime": "python3.12",
        "Timeout": 30,
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
        "LoggingConfig": {"LogFormat": "Text"},
        "Environment": {"TOPIC_ARN": TOPIC_ARN},
        "StartingPosition": "LATEST",
        "DesiredState": "RUNNING",
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 0,
        "MaximumRetryAttempts": -1,
        "MaximumRecordAgeInSeconds": -1,
        "InputTemplate": TEMPLATE,
        "LogLevel": "OFF",
        "FunctionArn": FUNCTION_ARN,
        "FunctionRoleArn": FUNCTION_ROLE_ARN,
        "PipeArn": PIPE_ARN,
        "PipeRoleArn": PIPE_ROLE_ARN,
        "TableArn": TABLE_ARN,
        "StreamArn": STREAM_ARN,
    }


def test_model_from_aws_with_a_policy_as_iam_returns_it():
    # GetRolePolicy's document, decoded: a lone action and resource come back as strings
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "PublishToTopics", "Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC_ARN},
            {
                "Sid": "QueryAndUpdateTable",
                "Effect": "Allow",
                "Action": ["dynamodb:Query", "dynamodb:UpdateItem"],
                "Resource": [TABLE_ARN, f"{TABLE_ARN}/index/by.status_2"],
            },
        ],
    }
    model = model_from_aws(get_function_response(), describe_pipe_response(), policy, STACK_TAGS)
    assert model.TriggerType == "SNS_TOPIC"
    assert model.TableIndexName == "by.status_2"


def test_model_from_aws_without_function_policy():
    model = model_from_aws(get_function_response(), describe_pipe_response(), None, STACK_TAGS)
    assert model.TriggerType is None
    assert model.TableIndexName is None


def test_model_from_aws_of_a_sparse_pipe():
    function = {"Configuration": {"FunctionName": NAME}}
    pipe = {"Source": "", "SourceParameters": None, "TargetParameters": None, "Tags": None}
    assert model_from_aws(function, pipe, None, None)._serialize() == {"Name": "deploy-trigger", "LogLevel": "OFF"}


def test_model_from_aws_of_a_source_that_is_not_a_stream():
    pipe = describe_pipe_response(Source="arn:aws:sqs:eu-west-1:123456789012:queue")
    model = model_from_aws(get_function_response(), pipe, None, None)
    assert model.TableArn is None
    assert model.TableName is None
    assert model.StreamArn == "arn:aws:sqs:eu-west-1:123456789012:queue"


def test_model_from_aws_of_an_empty_environment_is_none():
    function = get_function_response(Environment={"Variables": {}})
    assert model_from_aws(function, describe_pipe_response(), None, None).Environment is None
    function["Configuration"].pop("Environment")
    assert model_from_aws(function, describe_pipe_response(), None, None).Environment is None


def test_model_from_aws_of_an_empty_filter_pattern_is_none():
    pipe = describe_pipe_response()
    pipe["SourceParameters"]["FilterCriteria"] = {"Filters": [{"Pattern": ""}]}
    assert model_from_aws(get_function_response(), pipe, None, None).FilterPattern is None
    del pipe["SourceParameters"]["FilterCriteria"]
    assert model_from_aws(get_function_response(), pipe, None, None).FilterPattern is None


def test_model_from_aws_reads_the_table_name_from_the_stream():
    china_stream = "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/orders.v2/stream/2024-01-01T00:00:00.000"
    model = model_from_aws(get_function_response(), describe_pipe_response(Source=china_stream), None, None)
    assert model.TableName == "orders.v2"
    assert model.TableArn == "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/orders.v2"
    assert model.TableName != TABLE


def test_trigger_type_of():
    assert trigger_type_of(built_function_policy("PIPELINE", [PIPELINE_ARN], None)) == "PIPELINE"
    assert trigger_type_of(built_function_policy("SNS_TOPIC", [TOPIC_ARN], INDEX)) == "SNS_TOPIC"
    assert trigger_type_of(None) is None
    assert trigger_type_of({}) is None
    assert trigger_type_of({"Version": "2012-10-17", "Statement": [{"Sid": "Other", "Resource": "*"}]}) is None


def test_index_name_of():
    assert index_name_of(built_function_policy("PIPELINE", [PIPELINE_ARN], INDEX)) == "status-index"
    assert index_name_of(built_function_policy("PIPELINE", [PIPELINE_ARN], "by.status_v2")) == "by.status_v2"
    assert index_name_of(built_function_policy("PIPELINE", [PIPELINE_ARN], None)) is None
    assert index_name_of(None) is None
    assert index_name_of({}) is None


def test_index_name_of_a_table_index_statement_without_an_index():
    policy = {"Statement": [{"Sid": "QueryAndUpdateTable", "Resource": [TABLE_ARN]}]}
    assert index_name_of(policy) is None


def test_resource_tags_drop_aws_keys_and_stack_tags():
    live = {
        "team": "platform",
        "env": "prod",
        "owner": "mare",
        "aws:cloudformation:stack-name": "deploy",
        "aws:cloudformation:logical-id": "Trigger",
    }
    tags = resource_tags(live, STACK_TAGS)
    assert tags == [Tag(Key="owner", Value="mare"), Tag(Key="team", Value="platform")]


def test_resource_tags_keep_a_tag_that_overrides_a_stack_tag():
    assert resource_tags({"env": "dev"}, {"env": "prod"}) == [Tag(Key="env", Value="dev")]


def test_resource_tags_are_sorted_by_key():
    tags = resource_tags({"zeta": "1", "alpha": "2", "mid": ""}, None)
    assert tags is not None
    assert [tag.Key for tag in tags] == ["alpha", "mid", "zeta"]
    assert [tag.Value for tag in tags] == ["2", "", "1"]


@pytest.mark.parametrize(
    ("live", "stack_tags"),
    [({}, None), ({"aws:cloudformation:stack-id": "x"}, None), ({"env": "prod"}, {"env": "prod"})],
    ids=["nothing", "only-aws", "only-stack"],
)
def test_resource_tags_of_nothing_of_its_own_is_none(live, stack_tags):
    assert resource_tags(live, stack_tags) is None


@pytest.mark.parametrize(
    ("trigger_type", "targets", "index"),
    [("PIPELINE", [PIPELINE_ARN], INDEX), ("PIPELINE", [PIPELINE_ARN], None), ("SNS_TOPIC", [TOPIC_ARN], INDEX)],
    ids=["pipeline-index", "pipeline", "sns-index"],
)
def test_policies_round_trip_through_readback(trigger_type, targets, index):
    policy = built_function_policy(trigger_type, targets, index)
    assert trigger_type_of(policy) == trigger_type
    assert index_name_of(policy) == index


def test_model_from_aws_shows_logging_retention_and_key():
    function = {"Configuration": {"FunctionName": NAME}}
    key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    pipe = {
        "Source": "",
        "LogConfiguration": {"Level": "TRACE", "CloudwatchLogsLogDestination": {"LogGroupArn": "arn:group"}},
        "KmsKeyIdentifier": key_arn,
    }
    pipe_group = {"logGroupName": "g", "retentionInDays": 30}
    function_group = {"logGroupName": f"/aws/lambda/{NAME}", "retentionInDays": 7}
    model = model_from_aws(function, pipe, None, None, pipe_group, function_group)
    assert (model.LogLevel, model.LogRetentionInDays, model.KmsKeyArn) == ("TRACE", 30, key_arn)
    assert model.FunctionLogRetentionInDays == 7
    # A group without a retention (or none at all) shows none.
    without = model_from_aws(function, pipe, None, None, pipe_group, {"logGroupName": "f"})
    assert without.FunctionLogRetentionInDays is None
    assert model_from_aws(function, pipe, None, None).FunctionLogRetentionInDays is None
    # Read looks up the retention only where the pipe logs to a log group.
    assert logging_of(pipe["LogConfiguration"]) == ("TRACE", "arn:group")
    assert logging_of({"Level": "OFF"}) == ("OFF", None)
    assert logging_of(None) == ("OFF", None)
    # An empty identifier is how a pipe says it uses the key AWS owns.
    assert model_from_aws(function, {"Source": "", "KmsKeyIdentifier": ""}, None, None).KmsKeyArn is None


def test_model_from_aws_shows_layers_and_a_vpc_and_none_for_empty_lists():
    layer = "arn:aws:lambda:eu-west-1:123456789012:layer:powertools:7"
    configuration = {
        "FunctionName": NAME,
        "Layers": [{"Arn": layer, "CodeSize": 120}],
        "VpcConfig": {"SubnetIds": ["subnet-0123abcd"], "SecurityGroupIds": ["sg-0123abcd"], "VpcId": "vpc-0123abcd"},
    }
    model = model_from_aws({"Configuration": configuration}, {"Source": ""}, None, None)
    assert model.Layers == [layer]
    assert (model.VpcConfig.SubnetIds, model.VpcConfig.SecurityGroupIds) == (["subnet-0123abcd"], ["sg-0123abcd"])
    removed = {**configuration, "Layers": [], "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""}}
    model = model_from_aws({"Configuration": removed}, {"Source": ""}, None, None)
    assert (model.Layers, model.VpcConfig) == (None, None)
