"""What AWS is asked for, from the desired model: settings, request arguments, code archives, differences."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from mare_dynamodb_streamtrigger.core import code_archives, differences, request_arguments, settings
from mare_dynamodb_streamtrigger.core.validation import validate_model
from mare_dynamodb_streamtrigger.models import Tag

from .builders import (
    FULL_PROPERTIES,
    FUNCTION_ARN,
    FUNCTION_ROLE_ARN,
    PIPE_ROLE_ARN,
    PIPELINE_ARN,
    PIPELINE_PROPERTIES,
    QUEUE_ARN,
    REMOVE,
    SNS_PROPERTIES,
    SOURCE,
    STREAM_ARN,
    model,
)

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schema.json").read_text())
LOG_GROUP_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/pipes/deploy-trigger"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DEFAULT_TEMPLATE = '{"Records": [{"dynamodb": {"NewImage": <$.dynamodb.NewImage>}}]}'


@pytest.mark.parametrize(
    ("prop", "default"),
    [
        ("Runtime", "python3.12"),
        ("MemorySize", 128),
        ("Timeout", 3),
        ("IsDevops", True),
        ("StartingPosition", "LATEST"),
        ("BatchSize", 100),
        ("MaximumBatchingWindowInSeconds", 0),
        ("MaximumRetryAttempts", -1),
        ("MaximumRecordAgeInSeconds", -1),
        ("InputTemplate", DEFAULT_TEMPLATE),
        ("LogLevel", "OFF"),
    ],
)
def test_setting_gives_the_default_when_absent(prop, default):
    assert settings.setting(model(), prop) == default


def test_a_trigger_without_code_keeps_each_records_event_id_by_default():
    built_in = model(Code=REMOVE)
    assert built_in.Code is None
    assert settings.setting(built_in, "InputTemplate") == settings.BATCH_ITEM_INPUT_TEMPLATE
    assert request_arguments.target_parameters(built_in)["InputTemplate"] == settings.BATCH_ITEM_INPUT_TEMPLATE
    # The user's own template wins, with Code or without.
    assert settings.setting(model(Code=REMOVE, InputTemplate="<$>"), "InputTemplate") == "<$>"
    assert settings.setting(model(), "InputTemplate") == DEFAULT_TEMPLATE


def test_defaults_agree_with_the_schema():
    schema_defaults = {
        prop: definition["default"] for prop, definition in SCHEMA["properties"].items() if "default" in definition
    }
    assert schema_defaults == settings.DEFAULTS


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("Runtime", "python3.11"),
        ("MemorySize", 1024),
        ("IsDevops", False),
        ("StartingPosition", "TRIM_HORIZON"),
        ("MaximumBatchingWindowInSeconds", 0),
        ("MaximumRetryAttempts", 0),
        ("MaximumRecordAgeInSeconds", 0),
        ("InputTemplate", ""),
    ],
    ids=[
        "runtime",
        "memory",
        "isdevops-false",
        "trim-horizon",
        "zero-window",
        "zero-retries",
        "zero-age",
        "empty-template",
    ],
)
def test_setting_keeps_a_given_value_even_when_falsy(prop, value):
    assert settings.setting(model(**{prop: value}), prop) == value


def test_setting_of_a_property_without_default_is_none():
    assert settings.setting(model(), "OnPartialBatchItemFailure") is None
    assert settings.setting(model(), "TableIndexName") is None


def test_function_configuration_with_defaults():
    assert request_arguments.function_configuration(model(), FUNCTION_ROLE_ARN) == {
        "FunctionName": "deploy-trigger",
        "Role": FUNCTION_ROLE_ARN,
        "Handler": "app.handler",
        "Runtime": "python3.12",
        "MemorySize": 128,
        "Timeout": 3,
        "Environment": {"Variables": {"PIPELINE_ARN": PIPELINE_ARN, "STAGE": "prod"}},
        # Lambda's defaults, said explicitly: UpdateFunctionConfiguration keeps an option left out.
        "Description": "",
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
        "LoggingConfig": {"LogFormat": "Text"},
        # An update removes layers and a VPC with empty lists; a create sends neither.
        "Layers": [],
        "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []},
    }
    created = request_arguments.function_configuration(model(), FUNCTION_ROLE_ARN, for_create=True)
    assert "Layers" not in created and "VpcConfig" not in created
    assert request_arguments.architectures(model()) == ["x86_64"]


def test_function_configuration_with_given_values():
    assert request_arguments.function_configuration(model(FULL_PROPERTIES), "arn:aws:iam::123456789012:role/x") == {
        "FunctionName": "deploy-trigger",
        "Role": "arn:aws:iam::123456789012:role/x",
        "Handler": "app.handler",
        "Runtime": "python3.11",
        "MemorySize": 512,
        "Timeout": 60,
        "Environment": {"Variables": {"PIPELINE_ARN": PIPELINE_ARN, "STAGE": "prod"}},
        "Description": "",
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
        "LoggingConfig": {"LogFormat": "Text"},
        "Layers": [],
        "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []},
    }


def test_layers_and_a_vpc_are_sent_at_creation_as_given():
    layer = "arn:aws:lambda:eu-west-1:123456789012:layer:powertools:7"
    placement = {"SubnetIds": ["subnet-0123abcd"], "SecurityGroupIds": ["sg-0123abcd"]}
    built = model({**PIPELINE_PROPERTIES, "Layers": [layer], "VpcConfig": placement})
    created = request_arguments.function_configuration(built, FUNCTION_ROLE_ARN, for_create=True)
    assert (created["Layers"], created["VpcConfig"]) == ([layer], placement)


FUNCTION_OPTIONS = {
    "Description": "Starts the deployment pipeline",
    "Architectures": ["arm64"],
    "EphemeralStorage": {"Size": 4096},
    "TracingConfig": {"Mode": "Active"},
    "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "WARN"},
}


def test_function_configuration_with_every_function_option():
    built = model({**PIPELINE_PROPERTIES, **FUNCTION_OPTIONS})
    configuration = request_arguments.function_configuration(built, FUNCTION_ROLE_ARN)
    assert {
        key: configuration[key] for key in ("Description", "EphemeralStorage", "TracingConfig", "LoggingConfig")
    } == {
        "Description": "Starts the deployment pipeline",
        "EphemeralStorage": {"Size": 4096},
        "TracingConfig": {"Mode": "Active"},
        # A level left out is Lambda's default, said explicitly, so that removing a level resets it.
        "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "WARN", "SystemLogLevel": "INFO"},
    }
    assert "Architectures" not in configuration  # UpdateFunctionConfiguration does not take it
    assert request_arguments.architectures(built) == ["arm64"]


def test_function_configuration_without_environment_has_empty_variables():
    built = model()
    built.Environment = None
    assert request_arguments.function_configuration(built, FUNCTION_ROLE_ARN)["Environment"] == {"Variables": {}}


def test_function_configuration_copies_the_environment():
    built = model()
    configuration = request_arguments.function_configuration(built, FUNCTION_ROLE_ARN)
    configuration["Environment"]["Variables"]["EXTRA"] = "x"
    assert "EXTRA" not in built.Environment


def live_configuration(wanted):
    """What GetFunction's Configuration says of a function configured as `wanted`."""
    return {
        **{key: value for key, value in wanted.items() if key != "Environment"},
        "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:deploy-trigger",
        "CodeSha256": "abc=",
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "Environment": {"Variables": dict(wanted["Environment"]["Variables"])},
    }


