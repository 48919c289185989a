"""A Mare::DynamoDB::StreamTrigger's properties from the user's own CloudFormation template.

The template is read as cfn-lint reads it: JSON, or YAML with CloudFormation's short forms (!Ref,
!Sub, !GetAtt...). What a stack would settle without AWS is resolved here: parameters (given with
--parameter, else their Default), the pseudo parameters of where the tools run, Fn::Sub, Fn::Join,
Fn::Select, Fn::Split, Fn::FindInMap, Fn::If with the template's Conditions, and AWS::NoValue.
What only a deploy knows (a Ref to or Fn::GetAtt of another resource, Fn::ImportValue, dynamic
references) is taken from --parameter (`Topic=...` for a Ref, `Topic.TopicArn=...` for a
Fn::GetAtt) or refused with TemplateError, naming where it is and what to give.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mare_dynamodb_streamtrigger.core.names import TYPE_NAME

Json = dict[str, Any]

DYNAMIC_REFERENCE = "{{resolve:"
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
LIST_PARAMETER = re.compile(r"^(CommaDelimitedList|List<.+>)$")
LOCAL_STACK_ID = "00000000-0000-0000-0000-000000000000"
# Stands for an absent value (AWS::NoValue, an unresolved Fn::If branch): the key or item is left out.
NO_VALUE = object()


class TemplateError(ValueError):
    """A template, resource or value the local tools cannot use; the message is one line."""


def parameter_values(pairs: list[str]) -> dict[str, str]:
    """--parameter KEY=VALUE, repeated, as a map; the first '=' splits."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise TemplateError(f"--parameter {pair!r}: expected KEY=VALUE")
        values[key] = value
    return values


def load_template(path: Path) -> Json:
    """The template at `path`, decoded as cfn-lint decodes it (YAML short forms, or JSON)."""
    from cfnlint.decode import decode

    if not path.is_file():
        raise TemplateError(f"{path}: no such file")
    cfnlint_log = logging.getLogger("cfnlint")
    level = cfnlint_log.level
    cfnlint_log.setLevel(logging.CRITICAL)  # cfn-lint logs parse errors too; the TemplateError says it once
    try:
        template, problems = decode(str(path))
    finally:
        cfnlint_log.setLevel(level)
    if problems:
        first = problems[0]
        raise TemplateError(f"{path}:{first.linenumber}: {first.message}")
    if not isinstance(template, Mapping) or not isinstance(template.get("Resources"), Mapping):
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    plain: Json = as_plain(template)
    return plain


