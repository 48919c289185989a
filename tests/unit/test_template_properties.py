"""mare_streamtrigger_local.template_properties: a trigger's properties from the user's own template, resolved
as a stack would settle them before the deploy, or refused naming where and what to give."""

import json
from pathlib import Path

import pytest

from mare_streamtrigger_local.template_properties import (
    TemplateError,
    load_template,
    parameter_values,
    trigger_properties,
)

REGION, ACCOUNT = "eu-west-1", "123456789012"

YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Table:
    Type: String
  Subnets:
    Type: CommaDelimitedList
    Default: subnet-0123456789abcdef0,subnet-0123456789abcdef1
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 1024}
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Trigger:
    Type: Mare::DynamoDB::StreamTrigger
    Properties:
      Name: !Sub "${AWS::StackName}-${Stage}-trigger"
      TableName: !Ref Table
      TriggerType: PIPELINE
      Handler: index.handler
      MemorySize: !FindInMap [Sizes, !Ref Stage, Memory]
      Description: !If [IsProd, !Ref AWS::NoValue, !Join [" ", [a, !Ref Stage, trigger]]]
      Environment:
        PIPELINE_ARN: !Sub arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:release-${Stage}
        FIRST_SUBNET: !Select [0, !Ref Subnets]
        PARTS: !Select [1, !Split ["/", "a/b/c"]]
        LITERAL: !Sub "${!NotResolved}"
        SHARED: !Sub
          - "${Prefix}-${Stage}"
          - Prefix: shared
"""


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def properties(tmp_path: Path, text: str = YAML, **values: str) -> dict:
    return trigger_properties(load_template(write(tmp_path, text)), "Trigger", values, REGION, ACCOUNT)


def test_short_forms_parameters_pseudo_parameters_and_functions_resolve(tmp_path):
    assert properties(tmp_path, Table="orders") == {
        "Name": "local-dev-trigger",
        "TableName": "orders",
        "TriggerType": "PIPELINE",
        "Handler": "index.handler",
        "MemorySize": 128,
        "Description": "a dev trigger",
        "Environment": {
            "PIPELINE_ARN": "arn:aws:codepipeline:eu-west-1:123456789012:release-dev",
            "FIRST_SUBNET": "subnet-0123456789abcdef0",
            "PARTS": "b",
            "LITERAL": "${NotResolved}",
            "SHARED": "shared-dev",
        },
    }


def test_a_condition_and_no_value_leave_a_property_out(tmp_path):
    resolved = properties(tmp_path, Table="orders", Stage="prod")
    assert "Description" not in resolved
    assert resolved["MemorySize"] == 1024
    assert resolved["Environment"]["PIPELINE_ARN"].endswith(":release-prod")


def test_json_templates_give_the_same_properties(tmp_path):
    from cfn_flip import to_json  # cfn-lint's own dependency, which writes the long forms

    as_json = to_json(YAML)
    assert json.loads(as_json)["Resources"]["Trigger"]["Properties"]["TableName"] == {"Ref": "Table"}
    assert properties(tmp_path, as_json, Table="orders") == properties(tmp_path, Table="orders")


@pytest.mark.parametrize(
    ("change", "values", "message"),
    [
        (
            ("TableName: !Ref Table", "TableName: !GetAtt Topic.TopicName"),
            {},
            "Resources.Trigger.Properties.TableName: Fn::GetAtt Topic.TopicName is known only in a deploy: "
            "give it with --parameter Topic.TopicName=VALUE",
        ),
        (
            ("FIRST_SUBNET: !Select [0, !Ref Subnets]", "FIRST_SUBNET: !Ref Topic"),
            {"Table": "orders"},
            "Resources.Trigger.Properties.Environment.FIRST_SUBNET: Ref Topic (a AWS::SNS::Topic) is known only in "
            "a deploy: give it with --parameter Topic=VALUE",
        ),
        (
            ("TableName: !Ref Table", "TableName: !ImportValue shared-table"),
            {},
            "Resources.Trigger.Properties.TableName: Fn::ImportValue is resolved only in a deploy; give the "
            "property's value in the template",
        ),
        (
            ("TableName: !Ref Table", "TableName: '{{resolve:ssm:/tables/orders}}'"),
            {},
            "Resources.Trigger.Properties.TableName: a dynamic reference ({{resolve:ssm:/tables/orders}}) is "
            "resolved only in a deploy",
        ),
        (
            ("Handler: index.handler", "Handler: index.handler"),
            {},
            "Resources.Trigger.Properties.TableName: parameter Table has no Default: give it with --parameter "
            "Table=VALUE",
        ),
        (
            ("Handler: index.handler", "Handler: index.handler"),
            {"Table": "orders", "Stage": "test"},
            "parameter Stage is 'test', not one of its AllowedValues ['dev', 'prod']",
        ),
    ],
    ids=["GetAtt", "Ref of a resource", "ImportValue", "dynamic reference", "no Default", "AllowedValues"],
)
def test_what_only_a_deploy_knows_is_refused_saying_what_to_give(tmp_path, change, values, message):
    with pytest.raises(TemplateError) as refused:
        properties(tmp_path, YAML.replace(*change), **values)
    assert str(refused.value) == message


def test_a_resources_value_given_as_a_parameter_is_used(tmp_path):
    text = YAML.replace("TableName: !Ref Table", "TableName: !GetAtt Topic.TopicName")
    assert properties(tmp_path, text, **{"Topic.TopicName": "orders"})["TableName"] == "orders"


@pytest.mark.parametrize(
    ("logical_id", "message"),
    [
        ("Nope", "no resource Nope in the template (its Mare::DynamoDB::StreamTrigger resources: Trigger)"),
        ("Topic", "Topic is a AWS::SNS::Topic, not a Mare::DynamoDB::StreamTrigger"),
    ],
)
def test_the_resource_must_be_a_trigger_of_the_template(tmp_path, logical_id, message):
    with pytest.raises(TemplateError) as refused:
        trigger_properties(load_template(write(tmp_path, YAML)), logical_id, {"Table": "t"}, REGION, ACCOUNT)
    assert str(refused.value) == message


def test_a_trigger_whose_condition_is_false_is_not_created(tmp_path):
    kind = "    Type: Mare::DynamoDB::StreamTrigger\n"
    with pytest.raises(TemplateError) as refused:
        properties(tmp_path, YAML.replace(kind, f"{kind}    Condition: IsProd\n"), Table="orders")
    assert str(refused.value) == "Trigger is not created with these parameters: its Condition IsProd is false"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources:\n  Trigger: [1\n", ":3: did not find expected ',' or ']'"),
        ("just: text\n", ": not a CloudFormation template (no Resources)"),
    ],
)
def test_a_file_that_is_not_a_template_is_refused_in_one_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(TemplateError) as refused:
        load_template(path)
    assert str(refused.value) == f"{path}{message}"


def test_a_missing_template_is_named(tmp_path):
    with pytest.raises(TemplateError) as refused:
        load_template(tmp_path / "absent.yaml")
    assert str(refused.value) == f"{tmp_path / 'absent.yaml'}: no such file"


def test_parameters_are_key_equals_value():
    assert parameter_values(["Stage=prod", "Url=a=b"]) == {"Stage": "prod", "Url": "a=b"}
    with pytest.raises(TemplateError, match="expected KEY=VALUE"):
        parameter_values(["Stage"])