def test_configuration_does_not_differ_from_its_live_self():
    wanted = request_arguments.function_configuration(model(), FUNCTION_ROLE_ARN)
    assert differences.configuration_differs(wanted, live_configuration(wanted)) is False


@pytest.mark.parametrize(
    ("key", "live_value"),
    [
        ("Role", "arn:aws:iam::123456789012:role/other"),
        ("Handler", "other.handler"),
        ("Runtime", "python3.11"),
        ("MemorySize", 256),
        ("Timeout", 30),
    ],
)
def test_configuration_differs_on_each_setting(key, live_value):
    wanted = request_arguments.function_configuration(model(), FUNCTION_ROLE_ARN)
    live = live_configuration(wanted)
    live[key] = live_value
    assert differences.configuration_differs(wanted, live) is True


@pytest.mark.parametrize(
    ("key", "live_value"),
    [
        ("Description", "someone's note"),
        ("EphemeralStorage", {"Size": 1024}),
        ("TracingConfig", {"Mode": "Active"}),
        ("LoggingConfig", {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO"}),
        ("Layers", [{"Arn": "arn:aws:lambda:eu-west-1:123456789012:layer:powertools:7", "CodeSize": 10}]),
        ("VpcConfig", {"SubnetIds": ["subnet-0123abcd"], "SecurityGroupIds": ["sg-0123abcd"], "VpcId": "vpc-0123abcd"}),
    ],
)
def test_configuration_differs_on_each_function_option(key, live_value):
    wanted = request_arguments.function_configuration(model(), FUNCTION_ROLE_ARN)
    live = live_configuration(wanted)
    live[key] = live_value
    assert differences.configuration_differs(wanted, live) is True


def test_the_order_of_subnets_and_groups_is_no_change_but_the_order_of_layers_is():
    first, second = (f"arn:aws:lambda:eu-west-1:123456789012:layer:{name}:1" for name in ("a", "b"))
    placement = {"SubnetIds": ["subnet-0123abcd", "subnet-4567abcd"], "SecurityGroupIds": ["sg-0123abcd"]}
    built = model({**PIPELINE_PROPERTIES, "Layers": [first, second], "VpcConfig": placement})
    wanted = request_arguments.function_configuration(built, FUNCTION_ROLE_ARN)
    live = {
        **live_configuration(wanted),
        "Layers": [{"Arn": first}, {"Arn": second}],
        "VpcConfig": {**placement, "SubnetIds": placement["SubnetIds"][::-1], "VpcId": "vpc-0123abcd"},
    }
    assert differences.configuration_differs(wanted, live) is False
    # A later layer overrides an earlier one's files: their order is a change.
    assert differences.configuration_differs(wanted, {**live, "Layers": [{"Arn": second}, {"Arn": first}]}) is True


def test_a_live_function_shown_without_its_options_has_lambdas_defaults():
    wanted = request_arguments.function_configuration(model(), FUNCTION_ROLE_ARN)
    live = live_configuration(wanted)
    for key in ("Description", "EphemeralStorage", "TracingConfig", "LoggingConfig", "Layers", "VpcConfig"):
        del live[key]
    assert differences.configuration_differs(wanted, live) is False
    # Taken out of a VPC, Lambda shows empty lists and an empty VpcId: no VPC either.
    live["VpcConfig"] = {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""}
    assert differences.configuration_differs(wanted, live) is False
    # The log group AWS shows is not the type's to set: it does not count.
    live["LoggingConfig"] = {"LogFormat": "Text", "LogGroup": "/aws/lambda/deploy-trigger"}
    assert differences.configuration_differs(wanted, live) is False


def test_json_levels_differ_only_where_set_or_left_to_lambdas_default():
    built = model({**PIPELINE_PROPERTIES, "LoggingConfig": {"LogFormat": "JSON", "SystemLogLevel": "WARN"}})
    wanted = request_arguments.function_configuration(built, FUNCTION_ROLE_ARN)
    live = live_configuration(wanted)
    live["LoggingConfig"] = {"LogFormat": "JSON", "SystemLogLevel": "WARN", "LogGroup": "/aws/lambda/deploy-trigger"}
    assert differences.configuration_differs(wanted, live) is False  # ApplicationLogLevel: Lambda's INFO
    live["LoggingConfig"]["ApplicationLogLevel"] = "DEBUG"
    assert differences.configuration_differs(wanted, live) is True


@pytest.mark.parametrize(
    ("wanted", "live", "differ"),
    [(None, ["x86_64"], False), (None, None, False), (["arm64"], ["x86_64"], True), (["x86_64"], ["arm64"], True)],
)
def test_architectures_differ(wanted, live, differ):
    built = model({**PIPELINE_PROPERTIES, **({"Architectures": wanted} if wanted else {})})
    assert differences.architectures_differ(built, {"Architectures": live} if live else {}) is differ


def test_configuration_differs_on_environment():
    wanted = request_arguments.function_configuration(model(), FUNCTION_ROLE_ARN)
    live = live_configuration(wanted)
    live["Environment"]["Variables"]["STAGE"] = "dev"
    assert differences.configuration_differs(wanted, live) is True
    del live["Environment"]
    assert differences.configuration_differs(wanted, live) is True


@pytest.mark.parametrize("live_environment", [None, {}, {"Variables": {}}, {"Variables": None}])
def test_empty_environment_does_not_differ_from_a_live_function_without_one(live_environment):
    built = model()
    built.Environment = None
    wanted = request_arguments.function_configuration(built, FUNCTION_ROLE_ARN)
    live = live_configuration(wanted)
    if live_environment is None:
        del live["Environment"]
    else:
        live["Environment"] = live_environment
    assert differences.configuration_differs(wanted, live) is False


@pytest.mark.parametrize(
    ("handler", "file_name"),
    [
        ("app.handler", "app.py"),
        ("pkg.module.handler", "pkg/module.py"),
        ("src/app.handler", "src/app.py"),
    ],
    ids=["python", "python-dotted-module", "python-path"],
)
def test_inline_file_name(handler, file_name):
    assert code_archives.inline_file_name(handler) == file_name


def read_zip(archive):
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        infos = opened.infolist()
        return infos, {info.filename: opened.read(info).decode() for info in infos}


def test_inline_zip_holds_the_source_in_the_handlers_file():
    infos, contents = read_zip(code_archives.inline_zip(SOURCE, "app.handler"))
    assert contents == {"app.py": SOURCE}
    assert infos[0].date_time == (1980, 1, 1, 0, 0, 0)
    assert (infos[0].external_attr >> 16) & 0o777 == 0o644


def test_inline_zip_for_a_dotted_python_module():
    _, contents = read_zip(code_archives.inline_zip(SOURCE, "pkg.module.handler"))
    assert contents == {"pkg/module.py": SOURCE}


def test_inline_zip_keeps_non_ascii_source():
    source = "GREETING = 'grüß dich'\n"
    _, contents = read_zip(code_archives.inline_zip(source, "app.handler"))
    assert contents == {"app.py": source}


def test_inline_zip_is_deterministic():
    first = code_archives.inline_zip(SOURCE, "app.handler")
    second = code_archives.inline_zip(SOURCE, "app.handler")
    assert first == second
    assert code_archives.code_sha256(first) == code_archives.code_sha256(second)
    assert code_archives.inline_zip(SOURCE + "# changed\n", "app.handler") != first


def test_code_sha256_is_base64_of_the_sha256_digest():
    assert code_archives.code_sha256(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    archive = code_archives.inline_zip(SOURCE, "app.handler")
    assert code_archives.code_sha256(archive) == base64.b64encode(hashlib.sha256(archive).digest()).decode()
    assert len(base64.b64decode(code_archives.code_sha256(archive))) == 32


def test_code_arguments_for_s3_without_version():
    built = model(Code={"S3Bucket": "artifacts-bucket", "S3Key": "triggers/deploy.zip"})
    assert request_arguments.code_arguments(built) == {"S3Bucket": "artifacts-bucket", "S3Key": "triggers/deploy.zip"}


def test_code_arguments_for_s3_with_version():
    assert request_arguments.code_arguments(model(FULL_PROPERTIES)) == {
        "S3Bucket": "artifacts-bucket",
        "S3Key": "triggers/deploy.zip",
        "S3ObjectVersion": "3HL4kqtJlcpXroDTDmJ",
    }


def test_code_arguments_for_inline_source_use_the_runtime():
    assert request_arguments.code_arguments(model()) == {"ZipFile": code_archives.inline_zip(SOURCE, "app.handler")}
    sns = model(SNS_PROPERTIES)
    arguments = request_arguments.code_arguments(sns)
    assert list(arguments) == ["ZipFile"]
    _, contents = read_zip(arguments["ZipFile"])
    assert contents == {"index.py": "def handler(event, context):\n    return None\n"}


def test_source_parameters_for_create_with_defaults():
    assert request_arguments.source_parameters(model(), for_create=True) == {
        "DynamoDBStreamParameters": {
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 0,
            "MaximumRetryAttempts": -1,
            "MaximumRecordAgeInSeconds": -1,
            "ParallelizationFactor": 1,
            "StartingPosition": "LATEST",
        },
        "FilterCriteria": {"Filters": []},
    }


def test_source_parameters_for_update_with_defaults():
    assert request_arguments.source_parameters(model(), for_create=False) == {
        "DynamoDBStreamParameters": {
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 0,
            "MaximumRetryAttempts": -1,
            "MaximumRecordAgeInSeconds": -1,
            "ParallelizationFactor": 1,
            "DeadLetterConfig": {},
        },
        "FilterCriteria": {"Filters": []},
    }


def test_source_parameters_for_create_with_everything():
    parameters = request_arguments.source_parameters(model(FULL_PROPERTIES), for_create=True)
    pattern = parameters["FilterCriteria"]["Filters"][0]["Pattern"]
    assert json.loads(pattern) == {"dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}
    assert parameters == {
        "DynamoDBStreamParameters": {
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 5,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 3600,
            "ParallelizationFactor": 1,
            "StartingPosition": "TRIM_HORIZON",
            "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
            "DeadLetterConfig": {"Arn": QUEUE_ARN},
        },
        "FilterCriteria": {"Filters": [{"Pattern": pattern}]},
    }


def test_source_parameters_for_update_never_carry_starting_position():
    parameters = request_arguments.source_parameters(model(FULL_PROPERTIES), for_create=False)
    stream = parameters["DynamoDBStreamParameters"]
    assert "StartingPosition" not in stream
    assert stream["DeadLetterConfig"] == {"Arn": QUEUE_ARN}
    assert stream["OnPartialBatchItemFailure"] == "AUTOMATIC_BISECT"
    assert len(parameters["FilterCriteria"]["Filters"]) == 1


def test_source_parameters_filter_is_the_pattern_as_json():
    pattern = {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 5]}]}}}}
    parameters = request_arguments.source_parameters(model(FilterPattern=pattern), for_create=True)
    filters = parameters["FilterCriteria"]["Filters"]
    assert len(filters) == 1
    assert list(filters[0]) == ["Pattern"]
    assert isinstance(filters[0]["Pattern"], str)
    assert json.loads(filters[0]["Pattern"]) == pattern


