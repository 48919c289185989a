"""The drop-in: the construct's documented call, word for word, synthesizes one Mare::DynamoDB::StreamTrigger."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest

from conftest import ASSET_BUCKET, ROOT, TYPE_NAME, assert_lints_clean, asset_files, synthesized, triggers
from mare_streamtrigger_cdk import CodeProperty, DynamoDBStreamTrigger, StreamTriggerType, TagProperty, use_table_naming

HANDLERS = "def process_deployment(event, context):\n    return len(event)\n"
FILTER = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}
PIPELINE = "arn:aws:codepipeline:us-east-1:123456789012:my-pipeline"


def arguments(**overrides: Any) -> dict[str, Any]:
    """The construct's arguments for the example's PIPELINE trigger, without code, with `overrides`."""
    return {
        "trigger_type": StreamTriggerType.PIPELINE,
        "table_base_name": "deployment-requests",
        "resource_base_name": "deployment-processor",
        "lambda_handler": "handlers.process_deployment",
        "lambda_code_path": None,
        "env_vars": {"PIPELINE_ARN": PIPELINE},
        "filter_pattern": FILTER,
        **overrides,
    }


@pytest.fixture
def helper() -> SimpleNamespace:
    """A team's app helper; its naming rule (below) stands for their library's ResourceNaming."""
    return SimpleNamespace(environment="dev", application="mare")


@pytest.fixture
def team_naming() -> Any:
    use_table_naming(lambda helper, base: f"{helper.application}-{helper.environment}-{base}")
    yield
    use_table_naming(None)


@pytest.fixture
def lambda_folder() -> Path:
    """The construct example's code folder, ./lambda/deployment, with its handlers module."""
    folder = Path("lambda/deployment")
    folder.mkdir(parents=True)
    (folder / "handlers.py").write_text(HANDLERS)
    return folder


def test_the_constructs_documented_example_synthesizes_one_trigger_with_its_asset(
    app, stack, helper, team_naming, lambda_folder, lint
):
    # The construct's documented example (seed-DynamoDBStreamTrigger.txt), word for word.
    trigger = DynamoDBStreamTrigger(
        scope=stack,
        id="deployment-trigger",
        app_helper=helper,
        trigger_type=StreamTriggerType.PIPELINE,
        table_base_name="deployment-requests",
        resource_base_name="deployment-processor",
        lambda_handler="handlers.process_deployment",
        lambda_code_path="./lambda/deployment",
        env_vars={
            "PIPELINE_ARN": "arn:aws:codepipeline:us-east-1:123456789012:my-pipeline"
        },
        filter_pattern={
            "eventName": ["INSERT"],
            "dynamodb": {
                "NewImage": {
                    "status": {"S": ["PENDING"]}
                }
            }
        },
        table_index_name="status-index"
    )  # fmt: skip

    template = synthesized(app)

    [(asset_hash, asset)] = asset_files(app).items()
    [destination] = asset["destinations"].values()
    assert (asset["source"]["packaging"], destination["objectKey"]) == ("zip", f"{asset_hash}.zip")
    assert destination["bucketName"] == "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"
    staged = Path(app.outdir) / asset["source"]["path"]
    assert (staged / "handlers.py").read_text() == HANDLERS
    assert list(template["Resources"]) == [stack.get_logical_id(trigger.trigger)]
    [resource] = triggers(template).values()
    assert resource == {
        "Type": TYPE_NAME,
        "Properties": {
            "Name": "deployment-processor",
            "TableName": "mare-dev-deployment-requests",
            "TriggerType": "PIPELINE",
            "Handler": "handlers.process_deployment",
            "Code": {"S3Bucket": ASSET_BUCKET, "S3Key": f"{asset_hash}.zip"},
            "Environment": {"PIPELINE_ARN": PIPELINE},
            "FilterPattern": FILTER,
            "TableIndexName": "status-index",
            "IsDevops": True,
        },
    }
    assert trigger.table_name == "mare-dev-deployment-requests"
    assert_lints_clean(lint(template))
    # docs/guide.md, 1.4 shows this very resource.
    assert template["Resources"] == json.loads("{" + guides_synthesized_example() + "}")


