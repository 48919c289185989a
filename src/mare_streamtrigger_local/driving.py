"""Drives the real entrypoint (`handlers.resource`) as CloudFormation does: a HandlerRequest, then
the same request with the returned callback context while the action is IN_PROGRESS."""

from __future__ import annotations

import contextlib
import copy
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3

from mare_dynamodb_streamtrigger.core.names import INLINE_POLICY_NAME, TYPE_NAME

from .moto_world import FAKE_CREDENTIALS, MOTO_MAX_INVOCATIONS

Json = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """Where the handlers run: the request's region, account and caller credentials."""

    region: str
    account: str
    credentials: dict[str, str | None]
    wait: bool
    max_invocations: int | None


def moto_target(region: str) -> Target:
    account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    return Target(region, account, dict(FAKE_CREDENTIALS), wait=False, max_invocations=MOTO_MAX_INVOCATIONS)


def aws_target(region: str | None) -> Target:
    session = boto3.Session()
    region = region or session.region_name
    if not region:
        raise SystemExit("No region: pass --region or configure a default region for boto3")
    credentials = session.get_credentials()
    if credentials is None:
        raise SystemExit("No AWS credentials found for boto3")
    frozen = credentials.get_frozen_credentials()
    account = session.client("sts", region_name=region).get_caller_identity()["Account"]
    caller = {"accessKeyId": frozen.access_key, "secretAccessKey": frozen.secret_key, "sessionToken": frozen.token}
    return Target(region, account, caller, wait=True, max_invocations=None)


def handler_request(
    action: str,
    target: Target,
    token: str,
    properties: Json | None,
    previous: Json | None,
    context: Json | None,
    stack_tags: dict[str, str] | None = None,
    type_configuration: Json | None = None,
) -> Json:
    """A HandlerRequest as CloudFormation sends it to the `resource` entrypoint."""
    return {
        "awsAccountId": target.account,
        "bearerToken": token,
        "region": target.region,
        "action": action,
        "responseEndpoint": None,
        "resourceType": TYPE_NAME,
        "resourceTypeVersion": "00000001",
        "callbackContext": context,
        "stackId": f"arn:aws:cloudformation:{target.region}:{target.account}:stack/local/{uuid.uuid4()}",
        "requestData": {
            "callerCredentials": target.credentials,
            "resourceProperties": properties,
            "previousResourceProperties": previous,
            "logicalResourceId": "Trigger",
            "stackTags": stack_tags,
            "typeConfiguration": type_configuration,
        },
    }


def invoke(payload: Json) -> Json:
    from mare_dynamodb_streamtrigger import handlers

    # The library prints its own error notes to stdout; keep stdout for our events alone.
    with contextlib.redirect_stdout(sys.stderr):
        event = handlers.resource(payload, None)
    answer: Json = json.loads(json.dumps(event, default=str))
    return answer


def invocations(
    properties: Json | None,
    request_for: Callable[[Json | None, Json | None], Json],
    invoke_with: Callable[[Json], Json] = invoke,
    wait: bool = False,
    context: Json | None = None,
) -> Iterator[Json]:
    """The one drive loop: the entrypoint invoked with `request_for(properties, context)`, then again
    with the callback context and model it returned while the status is IN_PROGRESS, as
    CloudFormation does (waiting callbackDelaySeconds where `wait`). Yields every event; each
    invocation gets copies, so an event once yielded is never changed by the next. `context` is the
    first invocation's callback context (a test's forged one, say)."""
    while True:
        event = invoke_with(request_for(properties, context))
        yield event
        if event.get("status") != "IN_PROGRESS":
            return
        if wait:
            time.sleep(event.get("callbackDelaySeconds") or 0)
        context = copy.deepcopy(event.get("callbackContext"))
        properties = copy.deepcopy(event.get("resourceModel")) or properties


def drive(
    action: str, target: Target, properties: Json | None, previous: Json | None, emit: Callable[[str, int, Json], None]
) -> Json:
    """Invokes as CloudFormation does, one token, until the status is final; returns the final event."""
    token = str(uuid.uuid4())

    def request_for(desired: Json | None, context: Json | None) -> Json:
        return handler_request(action, target, token, desired, previous, context)

    event: Json = {}
    for invocation, event in enumerate(invocations(properties, request_for, wait=target.wait), 1):
        emit(action, invocation, event)
        looping = target.max_invocations is not None and invocation >= target.max_invocations
        if event.get("status") == "IN_PROGRESS" and looping:
            gave_up = {
                "status": "FAILED",
                "errorCode": "NotStabilized",
                "message": f"{action} still IN_PROGRESS after {invocation} invocations: a handler loops",
            }
            emit(action, invocation, gave_up)
            return gave_up
    return event


def describe_built(model: Json, region: str) -> Json:
    """Both roles with their trust and inline policies, the function, the pipe and the invoke permission."""
    iam = boto3.client("iam", region_name=region)
    lambda_ = boto3.client("lambda", region_name=region)
    pipes = boto3.client("pipes", region_name=region)
    roles = {}
    for kind, key in (("function role", "FunctionRoleArn"), ("pipe role", "PipeRoleArn")):
        name = model[key].rsplit("/", 1)[-1]
        role = iam.get_role(RoleName=name)["Role"]
        policy = iam.get_role_policy(RoleName=name, PolicyName=INLINE_POLICY_NAME)
        roles[kind] = {
            "RoleName": name,
            "Path": role.get("Path"),
            "AssumeRolePolicyDocument": role.get("AssumeRolePolicyDocument"),
            "PolicyName": policy["PolicyName"],
            "PolicyDocument": policy["PolicyDocument"],
        }
    config = lambda_.get_function(FunctionName=model["Name"])["Configuration"]
    pipe = pipes.describe_pipe(Name=model["Name"])
    return {
        **roles,
        "function": {
            key: config.get(key)
            for key in ("FunctionName", "Runtime", "Handler", "Role", "MemorySize", "Timeout", "Environment")
        },
        "pipe": {
            key: pipe.get(key)
            for key in ("Name", "CurrentState", "RoleArn", "Source", "Target", "SourceParameters", "TargetParameters")
        },
        "permission": json.loads(lambda_.get_policy(FunctionName=model["Name"])["Policy"]),
    }
