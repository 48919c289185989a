"""cfn-lint rules: what create would refuse in a Mare::DynamoDB::StreamTrigger, found at lint time.

Load them with `cfn-lint -a mare_streamtrigger_lint.rules TEMPLATE` (or `append_rules` in .cfnlintrc).
Loading them also registers the type's schema with cfn-lint, so the schema's own rules (E3002,
E3003, E3012, E3030...) check the type's properties too: no --registry-schemas is needed.

E9301 to E9305 are errors create would give, with create's words; W9301 is create's warning. Each
points at the property (into the pattern, for a filter) and its line. What is settled only at
deploy is skipped: see template_checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from mare_streamtrigger_lint.schema_registration import register_type
from mare_streamtrigger_lint.template_checks import (
    ARNS,
    CODE,
    ENVIRONMENT,
    FILTER,
    NUMERIC_ON_NUMBERS,
    PROPERTIES,
    Path,
    findings,
)
from mare_streamtrigger_lint.type_schema import required_properties

TYPE_NAME = register_type()
REQUIRED = set(required_properties())


def deepest_existing(properties: Any, path: Path) -> Path:
    """The longest start of `path` that exists in the template, so that a match always has a line."""
    node, found = properties, 0
    for part in path:
        if not has_child(node, part):
            break
        node, found = node[part], found + 1
    return path[:found]


def has_child(node: Any, part: str | int) -> bool:
    if isinstance(node, Mapping):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


class StreamTriggerRule(CloudFormationLintRule):  # type: ignore[misc]
    """One concern of create's checks, over every Mare::DynamoDB::StreamTrigger of a template."""

    concern: ClassVar[str]
    tags: ClassVar[list[str]] = ["resources", TYPE_NAME]
    source_url = ""

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, resource in cfn.get_resources([TYPE_NAME]).items():
            properties = resource.get("Properties") if isinstance(resource, Mapping) else None
            if not isinstance(properties, Mapping):
                continue  # no properties, or an intrinsic: the schema's rules say so
            for finding in findings(properties, REQUIRED):
                if finding.concern == self.concern:
                    path: Sequence[str | int] = ["Resources", name, "Properties"]
                    matches.append(RuleMatch([*path, *deepest_existing(properties, finding.path)], finding.message))
        return matches


class FilterPatternRule(StreamTriggerRule):
    id = "E9301"
    shortdesc = "Mare::DynamoDB::StreamTrigger FilterPattern that create refuses"
    description = (
        "FilterPattern and FilterPatterns as create checks them: EventBridge Pipes' filter grammar for a "
        "DynamoDB stream (no wildcard, numeric with numbers, lists of values, a stream record's top-level keys) "
        "and Pipes' size limit"
    )
    concern = FILTER


class EnvironmentRule(StreamTriggerRule):
    id = "E9302"
    shortdesc = "Mare::DynamoDB::StreamTrigger Environment that create refuses"
    description = (
        "Environment as create checks it: keys Lambda takes and does not reserve (AWS_REGION...), its size, and "
        "ARNs of the TriggerType's kind (CodePipeline for PIPELINE, SNS topics for SNS_TOPIC), none of the other"
    )
    concern = ENVIRONMENT


class CodeRule(StreamTriggerRule):
    id = "E9303"
    shortdesc = "Mare::DynamoDB::StreamTrigger Code or Runtime that create refuses"
    description = (
        "Code and Runtime as create checks them: S3 or inline code, not both; a Python runtime the built-in "
        "functions run on; a Handler that does not shadow the built-in function's shared module"
    )
    concern = CODE


class ArnKindRule(StreamTriggerRule):
    id = "E9304"
    shortdesc = "Mare::DynamoDB::StreamTrigger ARN of the wrong kind"
    description = (
        "DeadLetterQueueArn is an SQS queue or an SNS topic, KmsKeyArn a KMS key (not an alias), AlarmTopicArn a "
        "standard SNS topic, Layers layer versions"
    )
    concern = ARNS


class PropertiesRule(StreamTriggerRule):
    id = "E9305"
    shortdesc = "Mare::DynamoDB::StreamTrigger property that create refuses"
    description = "The other properties as create checks them: names, ranges, tags, logging and network settings"
    concern = PROPERTIES


class NumericOnNumbersRule(StreamTriggerRule):
    id = "W9301"
    shortdesc = "Mare::DynamoDB::StreamTrigger filter that never matches"
    description = (
        "numeric applied to a DynamoDB number (N), which a stream record carries as a string: create warns, "
        "and the filter passes no record"
    )
    concern = NUMERIC_ON_NUMBERS
