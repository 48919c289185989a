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
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeGuard, cast

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
LOWER_BOUNDS = frozenset({">", ">="})
UPPER_BOUNDS = frozenset({"<", "<="})


class PatternError(ValueError):
    """A pattern that breaks a rule; `path` locates the offending part, starting at FilterPattern."""

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}")
        self.path = path
        self.rule = rule


# --- validation -------------------------------------------------------------------------------


def compact_json(pattern: Mapping[str, Any]) -> str:
    """The pattern as sent to Pipes: its length is what Pipes' limit counts."""
    return json.dumps(pattern, separators=(",", ":"))


def validate(pattern: object) -> None:
    """Raise PatternError unless `pattern` is a valid EventBridge event pattern."""
    _check_object(pattern, ROOT)


def validate_stream_filter(pattern: object, root: str = ROOT) -> None:
    """Raise PatternError unless `pattern` is valid as a Pipes filter on a DynamoDB stream; paths
    in the error start at `root` (FilterPattern, or FilterPatterns[i])."""
    check_bounds(pattern, root)
    _check_object(pattern, root)
    checked = cast(dict[str, Any], pattern)
    _check_top_level_keys(checked, root)
    for path, operator, argument in _operators(checked, root):
        if operator == "wildcard":
            raise PatternError(path, "EventBridge Pipes does not support wildcard")
        if operator == "anything-but" and isinstance(argument, dict):
            raise PatternError(path, f"EventBridge Pipes does not support anything-but with {next(iter(argument))}")


def check_bounds(pattern: object, root: str = ROOT) -> None:
    """Size (as compact JSON, as Pipes counts it), depth and numbers, checked without recursion
    before anything else reads the pattern:
    a crafted pattern (a megabyte, hundreds of levels, 10**400) is refused without the memory
    and stack a full reading would take."""
    length = 0
    stack: list[tuple[object, int]] = [(pattern, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > PATTERN_DEPTH_MAX:
            raise PatternError(root, f"nests deeper than {PATTERN_DEPTH_MAX} levels")
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
                raise PatternError(root, f"holds a number beyond what a pattern can hold (at most {NUMBER_MAX:g})")
            length += len(repr(node))
        else:
            length += len(json.dumps(node))
        if length > PATTERN_MAX:
            raise PatternError(
                root, f"holds more than {PATTERN_MAX} characters as compact JSON; Pipes allows {PATTERN_MAX}"
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
        wildcard_regex(argument)
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
        if not is_number(bound):
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
    if is_number(argument):
        return None if math.isfinite(argument) else f"{operator}: numbers must be finite"
    if isinstance(argument, list):
        strings = all(isinstance(v, str) for v in argument)
        numbers = all(is_number(v) and math.isfinite(v) for v in argument)
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


def _check_top_level_keys(pattern: Mapping[str, Any], path: str) -> None:
    for key, value in pattern.items():
        if key == OR:
            for index, branch in enumerate(value):
                _check_top_level_keys(branch, f"{path}.{OR}[{index}]")
        elif key.split(".", 1)[0] not in TOP_LEVEL_KEYS:
            fields = ", ".join(sorted(TOP_LEVEL_KEYS))
            raise PatternError(f"{path}.{key}", f"is not a field of a DynamoDB stream record ({fields})")


def _operators(pattern: Mapping[str, Any], path: str) -> Iterator[tuple[str, str, object]]:
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


def wildcard_regex(wildcard: str) -> re.Pattern[str]:
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


def numeric_on_stream_numbers(pattern: Mapping[str, Any], root: str = ROOT) -> list[str]:
    """Where a valid pattern applies `numeric` to a DynamoDB number (a field named N), which never
    matches: stream records carry numbers as strings. One warning each, naming its path."""
    return [
        f"{path}: numeric never matches a DynamoDB number, which a stream record carries as a string "
        '({"N": "12.5"}); match the string exactly or by prefix instead'
        for path, operator, _ in _operators(pattern, root)
        if operator == "numeric" and path.rsplit("[", 1)[0].rsplit(".", 1)[-1] == "N"
    ]


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
