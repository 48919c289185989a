"""errors: the AWS error table, ClientError conversion and guarded()."""

from __future__ import annotations

import logging

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from cloudformation_cli_python_lib import HandlerErrorCode, OperationStatus, ProgressEvent

from mare_dynamodb_streamtrigger.core import errors
from mare_dynamodb_streamtrigger.core.errors import (
    TriggerError,
    as_trigger_error,
    error_code,
    error_message,
    from_client_error,
    guarded,
    handler_error_code,
    invalid,
    is_not_found,
)


def client_error(code, message="Something went wrong", operation="CreateRole", key="Message", status=400):
    """A real botocore ClientError, as a client raises it from this response."""
    response = {
        "Error": {"Code": code, key: message},
        "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": status},
    }
    return ClientError(response, operation)


@pytest.mark.parametrize(
    ("aws_code", "expected"),
    [
        ("Throttling", HandlerErrorCode.Throttling),
        ("ThrottlingException", HandlerErrorCode.Throttling),
        ("TooManyRequestsException", HandlerErrorCode.Throttling),
        ("AccessDenied", HandlerErrorCode.AccessDenied),
        ("AccessDeniedException", HandlerErrorCode.AccessDenied),
        ("ExpiredToken", HandlerErrorCode.InvalidCredentials),
        ("ValidationException", HandlerErrorCode.InvalidRequest),
        ("InvalidParameterValueException", HandlerErrorCode.InvalidRequest),
        ("MalformedPolicyDocument", HandlerErrorCode.InvalidRequest),
        ("ResourceNotFoundException", HandlerErrorCode.NotFound),
        ("NoSuchEntity", HandlerErrorCode.NotFound),
        ("ParameterNotFound", HandlerErrorCode.NotFound),
        ("EntityAlreadyExists", HandlerErrorCode.AlreadyExists),
        ("ResourceConflictException", HandlerErrorCode.ResourceConflict),
        ("ConflictException", HandlerErrorCode.ResourceConflict),
        ("LimitExceeded", HandlerErrorCode.ServiceLimitExceeded),
        ("ServiceQuotaExceededException", HandlerErrorCode.ServiceLimitExceeded),
        ("ServiceException", HandlerErrorCode.ServiceInternalError),
        ("InternalFailure", HandlerErrorCode.ServiceInternalError),
        ("SomethingNobodyHasSeen", HandlerErrorCode.GeneralServiceException),
        ("", HandlerErrorCode.GeneralServiceException),
        ("throttling", HandlerErrorCode.GeneralServiceException),
    ],
)
def test_error_table(aws_code, expected):
    assert handler_error_code(client_error(aws_code)) == expected


def test_every_table_entry_is_a_handler_error_code():
    assert all(isinstance(code, HandlerErrorCode) for code in errors.ERROR_CODES.values())
    assert errors.ERROR_CODES["Throttling"] == HandlerErrorCode.Throttling
    assert errors.ERROR_CODES["LimitExceeded"] == HandlerErrorCode.ServiceLimitExceeded


def test_error_code_and_message():
    error = client_error("NoSuchEntity", "The role with name x cannot be found.")
    assert error_code(error) == "NoSuchEntity"
    assert error_message(error) == "The role with name x cannot be found."


def test_error_message_with_lowercase_key():
    # some services (Lambda, Pipes) send "message"
    error = client_error("ResourceConflictException", "The operation cannot be performed", key="message")
    assert error_message(error) == "The operation cannot be performed"


def test_error_code_and_message_of_a_response_without_error():
    error = ClientError({"ResponseMetadata": {"HTTPStatusCode": 500}}, "GetFunction")
    assert error_code(error) == ""
    assert error_message(error) == str(error)
    assert handler_error_code(error) == HandlerErrorCode.GeneralServiceException


def test_is_not_found():
    assert is_not_found(client_error("ResourceNotFoundException")) is True
    assert is_not_found(client_error("NoSuchEntity")) is True
    assert is_not_found(client_error("AccessDenied")) is False


def test_from_client_error_keeps_the_aws_message():
    error = client_error("EntityAlreadyExists", "Role with name deploy-trigger-fn-1d0dc1e9 already exists.")
    failure = from_client_error(error)
    assert isinstance(failure, TriggerError)
    assert failure.code == HandlerErrorCode.AlreadyExists
    assert failure.message == (
        "CreateRole failed: EntityAlreadyExists: Role with name deploy-trigger-fn-1d0dc1e9 already exists."
    )
    assert str(failure) == failure.message


def test_from_client_error_of_a_lambda_error():
    error = client_error(
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
        operation="CreateFunction",
        key="message",
    )
    failure = from_client_error(error)
    assert failure.code == HandlerErrorCode.InvalidRequest
    assert failure.message == (
        "CreateFunction failed: InvalidParameterValueException: "
        "The role defined for the function cannot be assumed by Lambda."
    )


def test_from_client_error_without_operation_name():
    failure = from_client_error(client_error("Throttling", "Rate exceeded", operation=None))
    assert failure.code == HandlerErrorCode.Throttling
    assert failure.message == "an AWS call failed: Throttling: Rate exceeded"


