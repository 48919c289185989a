"""DOC matching"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from mare_dynamodb_streamtrigger.core.filter_pattern import OR, ROOT, PatternError, is_number, validate, wildcard_regex

# The most alternatives ($or branches combined) the local matcher evaluates: each nested $or
# multiplies them, and a 4096-character pattern could ask for billions.
ALTERNATIVES_MAX = 1024

_MISSING = object()


@dataclass(frozen=True)
class Match:
    """Whether a record matches; if not, the first field that failed (dotted from the record's top) and why."""

    matched: bool
    failed_path: str | None = None
    reason: str | None = None


MATCHED = Match(True)


FieldPath = tuple[str, ...]


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> Match:
    """Evaluate a valid pattern against one stream record; raise PatternError if the pattern is invalid."""
    validate(pattern)
    rules = alternatives(pattern)
    record = _joined(event)
    result = _first_match(_match_object(rule, record, "") for rule in rules)
    if result.matched or len(rules) == 1:
        return result
    return Match(False, result.failed_path, f"no $or branch matched; the first: {result.reason}")


def alternatives(pattern: dict[str, Any]) -> list[dict[str, Any]]:
    """The pattern as Event Ruler compiles it: one pattern without $or per alternative, field names
    split at ".", a field given twice taking the value written later."""
    rules: list[dict[FieldPath, list[Any]]] = [{}]
    _fork(pattern, (), rules)
    return [_nested(rule) for rule in rules]


def _fork(pattern: dict[str, Any], path: FieldPath, rules: list[dict[FieldPath, list[Any]]]) -> None:
    for key, value in pattern.items():
        if key == OR:
            before = list(rules)
            rules.clear()
            for branch in value:
                copies = [dict(rule) for rule in before]
                _fork(branch, path, copies)
                rules.extend(copies)
                if len(rules) > ALTERNATIVES_MAX:
                    raise PatternError(ROOT, f"its $or branches combine into more than {ALTERNATIVES_MAX} alternatives")
        elif isinstance(value, dict):
            _fork(value, (*path, *key.split(".")), rules)
        else:
            for rule in rules:
                rule[(*path, *key.split("."))] = value


def _nested(rule: dict[FieldPath, list[Any]]) -> dict[str, Any]:
    """A flat alternative as a nested pattern; a field that is both a value and an object keeps
    the object (no event holds both there)."""
    nested: dict[str, Any] = {}
    for path, matchers in rule.items():
        node = nested
        for step in path[:-1]:
            child = node.get(step)
            if not isinstance(child, dict):
                child = node[step] = {}
            node = child
        if not isinstance(node.get(path[-1]), dict):
            node[path[-1]] = matchers
    return nested


def _joined(value: object) -> object:
    """An event with its dotted field names split into nested objects, as Event Ruler joins
    nested names with "."; a field given both ways holds the values of both."""
    if isinstance(value, list):
        return [_joined(item) for item in value]
    if not isinstance(value, dict):
        return value
    joined: dict[str, Any] = {}
    for key, item in value.items():
        first, *rest = key.split(".")
        nested = _joined(item)
        for step in reversed(rest):
            nested = {step: nested}
        _put(joined, first, nested)
    return joined


def _put(node: dict[str, Any], key: str, value: object) -> None:
    """Adds a field to an object; where it is there already, objects merge and anything else
    becomes an array of both (a field matches where any of its values does)."""
    if key not in node:
        node[key] = value
    elif isinstance(node[key], dict) and isinstance(value, dict):
        for inner, item in value.items():
            _put(node[key], inner, item)
    else:
        node[key] = [node[key], value]


def _match_object(pattern: dict[str, Any], node: object, prefix: str) -> Match:
    """One alternative (a pattern without $or) against an object of the record."""
    for key, sub in pattern.items():
        path = f"{prefix}.{key}" if prefix else key
        value = node.get(key, _MISSING) if isinstance(node, dict) else _MISSING
        result = _match_nested(sub, value, path) if isinstance(sub, dict) else _match_leaf(sub, value, path)
        if not result.matched:
            return result
    return MATCHED


def _first_match(results: Iterator[Match]) -> Match:
    """The first result that matched, else the first failure: the one a reader would check first."""
    first_failure: Match | None = None
    for result in results:
        if result.matched:
            return result
        if first_failure is None:
            first_failure = result
    assert first_failure is not None, "a pattern's $or and a value's objects are never empty"
    return first_failure


def _match_nested(pattern: dict[str, Any], value: object, path: str) -> Match:
    """A sub-pattern matches an object, or any object in an array; absent, it sees an empty object."""
    objects = list(_objects(value)) or [{}]
    return _first_match(_match_object(pattern, candidate, path) for candidate in objects)


def _objects(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _leaf_values(value: object) -> list[Any]:
    """The leaf values at a field: none if absent or an object, each element (flattened) of an array."""
    if value is _MISSING or isinstance(value, dict):
        return []
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaf_values(item)]
    return [value]


def _match_leaf(matchers: list[Any], value: object, path: str) -> Match:
    values = _leaf_values(value)
    if any(_matcher_matches(matcher, values) for matcher in matchers):
        return MATCHED
    if value is _MISSING:
        reason = "the field is absent"
    elif not values:
        reason = f"{_show(value)} holds no value to match (exists matches leaves only)"
    else:
        reason = f"{_show(value)} matches none of {_show(matchers)}"
    return Match(False, path, reason)


def _matcher_matches(matcher: object, values: list[Any]) -> bool:
    if not isinstance(matcher, dict):
        return any(_same(matcher, value) for value in values)
    [(operator, argument)] = matcher.items()
    if operator == "exists":
        return bool(values) is bool(argument)
    test = _OPERATOR_TESTS[operator]
    return any(test(argument, value) for value in values)


def _same(expected: object, value: object) -> bool:
    """Exact match: numbers by value (5 matches 5.0), anything else by its JSON text (1 is not true)."""
    if is_number(expected) and is_number(value):
        return float(cast(float, expected)) == float(cast(float, value))
    return json.dumps(expected) == json.dumps(value)


def _affix(argument: str | dict[str, str], value: object, test: Callable[[str, str], bool]) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(argument, str):
        return test(value, argument)
    return test(value.lower(), argument["equals-ignore-case"].lower())


def _prefix(argument: Any, value: object) -> bool:
    return _affix(argument, value, str.startswith)


def _suffix(argument: Any, value: object) -> bool:
    return _affix(argument, value, str.endswith)


def _equals_ignore_case(argument: str, value: object) -> bool:
    return isinstance(value, str) and value.lower() == argument.lower()


def _wildcard(argument: str, value: object) -> bool:
    return isinstance(value, str) and wildcard_regex(argument).fullmatch(value) is not None


def _cidr(argument: str, value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(argument, strict=False)
    except ValueError:
        return False


def _numeric(argument: list[Any], value: object) -> bool:
    """Numeric matching "works with values that are JSON numbers" only: not strings holding numbers."""
    if not is_number(value):
        return False
    comparisons: dict[str, Callable[[float, float], bool]] = {
        "=": float.__eq__,
        "<": float.__lt__,
        "<=": float.__le__,
        ">": float.__gt__,
        ">=": float.__ge__,
    }
    return all(
        comparisons[op](float(value), float(bound)) for op, bound in zip(argument[::2], argument[1::2], strict=True)
    )


def _anything_but(argument: Any, value: object) -> bool:
    """Matches a present value unless it is one of those listed (numbers compared by value)."""
    if isinstance(argument, dict):
        [(inner, listed)] = argument.items()
        if inner == "prefix":
            return not _prefix(listed, value)
        if inner == "suffix":
            return not _suffix(listed, value)
        listed = listed if isinstance(listed, list) else [listed]
        test = _equals_ignore_case if inner == "equals-ignore-case" else _wildcard
        return not any(test(item, value) for item in listed)
    listed = argument if isinstance(argument, list) else [argument]
    if is_number(value):
        return not any(is_number(item) and item == value for item in listed)
    return not any(isinstance(item, str) and item == value for item in listed)


_OPERATOR_TESTS: dict[str, Callable[[Any, object], bool]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "cidr": _cidr,
    "numeric": _numeric,
    "anything-but": _anything_but,
}


def _show(value: object, limit: int = 80) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