def guides_synthesized_example() -> str:
    section = (ROOT / "docs" / "guide.md").read_text().split("### 1.4 ", 1)[1]
    return re.search(r"```json\n(.*?)```", section, re.DOTALL).group(1)  # type: ignore[union-attr]


def test_a_zip_file_is_uploaded_as_it_is(app, stack, tmp_path):
    package = tmp_path / "deployment.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("handlers.py", HANDLERS)

    DynamoDBStreamTrigger(stack, "zipped", **arguments(lambda_code_path=str(package)))
    template = synthesized(app)

    [(asset_hash, asset)] = asset_files(app).items()
    assert asset["source"]["packaging"] == "file"
    assert (Path(app.outdir) / asset["source"]["path"]).read_bytes() == package.read_bytes()
    [resource] = triggers(template).values()
    assert resource["Properties"]["Code"] == {"S3Bucket": ASSET_BUCKET, "S3Key": f"{asset_hash}.zip"}
    # Without an app helper or a naming rule, the table's name is the base name as given.
    assert resource["Properties"]["TableName"] == "deployment-requests"


def test_no_code_path_deploys_the_built_in_function_and_uploads_nothing(app, stack, lint):
    DynamoDBStreamTrigger(
        stack,
        "built-in",
        trigger_type=StreamTriggerType.SNS_TOPIC,
        table_base_name="deployment-requests",
        resource_base_name="request-announcer",
        lambda_handler="index.handler",
        lambda_code_path=None,
        env_vars={"TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:requests"},
        filter_pattern=None,
        is_devops=False,
    )
    template = synthesized(app)

    assert asset_files(app) == {}
    [resource] = triggers(template).values()
    assert resource["Properties"] == {
        "Name": "request-announcer",
        "TableName": "deployment-requests",
        "TriggerType": "SNS_TOPIC",
        "Handler": "index.handler",
        "Environment": {"TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:requests"},
        "IsDevops": False,
    }
    assert_lints_clean(lint(template))


def test_every_other_property_of_the_type_passes_through(app, stack, lambda_folder, lint):
    DynamoDBStreamTrigger(
        stack,
        "more",
        **arguments(
            lambda_code_path="./lambda/deployment",
            starting_position="TRIM_HORIZON",
            dead_letter_queue_arn="arn:aws:sqs:us-east-1:123456789012:failed-deployments",
            maximum_retry_attempts=5,
            tags=[TagProperty(key="team", value="platform")],
        ),
    )
    template = synthesized(app)

    properties = next(iter(triggers(template).values()))["Properties"]
    assert {
        key: properties[key] for key in ("StartingPosition", "DeadLetterQueueArn", "MaximumRetryAttempts", "Tags")
    } == {
        "StartingPosition": "TRIM_HORIZON",
        "DeadLetterQueueArn": "arn:aws:sqs:us-east-1:123456789012:failed-deployments",
        "MaximumRetryAttempts": 5,
        "Tags": [{"Key": "team", "Value": "platform"}],
    }
    assert_lints_clean(lint(template))


def test_a_naming_function_given_to_the_trigger_wins_over_the_apps_rule(app, stack, helper, team_naming):
    trigger = DynamoDBStreamTrigger(
        stack, "named", **arguments(app_helper=helper, table_naming=lambda base: f"{base}-v2")
    )

    [resource] = triggers(synthesized(app)).values()
    assert resource["Properties"]["TableName"] == trigger.table_name == "deployment-requests-v2"


def test_an_app_helper_without_a_naming_rule_keeps_the_name_and_warns_at_synth(app, stack, helper):
    trigger = DynamoDBStreamTrigger(stack, "unnamed", **arguments(app_helper=helper))
    assembly = app.synth()

    [warning] = [
        message
        for message in assembly.get_stack_by_name("TriggerStack").messages
        if message.entry.type == "aws:cdk:warning"
    ]
    assert warning.id == "/TriggerStack/unnamed"
    assert "app_helper was given but no naming rule: the table's name is table_base_name as given" in str(
        warning.entry.data
    )
    assert trigger.table_name == "deployment-requests"