def test_several_filter_patterns_are_sent_in_their_order():
    patterns = [{"eventName": ["INSERT"]}, {"eventName": ["MODIFY"], "dynamodb": {"Keys": {"id": {"S": ["a"]}}}}]
    built = model(FilterPatterns=[{"Pattern": pattern} for pattern in patterns])
    filters = request_arguments.source_parameters(built, for_create=False)["FilterCriteria"]
    assert [json.loads(entry["Pattern"]) for entry in filters["Filters"]] == patterns


def test_parallelization_factor_is_sent_as_given():
    stream = request_arguments.source_parameters(model(ParallelizationFactor=10), for_create=True)
    assert stream["DynamoDBStreamParameters"]["ParallelizationFactor"] == 10


def test_a_filter_pattern_that_validates_is_sent_within_the_pipes_limit():
    values = [f"v{i:03d}" for i in range(570)]
    pattern = {"dynamodb": {"NewImage": {"status": {"S": values}}}}
    assert 4000 < len(json.dumps(pattern, separators=(",", ":"))) <= 4096
    built = model(FilterPattern=pattern)
    validate_model(built)  # accepted
    sent = request_arguments.source_parameters(built, for_create=True)["FilterCriteria"]["Filters"][0]["Pattern"]
    assert len(sent) <= 4096


