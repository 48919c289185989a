"""waits: the progress events and the waits kept in the JSON-only callback context."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from cloudformation_cli_python_lib import HandlerErrorCode, OperationStatus

from mare_dynamodb_streamtrigger.core import waits
from mare_dynamodb_streamtrigger.core.errors import TriggerError
from mare_dynamodb_streamtrigger.core.waits import Wait, done_waiting, in_progress, success, wait

from .builders import model


def test_wait_sets_a_deadline_and_asks_to_be_called_again():
    context = {}
    built = model()
    before = time.time()
    event = wait(context, Wait("pipe", "pipe", 300, 10), built, "pipe is CREATING")
    after = time.time()
    deadline = context["deadlines"]["pipe"]
    assert before + 300 <= deadline <= after + 300
    assert event.status == OperationStatus.IN_PROGRESS
    assert event.callbackDelaySeconds == 10
    assert event.callbackContext is context
    assert event.resourceModel is built
    assert event.message == "Waiting for pipe: pipe is CREATING"
    assert event.errorCode is None


def test_wait_keeps_the_first_deadline():
    context = {"deadlines": {"pipe": time.time() + 100}}
    first = context["deadlines"]["pipe"]
    wait(context, Wait("pipe", "pipe", 1800, 10), None, "still CREATING")
    assert context["deadlines"]["pipe"] == first


def test_waits_for_different_things_have_their_own_deadlines():
    context = {}
    wait(context, Wait("function", "function", 1800, 5), None, "Pending")
    wait(context, Wait("role", "role", 300, 10), None, "not assumable yet")
    assert set(context["deadlines"]) == {waits.OVERALL.key, "function", "role"}
    assert context["deadlines"]["function"] - context["deadlines"]["role"] == pytest.approx(1500, abs=5)


def test_wait_keeps_the_rest_of_the_context():
    context = {"stage": "pipe", "attempts": 2}
    event = wait(context, Wait("pipe", "pipe", 300, 10), None, "x")
    assert event.callbackContext == {
        "stage": "pipe",
        "attempts": 2,
        "deadlines": {waits.OVERALL.key: context["deadlines"][waits.OVERALL.key], "pipe": context["deadlines"]["pipe"]},
    }


@pytest.mark.parametrize("seconds_ago", [1, 3600], ids=["just-passed", "long-passed"])
def test_wait_past_its_deadline_raises_not_stabilized(seconds_ago):
    context = {"deadlines": {"pipe": time.time() - seconds_ago}}
    with pytest.raises(TriggerError) as caught:
        wait(context, Wait("pipe", "pipe", 1800, 10), None, "pipe is CREATE_FAILED: cannot access stream")
    assert caught.value.code == HandlerErrorCode.NotStabilized
    assert caught.value.message == "Gave up waiting for pipe after 1800 s: pipe is CREATE_FAILED: cannot access stream"


def test_every_wait_ends_by_the_overall_deadline():
    context = {"deadlines": {waits.OVERALL.key: time.time() - 1}}
    with pytest.raises(TriggerError) as caught:
        wait(context, Wait("pipe", "pipe", 1800, 10), None, "state CREATING")
    assert caught.value.code == HandlerErrorCode.NotStabilized
    assert caught.value.message == (
        "Gave up waiting for pipe: all waits of one action end after 2700 s, leaving time to roll back "
        "within CloudFormation's 60 minutes: state CREATING"
    )


def test_the_overall_deadline_leaves_a_quarter_of_the_schemas_timeout_for_rollback():
    schema = json.loads((Path(__file__).parent.parent.parent / "schema.json").read_text())
    for action in ("create", "update", "delete"):
        timeout = schema["handlers"][action]["timeoutInMinutes"] * 60
        assert 0.75 * timeout >= waits.OVERALL_DEADLINE_SECONDS
    assert waits.STABILIZATION_DEADLINE_SECONDS < waits.OVERALL_DEADLINE_SECONDS


def test_a_passed_deadline_of_another_wait_does_not_matter():
    context = {"deadlines": {"role": time.time() - 10}}
    event = wait(context, Wait("pipe", "pipe", 300, 10), None, "x")
    assert event.status == OperationStatus.IN_PROGRESS


def test_done_waiting_removes_only_its_deadline():
    context = {}
    wait(context, Wait("function", "function", 1800, 5), None, "Pending")
    wait(context, Wait("pipe", "pipe", 1800, 10), None, "CREATING")
    done_waiting(context, Wait("function", "function", 0, 0))
    assert list(context["deadlines"]) == [waits.OVERALL.key, "pipe"]


def test_done_waiting_then_wait_starts_a_new_deadline():
    context = {"deadlines": {"pipe": time.time() - 10}}
    done_waiting(context, Wait("pipe", "pipe", 0, 0))
    event = wait(context, Wait("pipe", "pipe", 300, 10), None, "UPDATING")
    assert event.status == OperationStatus.IN_PROGRESS
    assert context["deadlines"]["pipe"] > time.time()


def test_done_waiting_without_a_wait_changes_nothing():
    context = {}
    done_waiting(context, Wait("pipe", "pipe", 0, 0))
    assert context == {}
    context = {"deadlines": {"role": 1.0}}
    done_waiting(context, Wait("pipe", "pipe", 0, 0))
    assert context == {"deadlines": {"role": 1.0}}


def test_the_context_stays_json_serializable():
    context = {}
    event = wait(context, Wait("pipe", "pipe", 300, 10), model(), "CREATING")
    assert json.loads(json.dumps(context)) == context
    assert json.loads(json.dumps(event.callbackContext)) == context
    # the whole event as the library sends it back
    serialized = json.loads(json.dumps(event._serialize()))
    assert serialized["status"] == "IN_PROGRESS"
    assert serialized["callbackDelaySeconds"] == 10
    assert serialized["callbackContext"] == context
    assert serialized["resourceModel"]["Name"] == "deploy-trigger"


def test_in_progress_event():
    built = model()
    event = in_progress(built, {"a": 1}, 5, "Waiting")
    assert event._serialize() == {
        "status": "IN_PROGRESS",
        "message": "Waiting",
        "callbackContext": {"a": 1},
        "callbackDelaySeconds": 5,
        "resourceModel": built._serialize(),
    }


def test_success_event():
    built = model()
    event = success(built)
    assert event.status == OperationStatus.SUCCESS
    assert event.resourceModel is built
    assert event.callbackContext is None
    assert event.errorCode is None


def test_poll_settings():
    assert waits.FUNCTION_POLL_SECONDS == 5
    assert waits.PIPE_POLL_SECONDS == 10
    assert waits.ROLE_RETRY_SECONDS == 10
    assert waits.ROLE_PROPAGATION_DEADLINE_SECONDS == 300
    # a wait must end well within the handlers' 60-minute timeout
    assert waits.STABILIZATION_DEADLINE_SECONDS == 1800
    assert waits.STABILIZATION_DEADLINE_SECONDS < 60 * 60


def refusal(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "UpdatePipe")


def test_a_busy_refusal_asks_to_be_called_again_with_awss_message():
    context: dict = {}
    event = waits.wait_if_busy(refusal("ConflictException", "pipe is UPDATING"), waits.PIPE_CHANGING, context, model())
    assert event.status == OperationStatus.IN_PROGRESS
    assert event.callbackDelaySeconds == waits.PIPE_POLL_SECONDS == 10
    assert event.message == "Waiting for the pipe to finish its change of state: pipe is UPDATING"
    assert list(context["deadlines"]) == [waits.OVERALL.key, waits.PIPE_BUSY.key]
    json.dumps(context)


def test_a_busy_refusal_past_its_deadline_is_not_stabilized():
    context = {"deadlines": {waits.FUNCTION_BUSY.key: time.time() - 1}}
    with pytest.raises(TriggerError) as caught:
        waits.wait_if_busy(
            refusal("ResourceConflictException", "update in progress"), waits.FUNCTION_CHANGING, context, model()
        )
    assert caught.value.code == HandlerErrorCode.NotStabilized
    assert caught.value.message == (
        "Gave up waiting for the function's earlier update to finish after 1800 s: update in progress"
    )


@pytest.mark.parametrize(
    ("code", "busy"),
    [
        ("ResourceConflictException", waits.PIPE_CHANGING),
        ("ConflictException", waits.FUNCTION_CHANGING),
        ("AccessDenied", waits.PIPE_CHANGING),
    ],
)
def test_any_other_refusal_is_raised_as_it_came(code, busy):
    error = refusal(code, "no")
    with pytest.raises(ClientError) as caught:
        waits.wait_if_busy(error, busy, {}, model())
    assert caught.value is error


def test_every_wait_has_a_key_of_its_own():
    defined = [value for value in vars(waits).values() if isinstance(value, Wait)]
    assert len(waits.WAITS) == len(defined) == 13
    assert all(waits.WAITS[kind.key] is kind for kind in defined)
