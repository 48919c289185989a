"""A trigger's CloudWatch alarms in AWS: looked at, made, changed and deleted, only where they are its own.

PutMetricAlarm overwrites an alarm of the same name, whoever made it, so every alarm is looked at
first: an alarm is the trigger's own when it carries the type's tag with the trigger's pipe ARN
(names.ALARM_CREATOR_TAG). A name held by another alarm is refused, never taken over.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from mare_dynamodb_streamtrigger.core import alarms
from mare_dynamodb_streamtrigger.core.errors import TriggerError, invalid, is_not_found
from mare_dynamodb_streamtrigger.core.names import ALARM_CREATOR_TAG, TriggerNames
from mare_dynamodb_streamtrigger.models import ResourceModel
from mare_dynamodb_streamtrigger.operations.clients import Aws

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import MetricAlarmTypeDef


class AlarmsFound:
    """The trigger's alarm names as CloudWatch has them: its own (with their tags) and others'."""

    def __init__(self) -> None:
        self.own: dict[str, tuple[MetricAlarmTypeDef, dict[str, str]]] = {}
        self.foreign: list[str] = []


def look(aws: Aws, names: TriggerNames, only: list[str] | None = None) -> AlarmsFound:
    """One DescribeAlarms for the trigger's alarm names (or `only` those), and the tags of each found."""
    found = AlarmsFound()
    wanted = only if only is not None else list(names.alarm_names.values())
    for alarm in aws.cloudwatch.describe_alarms(AlarmNames=wanted, AlarmTypes=["MetricAlarm"]).get("MetricAlarms", []):
        name = alarm.get("AlarmName", "")
        if name not in wanted:
            continue
        tags = alarm_tags(aws, names, name)
        if tags is None:  # deleted between the two looks
            continue
        if tags.get(ALARM_CREATOR_TAG) == names.pipe_arn:
            found.own[name] = (alarm, tags)
        else:
            found.foreign.append(name)
    return found


def alarm_tags(aws: Aws, names: TriggerNames, name: str) -> dict[str, str] | None:
    try:
        listed = aws.cloudwatch.list_tags_for_resource(ResourceARN=names.alarm_arn(name))
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    return {tag["Key"]: tag["Value"] for tag in listed.get("Tags", [])}


def foreign_alarm(name: str) -> TriggerError:
    return invalid(
        f"AlarmTopicArn: an alarm named {name} exists and was not made by this trigger; the type does not "
        "take over another's alarm. Delete or rename it, or leave AlarmTopicArn out"
    )


def refuse_foreign_alarms(aws: Aws, names: TriggerNames, model: ResourceModel) -> AlarmsFound | None:
    """Before anything is made or changed: an alarm the trigger is to have may not be another's.
    Returns the look (None where the model asks for no alarm), for set_alarms in the same invocation."""
    wanted = alarms.wanted_alarms(model, names)
    if not wanted:
        return None
    found = look(aws, names)
    refuse_taken(found, wanted)
    return found


def refuse_taken(found: AlarmsFound, wanted: Mapping[str, Any]) -> None:
    """InvalidRequest when another's alarm holds a name the trigger is to have."""
    taken = [name for name in wanted if name in found.foreign]
    if taken:
        raise foreign_alarm(taken[0])


def set_alarms(
    aws: Aws,
    names: TriggerNames,
    model: ResourceModel,
    tags: Mapping[str, str],
    found: AlarmsFound | None = None,
    retag: bool = True,
) -> None:
    """The alarms the model asks for, made or changed (each only where it differs) and tagged as
    wanted; the trigger's own alarms it no longer asks for, deleted. Another's alarm is never touched.
    `found`: this invocation's look, if it made one. Without `retag` (create: an own alarm there
    was made by this very request, with these tags), existing alarms keep their tags."""
    wanted = alarms.wanted_alarms(model, names)
    found = found or look(aws, names)
    refuse_taken(found, wanted)
    marked = {**tags, ALARM_CREATOR_TAG: names.pipe_arn}
    for name, request in wanted.items():
        live = found.own.get(name)
        if live is None:
            request["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(marked.items())]
            aws.cloudwatch.put_metric_alarm(**request)
            continue
        alarm, live_tags = live
        if alarms.alarm_differs(request, alarm):
            aws.cloudwatch.put_metric_alarm(**request)
        if retag:
            set_tags(aws, names.alarm_arn(name), marked, live_tags)
    unwanted = [name for name in found.own if name not in wanted]
    if unwanted:
        delete(aws, unwanted)


def set_tags(aws: Aws, arn: str, wanted: Mapping[str, str], live: Mapping[str, str]) -> None:
    """An existing alarm's tags made the wanted ones: PutMetricAlarm takes tags only when it creates."""
    stale = sorted(key for key in live if key not in wanted and not key.startswith("aws:"))
    changed = {key: value for key, value in wanted.items() if live.get(key) != value}
    if stale:
        aws.cloudwatch.untag_resource(ResourceARN=arn, TagKeys=stale)
    if changed:
        aws.cloudwatch.tag_resource(ResourceARN=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(changed.items())])


def delete(aws: Aws, alarm_names: list[str]) -> None:
    # DeleteAlarms deletes none of the names when one of them does not exist: only those found are named.
    try:
        aws.cloudwatch.delete_alarms(AlarmNames=alarm_names)
    except ClientError as error:
        if not is_not_found(error):
            raise
        for name in alarm_names:  # one was deleted meanwhile: the others, one by one
            try:
                aws.cloudwatch.delete_alarms(AlarmNames=[name])
            except ClientError as single:
                if not is_not_found(single):
                    raise


def delete_own_alarms(aws: Aws, names: TriggerNames) -> bool:
    """Deletes the trigger's own alarms; False where it had none."""
    own = list(look(aws, names).own)
    if own:
        delete(aws, own)
    return bool(own)


def own_alarm(aws: Aws, names: TriggerNames) -> Mapping[str, Any] | None:
    """The trigger's pipe-failures alarm, where it is the trigger's own: what Read shows of the alarms."""
    name = names.alarm_names["pipe-failures"]
    found = look(aws, names, [name])
    return found.own[name][0] if name in found.own else None