def test_target_parameters_with_default_template():
    assert request_arguments.target_parameters(model()) == {
        "InputTemplate": DEFAULT_TEMPLATE,
        "LambdaFunctionParameters": {"InvocationType": "REQUEST_RESPONSE"},
    }


def test_target_parameters_with_given_template():
    assert request_arguments.target_parameters(model(FULL_PROPERTIES)) == {
        "InputTemplate": '{"image": <$.dynamodb.NewImage>}',
        "LambdaFunctionParameters": {"InvocationType": "REQUEST_RESPONSE"},
    }


def test_desired_tags_put_resource_tags_over_stack_tags_and_drop_aws_keys():
    built = model(Tags=[{"Key": "team", "Value": "platform"}, {"Key": "owner", "Value": "mare"}])
    stack_tags = {
        "team": "stack-team",
        "env": "prod",
        "aws:cloudformation:stack-name": "deploy",
        "aws:cloudformation:logical-id": "Trigger",
    }
    assert settings.desired_tags(built, stack_tags) == {"team": "platform", "env": "prod", "owner": "mare"}


def test_desired_tags_without_stack_tags_or_tags():
    assert settings.desired_tags(model(), None) == {}
    assert settings.desired_tags(model(), {}) == {}
    assert settings.desired_tags(model(Tags=[{"Key": "a", "Value": ""}]), None) == {"a": ""}
    assert settings.desired_tags(model(), {"env": "prod"}) == {"env": "prod"}