def test_invalid_is_an_invalid_request():
    failure = invalid("Name must be something")
    assert failure.code == HandlerErrorCode.InvalidRequest
    assert failure.message == "Name must be something"


def test_as_trigger_error_passes_a_trigger_error_through():
    failure = TriggerError(HandlerErrorCode.NotStabilized, "pipe never ran")
    assert as_trigger_error(failure) is failure


def test_as_trigger_error_of_a_client_error():
    failure = as_trigger_error(client_error("AccessDeniedException", "not allowed", operation="CreatePipe"))
    assert failure.code == HandlerErrorCode.AccessDenied
    assert failure.message == "CreatePipe failed: AccessDeniedException: not allowed"


def test_as_trigger_error_of_a_botocore_error_is_a_network_failure():
    failure = as_trigger_error(EndpointConnectionError(endpoint_url="https://lambda.eu-west-1.amazonaws.com/"))
    assert failure.code == HandlerErrorCode.NetworkFailure
    assert failure.message == (
        'EndpointConnectionError: Could not connect to the endpoint URL: "https://lambda.eu-west-1.amazonaws.com/"'
    )
    assert as_trigger_error(NoCredentialsError()).code == HandlerErrorCode.NetworkFailure


def test_as_trigger_error_of_anything_else_is_an_internal_failure():
    failure = as_trigger_error(KeyError("Configuration"))
    assert failure.code == HandlerErrorCode.InternalFailure
    assert failure.message == "The handler failed unexpectedly (KeyError); the type's log has the details"


def test_guarded_passes_arguments_and_the_event_through():
    event = ProgressEvent(status=OperationStatus.SUCCESS)
    seen = []

    def worker(session, request, context):
        seen.append((session, request, context))
        return event

    assert guarded(worker)("session", "request", {"n": 1}) is event
    assert seen == [("session", "request", {"n": 1})]


def test_guarded_keeps_the_workers_name():
    def create_handler(*_args):
        return ProgressEvent(status=OperationStatus.SUCCESS)

    assert guarded(create_handler).__name__ == "create_handler"


def test_guarded_turns_a_trigger_error_into_a_failed_event():
    def worker(*_args):
        raise TriggerError(HandlerErrorCode.NotFound, "Trigger orders not found")

    event = guarded(worker)(None, None, {})
    assert event.status == OperationStatus.FAILED
    assert event.errorCode == HandlerErrorCode.NotFound
    assert event.message == "Trigger orders not found"
    assert event._serialize() == {
        "status": "FAILED",
        "errorCode": "NotFound",
        "message": "Trigger orders not found",
        "callbackDelaySeconds": 0,
    }


def test_guarded_turns_a_client_error_into_a_failed_event():
    def worker(*_args):
        raise client_error("ResourceConflictException", "Pipe is being updated", operation="UpdatePipe")

    event = guarded(worker)(None, None, {})
    assert event.status == OperationStatus.FAILED
    assert event.errorCode == HandlerErrorCode.ResourceConflict
    assert event.message == "UpdatePipe failed: ResourceConflictException: Pipe is being updated"


def test_guarded_turns_a_value_error_into_an_internal_failure(caplog):
    def worker(*_args):
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="mare_dynamodb_streamtrigger.errors"):
        event = guarded(worker)(None, None, {})
    assert event.status == OperationStatus.FAILED
    assert event.errorCode == HandlerErrorCode.InternalFailure
    assert event.message == "The handler failed unexpectedly (ValueError); the type's log has the details"
    assert any(record.exc_info for record in caplog.records)


def test_guarded_does_not_log_an_expected_failure(caplog):
    def worker(*_args):
        raise invalid("Name must be 1 to 64")

    with caplog.at_level(logging.ERROR, logger="mare_dynamodb_streamtrigger.errors"):
        event = guarded(worker)(None, None, {})
    assert event.errorCode == HandlerErrorCode.InvalidRequest
    assert caplog.records == []


def test_an_unreadable_answer_is_the_services_fault_and_a_bad_parameter_the_requests():
    from botocore.exceptions import ParamValidationError
    from botocore.parsers import ResponseParserError

    from mare_dynamodb_streamtrigger.core.errors import as_trigger_error

    unreadable = as_trigger_error(ResponseParserError("Unable to parse response (not well-formed): " + "x" * 500))
    assert unreadable.code == HandlerErrorCode.ServiceInternalError
    assert unreadable.message.startswith("AWS sent an answer that could not be read: Unable to parse response")
    assert len(unreadable.message) == len("AWS sent an answer that could not be read: ") + 300 + 1
    bad = as_trigger_error(ParamValidationError(report="Invalid type for parameter ExternalId"))
    assert (bad.code, bad.message) == (
        HandlerErrorCode.InvalidRequest,
        "Parameter validation failed:\nInvalid type for parameter ExternalId",
    )
    quoting = as_trigger_error(
        ParamValidationError(
            report="Invalid type for parameter Environment.Variables.DB, value: hunter2, type: <class 'int'>, "
            "valid types: <class 'str'>"
        )
    )
    assert "hunter2" not in quoting.message
    assert quoting.message.endswith(
        "Environment.Variables.DB, value: ***, type: <class 'int'>, valid types: <class 'str'>"
    )
