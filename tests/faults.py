"""Fault injection and call counting through botocore's event hooks on the handlers' real clients."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from mare_dynamodb_streamtrigger.operations import clients
from mare_dynamodb_streamtrigger.operations.clients import Aws


@dataclass
class Fault:
    operation: str  # e.g. "lambda.CreateFunction"
    code: str
    message: str
    times: int = 1
    status: int = 400
    after: int = 0  # let this many matching calls through first
    seen: int = 0
    # A successful answer instead of an error: AWS accepted the call but, as with a deletion that
    # later fails, moto is not asked to carry it out.
    answer: dict[str, Any] | None = None

    def __call__(self, **_kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        self.seen += 1
        if not self.after < self.seen <= self.after + self.times:
            return None
        if self.answer is not None:
            metadata = {"HTTPStatusCode": 200, "HTTPHeaders": {}}
            return AWSResponse("http://127.0.0.1/accepted", 200, {}, None), {
                **self.answer,
                "ResponseMetadata": metadata,
            }
        response = AWSResponse("http://127.0.0.1/fault", self.status, {}, None)
        return response, {
            "Error": {"Code": self.code, "Message": self.message},
            "ResponseMetadata": {"HTTPStatusCode": self.status, "HTTPHeaders": {}},
        }


@dataclass
class Rewrite:
    """Changes a real answer, as AWS would answer while a resource is still settling."""

    operation: str
    change: Callable[[dict[str, Any]], None]
    times: int = 1
    after: int = 0  # leave this many answers as they are first
    seen: int = 0

    def __call__(self, parsed: dict[str, Any], **_kwargs: Any) -> None:
        self.seen += 1
        if self.after < self.seen <= self.after + self.times:
            self.change(parsed)


# What each service answers for each kind of error: (code, HTTP status); a kind a service does
# not answer in the calls the handlers make is left out.
SERVICE_ERRORS: dict[str, dict[str, tuple[str, int]]] = {
    "iam": {
        "throttling": ("Throttling", 400),
        "access-denied": ("AccessDenied", 403),
        "internal": ("ServiceFailure", 500),
        "conflict": ("EntityAlreadyExists", 409),
        "not-found": ("NoSuchEntity", 404),
    },
    "lambda": {
        "throttling": ("TooManyRequestsException", 429),
        "access-denied": ("AccessDeniedException", 403),
        "internal": ("ServiceException", 500),
        "conflict": ("ResourceConflictException", 409),
        "not-found": ("ResourceNotFoundException", 404),
    },
    "pipes": {
        "throttling": ("ThrottlingException", 429),
        "access-denied": ("AccessDeniedException", 403),
        "internal": ("InternalException", 500),
        "conflict": ("ConflictException", 409),
        "not-found": ("NotFoundException", 404),
    },
    "ssm": {
        "throttling": ("ThrottlingException", 400),
        "access-denied": ("AccessDeniedException", 400),
        "internal": ("InternalServerError", 500),
        "conflict": ("ParameterAlreadyExists", 400),
        "not-found": ("ParameterNotFound", 400),
    },
    "logs": {
        "throttling": ("ThrottlingException", 400),
        "access-denied": ("AccessDeniedException", 400),
        "internal": ("ServiceUnavailableException", 500),
        "conflict": ("OperationAbortedException", 400),
        "not-found": ("ResourceNotFoundException", 400),
    },
    # SQS and KMS are only read (a dead-letter queue's key): they answer no conflict there.
    "sqs": {
        "throttling": ("RequestThrottled", 400),
        "access-denied": ("AccessDenied", 403),
        "internal": ("InternalError", 500),
        "not-found": ("QueueDoesNotExist", 400),
    },
    # SNS's codes on the wire (botocore's sns model): a topic is only read here. Its throttling is
    # the query APIs' common "Throttling" (SNS's own "Throttled" is mapped, but not retried by botocore).
    # EC2 is only read (a VpcConfig's subnets and groups): it answers no conflict there. Its codes
    # are EC2's "Error codes for the Amazon EC2 API"; RequestLimitExceeded is its throttling.
    "ec2": {
        "throttling": ("RequestLimitExceeded", 503),
        "access-denied": ("UnauthorizedOperation", 403),
        "internal": ("InternalError", 500),
        "not-found": ("InvalidSubnetID.NotFound", 400),
    },
    "sns": {
        "throttling": ("Throttling", 400),
        "access-denied": ("AuthorizationError", 403),
        "internal": ("InternalError", 500),
        "not-found": ("NotFound", 404),
    },
    "kms": {
        "throttling": ("ThrottlingException", 400),
        "access-denied": ("AccessDeniedException", 400),
        "internal": ("KMSInternalException", 500),
        "not-found": ("NotFoundException", 400),
    },
    # CloudWatch's codes (botocore's cloudwatch model: each error's query "code").
    "cloudwatch": {
        "throttling": ("Throttling", 400),
        "access-denied": ("AccessDenied", 403),
        "internal": ("InternalServiceError", 500),
        "conflict": ("ResourceConflict", 409),
        "not-found": ("ResourceNotFound", 404),
    },
    "dynamodb": {
        "throttling": ("ThrottlingException", 400),
        "access-denied": ("AccessDeniedException", 400),
        "internal": ("InternalServerError", 500),
        "conflict": ("ResourceInUseException", 400),
        "not-found": ("ResourceNotFoundException", 400),
    },
}
ERROR_KINDS = ("throttling", "access-denied", "internal", "conflict", "not-found")


class Body:
    """The raw body of an injected HTTP answer, as botocore reads one."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_kwargs: Any) -> Any:
        yield self.content