def test_desired_tags_do_not_change_the_stack_tags():
    stack_tags = {"env": "prod"}
    settings.desired_tags(model(Tags=[{"Key": "env", "Value": "dev"}]), stack_tags)
    assert stack_tags == {"env": "prod"}


def test_desired_tags_accept_tag_objects():
    built = model()
    built.Tags = [Tag(Key="team", Value="platform")]
    assert settings.desired_tags(built, {"aws:x": "y"}) == {"team": "platform"}


def test_tag_changes():
    wanted = {"team": "platform", "env": "prod", "owner": "mare"}
    live = {"team": "old", "env": "prod", "zeta": "1", "alpha": "2", "aws:cloudformation:stack-name": "deploy"}
    assert differences.tag_changes(wanted, live) == ({"team": "platform", "owner": "mare"}, ["alpha", "zeta"])


def test_tag_changes_of_equal_tags_is_nothing():
    tags = {"team": "platform", "aws:cloudformation:stack-id": "x"}
    assert differences.tag_changes(tags, dict(tags)) == ({}, [])
    assert differences.tag_changes({}, {}) == ({}, [])


def test_tag_changes_to_no_tags_untags_all_but_aws_keys():
    live = {"b": "1", "a": "2", "aws:cloudformation:logical-id": "Trigger"}
    assert differences.tag_changes({}, live) == ({}, ["a", "b"])


