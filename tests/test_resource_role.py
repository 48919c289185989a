"""The handlers' own role: resource-role.yaml grants exactly what the schema's handlers declare,
each on exactly what the type acts on; every call any test saw a handler make is allowed by it,
and what a hostile stack author could ask of the type is denied by IAM itself."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import (
    ACCOUNT,
    DEVOPS_ACCOUNT,
    REGION,
    SUITE_CALLS,
    SUITE_REQUESTS,
    drive,
    make_table,
    pipeline_properties,
)
from iam_evaluation import NO_SUCH_ROLE, Request, allowing_statement, resolve
from mare_dynamodb_streamtrigger.core.names import ROLE_PATH

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports pkg_resources, which warns
    import parliament
    from parliament import analyze_policy_string

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "schema.json").read_text())
ROLE = yaml.safe_load((ROOT / "resource-role.yaml").read_text())
HANDLERS = {"CREATE": "create", "READ": "read", "UPDATE": "update", "DELETE": "delete", "LIST": "list"}
FOUNDATION_ROLE = f"arn:aws:iam::{DEVOPS_ACCOUNT}:role/parameter-reader"
# The Service Authorization Reference as parliament ships it: which actions have a resource type.
IAM_DEFINITION = json.loads((Path(parliament.__file__).parent / "iam_definition.json").read_text())


def declared(handler: str) -> set[str]:
    return set(SCHEMA["handlers"][handler]["permissions"])


def undeclared(recorded: dict[str, set[str]]) -> dict[str, list[str]]:
    """The calls, by action, that the action's handler permissions do not list."""
    missing = {action: sorted(calls - declared(HANDLERS[action])) for action, calls in recorded.items()}
    return {action: calls for action, calls in missing.items() if calls}


def statements(devops_role: str = FOUNDATION_ROLE) -> list[dict[str, Any]]:
    """The role's statements as IAM sees them in the test account, region and partition."""
    (policy,) = ROLE["Resources"]["ExecutionRole"]["Properties"]["Policies"]
    values = {
        "AWS::Partition": "aws",
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "DevopsParameterRoleArn": devops_role,
    }
    return resolve(policy["PolicyDocument"]["Statement"], values, {"HasDevopsParameterRole": bool(devops_role)})


def has_resource_type(action: str) -> bool:
    prefix, name = action.split(":")
    privileges = [
        privilege
        for service in IAM_DEFINITION
        if service["prefix"] == prefix
        for privilege in service["privileges"]
        if privilege["privilege"] == name
    ]
    assert privileges, action
    return any(resource["resource_type"] for privilege in privileges for resource in privilege["resource_types"])


def test_a_call_that_is_not_declared_is_reported():
    recorded = {"CREATE": {"lambda:CreateFunction", "s3:PutObject"}, "LIST": {"pipes:ListPipes"}}
    assert undeclared(recorded) == {"CREATE": ["s3:PutObject"]}


def test_the_role_grants_exactly_the_declared_actions_each_once():
    granted = [action for statement in statements() for action in statement["Action"]]
    union = set().union(*(declared(handler) for handler in SCHEMA["handlers"]))
    assert sorted(granted) == sorted(union)
    assert [action for action in granted if "*" in action] == []


def test_only_actions_without_a_resource_type_are_granted_on_every_resource():
    on_everything = sorted(a for s in statements() for a in s["Action"] if s["Resource"] == "*")
    granted = sorted(action for statement in statements() for action in statement["Action"])
    assert on_everything == [action for action in granted if not has_resource_type(action)]
    # ListRoles, ListPipes, Pipes' eight log-delivery actions and EC2's three describes (a VpcConfig).
    assert len(on_everything) == 13
    assert [action for action in on_everything if has_resource_type(action)] == []
    scoped = [action for statement in statements() for action in statement["Action"] if statement["Resource"] != "*"]
    assert all(has_resource_type(action) for action in scoped)
    for statement in statements():
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if statement["Resource"] != "*":
            assert all(f":{ACCOUNT}:" in resource for resource in resources) or statement["Sid"] in (
                "CodePackagesOfThisAccount",  # S3 ARNs hold no account: the condition does
                "FoundationParameterRole",
                "LayerVersions",  # a layer may be shared by another account; LayerArns says which
            ), statement


def test_without_a_foundation_role_the_type_may_assume_no_role_at_all():
    assert "sts:AssumeRole" not in {action for statement in statements("") for action in statement["Action"]}
    request = Request("sts:AssumeRole", FOUNDATION_ROLE)
    assert allowing_statement(statements(""), request) is None
    assert allowing_statement(statements(), request) == "FoundationParameterRole"