def as_plain(value: Any) -> Any:
    """cfn-lint's nodes as plain dicts, lists and scalars."""
    if isinstance(value, Mapping):
        return {str(key): as_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def trigger_properties(template: Json, logical_id: str, values: Mapping[str, str], region: str, account: str) -> Json:
    """The resolved Properties of the template's resource `logical_id`, a Mare::DynamoDB::StreamTrigger."""
    resources: Json = template["Resources"]
    triggers = sorted(name for name, resource in resources.items() if _type_of(resource) == TYPE_NAME)
    resource = resources.get(logical_id)
    if resource is None:
        listed = ", ".join(triggers) or "none"
        raise TemplateError(f"no resource {logical_id} in the template (its {TYPE_NAME} resources: {listed})")
    if _type_of(resource) != TYPE_NAME:
        raise TemplateError(f"{logical_id} is a {_type_of(resource)}, not a {TYPE_NAME}")
    resolver = Resolver(template, values, region, account)
    condition = resource.get("Condition")
    if isinstance(condition, str) and not resolver.condition(condition, f"Resources.{logical_id}.Condition"):
        raise TemplateError(f"{logical_id} is not created with these parameters: its Condition {condition} is false")
    properties = resolver.resolve(resource.get("Properties") or {}, f"Resources.{logical_id}.Properties")
    if not isinstance(properties, dict):
        raise TemplateError(f"Resources.{logical_id}.Properties must be an object")
    return properties


def _type_of(resource: Any) -> str:
    return str(resource.get("Type")) if isinstance(resource, Mapping) else "?"


class Resolver:
    """Resolves the intrinsic functions a stack settles before it creates a resource."""

    def __init__(self, template: Json, values: Mapping[str, str], region: str, account: str) -> None:
        self.template = template
        self.values = values
        self.pseudo: Json = {
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "local",
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/local/{LOCAL_STACK_ID}",
            "AWS::NotificationARNs": [],
        }

    def resolve(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref" or key.startswith("Fn::"):
                    return self.function(key, argument, path)
            resolved = {key: self.resolve(item, f"{path}.{key}") for key, item in value.items()}
            return {key: item for key, item in resolved.items() if item is not NO_VALUE}
        if isinstance(value, list):
            items = [self.resolve(item, f"{path}[{index}]") for index, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(value, str) and DYNAMIC_REFERENCE in value:
            raise TemplateError(f"{path}: a dynamic reference ({value}) is resolved only in a deploy")
        return value

    def function(self, name: str, argument: Any, path: str) -> Any:
        if name == "Ref":
            return self.ref(str(argument), path)
        if name == "Fn::GetAtt":
            target = ".".join(map(str, argument)) if isinstance(argument, list) else str(argument)
            return self.given(target, f"{path}: Fn::GetAtt {target}", f"{target}=VALUE")
        if name == "Fn::Sub":
            return self.sub(argument, path)
        if name == "Fn::Join" and _pair(argument):
            items = self.resolve(argument[1], path)
            return str(self.resolve(argument[0], path)).join(str(item) for item in _as_list(items, path))
        if name == "Fn::Select" and _pair(argument):
            items = _as_list(self.resolve(argument[1], path), path)
            index = int(self.resolve(argument[0], path))
            if not 0 <= index < len(items):
                raise TemplateError(f"{path}: Fn::Select index {index} is outside a list of {len(items)}")
            return items[index]
        if name == "Fn::Split" and _pair(argument):
            return str(self.resolve(argument[1], path)).split(str(self.resolve(argument[0], path)))
        if name == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            chosen = argument[1] if self.condition(str(argument[0]), path) else argument[2]
            return self.resolve(chosen, path)
        if name == "Fn::FindInMap" and isinstance(argument, list) and len(argument) == 3:
            return self.find_in_map([str(self.resolve(part, path)) for part in argument], path)
        raise TemplateError(f"{path}: {name} is resolved only in a deploy; give the property's value in the template")

    def ref(self, name: str, path: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        parameter = (self.template.get("Parameters") or {}).get(name)
        if isinstance(parameter, Mapping):
            return self.parameter(name, parameter, path)
        kind = _type_of(self.template["Resources"].get(name, {}))
        return self.given(name, f"{path}: Ref {name} (a {kind})", f"{name}=VALUE")

    def given(self, key: str, what: str, hint: str) -> Any:
        """A value only a deploy knows, as --parameter gives it."""
        if key in self.values:
            return self.values[key]
        raise TemplateError(f"{what} is known only in a deploy: give it with --parameter {hint}")

    def parameter(self, name: str, declared: Mapping[str, Any], path: str) -> Any:
        if name in self.values:
            value: Any = self.values[name]
        elif "Default" in declared:
            value = declared["Default"]
        else:
            raise TemplateError(f"{path}: parameter {name} has no Default: give it with --parameter {name}=VALUE")
        allowed = declared.get("AllowedValues")
        if isinstance(allowed, list) and str(value) not in map(str, allowed):
            raise TemplateError(f"parameter {name} is {value!r}, not one of its AllowedValues {allowed}")
        if LIST_PARAMETER.match(str(declared.get("Type", ""))) and isinstance(value, str):
            return value.split(",")
        return value

    def sub(self, argument: Any, path: str) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        if not isinstance(text, str) or not isinstance(variables, Mapping):
            raise TemplateError(f"{path}: Fn::Sub takes a string, or a string and a map of variables")
        local = {key: self.resolve(item, f"{path}.{key}") for key, item in variables.items()}

        def value_of(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
            if name in local:
                return str(local[name])
            if "." in name and name not in self.pseudo:
                return str(self.given(name, f"{path}: ${{{name}}}", f"{name}=VALUE"))
            return str(self.ref(name, path))

        return SUB_VARIABLE.sub(value_of, text)

    def find_in_map(self, keys: list[str], path: str) -> Any:
        mapping = (self.template.get("Mappings") or {}).get(keys[0])
        try:
            return mapping[keys[1]][keys[2]]  # type: ignore[index]
        except (KeyError, TypeError):
            raise TemplateError(f"{path}: Fn::FindInMap {'/'.join(keys)} is not in the template's Mappings") from None

    def condition(self, name: str, path: str) -> bool:
        declared = (self.template.get("Conditions") or {}).get(name)
        if declared is None:
            raise TemplateError(f"{path}: condition {name} is not in the template's Conditions")
        return self.truth(declared, f"Conditions.{name}")

    def truth(self, value: Any, path: str) -> bool:
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Condition":
                return self.condition(str(argument), path)
            if key == "Fn::Equals" and _pair(argument):
                left, right = (self.resolve(side, path) for side in argument)
                return str(left) == str(right)
            if key == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
                return not self.truth(argument[0], path)
            if key in ("Fn::And", "Fn::Or") and isinstance(argument, list):
                results = [self.truth(item, path) for item in argument]
                return all(results) if key == "Fn::And" else any(results)
        raise TemplateError(f"{path}: not a condition the local tools can evaluate")


def _pair(argument: Any) -> bool:
    return isinstance(argument, list) and len(argument) == 2


def _as_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise TemplateError(f"{path}: expected a list, not {type(value).__name__}")
    return value
