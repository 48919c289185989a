"""mare_streamtrigger_lint.template_checks without cfn-lint: what is known at lint time, and where findings point."""

import pytest

from mare_streamtrigger_lint.template_checks import (
    UNKNOWN_TARGET,
    findings,
    is_known,
    known_properties,
    property_path,
)

REQUIRED = {"Name", "TableName", "TriggerType", "Handler"}
PIPELINE = "arn:aws:codepipeline:eu-west-1:123456789012:deploy"


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "Parameter"},
        {"Fn::Sub": "${AWS::StackName}-x"},
        {"Fn::GetAtt": ["Queue", "Arn"]},
        {"Fn::ImportValue": "shared-queue"},
        {"Fn::If": ["IsProd", "a", "b"]},
        {"Condition": "IsProd"},
        "{{resolve:ssm:/pipelines/deploy}}",
        {"eventName": [{"prefix": {"Ref": "Prefix"}}]},
        [1, {"Fn::Select": [0, ["a"]]}],
    ],
)
def test_intrinsics_and_dynamic_references_anywhere_are_unknown(value):
    assert not is_known(value)


@pytest.mark.parametrize(
    "value",
    ["orders", 12, True, None, {"eventName": ["INSERT"]}, {"Ref": "x", "Other": 1}, ["a", {"b": [1, 2]}]],
)
def test_plain_values_are_known(value):
    assert is_known(value)


def test_property_paths_become_template_paths():
    assert property_path("FilterPattern.dynamodb.NewImage.amount.N[0]") == (
        "FilterPattern",
        "dynamodb",
        "NewImage",
        "amount",
        "N",
        0,
    )
    assert property_path("FilterPatterns[1].Pattern.$or[2].eventName") == (
        "FilterPatterns",
        1,
        "Pattern",
        "$or",
        2,
        "eventName",
    )


def test_unknown_environment_values_stand_as_the_trigger_types_own_kind():
    known, unknown = known_properties(
        {"TriggerType": "SNS_TOPIC", "Environment": {"TOPIC_ARN": {"Ref": "Topic"}, "STAGE": "prod"}}
    )
    assert known["Environment"] == {"TOPIC_ARN": UNKNOWN_TARGET["SNS_TOPIC"], "STAGE": "prod"}
    assert unknown == set()


def test_an_environment_with_unknown_values_and_an_unknown_trigger_type_is_unknown():
    known, unknown = known_properties(
        {"TriggerType": {"Ref": "Kind"}, "Environment": {"TARGET": {"Ref": "Target"}, "STAGE": "prod"}}
    )
    assert known == {}
    assert unknown == {"TriggerType", "Environment"}


def test_values_of_the_wrong_type_and_foreign_properties_are_left_to_the_schema():
    known, unknown = known_properties({"MemorySize": "lots", "Colour": "blue", "Timeout": 30})
    assert known == {"Timeout": 30}
    assert unknown == {"MemorySize"}


def test_numbers_as_text_are_read_as_cloudformation_sends_them():
    """CloudFormation passes numbers to a resource type as text; create reads them back as numbers."""
    properties = {"Name": "t", "TableName": "orders", "TriggerType": "PIPELINE", "Handler": "index.handler"}
    properties |= {"Environment": {"PIPELINE_ARN": PIPELINE}, "Timeout": "301"}
    assert [(f.concern, f.path) for f in findings(properties, REQUIRED)] == [("properties", ("Timeout",))]


def test_nothing_known_means_no_finding():
    assert findings({"Name": {"Ref": "Name"}}, REQUIRED) == []
