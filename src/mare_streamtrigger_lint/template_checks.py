"""Create's own checks on a template's Mare::DynamoDB::StreamTrigger, where its values are known.

Pure: no cfn-lint, no AWS. The rules module turns the findings into cfn-lint matches.

A property is known when it holds no intrinsic function (Ref, Fn::Sub, Fn::GetAtt, Fn::If,
Fn::ImportValue...) and no dynamic reference ({{resolve:...}}) anywhere inside it: parameters,
imports and other resources' attributes are settled only at deploy. A check runs only when every
property it reads is known; one exception, an Environment whose values are partly unknown, is
checked with each unknown value taken as an ARN of the trigger type's own kind, the kind that
passes, so that its keys and its known values are still checked. Checks that need what only the
deploy knows (the stack's region and tags, the type configuration's CodeBuckets and LayerArns,
the table and its stream) are create's alone. Values of the wrong JSON type are left to the
schema's rules, which name them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mare_dynamodb_streamtrigger.core.errors import TriggerError
from mare_dynamodb_streamtrigger.core.validation import (
    MODEL_CHECKS,
    TRIGGER_TYPES,
    ModelCheck,
    filter_warnings,
)
from mare_dynamodb_streamtrigger.guard.request_shape import model_hints, value_problem
from mare_dynamodb_streamtrigger.models import ResourceModel

DYNAMIC_REFERENCE = "{{resolve:"
# Stands for an Environment value settled at deploy: an ARN of the trigger type's own kind.
UNKNOWN_TARGET = {
    "PIPELINE": "arn:aws:codepipeline:us-east-1:123456789012:settled-at-deploy",
    "SNS_TOPIC": "arn:aws:sns:us-east-1:123456789012:settled-at-deploy",
}

# The rule each finding belongs to, by the property its check is about.
FILTER = "filter"
ENVIRONMENT = "environment"
CODE = "code"
ARNS = "arns"
PROPERTIES = "properties"
NUMERIC_ON_NUMBERS = "numeric-on-numbers"
CONCERN_OF_PROPERTY = {
    "FilterPattern": FILTER,
    "FilterPatterns": FILTER,
    "Environment": ENVIRONMENT,
    "Code": CODE,
    "Runtime": CODE,
    "DeadLetterQueueArn": ARNS,
    "KmsKeyArn": ARNS,
    "AlarmTopicArn": ARNS,
    "Layers": ARNS,
}
# A path into the properties, as create's messages give it: FilterPatterns[1].Pattern.dynamodb.Keys
PATH_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """One problem create would report: the rule it belongs to, where it is (from the resource's
    Properties down) and create's own words."""

    concern: str
    path: Path
    message: str


def is_known(value: Any) -> bool:
    """Whether a template value is settled before deploy (no intrinsic function, no dynamic reference)."""
    if isinstance(value, Mapping):
        if (len(value) == 1 and next(iter(value)) in ("Ref", "Condition")) or any(
            str(key).startswith("Fn::") for key in value
        ):
            return False
        return all(is_known(item) for item in value.values())
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    if isinstance(value, str):
        return DYNAMIC_REFERENCE not in value
    return True


def plain(value: Any) -> Any:
    """A template value (cfn-lint's nodes, YAML scalars) as plain JSON data, as CloudFormation sends it."""
    return json.loads(json.dumps(value, default=str))


def known_properties(properties: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The properties settled before deploy, of the type's shapes, and the names of those that are not."""
    hints = model_hints(ResourceModel.__name__)
    known: dict[str, Any] = {}
    unknown: set[str] = set()
    for name, value in properties.items():
        if name not in hints:
            continue  # not a property: the schema's rules say so
        if is_known(value):
            if value_problem(plain(value), hints[name], name) is None:
                known[name] = plain(value)
            else:
                unknown.add(name)  # of the wrong type: the schema's rules name it
        elif name == "Environment" and isinstance(value, Mapping):
            known[name] = {key: plain(item) if is_known(item) else None for key, item in value.items()}
        else:
            unknown.add(name)
    environment = known.get("Environment")
    if isinstance(environment, dict) and None in environment.values():
        trigger_type = known.get("TriggerType")
        if trigger_type in TRIGGER_TYPES:
            placeholder = UNKNOWN_TARGET[trigger_type]
            known["Environment"] = {key: placeholder if item is None else item for key, item in environment.items()}
        else:
            del known["Environment"]
            unknown.add("Environment")
    return known, unknown


def runnable(check: ModelCheck, known: Mapping[str, Any], skipped: set[str], required: set[str]) -> bool:
    """A check runs when no property it reads is skipped (unknown, or refused already) and each is
    known or absent and optional: a required property left out is the schema's finding, not create's."""
    return all(prop not in skipped and (prop in known or prop not in required) for prop in check.properties)


def property_path(text: str) -> Path:
    """A path as create's messages write it (FilterPattern.eventName[0]), as a path into the template's Properties."""
    return tuple(int(index) if index else key for index, key in PATH_PART.findall(text))


def findings(properties: Mapping[str, Any], required: set[str]) -> list[Finding]:
    """What create would refuse, or warn about, in a resource's Properties, as far as lint can know."""
    known, unknown = known_properties(properties)
    model = ResourceModel._deserialize(known)
    if model is None:
        return []  # nothing known
    found: list[Finding] = []
    refused: set[str] = set()  # a property refused is not read again by a later check, as create stops there
    for check in MODEL_CHECKS:
        if not runnable(check, known, unknown | refused, required):
            continue
        refusal = _refusal(check, model)
        if refusal is not None:
            found.append(Finding(CONCERN_OF_PROPERTY.get(check.properties[0], PROPERTIES), *refusal))
            refused.add(check.properties[0])
    # Create warns only about the patterns it accepts.
    if ("FilterPattern" in known or "FilterPatterns" in known) and not any(f.concern == FILTER for f in found):
        for warning in filter_warnings(model):
            text = warning.removeprefix("Warning: ").removesuffix(".")
            found.append(Finding(NUMERIC_ON_NUMBERS, property_path(text.split(": ", 1)[0]), text))
    return found


def _refusal(check: ModelCheck, model: ResourceModel) -> tuple[Path, str] | None:
    """The check's refusal, if any, with where it points: where create's message names, else the property."""
    try:
        check.run(model)
    except TriggerError as error:
        return (property_path(error.path) if error.path else (check.properties[0],)), error.message
    return None