def error_answer(protocol: str, code: str, status: int, message: str) -> AWSResponse:
    """An HTTP error answer in the service's own protocol, for botocore to parse and retry as AWS's."""
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>injected</RequestId></ErrorResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml"}
    elif protocol == "ec2":  # EC2's own XML (botocore's EC2QueryParser)
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            "<RequestID>injected</RequestID></Response>"
        ).encode()
        headers = {"Content-Type": "text/xml"}
    elif protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1"}
    else:  # rest-json
        body = json.dumps({"message": message}).encode()
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return AWSResponse("http://127.0.0.1/injected", status, headers, Body(body))


@dataclass
class InvocationClock:
    """The handlers' clock for one invocation's time (operations.clients reads it): it stands
    still, as if AWS answered at once, but where a test moves it on, as if AWS had answered slowly."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Recorder:
    """Counts every AWS API call the handlers make, as service.Operation."""

    calls: list[str] = field(default_factory=list)
    # (service.Operation, the request's parameters as the handler gave them), in call order.
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    rewrites: list[Rewrite] = field(default_factory=list)
    # (n, kind): the first attempt of the n-th call (from 1) gets an HTTP error of that kind.
    nth_call_error: tuple[int, str] | None = None
    # The n-th call (from 1), or the next `late_times` calls of an operation, come `late_by`
    # seconds into their invocation, as if the calls before them there had taken that long; or,
    # with `late_after`, the calls after the next answer of that operation do.
    late_call: int | str | None = None
    late_times: int = 1
    late_after: str | None = None
    late_by: float = 100.0
    clock: InvocationClock = field(default_factory=InvocationClock)
    # Every attempt that was sent (to moto, or answered by an injected fault), as service.Operation.
    attempts: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(self.calls)

    def sent(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of every request of this operation, oldest first."""
        return [params for name, params in self.requests if name == operation]

    def fail(self, operation: str, code: str, message: str, times: int = 1, status: int = 400, after: int = 0) -> Fault:
        fault = Fault(operation, code, message, times, status, after)
        self.faults.append(fault)
        return fault

    def accept(self, operation: str, answer: dict[str, Any], times: int = 1) -> Fault:
        fault = Fault(operation, "", "", times, 200, answer=answer)
        self.faults.append(fault)
        return fault

    def rewrite(
        self, operation: str, change: Callable[[dict[str, Any]], None], times: int = 1, after: int = 0
    ) -> Rewrite:
        rewrite = Rewrite(operation, change, times, after)
        self.rewrites.append(rewrite)
        return rewrite


def install(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    original = Aws.client

    def client_with_hooks(self: Aws, service: str, credentials: dict[str, str] | None = None) -> Any:
        made = original(self, service, credentials)

        pending: list[AWSResponse] = []

        def record_or_fail(model: Any, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
            operation = f"{service}.{model.name}"
            recorder.calls.append(operation)
            if recorder.late_call == len(recorder.calls) or (
                recorder.late_call == operation and recorder.late_times > 0
            ):
                recorder.late_times -= 1
                recorder.clock.now += recorder.late_by
            if recorder.nth_call_error and recorder.nth_call_error[0] == len(recorder.calls):
                code, status = SERVICE_ERRORS[service][recorder.nth_call_error[1]]
                # The protocol botocore speaks (CloudWatch's model lists several; botocore picks JSON).
                protocol = model.service_model.resolved_protocol
                pending.append(error_answer(protocol, code, status, f"injected {code} on call {len(recorder.calls)}"))
            for fault in recorder.faults:
                if fault.operation == operation and (answer := fault(**kwargs)) is not None:
                    return answer
            return None

        def rewrite_answer(model: Any, parsed: dict[str, Any], **_kwargs: Any) -> None:
            if recorder.late_after == f"{service}.{model.name}":
                recorder.late_after = None
                recorder.clock.now += recorder.late_by
            for rewrite in recorder.rewrites:
                if rewrite.operation == f"{service}.{model.name}":
                    rewrite(parsed)

        def record_request(params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
            recorder.requests.append((f"{service}.{model.name}", copy.deepcopy(params)))

        def send_or_fail(event_name: str, **_kwargs: Any) -> AWSResponse | None:
            recorder.attempts.append(f"{service}.{event_name.split('.')[-1]}")
            # Only the first attempt fails: botocore's own retries then go to moto.
            return pending.pop() if pending else None

        service_id = made.meta.service_model.service_id.hyphenize()
        # One handler both counts and fails, so that a failed call is counted too.
        made.meta.events.register(f"before-parameter-build.{service_id}", record_request)
        made.meta.events.register(f"before-call.{service_id}", record_or_fail)
        made.meta.events.register(f"before-send.{service_id}", send_or_fail)
        made.meta.events.register(f"after-call.{service_id}", rewrite_answer)
        return made

    monkeypatch.setattr(Aws, "client", client_with_hooks)
    monkeypatch.setattr(clients, "monotonic", recorder.clock)
    return recorder


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    return install(monkeypatch)
