"""EventBridge event patterns, as EventBridge Pipes applies them to DynamoDB stream records.

Two pure halves, standard library only:

- `validate` checks a pattern's grammar and `validate_stream_filter` adds what a Pipes filter on a
  DynamoDB stream allows: record fields only at the top, 4096 characters, and none of the operators
  the guide's operator table marks "Pipe support: No" (wildcard; anything-but with prefix, suffix,
  equals-ignore-case or wildcard).
- `matches` evaluates a pattern against one stream record as EventBridge does and, when it fails,
  says which field failed and why.

Semantics follow the Amazon EventBridge User Guide ("Creating event patterns", "Comparison
operators", "Event filtering in EventBridge Pipes") and, where the guide is silent, the README of
Event Ruler, the matching library behind EventBridge:

- Every field named in a pattern must match (AND); a field matches if any matcher in its array does
  (OR); if the record holds an array there, the field matches if any element does.
- A field must be present to match, except under `{"exists": false}`, which matches an absent field.
  `anything-but` therefore does not match an absent field.
- A number matches a numerically equal number: `[300]` matches `300.0`. The guide says otherwise
  ("300, 300.0, and 3.0e2 are not considered equal"), but AWS's own answers, recorded by
  LocalStack's event-pattern tests against AWS (`number_comparison_float`), match them.
- Field names are joined with ".": `{"a": {"b": [1]}}` and `{"a.b": [1]}` are the same pattern, and
  either matches an event holding `{"a": {"b": 1}}` or `{"a.b": 1}` (recorded: `dot_joining_*`).
- `$or` forks the pattern: each branch, with every field given outside it, is one alternative.
  A field given both outside and inside a branch takes the value written later (Event Ruler's
  JsonRuleCompiler puts each field into the alternative's map, overriding; not recorded against AWS).
- `numeric` applies to JSON numbers only. DynamoDB sends numbers as strings (`{"N": "12.5"}`), so a
  numeric matcher never matches a DynamoDB number attribute (recorded: `or-numeric-anything-but_NEG`);
  `numeric_on_stream_numbers` finds such matchers, to warn about them.
- `exists` works on leaf values only: a field whose value is an object does not "exist".
- Event Ruler refuses a cidr of /32 (IPv4) or /128 (IPv6), and operator names (`prefix`,
  `numeric`, `=`...) as field names anywhere inside `$or` (its CIDR.java and Constants.java): so do
  these checks, since what Pipes accepts there is not documented.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

ROOT = "FilterPattern"
OR = "$or"
PATTERN_MAX = 4096  # Pipes' Filter.Pattern: "Maximum length of 4096."
TOP_LEVEL_KEYS = frozenset(
    {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN", "userIdentity"}
)
# A DynamoDB item nests at most 32 levels; in a stream record each level is two keys deep (a name and
# its type, M or L), under dynamodb.NewImage: 3 + 2 * 32 levels, and a leaf's array and matcher.
PATTERN_DEPTH_MAX = 70
# The largest finite double: a number past it cannot be compared, and Python's float() fails on it.
NUMBER_MAX = sys.float_info.max
NUMERIC_OPERATORS = frozenset({"=", "<", "<=", ">", ">="})
# Names Event Ruler keeps for itself inside $or (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP).
RESERVED_IN_OR = frozenset(
    {
        "exactly",
        "equals-ignore-case",
        "prefix",
        "suffix",
        "anything-but",
        "exists",
        "wildcard",
        "numeric",
        "cidr",
        *NUMERIC_OPERATORS,
        "regex",
        "not-wildcard",
        "not-equals-ignore-case",
        "date-after",
        "date-on-or-after",
        "date-before",
        "date-on-or-before",
        "in-date-range",
        "ip-address-in-range",
        "ip-address-not-in-range",
    }
)
# The most alternatives ($or branches combined) the local matcher evaluates: each nested $or
# multiplies them, and a 4096-character pattern could ask for billions.
ALTERNATIVES_MAX = 1024
LOWER_BOUNDS = frozenset({">", ">="})
UPPER_BOUNDS = frozenset({"<", "<="})

_MISSING = object()


class PatternError(ValueError):
    """A pattern that breaks a rule; `path` locates the offending part, starting at FilterPattern."""

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}")
        self.path = path
        self.rule = rule


@dataclass(frozen=True)
class Match:
    """Whether a record matches; if not, the first field that failed (dotted from the record's top) and why."""

    matched: bool
    failed_path: str | None = None
    reason: str | None = None


MATCHED = Match(True)


# --- validation -------------------------------------------------------------------------------


def compact_json(pattern: dict[str, Any]) -> str:
    """The pattern as sent to Pipes: its length is what Pipes' limit counts."""
    return json.dumps(pattern, separators=(",", ":"))


def validate(pattern: object) -> None:
    """Raise PatternError unless `pattern` is a valid EventBridge event pattern."""
    _check_object(pattern, ROOT)


def validate_stream_filter(pattern: object) -> None:
    """Raise PatternError unless `pattern` is valid as a Pipes filter on a DynamoDB stream."""
    check_bounds(pattern)
    validate(pattern)
    checked = cast(dict[str, Any], pattern)
    _check_top_level_keys(checked, ROOT)
    for path, operator, argument in _operators(checked, ROOT):
        if operator == "wildcard":
            raise PatternError(path, "EventBridge Pipes does not support wildcard")
        if operator == "anything-but" and isinstance(argument, dict):
            raise PatternError(path, f"EventBridge Pipes does not support anything-but with {next(iter(argument))}")


def check_bounds(pattern: object) -> None:
    """Size (as compact JSON, as Pipes counts it), depth and numbers, checked without recursion
    before anything else reads the pattern:
    a crafted pattern (a megabyte, hundreds of levels, 10**400) is refused without the memory
    and stack a full reading would take."""
    length = 0
    stack: list[tuple[object, int]] = [(pattern, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > PATTERN_DEPTH_MAX:
            raise PatternError(ROOT, f"nests deeper than {PATTERN_DEPTH_MAX} levels")
        if isinstance(node, dict):
            length += 1 + max(len(node), 1)  # the braces and the commas
            for key, value in node.items():
                length += len(json.dumps(str(key))) + 1
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            length += 1 + max(len(node), 1)
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            if abs(node) > NUMBER_MAX or node != node:
                raise PatternError(ROOT, f"holds a number beyond what a pattern can hold (at most {NUMBER_MAX:g})")
            length += len(repr(node))
        else:
            length += len(json.dumps(node))
        if length > PATTERN_MAX:
            raise PatternError(
                ROOT, f"holds more than {PATTERN_MAX} characters as compact JSON; Pipes allows {PATTERN_MAX}"
            )


def _check_object(node: object, path: str, in_or: bool = False) -> None:
    if not isinstance(node, dict):
        raise PatternError(path, "must be a JSON object")
    if not node:
        raise PatternError(path, "must not be an empty object")
    for key, value in node.items():
        if not isinstance(key, str):
            raise PatternError(path, f"field names must be strings, not {key!r}")
        child = f"{path}.{key}"
        if key == OR:
            _check_or(value, child)
            continue
        if in_or and key in RESERVED_IN_OR:
            raise PatternError(child, f"{key!r} is an operator's name, which EventBridge refuses as a field inside $or")
        if isinstance(value, dict):
            _check_object(value, child, in_or)
        elif isinstance(value, list):
            _check_leaf(value, child)
        else:
            raise PatternError(child, "must be an object or an array of matchers")


def _check_or(branches: object, path: str) -> None:
    if not isinstance(branches, list) or len(branches) < 2:
        raise PatternError(path, "$or takes a list of at least 2 patterns")
    for index, branch in enumerate(branches):
        _check_object(branch, f"{path}[{index}]", in_or=True)


def _check_leaf(matchers: list[Any], path: str) -> None:
    if not matchers:
        raise PatternError(path, "must not be an empty array")
    for index, matcher in enumerate(matchers):
        _check_matcher(matcher, f"{path}[{index}]")


def _check_matcher(matcher: object, path: str) -> None:
    if matcher is None or isinstance(matcher, str | bool):
        return
    if isinstance(matcher, int | float):
        if not math.isfinite(matcher):
            raise PatternError(path, "numbers must be finite")
        return
    if not isinstance(matcher, dict):
        raise PatternError(path, "a matcher is a string, number, boolean, null or an object with one operator")
    if len(matcher) != 1:
        raise PatternError(path, f"a matcher object holds exactly one operator, not {len(matcher)}")
    [(operator, argument)] = matcher.items()
    check = _OPERATOR_CHECKS.get(operator)
    if check is None:
        raise PatternError(path, f"unknown operator {operator!r}")
    rule = check(operator, argument)
    if rule is not None:
        raise PatternError(path, rule)


# Each check returns None when the operator's argument is valid, else the rule it breaks.


def _check_affix(operator: str, argument: object) -> str | None:
    if isinstance(argument, str):
        return None
    if (
        isinstance(argument, dict)
        and list(argument) == ["equals-ignore-case"]
        and isinstance(argument["equals-ignore-case"], str)
    ):
        return None
    return f'{operator} takes a string, or {{"equals-ignore-case": string}}'


def _check_equals_ignore_case(operator: str, argument: object) -> str | None:
    return None if isinstance(argument, str) else f"{operator} takes a string"


def _check_wildcard(operator: str, argument: object) -> str | None:
    if not isinstance(argument, str):
        return f"{operator} takes a string"
    try:
        _wildcard_regex(argument)
    except ValueError as error:
        return f"{operator} {error}"
    return None


def _check_exists(operator: str, argument: object) -> str | None:
    return None if isinstance(argument, bool) else f"{operator} takes true or false"


def _check_cidr(operator: str, argument: object) -> str | None:
    if isinstance(argument, str) and argument.count("/") == 1:
        try:
            network = ipaddress.ip_network(argument, strict=False)
        except ValueError:
            pass
        else:
            if network.prefixlen == network.max_prefixlen:
                return (
                    f"{operator} {argument!r}: EventBridge refuses a mask of /{network.max_prefixlen} "
                    "(one address); match the address exactly instead"
                )
            return None
    return f"{operator} takes an IPv4 or IPv6 CIDR block such as 10.0.0.0/24, not {argument!r}"


def _check_numeric(operator: str, argument: object) -> str | None:
    usage = f"{operator} takes [operator, number] or [lower operator, number, upper operator, number]"
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        return usage
    for comparison, bound in zip(argument[::2], argument[1::2], strict=True):
        if comparison not in NUMERIC_OPERATORS:
            return f"{operator}: {comparison!r} is not one of = < <= > >="
        if not _is_number(bound):
            return f"{operator}: {comparison!r} must be followed by a number, not {bound!r}"
        if not math.isfinite(bound):
            return f"{operator}: numbers must be finite"
    if len(argument) == 4:
        lower_op, lower, upper_op, upper = argument
        if lower_op not in LOWER_BOUNDS or upper_op not in UPPER_BOUNDS:
            return f"{operator}: a range is a lower bound (> or >=) then an upper bound (< or <=)"
        if not lower < upper:
            return f"{operator}: the lower bound {lower} must be below the upper bound {upper}"
    return None


def _check_anything_but(operator: str, argument: object) -> str | None:
    if isinstance(argument, str):
        return None
    if _is_number(argument):
        return None if math.isfinite(argument) else f"{operator}: numbers must be finite"
    if isinstance(argument, list):
        strings = all(isinstance(v, str) for v in argument)
        numbers = all(_is_number(v) and math.isfinite(v) for v in argument)
        if argument and (strings or numbers):
            return None
        return f"{operator} takes a non-empty list of only strings or only (finite) numbers"
    if isinstance(argument, dict) and len(argument) == 1:
        [(inner, value)] = argument.items()
        if inner in ("prefix", "suffix"):
            # "Anything-but matching only works with a single prefix, not a list."
            return None if isinstance(value, str) else f"{operator} {inner} takes a single string"
        if inner in ("equals-ignore-case", "wildcard"):
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, str) for v in values):
                return f"{operator} {inner} takes a string or a non-empty list of strings"
            if inner == "wildcard":
                return next(filter(None, (_check_wildcard(f"{operator} wildcard", v) for v in values)), None)
            return None
    return (
        f"{operator} takes a string, a number, a list of them, or one of prefix, suffix, equals-ignore-case, wildcard"
    )


_OPERATOR_CHECKS: dict[str, Callable[[str, object], str | None]] = {
    "prefix": _check_affix,
    "suffix": _check_affix,
    "equals-ignore-case": _check_equals_ignore_case,
    "wildcard": _check_wildcard,
    "exists": _check_exists,
    "cidr": _check_cidr,
    "numeric": _check_numeric,
    "anything-but": _check_anything_but,
}


def _check_top_level_keys(pattern: dict[str, Any], path: str) -> None:
    for key, value in pattern.items():
        if key == OR:
            for index, branch in enumerate(value):
                _check_top_level_keys(branch, f"{path}.{OR}[{index}]")
        elif key.split(".", 1)[0] not in TOP_LEVEL_KEYS:
            fields = ", ".join(sorted(TOP_LEVEL_KEYS))
            raise PatternError(f"{path}.{key}", f"is not a field of a DynamoDB stream record ({fields})")


def _operators(pattern: dict[str, Any], path: str) -> Iterator[tuple[str, str, object]]:
    """Every operator matcher in a valid pattern, with its path."""
    for key, value in pattern.items():
        child = f"{path}.{key}"
        if key == OR:
            for index, branch in enumerate(value):
                yield from _operators(branch, f"{child}[{index}]")
        elif isinstance(value, dict):
            yield from _operators(value, child)
        else:
            for index, matcher in enumerate(value):
                if isinstance(matcher, dict):
                    [(operator, argument)] = matcher.items()
                    yield f"{child}[{index}]", operator, argument


def _wildcard_regex(wildcard: str) -> re.Pattern[str]:
    """`*` matches any run of characters; `\\*` and `\\\\` are a literal star and backslash.

    Event Ruler: "consecutive wildcard characters are not allowed" and "A backslash escaping any
    character other than asterisk or backslash is not allowed."
    """
    parts: list[str] = []
    literal: list[str] = []
    escaped = previous_star = False
    for char in wildcard:
        if escaped:
            if char not in "*\\":
                raise ValueError(f"may escape only * and \\ with a backslash, not {char!r}")
            literal.append(char)
            escaped = previous_star = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            if previous_star:
                raise ValueError("must not hold consecutive wildcard characters (**)")
            parts.extend([re.escape("".join(literal)), ".*"])
            literal.clear()
            previous_star = True
        else:
            literal.append(char)
            previous_star = False
    if escaped:
        raise ValueError("must not end with an unescaped backslash")
    parts.append(re.escape("".join(literal)))
    return re.compile("".join(parts), re.DOTALL)


def numeric_on_stream_numbers(pattern: dict[str, Any]) -> list[str]:
    """Where a valid pattern applies `numeric` to a DynamoDB number (a field named N), which never
    matches: stream records carry numbers as strings. One warning each, naming its path."""
    return [
        f"{path}: numeric never matches a DynamoDB number, which a stream record carries as a string "
        '({"N": "12.5"}); match the string exactly or by prefix instead'
        for path, operator, _ in _operators(pattern, ROOT)
        if operator == "numeric" and path.rsplit("[", 1)[0].rsplit(".", 1)[-1] == "N"
    ]


# --- matching ---------------------------------------------------------------------------------

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
        return bool(values) == argument
    test = _OPERATOR_TESTS[operator]
    return any(test(argument, value) for value in values)


def _same(expected: object, value: object) -> bool:
    """Exact match: numbers by value (5 matches 5.0), anything else by its JSON text (1 is not true)."""
    if _is_number(expected) and _is_number(value):
        return float(cast(float, expected)) == float(cast(float, value))
    return json.dumps(expected) == json.dumps(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
    return isinstance(value, str) and _wildcard_regex(argument).fullmatch(value) is not None


def _cidr(argument: str, value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(argument, strict=False)
    except ValueError:
        return False


def _numeric(argument: list[Any], value: object) -> bool:
    """Numeric matching "works with values that are JSON numbers" only: not strings holding numbers."""
    if not _is_number(value):
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
    if _is_number(value):
        return not any(_is_number(item) and item == value for item in listed)
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