def test_tag_changes_from_no_tags_tags_everything():
    assert differences.tag_changes({"a": "1", "b": ""}, {}) == ({"a": "1", "b": ""}, [])


def test_pipeline_properties_fixture_is_valid():
    # the builders' base models must themselves pass, or the tests above prove little
    validate_model(model(PIPELINE_PROPERTIES))
    validate_model(model(SNS_PROPERTIES))
    validate_model(model(FULL_PROPERTIES))


def described_pipe(properties: dict) -> dict:
    """The pipe as DescribePipe shows it after CreatePipe with these properties."""
    wanted = model(**properties)
    return {
        "Name": wanted.Name,
        "RoleArn": PIPE_ROLE_ARN,
        "Source": STREAM_ARN,
        "SourceParameters": request_arguments.source_parameters(wanted, for_create=True),
        "Target": FUNCTION_ARN,
        "TargetParameters": request_arguments.target_parameters(wanted),
        "DesiredState": "RUNNING",
        "CurrentState": "RUNNING",
    }


def pipe_differs(properties: dict, live: dict) -> bool:
    return differences.pipe_differs(model(**properties), live, PIPE_ROLE_ARN, FUNCTION_ARN, LOG_GROUP_ARN)


@pytest.mark.parametrize(
    "properties", [PIPELINE_PROPERTIES, FULL_PROPERTIES, SNS_PROPERTIES], ids=["min", "full", "sns"]
)
def test_a_pipe_does_not_differ_from_its_live_self(properties):
    assert pipe_differs(properties, described_pipe(properties)) is False


