"""request_shape: a request's shape, checked before the library reads it; the problem is named."""

from __future__ import annotations

import pytest

from mare_dynamodb_streamtrigger.guard.request_shape import (
    context_problem,
    request_problem,
    value_problem,
    with_defaults,
)
from mare_dynamodb_streamtrigger.models import ResourceModel

from .builders import PIPELINE_PROPERTIES


def request(action="CREATE", properties=None, **changes):
    event = {
        "action": action,
        "awsAccountId": "123456789012",
        "bearerToken": "token",
        "region": "eu-west-1",
        "requestData": {
            "callerCredentials": {"accessKeyId": "a", "secretAccessKey": "b", "sessionToken": "c"},
            "resourceProperties": dict(PIPELINE_PROPERTIES) if properties is None else properties,
        },
    }
    event.update(changes)
    return event


@pytest.mark.parametrize(
    ("properties", "problem"),
    [
        ({"Tags": [{"Key": "k", "Value": 5}]}, "Tags[0].Value must be a string, not a number"),
        ({"Tags": {"Key": "k"}}, "Tags must be an array, not an object"),
        ({"Tags": [None]}, "Tags[0] must be an object, not null"),
        ({"Tags": [{"Key": "k", "Other": "v"}]}, "Other is not a property of Tags[0] of Mare::DynamoDB::StreamTrigger"),
        ({"Code": "def handler(): pass"}, "Code must be an object, not a string"),
        ({"Code": {"ZipFile": ["x"]}}, "Code.ZipFile must be a string, not an array"),
        ({"MemorySize": "abc"}, "MemorySize must be an integer (as text, at most 20 digits), not a string"),
        ({"BatchSize": "0" * 4301}, "BatchSize must be an integer (as text, at most 20 digits), not a string"),
        ({"MemorySize": 256.5}, "MemorySize must be an integer, not a number"),
        ({"MemorySize": True}, "MemorySize must be an integer, not a boolean"),
        ({"IsDevops": "yes"}, "IsDevops must be a boolean, not a string"),
        ({"Name": 7}, "Name must be a string, not a number"),
        ({"Environment": {"STAGE": 1}}, "Environment.STAGE must be a string, not a number"),
        ({"Environment": ["STAGE"]}, "Environment must be an object, not an array"),
        ({"Timeout": None}, "Timeout is null: leave it out instead"),
        ({"Bogus": 1}, "Bogus is not a property of Mare::DynamoDB::StreamTrigger"),
        ({"B" * 100: 1}, f"{'B' * 59}… is not a property of Mare::DynamoDB::StreamTrigger"),
    ],
)
def test_a_property_of_the_wrong_type_is_named_by_its_path(properties, problem):
    assert request_problem(request(properties={**PIPELINE_PROPERTIES, **properties})) == problem


def test_what_cloudformation_sends_as_strings_fits():
    properties = {**PIPELINE_PROPERTIES, "MemorySize": "256", "BatchSize": "+10", "IsDevops": "FALSE"}
    assert request_problem(request(properties=properties)) is None
    # anything goes inside a filter pattern's values, nulls included
    assert value_problem({"FilterPattern": {"a": [None, {"b": 1}]}}, ResourceModel, "") is None


ACTIONS = "expected one of CREATE, READ, UPDATE, DELETE, LIST"
NO_PROPERTIES = "The READ request carries no resource properties (requestData.resourceProperties)"


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ([1], "The request is an array, not a JSON object"),
        ({**request(), "action": None}, f"The request's action is None; {ACTIONS}"),
        ({**request(), "action": "PATCH"}, f"The request's action is PATCH; {ACTIONS}"),
        ({**request(), "region": ""}, "The request's region must be a region name such as eu-west-1"),
        (
            {**request(), "bearerToken": 5},
            "The request's bearerToken must be a string "
            "(1 to 128 printable ASCII characters without spaces), not a number",
        ),
        ({**request(), "requestData": "x"}, "The request's requestData must be an object, not a string"),
        (request("READ", properties=None) | {"requestData": {}}, NO_PROPERTIES),
    ],
)
def test_a_malformed_request_is_named(event, problem):
    assert request_problem(event) == problem


def test_credentials_and_type_configuration_are_checked():
    event = request()
    event["requestData"]["callerCredentials"] = {"accessKeyId": "a", "secretAccessKey": 1, "sessionToken": "c"}
    assert request_problem(event) == (
        "requestData.callerCredentials must be an object of the strings accessKeyId, secretAccessKey, sessionToken"
    )
    event = request()
    event["requestData"]["typeConfiguration"] = {"DevopsParameterRoleArn": "arn", "Other": "x"}
    assert request_problem(event) == (
        "Other is not a setting of Mare::DynamoDB::StreamTrigger's type configuration "
        "(in requestData.typeConfiguration)"
    )
    event["requestData"]["typeConfiguration"] = {"DevopsParameterRoleExternalId": 5}
    assert request_problem(event) == (
        "DevopsParameterRoleExternalId must be a string, not a number (in requestData.typeConfiguration)"
    )


def test_a_list_may_leave_its_properties_out_and_gets_them_as_null():
    event = request("LIST")
    del event["requestData"]["resourceProperties"]
    assert request_problem(event) is None
    assert with_defaults(event)["requestData"]["resourceProperties"] is None
    assert "resourceProperties" not in event["requestData"]  # the request itself is left as it was


CREATE_CONTEXT = {"TableArn": "t", "StreamArn": "s", "done": ["function_role"], "created": ["function_role"]}
UPDATE_CONTEXT = {"TableArn": "t", "StreamArn": "s", "LiveTags": {}, "pipe_changes": False, "done": []}


@pytest.mark.parametrize(
    ("action", "context", "problem"),
    [
        ("CREATE", CREATE_CONTEXT, None),
        ("UPDATE", UPDATE_CONTEXT, None),
        ("DELETE", {"pipe_deleting": True, "deadlines": {"the pipe to be deleted": 1.5}}, None),
        ("CREATE", {}, None),
        ("DELETE", CREATE_CONTEXT, "The callback context holds TableArn, which the DELETE handler never writes"),
        ("UPDATE", CREATE_CONTEXT, "The callback context holds created, which the UPDATE handler never writes"),
        ("CREATE", UPDATE_CONTEXT, "The callback context holds LiveTags, which the CREATE handler never writes"),
        (
            "READ",
            {"pipe_deleting": True},
            "The callback context holds pipe_deleting, which the READ handler never writes",
        ),
        ("CREATE", [1], "The callback context must be an object, not an array"),
        (
            "CREATE",
            {**CREATE_CONTEXT, "done": "all"},
            "The callback context's done must be a list of strings, not a string",
        ),
        (
            "DELETE",
            {"deadlines": {"x": True}},
            "The callback context's deadlines must be an object of numbers, not an object",
        ),
        (
            "CREATE",
            {"TableArn": "t", "StreamArn": "s", "done": []},
            "The callback context of this CREATE lacks created",
        ),
    ],
)
def test_a_callback_context_must_be_one_the_actions_handler_writes(action, context, problem):
    assert context_problem(action, context) == problem
