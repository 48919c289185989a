"""The one table that maps AWS errors to CloudFormation handler error codes."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from botocore.parsers import ResponseParserError
from cloudformation_cli_python_lib import HandlerErrorCode, ProgressEvent

from mare_dynamodb_streamtrigger.core.invocation_time import InvocationTimeSpent

LOG = logging.getLogger(__name__)


class TriggerError(Exception):
    """A failure that reaches the user as this error code and message."""

    def __init__(self, code: HandlerErrorCode, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # Where in the properties the problem is, as messages write it (Environment.AWS_REGION), when
        # deeper than the property the check is about: the lint rules point at its line.
        self.path = path


def invalid(message: str, path: str | None = None) -> TriggerError:
    return TriggerError(HandlerErrorCode.InvalidRequest, message, path)


# AWS error codes, across the services the handlers call, and what CloudFormation is told.
ERROR_CODES: dict[str, HandlerErrorCode] = {
    # throttling
    "Throttling": HandlerErrorCode.Throttling,
    "ThrottlingException": HandlerErrorCode.Throttling,
    "ThrottledException": HandlerErrorCode.Throttling,
    # SNS's own code (botocore's sns model), which botocore's standard retries do not know.
    "Throttled": HandlerErrorCode.Throttling,
    "TooManyRequestsException": HandlerErrorCode.Throttling,
    "RequestLimitExceeded": HandlerErrorCode.Throttling,
    "ProvisionedThroughputExceededException": HandlerErrorCode.Throttling,
    # access
    "AccessDenied": HandlerErrorCode.AccessDenied,
    "AccessDeniedException": HandlerErrorCode.AccessDenied,
    "UnauthorizedOperation": HandlerErrorCode.AccessDenied,
    "AuthorizationErrorException": HandlerErrorCode.AccessDenied,
    "AuthorizationError": HandlerErrorCode.AccessDenied,  # SNS's code on the wire (botocore's sns model)
    "UnrecognizedClientException": HandlerErrorCode.InvalidCredentials,
    "InvalidClientTokenId": HandlerErrorCode.InvalidCredentials,
    "ExpiredToken": HandlerErrorCode.InvalidCredentials,
    "ExpiredTokenException": HandlerErrorCode.InvalidCredentials,
    # validation
    "ValidationException": HandlerErrorCode.InvalidRequest,
    "ValidationError": HandlerErrorCode.InvalidRequest,
    "InvalidParameterValueException": HandlerErrorCode.InvalidRequest,
    "InvalidParameterValue": HandlerErrorCode.InvalidRequest,
    "InvalidParameterException": HandlerErrorCode.InvalidRequest,
    "InvalidInput": HandlerErrorCode.InvalidRequest,
    "MalformedPolicyDocument": HandlerErrorCode.InvalidRequest,
    "MalformedPolicyDocumentException": HandlerErrorCode.InvalidRequest,
    "InvalidRequestContentException": HandlerErrorCode.InvalidRequest,
    "CodeStorageExceededException": HandlerErrorCode.ServiceLimitExceeded,
    "InvalidKeyId": HandlerErrorCode.InvalidRequest,
    # not found
    "NoSuchEntity": HandlerErrorCode.NotFound,
    "NoSuchEntityException": HandlerErrorCode.NotFound,
    "NotFoundException": HandlerErrorCode.NotFound,
    "NotFound": HandlerErrorCode.NotFound,  # SNS's code on the wire
    "ResourceNotFoundException": HandlerErrorCode.NotFound,
    "ParameterNotFound": HandlerErrorCode.NotFound,
    "TableNotFoundException": HandlerErrorCode.NotFound,
    "ResourceNotFound": HandlerErrorCode.NotFound,  # CloudWatch's DeleteAlarms
    # conflicts
    "EntityAlreadyExists": HandlerErrorCode.AlreadyExists,
    "ResourceAlreadyExistsException": HandlerErrorCode.AlreadyExists,
    "ParameterAlreadyExists": HandlerErrorCode.AlreadyExists,
    "ResourceConflictException": HandlerErrorCode.ResourceConflict,
    "ConflictException": HandlerErrorCode.ResourceConflict,
    "ConcurrentModification": HandlerErrorCode.ResourceConflict,
    "ConcurrentModificationException": HandlerErrorCode.ResourceConflict,
    "ResourceConflict": HandlerErrorCode.ResourceConflict,
    "DeleteConflict": HandlerErrorCode.ResourceConflict,
    "ResourceInUseException": HandlerErrorCode.ResourceConflict,
    "OperationAbortedException": HandlerErrorCode.ResourceConflict,
    # limits
    "LimitExceeded": HandlerErrorCode.ServiceLimitExceeded,
    "LimitExceededException": HandlerErrorCode.ServiceLimitExceeded,
    "ServiceQuotaExceededException": HandlerErrorCode.ServiceLimitExceeded,
    "PolicySizeExceededException": HandlerErrorCode.ServiceLimitExceeded,
    # service side
    "ServiceException": HandlerErrorCode.ServiceInternalError,
    "ServiceFailure": HandlerErrorCode.ServiceInternalError,
    "InternalError": HandlerErrorCode.ServiceInternalError,
    "InternalFailure": HandlerErrorCode.ServiceInternalError,
    "InternalServerError": HandlerErrorCode.ServiceInternalError,
    "InternalServerException": HandlerErrorCode.ServiceInternalError,
    "InternalException": HandlerErrorCode.ServiceInternalError,
    "InternalServiceError": HandlerErrorCode.ServiceInternalError,
    "ServiceUnavailable": HandlerErrorCode.ServiceInternalError,
    "ServiceUnavailableException": HandlerErrorCode.ServiceInternalError,
}


# What AWS says while a role made moments ago is not yet usable by a service (IAM is eventually
# consistent): such failures are tried again on a later invocation, until a deadline.
# The last: Lambda checks a function role's X-Ray grant for Active tracing, and refuses while a
# grant just given has not reached it (serverless/serverless#6931, coinbase/fenrir#1).
ROLE_NOT_YET_USABLE = (
    "cannot be assumed",
    "ensure the customer role",
    "unable to assume",
    "does not have permissions to call",
)
# What Pipes says while a grant the pipe role gained in the same request has not reached it: the
# dead-letter queue's sqs:SendMessage (aws-cdk#31664, serverless-patterns#1543 and #1857); for KMS
# and logs AWS's exact words are not public, so words of a refused permission are waited on too,
# within the same deadline (docs/aws-behaviour.md).
PIPE_GRANT_NOT_YET_USABLE = (
    *ROLE_NOT_YET_USABLE,
    "error occurred while sending message to sqs",
    "kms:",
    "kmsaccessdenied",
    "is not authorized to perform",
    "access denied",
)


def says_any(message: str, phrases: tuple[str, ...]) -> bool:
    lowered = message.lower()
    return any(phrase in lowered for phrase in phrases)


def function_role_refusal(error: ClientError) -> str | None:
    """Lambda's message where it refused a CreateFunction or UpdateFunctionConfiguration because
    the function role, or a grant the role just gained, has not reached it yet."""
    message = error_message(error)
    if error_code(error) == "InvalidParameterValueException" and says_any(message, ROLE_NOT_YET_USABLE):
        return message
    return None


def pipe_grant_not_yet_usable(message: str) -> bool:
    return says_any(message, PIPE_GRANT_NOT_YET_USABLE)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return str(details.get("Message") or details.get("message") or error)


def handler_error_code(error: ClientError) -> HandlerErrorCode:
    return ERROR_CODES.get(error_code(error), HandlerErrorCode.GeneralServiceException)


def is_not_found(error: ClientError) -> bool:
    return handler_error_code(error) == HandlerErrorCode.NotFound


# The request parameters that name what a call acts on, most specific first.
RESOURCE_PARAMETERS = (
    "FunctionName",
    "RoleName",
    "Name",
    "logGroupName",
    "AlarmName",
    "AlarmNames",
    "ResourceARN",
    "resourceArn",
    "Resource",
    "TableName",
    "RoleArn",
    "KeyId",
    "QueueUrl",
    "Names",
    "SourcePrefix",
    "PathPrefix",
)
# Where a client's hooks leave that name: in the request's context, then in the parsed error.
RESOURCE_KEY = "Resource"


def resource_of(params: dict[str, Any]) -> str | None:
    """The name or ARN of what a call acts on, from its request parameters."""
    for key in RESOURCE_PARAMETERS:
        value = params.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value:
            return ", ".join(str(item) for item in value)
    return None


def remember_resource(params: dict[str, Any], context: dict[str, Any], **_kwargs: Any) -> None:
    """botocore's before-parameter-build hook: keeps the call's resource for its error, if any."""
    context[RESOURCE_KEY] = resource_of(params)


def name_resource_in_error(parsed: dict[str, Any], context: dict[str, Any], **_kwargs: Any) -> None:
    """botocore's after-call hook: an error answer carries the resource the call acted on."""
    details = parsed.get("Error")
    if isinstance(details, dict) and context.get(RESOURCE_KEY):
        details.setdefault(RESOURCE_KEY, context[RESOURCE_KEY])