def test_a_pipe_without_filter_or_queue_shown_empty_does_not_differ():
    live = described_pipe(PIPELINE_PROPERTIES)
    live["SourceParameters"]["FilterCriteria"] = {}
    live["SourceParameters"]["DynamoDBStreamParameters"]["DeadLetterConfig"] = {}
    assert pipe_differs(PIPELINE_PROPERTIES, live) is False


def test_a_pattern_is_compared_as_json_not_as_text():
    live = described_pipe(FULL_PROPERTIES)
    live["SourceParameters"]["FilterCriteria"]["Filters"][0]["Pattern"] = json.dumps(
        FULL_PROPERTIES["FilterPattern"], indent=2
    )
    assert pipe_differs(FULL_PROPERTIES, live) is False


@pytest.mark.parametrize(
    "change",
    [
        {"BatchSize": 11},
        {"MaximumBatchingWindowInSeconds": 0},
        {"MaximumRetryAttempts": -1},
        {"MaximumRecordAgeInSeconds": -1},
        {"OnPartialBatchItemFailure": REMOVE},
        {"DeadLetterQueueArn": REMOVE},
        {"DeadLetterQueueArn": QUEUE_ARN.replace("trigger-dlq", "other-dlq")},
        {"FilterPattern": REMOVE},
        {"FilterPattern": {"eventName": ["INSERT"]}},
        {"InputTemplate": REMOVE},
    ],
    ids=lambda change: "-".join(f"{key}={'absent' if value is REMOVE else value}" for key, value in change.items()),
)
def test_a_pipe_differs_on_each_setting(change):
    assert pipe_differs({**FULL_PROPERTIES, **change}, described_pipe(FULL_PROPERTIES)) is True


@pytest.mark.parametrize(
    "change",
    [{"DeadLetterQueueArn": QUEUE_ARN}, {"OnPartialBatchItemFailure": "AUTOMATIC_BISECT"}, {"BatchSize": 100}],
    ids=["queue-added", "bisect-added", "batch-size-given-as-the-default"],
)
def test_a_setting_added_to_a_minimal_pipe_differs_unless_it_is_the_default(change):
    live = described_pipe(PIPELINE_PROPERTIES)
    assert pipe_differs({**PIPELINE_PROPERTIES, **change}, live) is (change != {"BatchSize": 100})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("RoleArn", FUNCTION_ROLE_ARN),
        ("Target", FUNCTION_ARN + "-other"),
        ("DesiredState", "STOPPED"),
        ("CurrentState", "STOPPED"),
        ("CurrentState", "UPDATE_FAILED"),
    ],
)
def test_a_pipe_differs_on_role_target_or_state(key, value):
    live = described_pipe(PIPELINE_PROPERTIES)
    live[key] = value
    assert pipe_differs(PIPELINE_PROPERTIES, live) is True


def test_a_pipe_invoking_asynchronously_differs():
    live = described_pipe(PIPELINE_PROPERTIES)
    live["TargetParameters"]["LambdaFunctionParameters"]["InvocationType"] = "FIRE_AND_FORGET"
    assert pipe_differs(PIPELINE_PROPERTIES, live) is True


BUILTIN = Path(code_archives.__file__).resolve().parents[1] / "builtin"


def test_the_builtin_archive_holds_the_module_where_the_handler_names_it_and_the_shared_module():
    _, contents = read_zip(request_arguments.code_arguments(model(Code=REMOVE, Handler="index.handler"))["ZipFile"])
    assert contents == {
        "index.py": (BUILTIN / "pipeline.py").read_text(),
        "stream_batch.py": (BUILTIN / "stream_batch.py").read_text(),
    }


def test_the_builtin_archive_of_a_dotted_handler_renames_the_entry_point():
    sns = {**SNS_PROPERTIES, "Runtime": "python3.12", "Code": REMOVE, "Handler": "pkg.trigger.publish"}
    _, contents = read_zip(request_arguments.code_arguments(model(**sns))["ZipFile"])
    assert list(contents) == ["pkg/trigger.py", "stream_batch.py"]
    assert contents["pkg/trigger.py"] == (BUILTIN / "sns_topic.py").read_text() + "\n\npublish = handler\n"