def test_attributes_are_the_resources_get_atts(app, stack):
    trigger = DynamoDBStreamTrigger(stack, "outputs", **arguments())
    for attribute in ("function_arn", "function_role_arn", "pipe_arn", "pipe_role_arn", "table_arn", "stream_arn"):
        cdk.CfnOutput(stack, attribute, value=getattr(trigger, attribute))
    template = synthesized(app)

    logical_id = stack.get_logical_id(trigger.trigger)
    outputs = {key: value["Value"] for key, value in template["Outputs"].items()}
    assert outputs == {
        "functionarn": {"Fn::GetAtt": [logical_id, "FunctionArn"]},
        "functionrolearn": {"Fn::GetAtt": [logical_id, "FunctionRoleArn"]},
        "pipearn": {"Fn::GetAtt": [logical_id, "PipeArn"]},
        "piperolearn": {"Fn::GetAtt": [logical_id, "PipeRoleArn"]},
        "tablearn": {"Fn::GetAtt": [logical_id, "TableArn"]},
        "streamarn": {"Fn::GetAtt": [logical_id, "StreamArn"]},
    }


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"environment": {"A": "b"}}, "environment is the construct's argument env_vars: give it once, as env_vars"),
        ({"name": "other"}, "name is the construct's argument resource_base_name: give it once, as resource_base_name"),
        (
            {"code": CodeProperty(zip_file="def handler(e, c): pass")},
            "give the function's code once: lambda_code_path or code, not both",
        ),
        (
            {"trigger_type": "PIPELINE"},
            "trigger_type must be a StreamTriggerType (PIPELINE or SNS_TOPIC), not 'PIPELINE'",
        ),
    ],
    ids=["property-named-by-an-argument", "name-twice", "code-twice", "trigger-type-as-a-string"],
)
def test_arguments_given_twice_or_of_the_wrong_kind_are_refused(stack, lambda_folder, given, error):
    with pytest.raises(TypeError) as refused:
        DynamoDBStreamTrigger(stack, "twice", **arguments(lambda_code_path="./lambda/deployment", **given))
    assert error in str(refused.value)


def test_a_code_path_that_is_a_file_but_not_a_zip_is_refused(stack, lambda_folder):
    with pytest.raises(
        ValueError,
        match=re.escape("lambda_code_path must be a folder or a .zip file, not lambda/deployment/handlers.py"),
    ):
        DynamoDBStreamTrigger(stack, "not-zip", **arguments(lambda_code_path="lambda/deployment/handlers.py"))


def test_the_construct_enumeration_keeps_its_values():
    assert {member.name: member.value for member in StreamTriggerType} == {
        "PIPELINE": "pipeline",
        "SNS_TOPIC": "sns_topic",
    }


def test_a_bucket_of_the_triggers_own_is_where_the_code_goes(app, lambda_folder):
    own = cdk.Stack(
        app,
        "TriggerStack",
        synthesizer=cdk.DefaultStackSynthesizer(file_assets_bucket_name="trigger-code-${AWS::AccountId}"),
    )
    DynamoDBStreamTrigger(own, "own-bucket", **arguments(lambda_code_path="./lambda/deployment"))

    [resource] = triggers(synthesized(app)).values()
    assert resource["Properties"]["Code"]["S3Bucket"] == {"Fn::Sub": "trigger-code-${AWS::AccountId}"}


def test_a_code_path_that_does_not_exist_is_refused_at_synth(stack, tmp_path):
    with pytest.raises(ValueError) as refused:
        DynamoDBStreamTrigger(stack, "missing", **arguments(lambda_code_path="./lambda/no-such-folder"))
    assert (
        str(refused.value)
        == f"lambda_code_path lambda/no-such-folder does not exist (relative paths start at {tmp_path.name}/)"
    )