def test_only_cloudformation_for_this_type_in_this_account_may_assume_the_role():
    (trust,) = ROLE["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "resources.cloudformation.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert trust["Condition"]["StringLike"]["aws:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:type/resource/"
        "Mare-DynamoDB-StreamTrigger/*"
    }


OURS = f"arn:aws:iam::{ACCOUNT}:role/mare-dynamodb-streamtrigger/ci-fn-0a1b2c3d"
FOREIGN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ops/ci-fn-0a1b2c3d"
LAMBDA = (("iam:PassedToService", "lambda.amazonaws.com"),)


# What a hostile stack author could try to have the type do, each denied by the role itself.
ATTACKS = [
    Request("iam:DeleteRole", FOREIGN_ROLE),
    Request("iam:DeleteRolePolicy", FOREIGN_ROLE),
    Request("iam:DetachRolePolicy", FOREIGN_ROLE),
    Request("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/admin"),
    Request("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/escalate"),
    Request("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin", LAMBDA),
    Request("iam:PassRole", OURS, (("iam:PassedToService", "ec2.amazonaws.com"),)),
    Request("iam:PassRole", OURS),
    Request(
        "s3:GetObject", "arn:aws:s3:::finance-private/payroll/exporter.zip", (("s3:ResourceAccount", "999988887777"),)
    ),
    Request("kms:Decrypt", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    Request(
        "kms:Decrypt",
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        (("kms:ViaService", f"secretsmanager.{REGION}.amazonaws.com"),),
    ),
    Request("logs:PutRetentionPolicy", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/payments"),
    Request("logs:DeleteLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/audit/trail"),
    Request("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/admin"),
    Request("ssm:GetParameters", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/db-password"),
    Request(
        "lambda:AddPermission", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:payments", (("lambda:Principal", "*"),)
    ),
    Request("lambda:DeleteFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:payments"),
    Request("lambda:DeleteFunction", f"arn:aws:lambda:{REGION}:999988887777:function:payments"),
    Request("pipes:DeletePipe", f"arn:aws:pipes:{REGION}:999988887777:pipe/payments"),
    Request("dynamodb:DeleteTable", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/payments"),
]


@pytest.mark.parametrize("request_", ATTACKS, ids=str)
def test_the_role_denies_what_a_hostile_author_could_ask_for(request_):
    assert allowing_statement(statements(), request_) is None


def test_the_role_allows_what_a_trigger_needs_and_the_evaluation_is_not_vacuous():
    needs = [
        Request("iam:DeleteRole", OURS),
        Request("iam:PassRole", OURS, LAMBDA),
        Request("s3:GetObject", "arn:aws:s3:::artifacts/app.zip", (("s3:ResourceAccount", ACCOUNT),)),
        Request("logs:PutRetentionPolicy", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/vendedlogs/pipes/x"),
        Request(
            "lambda:AddPermission",
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:x",
            (("lambda:Principal", "pipes.amazonaws.com"),),
        ),
    ]
    assert [allowing_statement(statements(), need) for need in needs] == [
        "TriggerRoles",
        "PassTriggerRoles",
        "CodePackagesOfThisAccount",
        "TriggerLogGroups",
        "LetPipesInvokeFunctions",
    ]


def test_parliament_finds_nothing_on_the_role():
    document = {"Version": "2012-10-17", "Statement": statements()}
    findings = [(f.issue, f.detail) for f in analyze_policy_string(json.dumps(document)).findings]
    # PutResourcePolicy on "*" is what Pipes' log delivery needs (see scripts/execution_role.py).
    assert [issue for issue, _ in findings if issue != "RESOURCE_STAR"] == []
    star = {entry for issue, detail in findings if issue == "RESOURCE_STAR" for entry in (detail or [])}
    assert star <= {"logs:PutResourcePolicy"}, findings


def role_for(request: Request) -> list[dict[str, Any]]:
    """The role as deployed for the request's test: with the foundation role that test configured
    (the template's DevopsParameterRoleArn is the type configuration's role, 5.2 of the guide)."""
    if request.action == "sts:AssumeRole":
        return statements(request.resource)
    return statements()


def tolerated_denial(request: Request) -> bool:
    """GetRole of a name no role has, or of a same-named role outside the type's path (the attacks
    of test_hostile_caller): IAM refuses it or may, and the handlers read that as "not ours"
    (test_hostile_caller simulates the refusal). No other call may be denied."""
    return request.action == "iam:GetRole" and (
        (NO_SUCH_ROLE, "true") in request.context or f":role{ROLE_PATH}" not in request.resource
    )


def role_problems(calls: dict[str, set[str]], requests: set[Request]) -> list[str]:
    """Calls the schema does not declare for their handler, and requests the role would deny."""
    problems = [f"{action} calls {', '.join(missing)}, undeclared" for action, missing in undeclared(calls).items()]
    denied = [request for request in requests if allowing_statement(role_for(request), request) is None]
    return problems + sorted(f"denied: {request}" for request in denied if not tolerated_denial(request))


def test_every_call_a_handler_made_so_far_is_declared_and_allowed_by_the_role(moto):
    """The calls of this test's own pass of every action, and those of every test before it; the
    session's end checks those of the whole suite, whatever the order (conftest.py)."""
    make_table()
    properties = pipeline_properties()
    assert drive("CREATE", properties)[0]["status"] == "SUCCESS"
    assert drive("READ", {"Name": properties["Name"]})[0]["status"] == "SUCCESS"
    assert drive("UPDATE", {**properties, "MemorySize": 512}, previous=properties)[0]["status"] == "SUCCESS"
    assert drive("LIST", {})[0]["status"] == "SUCCESS"
    assert drive("DELETE", {"Name": properties["Name"]})[0]["status"] == "SUCCESS"

    assert set(SUITE_CALLS) == set(HANDLERS)
    assert role_problems(SUITE_CALLS, SUITE_REQUESTS) == []
