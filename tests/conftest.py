"""moto in server mode on 127.0.0.1, and the real entrypoint driven as CloudFormation drives it."""

from __future__ import annotations

import functools
import io
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from hypothesis import settings

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
        # IAM's prefix for the service's actions: its signing name, but for CloudWatch's ("monitoring").
        prefix = {"monitoring": "cloudwatch"}.get(
            made.meta.service_model.signing_name, made.meta.service_model.signing_name
        )

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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Once every test has run, in whatever order: every AWS call a handler made in the suite is
    one its handler declares and the execution role allows (test_resource_role.py)."""
    # Not for a session of other tests that loaded this file (cfn test under contract/harness.py).
    suite = Path(__file__).resolve().parent
    if not SUITE_REQUESTS or not any(suite in item.path.parents for item in session.items):
        return
    from test_resource_role import role_problems

    problems = role_problems(SUITE_CALLS, SUITE_REQUESTS)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write("\n")
        reporter.write_sep(
            "-", f"execution role: {len(SUITE_REQUESTS)} distinct requests evaluated, {len(problems)} problem(s)"
        )
        for problem in problems:
            reporter.write_line(problem)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto on 127.0.0.1 for the session, with the AWS environment pointed at it (moto_world)."""
    with moto_world.moto_server(REGION) as url:
        yield url


@pytest.fixture
def moto(moto_url: str) -> Iterator[str]:
    """moto as new for each test that uses it, and as new after it."""
    moto_world.reset(moto_url)
    CREATED_ROLE_PATHS.clear()
    yield moto_url
    moto_world.reset(moto_url)


def client(service: str, **kwargs: Any) -> Any:
    return boto3.client(service, region_name=REGION, **kwargs)


def role_statements(role_name: str) -> dict[str, dict[str, Any]]:
    """The statements of a trigger role's policy, by Sid."""
    document = client("iam").get_role_policy(RoleName=role_name, PolicyName="StreamTrigger")["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    return {statement["Sid"]: statement for statement in document["Statement"]}


def left_behind() -> dict[str, list[str]]:
    """What the type makes, as it is in moto now: roles (any path), functions, pipes, log groups and alarms."""
    return {
        "roles": [r["RoleName"] for r in client("iam").list_roles()["Roles"]],
        "functions": [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]],
        "pipes": [p["Name"] for p in client("pipes").list_pipes()["Pipes"]],
        "log groups": [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]],
        "alarms": [a["AlarmName"] for a in client("cloudwatch").describe_alarms()["MetricAlarms"]],
    }


# What left_behind shows where nothing was made, or all of it was removed.
NOTHING_LEFT: dict[str, list[str]] = {"roles": [], "functions": [], "pipes": [], "log groups": [], "alarms": []}


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
    """The seed's own example (moto_world.example_properties): start a pipeline on INSERT of PENDING items."""
    return moto_world.example_properties(REGION, ACCOUNT, **overrides)


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


def invoke_request(request: dict[str, Any]) -> dict[str, Any]:
    from mare_dynamodb_streamtrigger import handlers

    event = handlers.resource(request, None)
    # Everything the entrypoint returns must survive JSON, as Lambda would send it.
    answer: dict[str, Any] = json.loads(json.dumps(event))
    return answer


def invoke(action: str, properties: dict[str, Any] | None, **kwargs: Any) -> dict[str, Any]:
    return invoke_request(handler_request(action, properties, **kwargs))


def drive(
    action: str, properties: dict[str, Any] | None, max_invocations: int = 30, **kwargs: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Invokes as CloudFormation does until the status is final; returns the final and every event.
    `kwargs` are handler_request's, `context` that of the first invocation."""
    token = kwargs.pop("token", None) or str(uuid.uuid4())
    first_context = kwargs.pop("context", None)

    def request_for(desired: dict[str, Any] | None, context: dict[str, Any] | None) -> dict[str, Any]:
        return handler_request(action, desired, token=token, context=context, **kwargs)

    events: list[dict[str, Any]] = []
    for event in driving.invocations(properties, request_for, invoke_with=invoke_request, context=first_context):
        events.append(event)
        if event["status"] == "IN_PROGRESS":
            assert len(events) < max_invocations, f"{action} still IN_PROGRESS after {max_invocations} invocations"
            assert event["callbackDelaySeconds"] > 0
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


def network(cidr: str, subnets: int = 1) -> tuple[str, list[str], str]:
    """A VPC in moto with its subnets and a security group: their IDs."""
    return moto_world.make_network(REGION, cidr, subnets)


def published_layer(name: str = "helpers") -> str:
    """A layer version published in moto; its ARN."""
    return moto_world.publish_layer(name, REGION)
