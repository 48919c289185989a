"""The handlers' own role: resource-role.yaml grants exactly what the schema's handlers declare,
and every call any test saw a handler make is among its action's declared permissions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import SUITE_CALLS, drive, make_table, pipeline_properties

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "schema.json").read_text())
ROLE = yaml.safe_load((ROOT / "resource-role.yaml").read_text())
HANDLERS = {"CREATE": "create", "READ": "read", "UPDATE": "update", "DELETE": "delete", "LIST": "list"}


def declared(handler: str) -> set[str]:
    return set(SCHEMA["handlers"][handler]["permissions"])


def undeclared(recorded: dict[str, set[str]]) -> dict[str, list[str]]:
    """The calls, by action, that the action's handler permissions do not list."""
    missing = {action: sorted(calls - declared(HANDLERS[action])) for action, calls in recorded.items()}
    return {action: calls for action, calls in missing.items() if calls}


def test_a_call_that_is_not_declared_is_reported():
    recorded = {"CREATE": {"lambda:CreateFunction", "s3:PutObject"}, "LIST": {"pipes:ListPipes"}}
    assert undeclared(recorded) == {"CREATE": ["s3:PutObject"]}


def role_statements() -> list[dict]:
    (policy,) = ROLE["Resources"]["ExecutionRole"]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


def test_the_role_grants_exactly_the_declared_actions_and_no_wildcard_action():
    statements = role_statements()
    granted = {action for statement in statements for action in statement["Action"]}
    union = set().union(*(declared(handler) for handler in SCHEMA["handlers"]))
    assert granted == union
    assert all(statement["Effect"] == "Allow" and "NotAction" not in statement for statement in statements)
    assert [action for action in granted if "*" in action] == []


def test_only_cloudformation_for_this_type_in_this_account_may_assume_the_role():
    (trust,) = ROLE["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "resources.cloudformation.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert trust["Condition"]["StringLike"]["aws:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:type/resource/"
        "Mare-DynamoDB-StreamTrigger/*"
    }


@pytest.mark.last_in_suite
def test_every_call_a_handler_made_in_the_suite_is_declared_for_its_action(moto):
    # One pass of every action here, so that the check has something to see when run alone.
    make_table()
    properties = pipeline_properties()
    assert drive("CREATE", properties)[0]["status"] == "SUCCESS"
    assert drive("READ", {"Name": properties["Name"]})[0]["status"] == "SUCCESS"
    assert drive("UPDATE", {**properties, "MemorySize": 512}, previous=properties)[0]["status"] == "SUCCESS"
    assert drive("LIST", {})[0]["status"] == "SUCCESS"
    assert drive("DELETE", {"Name": properties["Name"]})[0]["status"] == "SUCCESS"

    assert set(SUITE_CALLS) == set(HANDLERS)
    assert undeclared(SUITE_CALLS) == {}
    print("calls seen, by action:", {action: len(calls) for action, calls in sorted(SUITE_CALLS.items())})
