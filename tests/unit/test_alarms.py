"""A trigger's alarms, from its model: which, on what, notifying what. Pure: no AWS call."""

from __future__ import annotations

import pytest

from mare_dynamodb_streamtrigger.core import alarms
from mare_dynamodb_streamtrigger.core.errors import TriggerError
from mare_dynamodb_streamtrigger.core.names import TriggerNames
from mare_dynamodb_streamtrigger.core.validation import validate_alarm_topic

from .builders import REMOVE, model

NAMES = TriggerNames("deploy-trigger", "aws", "eu-west-1", "123456789012")
TOPIC = "arn:aws:sns:eu-west-1:123456789012:team-alerts"
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:trigger-dlq"


def test_no_topic_no_alarm():
    assert alarms.wanted_alarms(model(AlarmTopicArn=REMOVE), NAMES) == {}


@pytest.mark.parametrize(
    ("dead_letter", "kinds"),
    [
        (REMOVE, ["pipe-failures", "function-errors", "function-throttles"]),
        ("arn:aws:sns:eu-west-1:123456789012:dead-letters", ["pipe-failures", "function-errors", "function-throttles"]),
        (QUEUE, ["pipe-failures", "function-errors", "function-throttles", "dead-letters"]),
    ],
    ids=["none", "a-topic", "a-queue"],
)
def test_an_alarm_per_way_to_fail_and_for_waiting_dead_letters_with_a_queue(dead_letter, kinds):
    wanted = alarms.wanted_alarms(model(AlarmTopicArn=TOPIC, DeadLetterQueueArn=dead_letter), NAMES)
    assert list(wanted) == [f"mare-streamtrigger-deploy-trigger-{kind}" for kind in kinds]
    dimensions = {name: request["Dimensions"] for name, request in wanted.items()}
    assert dimensions["mare-streamtrigger-deploy-trigger-pipe-failures"] == [
        {"Name": "PipeName", "Value": "deploy-trigger"}
    ]
    assert dimensions["mare-streamtrigger-deploy-trigger-function-errors"] == [
        {"Name": "FunctionName", "Value": "deploy-trigger"}
    ]
    if "dead-letters" in kinds:
        assert dimensions["mare-streamtrigger-deploy-trigger-dead-letters"] == [
            {"Name": "QueueName", "Value": "trigger-dlq"}
        ]
    for request in wanted.values():
        assert (request["AlarmActions"], request["OKActions"]) == ([TOPIC], [TOPIC])
        assert (request["Threshold"], request["Period"], request["EvaluationPeriods"]) == (1.0, 300, 1)
        assert request["TreatMissingData"] == "notBreaching"
        assert "Tags" not in request


def test_an_alarm_differs_only_in_what_the_trigger_sets():
    [request, *_] = alarms.wanted_alarms(model(AlarmTopicArn=TOPIC), NAMES).values()
    live = {**request, "AlarmArn": "arn:...", "StateValue": "ALARM", "AlarmConfigurationUpdatedTimestamp": 1}
    assert not alarms.alarm_differs(request, live)
    assert alarms.alarm_differs(request, {**live, "OKActions": []})
    assert alarms.alarm_differs(request, {**live, "Threshold": 5.0})
    assert alarms.alarm_topic(live) == TOPIC
    assert alarms.alarm_topic(None) is None


@pytest.mark.parametrize(
    ("topic", "why"),
    [
        ("arn:aws:sns:us-east-1:123456789012:team-alerts", "is not in eu-west-1"),
        ("arn:aws:sns:eu-west-1:123456789012:team-alerts.fifo", "is a FIFO topic"),
        ("arn:aws:sqs:eu-west-1:123456789012:team-alerts", "must be the ARN of an SNS topic"),
        ("arn:aws:sns:eu-west-1:1234567890:team-alerts", "must be the ARN of an SNS topic"),
    ],
)
def test_an_alarm_topic_is_a_standard_topic_of_the_region(topic, why):
    with pytest.raises(TriggerError) as refused:
        validate_alarm_topic(model(AlarmTopicArn=topic), "eu-west-1")
    assert why in refused.value.message
    validate_alarm_topic(model(AlarmTopicArn=TOPIC), "eu-west-1")