def from_client_error(error: ClientError) -> TriggerError:
    """The operation, what it acted on and AWS's own code and message, as in
    `UpdatePipe orders-notify: ValidationException: ...`."""
    operation = error.operation_name or "an AWS call"
    resource = error.response.get("Error", {}).get(RESOURCE_KEY)
    subject = f"{operation} {resource}" if resource else f"{operation} failed"
    return TriggerError(handler_error_code(error), f"{subject}: {error_code(error)}: {error_message(error)}")


# botocore's parameter report: "Invalid type for parameter X, value: <the value>, type: ...".
QUOTED_VALUE = re.compile(r", value: .*?,(?= type:| valid )", re.DOTALL)
# How much of an unreadable answer a message repeats: 300 characters and the ellipsis.
ANSWER_SHOWN_MAX = 301


def shortened(text: str, limit: int) -> str:
    """The text in at most `limit` characters, the last of them "…" when it had to be cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_trigger_error(error: Exception) -> TriggerError:
    """Any exception, as the error the user is told about; nothing bare reaches the library."""
    if isinstance(error, TriggerError):
        return error
    if isinstance(error, ClientError):
        return from_client_error(error)
    if isinstance(error, ResponseParserError):
        # An answer botocore could not read: the service's fault, not the request's.
        answer = shortened(str(error), ANSWER_SHOWN_MAX)
        return TriggerError(
            HandlerErrorCode.ServiceInternalError, f"AWS sent an answer that could not be read: {answer}"
        )
    if isinstance(error, InvocationTimeSpent):
        # A read or a list that AWS kept too long: CloudFormation may ask again.
        return TriggerError(HandlerErrorCode.NetworkFailure, str(error))
    if isinstance(error, ParamValidationError):
        # A value that reached AWS's client unchecked: the request's input, not the network. The
        # report names the parameter; the value it quotes could be anything, a secret included.
        return TriggerError(HandlerErrorCode.InvalidRequest, QUOTED_VALUE.sub(", value: ***,", str(error)))
    if isinstance(error, BotoCoreError):
        return TriggerError(HandlerErrorCode.NetworkFailure, f"{type(error).__name__}: {error}")
    # A defect of the handler: its text (a library's, a KeyError's) may hold anything of the
    # request, so only its kind is told; the type's log has the traceback, scrubbed.
    return TriggerError(
        HandlerErrorCode.InternalFailure,
        f"The handler failed unexpectedly ({type(error).__name__}); the type's log has the details",
    )


def guarded(worker: Callable[..., ProgressEvent]) -> Callable[..., ProgressEvent]:
    """Runs a handler's worker so that every failure becomes a FAILED event with a message."""

    def run(*args: Any) -> ProgressEvent:
        try:
            return worker(*args)
        except Exception as error:
            failure = as_trigger_error(error)
            if failure.code == HandlerErrorCode.InternalFailure:
                LOG.exception("Unexpected error")
            return ProgressEvent.failed(failure.code, failure.message)

    run.__name__ = getattr(worker, "__name__", "run")
    return run
