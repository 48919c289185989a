"""moto in server mode on 127.0.0.1, and the real entrypoint driven as CloudFormation drives it."""

from __future__ import annotations

import functools
import io
import json
import logging
import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
import requests
from hypothesis import settings
from moto.server import ThreadedMotoServer

from faults import aws_calls  # noqa: F401 - a fixture for every test module
from iam_evaluation import Request, requests_of_call
from mare_dynamodb_streamtrigger.operations.clients import Aws
from mare_streamtrigger_local import driving, moto_world
from model_minimums import below_minimum

# Property tests are the same on every run and on every machine: derandomized (examples come from a
# fixed seed), no deadline (a loaded CI machine is no failure), and a failure prints how to reproduce it.
settings.register_profile("project", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("project")

REGION = "eu-west-1"
ACCOUNT = "123456789012"
DEVOPS_ACCOUNT = "210987654321"
TABLE = "deployment-requests"
INDEX = "status-index"
PIPELINE_ARN = f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:deploy-pipeline"


# Every AWS call a handler made during the suite, as IAM actions, by the action that made it.
SUITE_CALLS: dict[str, set[str]] = {}
# What IAM would authorize for those calls (made with the execution role, not an assumed one).
SUITE_REQUESTS: set[Request] = set()


@functools.cache
def suite_iam() -> Any:
    """One IAM client for the suite's own looks (a client costs milliseconds to make)."""
    return boto3.client("iam", region_name=REGION)


# The paths of the roles the handlers created (CreateRole names it), so that the calls on them need
# no look of their own; any other role is looked up. Cleared with moto's state by the moto fixture
# (a later reset elsewhere leaves names the handlers make again under the same path, or none).
CREATED_ROLE_PATHS: dict[str, str] = {}


def live_role_path(role_name: str) -> str | None:
    """A role's path as IAM knows it now; None for a role that does not exist."""
    if role_name in CREATED_ROLE_PATHS:
        return CREATED_ROLE_PATHS[role_name]
    try:
        return str(suite_iam().get_role(RoleName=role_name)["Role"]["Path"])
    except botocore.exceptions.ClientError:
        return None


@pytest.fixture(scope="session", autouse=True)
def record_handler_calls() -> Iterator[dict[str, set[str]]]:
    """Records, for the whole suite, each call a handler makes, under the action it handles."""
    from mare_dynamodb_streamtrigger import handlers

    current: list[str] = []
    invoke_handler = handlers.resource._invoke_handler

    def invoke_recording(session: Any, request: Any, action: Any, context: Any) -> Any:
        current.append(action.name)
        try:
            return invoke_handler(session, request, action, context)
        finally:
            current.pop()

    make_client = Aws.client

    def client_recording(self: Aws, service: str, credentials: dict[str, str] | None = None) -> Any:
        made = make_client(self, service, credentials)
        prefix = made.meta.service_model.signing_name

        def record(model: Any, **_kwargs: Any) -> None:
            if current:
                SUITE_CALLS.setdefault(current[-1], set()).add(f"{prefix}:{model.name}")

        def record_request(params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
            # Every request of the suite within AWS's own minimums, which moto does not enforce.
            short = below_minimum(model.input_shape, params, f"{prefix}.{model.name}") if model.input_shape else []
            assert not short, f"a request AWS would refuse: {short}"
            if model.name == "CreateRole" and credentials is None:
                CREATED_ROLE_PATHS[params["RoleName"]] = params.get("Path", "/")
            if current and credentials is None:
                SUITE_REQUESTS.update(
                    requests_of_call(
                        f"{prefix}.{model.name}",
                        params,
                        self.partition,
                        self.region,
                        self.account,
                        live_role_path,
                    )
                )

        made.meta.events.register("before-call", record)
        made.meta.events.register("before-parameter-build", record_request)
        return made

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(handlers.resource, "_invoke_handler", invoke_recording)
        patch.setattr(Aws, "client", client_recording)
        yield SUITE_CALLS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked last_in_suite run after all others, to see what the others recorded."""
    items.sort(key=lambda item: item.get_closest_marker("last_in_suite") is not None)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    port = moto_world.free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    saved = {
        k: os.environ.get(k)
        for k in (
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_DEFAULT_REGION",
        )
    }
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION=REGION,
    )
    yield url
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def moto(moto_url: str) -> Iterator[str]:
    requests.post(f"{moto_url}/moto-api/reset", timeout=10)
    CREATED_ROLE_PATHS.clear()
    yield moto_url
    requests.post(f"{moto_url}/moto-api/reset", timeout=10)
    # A reset keeps the state manager's transitions: put pipes back to moving at once.
    requests.post(f"{moto_url}/moto-api/state-manager/unset-transition", json={"model_name": "pipes::pipe"}, timeout=10)


def client(service: str, **kwargs: Any) -> Any:
    return boto3.client(service, region_name=REGION, **kwargs)


def hold_pipes(moto_url: str, describes: int) -> None:
    """Keep each new pipe in its current state for `describes` describe calls (moto's state manager)."""
    moto_world.hold_pipes(moto_url, describes)


def make_table(
    name: str = TABLE, view_type: str | None = "NEW_AND_OLD_IMAGES", parameters: bool = True, ssm: Any = None
) -> dict[str, Any]:
    return moto_world.seed_table(name, REGION, view_type=view_type, parameters=parameters, ssm=ssm)


put_table_parameters = moto_world.put_table_parameters


@pytest.fixture
def table(moto: str) -> dict[str, Any]:
    return make_table()


@pytest.fixture
def topic_arn(moto: str) -> str:
    return client("sns").create_topic(Name="deployments")["TopicArn"]


@pytest.fixture
def queue_arn(moto: str) -> str:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="trigger-dlq")["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def pipeline_properties(**overrides: Any) -> dict[str, Any]:
    """The seed's own example: start a pipeline on INSERT of PENDING items."""
    properties = {
        "Name": "deployment-processor",
        "TableName": TABLE,
        "TriggerType": "PIPELINE",
        "Handler": "app.handler",
        "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
        "Environment": {"PIPELINE_ARN": PIPELINE_ARN},
        "FilterPattern": {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}},
        "IsDevops": False,
    }
    properties.update(overrides)
    return properties


TARGET = driving.Target(REGION, ACCOUNT, moto_world.FAKE_CREDENTIALS, wait=False, max_invocations=None)


def handler_request(
    action: str,
    properties: dict[str, Any] | None,
    previous: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    type_configuration: dict[str, Any] | None = None,
    stack_tags: dict[str, str] | None = None,
    token: str | None = None,
    target: driving.Target = TARGET,
    request_data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A HandlerRequest as CloudFormation sends it to the `resource` entrypoint; `target` sets the
    caller's account, region and credentials, `request_data` adds to requestData."""
    request = driving.handler_request(
        action, target, token or str(uuid.uuid4()), properties, previous, context, stack_tags, type_configuration
    )
    request["requestData"].update(request_data or {})
    return request


def invoke(action: str, properties: dict[str, Any] | None, **kwargs: Any) -> dict[str, Any]:
    from mare_dynamodb_streamtrigger import handlers

    event = handlers.resource(handler_request(action, properties, **kwargs), None)
    # Everything the entrypoint returns must survive JSON, as Lambda would send it.
    return json.loads(json.dumps(event))


def drive(
    action: str, properties: dict[str, Any] | None, max_invocations: int = 30, **kwargs: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Invokes as CloudFormation does until the status is final; returns the final and every event."""
    token = kwargs.pop("token", None) or str(uuid.uuid4())
    events = [invoke(action, properties, token=token, **kwargs)]
    while events[-1]["status"] == "IN_PROGRESS":
        assert len(events) < max_invocations, f"{action} still IN_PROGRESS after {max_invocations} invocations"
        last = events[-1]
        assert last["callbackDelaySeconds"] > 0
        # Copies, so that the events recorded here are not changed by the next invocation.
        kwargs["context"] = json.loads(json.dumps(last["callbackContext"]))
        properties = json.loads(json.dumps(last["resourceModel"]))
        events.append(invoke(action, properties, token=token, **kwargs))
    return events[-1], events


def devops_clients_kwargs(role: str = "admin") -> dict[str, str]:
    """Credentials in the devops account: moto maps an assumed role's credentials to the role's account."""
    sts = client("sts")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{DEVOPS_ACCOUNT}:role/{role}", RoleSessionName="setup")[
        "Credentials"
    ]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


EMULATOR_LOGGERS = ("werkzeug", "flask_cors", "moto")


@pytest.fixture
def everything_at_debug() -> Iterator[io.StringIO]:
    """Every logger at DEBUG, all records written (with tracebacks) to one buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    loggers = [root] + [logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict)]
    levels = {logger.name: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    # moto's server runs in this process, unlike AWS: its own records are the emulator's, not the
    # handlers'. Sent on to the provider's log group, they would wait for the server itself.
    emulator = [logging.getLogger(name) for name in EMULATOR_LOGGERS]
    for logger in emulator:
        logger.propagate = False
    root.addHandler(handler)
    yield buffer
    for logger in emulator:
        logger.propagate = True
    root.removeHandler(handler)
    # The library adds its provider log handler to the root logger: take it away again.
    for extra in [h for h in root.handlers if type(h).__name__ == "ProviderLogHandler"]:
        root.removeHandler(extra)
    for logger in loggers:
        logger.setLevel(levels[logger.name])
