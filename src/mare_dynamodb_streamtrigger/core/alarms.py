"""A trigger's CloudWatch alarms: which it has, on what metric, with what threshold. Pure.

With AlarmTopicArn, a trigger has an alarm on each way it can fail, each of which notifies the topic
when it goes into alarm and when it is back to OK:

| Alarm | Metric (namespace, name, dimension) | Statistic | Alarms when |
|---|---|---|---|
| pipe-failures | AWS/EventBridge/Pipes ExecutionFailed, PipeName | Sum | 1 or more in 5 minutes |
| function-errors | AWS/Lambda Errors, FunctionName | Sum | 1 or more in 5 minutes |
| function-throttles | AWS/Lambda Throttles, FunctionName | Sum | 1 or more in 5 minutes |
| dead-letters | AWS/SQS ApproximateNumberOfMessagesVisible, QueueName | Maximum | 1 or more in 5 minutes |

The last only with an SQS dead-letter queue (a topic has no messages waiting). Missing data (a
quiet trigger sends none) is not breaching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mare_dynamodb_streamtrigger.core.names import ALARM_KINDS, SQS_QUEUE_ARN, TYPE_NAME, AlarmKind, TriggerNames
from mare_dynamodb_streamtrigger.models import ResourceModel

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import PutMetricAlarmInputTypeDef

PERIOD_SECONDS = 300
EVALUATION_PERIODS = 1
THRESHOLD = 1.0
COMPARISON: Literal["GreaterThanOrEqualToThreshold"] = "GreaterThanOrEqualToThreshold"
MISSING_DATA = "notBreaching"


@dataclass(frozen=True)
class AlarmMetric:
    namespace: str
    metric: str
    dimension: str
    statistic: Literal["Sum", "Maximum"]
    watches: str


METRICS: dict[AlarmKind, AlarmMetric] = {
    "pipe-failures": AlarmMetric("AWS/EventBridge/Pipes", "ExecutionFailed", "PipeName", "Sum", "failed executions"),
    "function-errors": AlarmMetric("AWS/Lambda", "Errors", "FunctionName", "Sum", "function errors"),
    "function-throttles": AlarmMetric("AWS/Lambda", "Throttles", "FunctionName", "Sum", "throttled invocations"),
    "dead-letters": AlarmMetric(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "Maximum", "dead letters waiting"
    ),
}


def watched_queue(model: ResourceModel) -> str | None:
    """The dead-letter queue's name, when it is an SQS queue (one of the trigger's account and
    region: encryption_keys refuses a queue the execution role cannot read there)."""
    queue = model.DeadLetterQueueArn
    return queue.split(":")[5] if queue and SQS_QUEUE_ARN.fullmatch(queue) else None


def dimension_value(kind: AlarmKind, names: TriggerNames, queue: str | None) -> str | None:
    if kind == "pipe-failures":
        return names.pipe_name
    if kind == "dead-letters":
        return queue
    return names.function_name


def wanted_alarms(model: ResourceModel, names: TriggerNames) -> dict[str, PutMetricAlarmInputTypeDef]:
    """PutMetricAlarm's arguments for each alarm the trigger is to have, by alarm name (no tags:
    CloudWatch takes them only when it creates an alarm)."""
    topic = model.AlarmTopicArn
    if not topic:
        return {}
    queue = watched_queue(model)
    wanted: dict[str, PutMetricAlarmInputTypeDef] = {}
    for kind in ALARM_KINDS:
        value = dimension_value(kind, names, queue)
        if value is None:
            continue
        metric = METRICS[kind]
        wanted[names.alarm_names[kind]] = {
            "AlarmName": names.alarm_names[kind],
            "AlarmDescription": f"{TYPE_NAME} {names.trigger_name}: {metric.watches} ({metric.metric} of {value})",
            "ActionsEnabled": True,
            "AlarmActions": [topic],
            "OKActions": [topic],
            "Namespace": metric.namespace,
            "MetricName": metric.metric,
            "Dimensions": [{"Name": metric.dimension, "Value": value}],
            "Statistic": metric.statistic,
            "Period": PERIOD_SECONDS,
            "EvaluationPeriods": EVALUATION_PERIODS,
            "Threshold": THRESHOLD,
            "ComparisonOperator": COMPARISON,
            "TreatMissingData": MISSING_DATA,
        }
    return wanted


def alarm_differs(wanted: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Whether the live alarm (as DescribeAlarms shows it) differs from what PutMetricAlarm would set."""
    return any(live.get(key) != value for key, value in wanted.items() if key != "AlarmName")


def alarm_topic(alarm: Mapping[str, Any] | None) -> str | None:
    """The topic a trigger's alarm notifies: AlarmTopicArn read back."""
    actions = (alarm or {}).get("AlarmActions") or []
    return str(actions[0]) if actions else None