def test_the_builtin_archive_is_deterministic():
    first = request_arguments.code_arguments(model(Code=REMOVE, Handler="index.handler"))["ZipFile"]
    assert request_arguments.code_arguments(model(Code=REMOVE, Handler="index.handler"))["ZipFile"] == first


def test_a_dead_letter_queue_brings_finite_retry_limits():
    with_queue = model(DeadLetterQueueArn=QUEUE_ARN)
    assert settings.setting(with_queue, "MaximumRetryAttempts") == 3
    assert settings.setting(with_queue, "MaximumRecordAgeInSeconds") == 3600
    stream = request_arguments.source_parameters(with_queue, for_create=True)["DynamoDBStreamParameters"]
    assert (stream["MaximumRetryAttempts"], stream["MaximumRecordAgeInSeconds"]) == (3, 3600)


@pytest.mark.parametrize("value", [-1, 0, 7])
def test_an_explicit_retry_limit_wins_over_the_dead_letter_default(value):
    explicit = model(DeadLetterQueueArn=QUEUE_ARN, MaximumRetryAttempts=value, MaximumRecordAgeInSeconds=value)
    assert settings.setting(explicit, "MaximumRetryAttempts") == value
    assert settings.setting(explicit, "MaximumRecordAgeInSeconds") == value


def test_pipe_options_for_create_name_only_what_is_set():
    running = {"DesiredState": "RUNNING"}
    assert request_arguments.pipe_options(model(), LOG_GROUP_ARN, for_create=True) == running
    assert request_arguments.pipe_options(model(LogLevel="OFF"), LOG_GROUP_ARN, for_create=True) == running
    assert request_arguments.pipe_options(
        model(LogLevel="ERROR", KmsKeyArn=KEY_ARN, DesiredState="STOPPED", Description="Starts deployments"),
        LOG_GROUP_ARN,
        for_create=True,
    ) == {
        "DesiredState": "STOPPED",
        "Description": "Starts deployments",
        "LogConfiguration": {"Level": "ERROR", "CloudwatchLogsLogDestination": {"LogGroupArn": LOG_GROUP_ARN}},
        "KmsKeyIdentifier": KEY_ARN,
    }


def test_pipe_options_for_update_always_say_what_they_want():
    # UpdatePipe keeps what a request leaves out: OFF and the empty key must be said.
    assert request_arguments.pipe_options(model(), LOG_GROUP_ARN, for_create=False) == {
        "DesiredState": "RUNNING",
        "Description": "",
        "LogConfiguration": {"Level": "OFF"},
        "KmsKeyIdentifier": "",
    }


@pytest.mark.parametrize(
    ("properties", "live", "differs"),
    [
        ({}, {}, False),
        ({}, {"LogConfiguration": {"Level": "OFF"}}, False),
        ({"LogLevel": "OFF"}, {}, False),
        ({"LogLevel": "INFO"}, {}, True),
        (
            {},
            {"LogConfiguration": {"Level": "INFO", "CloudwatchLogsLogDestination": {"LogGroupArn": LOG_GROUP_ARN}}},
            True,
        ),
        (
            {"LogLevel": "INFO"},
            {"LogConfiguration": {"Level": "INFO", "CloudwatchLogsLogDestination": {"LogGroupArn": LOG_GROUP_ARN}}},
            False,
        ),
        (
            {"LogLevel": "INFO"},
            {"LogConfiguration": {"Level": "INFO", "CloudwatchLogsLogDestination": {"LogGroupArn": "elsewhere"}}},
            True,
        ),
        ({"KmsKeyArn": KEY_ARN}, {}, True),
        ({"KmsKeyArn": KEY_ARN}, {"KmsKeyIdentifier": KEY_ARN}, False),
        ({}, {"KmsKeyIdentifier": KEY_ARN}, True),
        ({}, {"KmsKeyIdentifier": ""}, False),
    ],
)
def test_a_pipe_differs_on_its_logging_and_key(properties, live, differs):
    described = {**described_pipe(PIPELINE_PROPERTIES), **live}
    assert pipe_differs({**PIPELINE_PROPERTIES, **properties}, described) is differs
