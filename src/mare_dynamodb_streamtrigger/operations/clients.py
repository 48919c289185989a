"""boto3 clients for one handler invocation, made on first use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property, partial
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.loaders import create_loader
from cloudformation_cli_python_lib import HandlerErrorCode, SessionProxy

from mare_dynamodb_streamtrigger.core.errors import TriggerError, name_resource_in_error, remember_resource
from mare_dynamodb_streamtrigger.core.invocation_time import InvocationTimeSpent, latest_attempt_seconds
from mare_dynamodb_streamtrigger.core.names import TriggerNames
from mare_dynamodb_streamtrigger.core.validation import required
from mare_dynamodb_streamtrigger.guard import redaction
from mare_dynamodb_streamtrigger.models import ResourceHandlerRequest

# The services' type stubs are a development dependency: the handler's Lambda never imports them.
if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_pipes import EventBridgePipesClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient

# Throttling and 5xx answers are retried inside the invocation by botocore itself. One attempt
# takes at most 3 + 10 s; standard mode pauses at most 1 s, then 2 s, before the next, 5 s more
# where a throttled answer asks for it (x-amz-retry-after). No attempt starts past
# core.invocation_time's limit, so an invocation answers in time however slow AWS is
# (docs/aws-behaviour.md, section 6).
# botocore's total_max_attempts counts the first attempt; its max_attempts would count retries only.
CONNECT_SECONDS, READ_SECONDS = 3, 10
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=CONNECT_SECONDS, read_timeout=READ_SECONDS
)
RETRY_PAUSE_MAX_SECONDS = 7


# The service models, read from disk once per process: the library makes a new boto3 session for
# each invocation, and each new session would parse them again (about 40 ms a client, docs/performance.md).
SERVICE_MODELS = create_loader()


def share_service_models(session: Any) -> None:
    """Points a boto3 session (or a SessionProxy's) at the process's one model loader."""
    botocore_session = getattr(getattr(session, "session", session), "_session", None)
    if botocore_session is not None:
        botocore_session.register_component("data_loader", SERVICE_MODELS)


class Aws:
    """The caller's session, with the request's region (the library's session has none)."""

    def __init__(self, session: SessionProxy | None, region: str, account: str, partition: str, action: str) -> None:
        if session is None:
            raise TriggerError(HandlerErrorCode.InvalidCredentials, "The request carries no caller credentials")
        share_service_models(session)
        self.session = session
        self.region = region
        self.account = account
        self.partition = partition
        # The invocation's clock: no attempt of a call starts past `latest_attempt` seconds.
        self.started = monotonic()
        self.latest_attempt = latest_attempt_seconds(action, CONNECT_SECONDS + READ_SECONDS, RETRY_PAUSE_MAX_SECONDS)
        self.bounded = True

    @classmethod
    def of(cls, session: SessionProxy | None, request: ResourceHandlerRequest, action: str) -> Aws:
        # The entrypoint's guard has refused a request without its region or account.
        region, account = required(request.region, "region"), required(request.awsAccountId, "awsAccountId")
        return cls(session, region, account, request.awsPartition or "aws", action)

    @contextmanager
    def unbounded(self) -> Iterator[None]:
        """Calls that must all be made in this invocation, however late (a rollback's removals:
        stopped half-way, they would leave parts behind)."""
        self.bounded = False
        try:
            yield
        finally:
            self.bounded = True

    def refuse_late_attempt(self, service: str, event_name: str, **_kwargs: Any) -> None:
        """botocore's before-send, for every attempt of every call: raising here sends nothing."""
        elapsed = monotonic() - self.started
        if self.bounded and elapsed > self.latest_attempt:
            raise InvocationTimeSpent(f"{service}.{event_name.rsplit('.', 1)[-1]}", elapsed, self.latest_attempt)

    def client(self, service: str, credentials: Mapping[str, Any] | None = None) -> BaseClient:
        """A client of the caller's session, or of the given (assumed role's) credentials, whose
        errors name the resource they are about."""
        if credentials is None:
            made: BaseClient = self.session.client(service, region_name=self.region, config=CLIENT_CONFIG)  # type: ignore[call-overload]
        else:
            session = boto3.session.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
            share_service_models(session)
            made = session.client(service, region_name=self.region, config=CLIENT_CONFIG)  # type: ignore[call-overload]
        # First of the attempt's hooks, so that nothing else sees an attempt that is not sent.
        made.meta.events.register_first(
            f"before-send.{made.meta.service_model.service_id.hyphenize()}", partial(self.refuse_late_attempt, service)
        )
        made.meta.events.register("before-parameter-build", remember_resource)
        made.meta.events.register("after-call", name_resource_in_error)
        if service == "lambda":
            made.meta.events.register("after-call", redaction.learn_environment)
        return made

    def names(self, trigger_name: str) -> TriggerNames:
        return TriggerNames(trigger_name, self.partition, self.region, self.account)

    @cached_property
    def iam(self) -> IAMClient:
        return cast("IAMClient", self.client("iam"))

    @cached_property
    def lambda_(self) -> LambdaClient:
        return cast("LambdaClient", self.client("lambda"))

    @cached_property
    def pipes(self) -> EventBridgePipesClient:
        return cast("EventBridgePipesClient", self.client("pipes"))

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self.client("dynamodb"))

    @cached_property
    def ssm(self) -> SSMClient:
        return cast("SSMClient", self.client("ssm"))

    @cached_property
    def sts(self) -> STSClient:
        return cast("STSClient", self.client("sts"))

    @cached_property
    def logs(self) -> CloudWatchLogsClient:
        return cast("CloudWatchLogsClient", self.client("logs"))

    @cached_property
    def sqs(self) -> SQSClient:
        return cast("SQSClient", self.client("sqs"))

    @cached_property
    def sns(self) -> SNSClient:
        return cast("SNSClient", self.client("sns"))

    @cached_property
    def ec2(self) -> EC2Client:
        return cast("EC2Client", self.client("ec2"))

    @cached_property
    def cloudwatch(self) -> CloudWatchClient:
        return cast("CloudWatchClient", self.client("cloudwatch"))

    @cached_property
    def kms(self) -> KMSClient:
        return cast("KMSClient", self.client("kms"))
