"""filter_pattern: EventBridge event patterns as Pipes applies them to DynamoDB stream records."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare_dynamodb_streamtrigger.core import filter_pattern
from mare_dynamodb_streamtrigger.core.filter_pattern import (
    PATTERN_MAX,
    RESERVED_IN_OR,
    TOP_LEVEL_KEYS,
    PatternError,
    compact_json,
    validate,
    validate_stream_filter,
)
from mare_streamtrigger_local.filter_matching import Match, matches

DYNAMODB_EXAMPLE = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}


def record(event_name: str = "INSERT", **attributes: Any) -> dict[str, Any]:
    """A DynamoDB stream record as Pipes sees it; keyword arguments replace NewImage attributes."""
    image = {
        "id": {"S": "r-1"},
        "status": {"S": "PENDING"},
        "amount": {"N": "12.5"},
        "approved": {"BOOL": True},
        "sourceIp": {"S": "10.0.0.33"},
        "file": {"S": "reports/2024/summary.PNG"},
        "tags": {"SS": ["red", "blue"]},
        "note": {"NULL": True},
    }
    image.update(attributes)
    return {
        "eventID": "c4ca4238a0b923820dcc509a6f75849b",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1678831218,
            "Keys": {"id": {"S": "r-1"}},
            "NewImage": image,
            "SequenceNumber": "111",
            "SizeBytes": 26,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/requests/stream/2024-01-01T00:00:00.000",
    }


def on_image(attribute: str, type_key: str, matchers: list[Any]) -> dict[str, Any]:
    return {"dynamodb": {"NewImage": {attribute: {type_key: matchers}}}}


def pattern_of_length(length: int) -> dict[str, Any]:
    """A stream filter whose compact JSON is exactly `length` characters."""
    empty = on_image("status", "S", [""])
    padding = length - len(json.dumps(empty, separators=(",", ":")))
    pattern = on_image("status", "S", ["x" * padding])
    assert len(json.dumps(pattern, separators=(",", ":"))) == length
    return pattern


# --- (a) validation tables ----------------------------------------------------------------------

VALID = [
    DYNAMODB_EXAMPLE,
    {"eventName": ["INSERT", "MODIFY"]},
    on_image("status", "S", ["PENDING", "", None, True, 1, 2.5]),
    on_image("status", "S", [{"prefix": "PEND"}]),
    on_image("status", "S", [{"prefix": {"equals-ignore-case": "pend"}}]),
    on_image("file", "S", [{"suffix": ".png"}]),
    on_image("file", "S", [{"suffix": {"equals-ignore-case": ".PNG"}}]),
    on_image("status", "S", [{"equals-ignore-case": "pending"}]),
    on_image("status", "S", [{"anything-but": "DONE"}]),
    on_image("status", "S", [{"anything-but": ["DONE", "FAILED"]}]),
    {"dynamodb": {"SizeBytes": [{"anything-but": 100}]}},
    {"dynamodb": {"SizeBytes": [{"anything-but": [100, 200.5]}]}},
    {"dynamodb": {"SizeBytes": [{"numeric": [">", 10]}]}},
    {"dynamodb": {"SizeBytes": [{"numeric": ["=", 3.018e2]}]}},
    {"dynamodb": {"SizeBytes": [{"numeric": [">=", 0, "<", 5]}]}},
    {"dynamodb": {"SizeBytes": [{"numeric": [">", -1.5, "<=", 1e6]}]}},
    on_image("status", "S", [{"exists": True}]),
    {"dynamodb": {"OldImage": [{"exists": False}]}},
    on_image("sourceIp", "S", [{"cidr": "10.0.0.0/24"}]),
    on_image("sourceIp", "S", [{"cidr": "2001:db8::/32"}]),
    {"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}]},
    {"eventName": ["MODIFY"], "dynamodb": {"$or": [{"Keys": {"id": {"S": ["a"]}}}, {"SizeBytes": [1]}]}},
    {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}},
    on_image("status", "S", ["PENDING", {"prefix": "RE"}, {"anything-but": "X"}]),
]

# Valid grammar that a Pipes stream filter refuses (wrong top-level key, or an operator Pipes lacks).
VALID_BUT_NOT_A_STREAM_FILTER = [
    {"detail": {"state": ["running"]}},
    on_image("file", "S", [{"wildcard": "reports/*/summary.*"}]),
    on_image("file", "S", [{"wildcard": "a\\*b\\\\c"}]),
    on_image("status", "S", [{"anything-but": {"prefix": "init"}}]),
    on_image("status", "S", [{"anything-but": {"suffix": ".png"}}]),
    on_image("status", "S", [{"anything-but": {"equals-ignore-case": ["done", "failed"]}}]),
    on_image("status", "S", [{"anything-but": {"wildcard": "*/lib/*"}}]),
    on_image("status", "S", [{"anything-but": {"wildcard": ["a*", "b*"]}}]),
]


@pytest.mark.parametrize("pattern", VALID)
def test_valid_stream_filters(pattern):
    validate(pattern)
    validate_stream_filter(pattern)


@pytest.mark.parametrize("pattern", VALID_BUT_NOT_A_STREAM_FILTER)
def test_valid_patterns_that_are_not_stream_filters(pattern):
    validate(pattern)
    with pytest.raises(PatternError):
        validate_stream_filter(pattern)


def leaf(*matchers: Any) -> dict[str, Any]:
    return {"x": list(matchers)}


INVALID = [
    # structure
    (None, "FilterPattern: must be a JSON object"),
    ([], "FilterPattern: must be a JSON object"),
    ('{"x": ["a"]}', "FilterPattern: must be a JSON object"),
    ({}, "FilterPattern: must not be an empty object"),
    ({"x": {}}, "FilterPattern.x: must not be an empty object"),
    ({"x": []}, "FilterPattern.x: must not be an empty array"),
    ({"x": "INSERT"}, "FilterPattern.x: must be an object or an array of matchers"),
    ({"x": 5}, "FilterPattern.x: must be an object or an array of matchers"),
    (leaf(["a"]), "FilterPattern.x[0]: a matcher is a string, number, boolean, null or an object"),
    (leaf(math.nan), "FilterPattern.x[0]: numbers must be finite"),
    (leaf({}), "exactly one operator, not 0"),
    (leaf({"prefix": "a", "suffix": "b"}), "exactly one operator, not 2"),
    # operators
    (leaf("a", {"prefx": "a"}), "FilterPattern.x[1]: unknown operator 'prefx'"),
    (leaf({"contains": "a"}), "unknown operator 'contains'"),
    (on_image("status", "S", [{"prefix": 1}]), "FilterPattern.dynamodb.NewImage.status.S[0]: prefix takes a string"),
    (leaf({"prefix": ["a"]}), "prefix takes a string"),
    (leaf({"prefix": {"equals-ignore-case": 1}}), "prefix takes a string"),
    (leaf({"prefix": {"ignore-case": "a"}}), "prefix takes a string"),
    (leaf({"suffix": None}), "suffix takes a string"),
    (leaf({"equals-ignore-case": ["a"]}), "equals-ignore-case takes a string"),
    (leaf({"exists": "true"}), "exists takes true or false"),
    (leaf({"exists": 1}), "exists takes true or false"),
    (leaf({"cidr": "10.0.0.0/33"}), "cidr takes an IPv4 or IPv6 CIDR block"),
    (leaf({"cidr": "not-a-network/8"}), "cidr takes an IPv4 or IPv6 CIDR block"),
    (leaf({"cidr": "10.0.0.1"}), "cidr takes an IPv4 or IPv6 CIDR block"),
    (leaf({"cidr": 10}), "cidr takes an IPv4 or IPv6 CIDR block"),
    (leaf({"wildcard": "a**b"}), "wildcard must not hold consecutive wildcard characters"),
    (leaf({"wildcard": "a\\b"}), "wildcard may escape only * and \\"),
    (leaf({"wildcard": "a\\"}), "wildcard must not end with an unescaped backslash"),
    (leaf({"wildcard": 1}), "wildcard takes a string"),
    # numeric
    (leaf({"numeric": [">", "a"]}), "numeric: '>' must be followed by a number, not 'a'"),
    (leaf({"numeric": [">", True]}), "must be followed by a number"),
    (leaf({"numeric": ["<", 5, ">", 1]}), "a range is a lower bound (> or >=) then an upper bound (< or <=)"),
    (leaf({"numeric": [">", 1, ">", 2]}), "a range is a lower bound"),
    (leaf({"numeric": ["=", 1, "<", 2]}), "a range is a lower bound"),
    (leaf({"numeric": [">", 5, "<", 1]}), "the lower bound 5 must be below the upper bound 1"),
    (leaf({"numeric": [">=", 5, "<=", 5]}), "must be below the upper bound"),
    (leaf({"numeric": [">"]}), "numeric takes [operator, number]"),
    (leaf({"numeric": [">", 1, "<"]}), "numeric takes [operator, number]"),
    (leaf({"numeric": [">", 1, "<", 2, "=", 3]}), "numeric takes [operator, number]"),
    (leaf({"numeric": []}), "numeric takes [operator, number]"),
    (leaf({"numeric": 5}), "numeric takes [operator, number]"),
    (leaf({"numeric": ["!=", 5]}), "'!=' is not one of = < <= > >="),
    (leaf({"numeric": [">", math.inf]}), "numeric: numbers must be finite"),
    # anything-but
    (leaf({"anything-but": []}), "anything-but takes a non-empty list"),
    (leaf({"anything-but": ["a", 1]}), "anything-but takes a non-empty list of only strings or only (finite) numbers"),
    (leaf({"anything-but": [None]}), "anything-but takes a non-empty list"),
    (leaf({"anything-but": True}), "anything-but takes a string, a number"),
    (leaf({"anything-but": None}), "anything-but takes a string, a number"),
    (leaf({"anything-but": {"prefix": ["a", "b"]}}), "anything-but prefix takes a single string"),
    (leaf({"anything-but": {"suffix": 1}}), "anything-but suffix takes a single string"),
    (leaf({"anything-but": {"equals-ignore-case": []}}), "anything-but equals-ignore-case takes a string or"),
    (leaf({"anything-but": {"wildcard": ["a**"]}}), "consecutive wildcard characters"),
    (leaf({"anything-but": {"contains": "a"}}), "anything-but takes a string, a number"),
    (leaf({"anything-but": {"prefix": "a", "suffix": "b"}}), "anything-but takes a string, a number"),
    # $or
    ({"$or": [{"x": ["a"]}]}, "FilterPattern.$or: $or takes a list of at least 2 patterns"),
    ({"$or": []}, "$or takes a list of at least 2 patterns"),
    ({"$or": {"x": ["a"]}}, "$or takes a list of at least 2 patterns"),
    ({"$or": [{"x": ["a"]}, {}]}, "FilterPattern.$or[1]: must not be an empty object"),
    ({"$or": [{"x": ["a"]}, ["b"]]}, "FilterPattern.$or[1]: must be a JSON object"),
    ({"y": {"$or": [{"x": ["a"]}, {"z": [{"prefx": "a"}]}]}}, "FilterPattern.y.$or[1].z[0]: unknown operator"),
]


@pytest.mark.parametrize(("pattern", "expected"), INVALID)
def test_invalid_patterns(pattern, expected):
    with pytest.raises(PatternError) as raised:
        validate(pattern)
    assert expected in str(raised.value)
    with pytest.raises(PatternError):
        validate_stream_filter(pattern)


STREAM_INVALID = [
    ({"eventname": ["INSERT"]}, "FilterPattern.eventname: is not a field of a DynamoDB stream record"),
    ({"NewImage": {"status": {"S": ["PENDING"]}}}, "FilterPattern.NewImage: is not a field"),
    ({"$or": [{"eventName": ["INSERT"]}, {"Keys": {"id": {"S": ["a"]}}}]}, "FilterPattern.$or[1].Keys: is not a field"),
    (pattern_of_length(PATTERN_MAX + 1), f"FilterPattern: holds more than {PATTERN_MAX} characters as compact JSON"),
    (on_image("file", "S", [{"wildcard": "*.png"}]), "S[0]: EventBridge Pipes does not support wildcard"),
    (on_image("a", "S", [{"anything-but": {"prefix": "x"}}]), "Pipes does not support anything-but with prefix"),
]


@pytest.mark.parametrize(("pattern", "expected"), STREAM_INVALID)
def test_invalid_stream_filters(pattern, expected):
    with pytest.raises(PatternError) as raised:
        validate_stream_filter(pattern)
    assert expected in str(raised.value)


def test_the_length_limit_is_inclusive():
    validate_stream_filter(pattern_of_length(PATTERN_MAX))


def test_pattern_error_is_a_value_error_with_its_path_and_rule():
    with pytest.raises(ValueError) as raised:
        validate(on_image("status", "S", [{"prefix": 1}]))
    error = raised.value
    assert isinstance(error, PatternError)
    assert error.path == "FilterPattern.dynamodb.NewImage.status.S[0]"
    assert error.rule.startswith("prefix takes a string")
    assert str(error) == f"{error.path}: {error.rule}"


def test_top_level_keys_are_a_stream_records_fields():
    assert set(record()) <= TOP_LEVEL_KEYS
    assert "userIdentity" in TOP_LEVEL_KEYS


# --- (b) matching DynamoDB stream records ------------------------------------------------------

STATUS = ("dynamodb", "NewImage", "status", "S")

MATCHING = [
    # exact
    (DYNAMODB_EXAMPLE, record(), True),
    (DYNAMODB_EXAMPLE, record("MODIFY"), False),
    (on_image("status", "S", ["DONE", "PENDING"]), record(), True),
    (on_image("status", "S", ["pending"]), record(), False),
    (on_image("approved", "BOOL", [True]), record(), True),
    (on_image("approved", "BOOL", ["true"]), record(), False),
    (on_image("note", "NULL", [True]), record(), True),
    (on_image("status", "S", [""]), record(status={"S": ""}), True),
    # DynamoDB numbers are strings inside "N": match them as strings
    (on_image("amount", "N", ["12.5"]), record(), True),
    (on_image("amount", "N", [12.5]), record(), False),
    (on_image("amount", "N", [{"prefix": "12."}]), record(), True),
    # numbers: exact matching compares values, as AWS answered (test_filter_as_aws_matches.py)
    ({"dynamodb": {"SizeBytes": [26]}}, record(), True),
    ({"dynamodb": {"SizeBytes": [26.0]}}, record(), True),
    ({"dynamodb": {"SizeBytes": [2.6e1]}}, record(), True),
    ({"dynamodb": {"SizeBytes": ["26"]}}, record(), False),
    # numeric: JSON numbers only, compared by value
    (on_image("amount", "N", [{"numeric": [">", 10]}]), record(), False),
    ({"dynamodb": {"SizeBytes": [{"numeric": [">", 10]}]}}, record(), True),
    ({"dynamodb": {"SizeBytes": [{"numeric": ["=", 26.0]}]}}, record(), True),
    ({"dynamodb": {"SizeBytes": [{"numeric": [">=", 26, "<", 30]}]}}, record(), True),
    ({"dynamodb": {"SizeBytes": [{"numeric": [">", 26, "<=", 30]}]}}, record(), False),
    ({"dynamodb": {"SizeBytes": [{"numeric": ["<", 26]}]}}, record(), False),
    ({"dynamodb": {"SizeBytes": [{"numeric": ["<=", 26]}]}}, record(), True),
    # prefix, suffix, equals-ignore-case
    (on_image("status", "S", [{"prefix": "PEND"}]), record(), True),
    (on_image("status", "S", [{"prefix": "pend"}]), record(), False),
    (on_image("status", "S", [{"prefix": {"equals-ignore-case": "pend"}}]), record(), True),
    (on_image("file", "S", [{"suffix": ".PNG"}]), record(), True),
    (on_image("file", "S", [{"suffix": ".png"}]), record(), False),
    (on_image("file", "S", [{"suffix": {"equals-ignore-case": ".png"}}]), record(), True),
    (on_image("status", "S", [{"equals-ignore-case": "pending"}]), record(), True),
    (on_image("status", "S", [{"equals-ignore-case": "pend"}]), record(), False),
    ({"dynamodb": {"SizeBytes": [{"prefix": "2"}]}}, record(), False),
    # wildcard
    (on_image("file", "S", [{"wildcard": "reports/*/summary.*"}]), record(), True),
    (on_image("file", "S", [{"wildcard": "reports/*.txt"}]), record(), False),
    (on_image("file", "S", [{"wildcard": "*"}]), record(), True),
    (on_image("file", "S", [{"wildcard": "a\\*b"}]), record(file={"S": "a*b"}), True),
    (on_image("file", "S", [{"wildcard": "a\\*b"}]), record(file={"S": "axb"}), False),
    # cidr
    (on_image("sourceIp", "S", [{"cidr": "10.0.0.0/24"}]), record(), True),
    (on_image("sourceIp", "S", [{"cidr": "10.0.1.0/24"}]), record(), False),
    (on_image("sourceIp", "S", [{"cidr": "2001:db8::/32"}]), record(sourceIp={"S": "2001:db8::1"}), True),
    (on_image("sourceIp", "S", [{"cidr": "2001:db8::/32"}]), record(), False),
    (on_image("sourceIp", "S", [{"cidr": "10.0.0.0/8"}]), record(sourceIp={"S": "not an ip"}), False),
    # exists
    (on_image("status", "S", [{"exists": True}]), record(), True),
    (on_image("missing", "S", [{"exists": True}]), record(), False),
    (on_image("missing", "S", [{"exists": False}]), record(), True),
    (on_image("status", "S", [{"exists": False}]), record(), False),
    ({"dynamodb": {"OldImage": {"status": {"S": [{"exists": False}]}}}}, record(), True),
    ({"dynamodb": {"NewImage": {"status": [{"exists": True}]}}}, record(), False),  # an object is not a leaf
    ({"dynamodb": {"NewImage": {"status": [{"exists": False}]}}}, record(), True),
    # anything-but
    (on_image("status", "S", [{"anything-but": "DONE"}]), record(), True),
    (on_image("status", "S", [{"anything-but": "PENDING"}]), record(), False),
    (on_image("status", "S", [{"anything-but": ["DONE", "PENDING"]}]), record(), False),
    (on_image("missing", "S", [{"anything-but": "DONE"}]), record(), False),  # a field must be present
    ({"dynamodb": {"SizeBytes": [{"anything-but": [25, 27]}]}}, record(), True),
    ({"dynamodb": {"SizeBytes": [{"anything-but": 26.0}]}}, record(), False),
    (on_image("status", "S", [{"anything-but": {"prefix": "PEN"}}]), record(), False),
    (on_image("status", "S", [{"anything-but": {"prefix": "DON"}}]), record(), True),
    (on_image("file", "S", [{"anything-but": {"suffix": ".PNG"}}]), record(), False),
    (on_image("status", "S", [{"anything-but": {"equals-ignore-case": ["pending"]}}]), record(), False),
    (on_image("status", "S", [{"anything-but": {"equals-ignore-case": "done"}}]), record(), True),
    (on_image("file", "S", [{"anything-but": {"wildcard": "*/2024/*"}}]), record(), False),
    (on_image("file", "S", [{"anything-but": {"wildcard": ["*/2023/*", "x*"]}}]), record(), True),
    # arrays: a field matches if any element does
    (on_image("tags", "SS", ["blue"]), record(), True),
    (on_image("tags", "SS", ["green"]), record(), False),
    (on_image("tags", "SS", [{"anything-but": "red"}]), record(), True),
    (on_image("tags", "SS", [{"anything-but": ["red", "blue"]}]), record(), False),
    (on_image("tags", "SS", [{"exists": True}]), record(tags={"SS": []}), False),
    # $or
    ({"$or": [{"eventName": ["MODIFY"]}, {"dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}]}, record(), True),
    ({"$or": [{"eventName": ["MODIFY"]}, {"eventName": ["REMOVE"]}]}, record(), False),
    ({"dynamodb": {"$or": [{"SizeBytes": [1]}, {"Keys": {"id": {"S": ["r-1"]}}}]}}, record(), True),
    # TTL expiry deletes carry the DynamoDB service as their identity
    (
        {"eventName": ["REMOVE"], "userIdentity": {"principalId": ["dynamodb.amazonaws.com"]}},
        {**record("REMOVE"), "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"}},
        True,
    ),
    ({"userIdentity": {"principalId": [{"exists": False}]}}, record("REMOVE"), True),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), MATCHING)
def test_matching(pattern, event, expected):
    validate(pattern)
    result = matches(pattern, event)
    assert result.matched is expected
    if expected:
        assert result == Match(True, None, None)
    else:
        assert result.failed_path and result.reason


def test_a_failure_names_the_first_failing_field_and_why():
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["DONE"]}, "id": {"S": ["x"]}}}}
    result = matches(pattern, record())
    assert result == Match(False, "dynamodb.NewImage.status.S", '"PENDING" matches none of ["DONE"]')


def test_a_numeric_filter_on_a_dynamodb_number_fails_on_the_string():
    result = matches(on_image("amount", "N", [{"numeric": [">", 10]}]), record())
    assert result.failed_path == "dynamodb.NewImage.amount.N"
    assert result.reason == '"12.5" matches none of [{"numeric": [">", 10]}]'


def test_an_absent_field_is_named_as_absent():
    result = matches(on_image("missing", "S", [{"anything-but": "DONE"}]), record())
    assert result == Match(False, "dynamodb.NewImage.missing.S", "the field is absent")


def test_an_or_failure_reports_its_first_branch():
    pattern = {"$or": [{"eventName": ["MODIFY"]}, {"eventName": ["REMOVE"]}]}
    result = matches(pattern, record())
    assert result.failed_path == "eventName"
    assert result.reason == 'no $or branch matched; the first: "INSERT" matches none of ["MODIFY"]'


def test_arrays_of_objects_match_element_by_element():
    event = {"items": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]}
    assert matches({"items": {"a": [2], "b": ["y"]}}, event).matched
    assert not matches({"items": {"a": [1], "b": ["y"]}}, event).matched


def test_null_and_nested_arrays_are_values():
    assert matches({"x": [None]}, {"x": None}).matched
    assert matches({"x": [{"exists": True}]}, {"x": None}).matched
    assert matches({"x": ["b"]}, {"x": [["a"], ["b"]]}).matched


def test_matching_refuses_an_invalid_pattern():
    with pytest.raises(PatternError, match="unknown operator 'prefx'"):
        matches({"x": [{"prefx": "a"}]}, {"x": "a"})


# --- (c) properties ------------------------------------------------------------------------------

# Field names; operator names are refused as fields inside $or (test_filter_as_aws_matches.py).
KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=6).filter(
    lambda key: key not in RESERVED_IN_OR
)
FINITE = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
NUMBERS = st.one_of(st.integers(min_value=-(10**9), max_value=10**9), FINITE)
TEXT = st.text(max_size=8)
SCALARS = st.one_of(TEXT, NUMBERS, st.booleans(), st.none())


def escape_wildcard(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*")


@st.composite
def wildcards(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=3))
    lead, trail = draw(st.booleans()), draw(st.booleans())
    return ("*" if lead else "") + "*".join(map(escape_wildcard, parts)) + ("*" if trail else "")


@st.composite
def cidrs(draw: st.DrawFn) -> str:
    version = draw(st.sampled_from([4, 6]))
    address = draw(st.ip_addresses(v=version))
    # A mask of the whole address (/32, /128) is refused, as Event Ruler refuses it.
    return f"{address}/{draw(st.integers(0, 31 if version == 4 else 127))}"


@st.composite
def numeric_ranges(draw: st.DrawFn) -> list[Any]:
    low, high = sorted(draw(st.lists(NUMBERS, min_size=2, max_size=2, unique=True)))
    return [draw(st.sampled_from([">", ">="])), low, draw(st.sampled_from(["<", "<="])), high]


AFFIX_ARGUMENTS = st.one_of(TEXT, st.builds(lambda s: {"equals-ignore-case": s}, TEXT))
OPERATORS = st.one_of(
    st.builds(lambda a: {"prefix": a}, AFFIX_ARGUMENTS),
    st.builds(lambda a: {"suffix": a}, AFFIX_ARGUMENTS),
    st.builds(lambda a: {"equals-ignore-case": a}, TEXT),
    st.builds(lambda a: {"wildcard": a}, wildcards()),
    st.builds(lambda a: {"exists": a}, st.booleans()),
    st.builds(lambda a: {"cidr": a}, cidrs()),
    st.builds(lambda op, n: {"numeric": [op, n]}, st.sampled_from(["=", "<", "<=", ">", ">="]), NUMBERS),
    st.builds(lambda a: {"numeric": a}, numeric_ranges()),
    st.builds(
        lambda a: {"anything-but": a},
        st.one_of(
            TEXT,
            NUMBERS,
            st.lists(TEXT, min_size=1, max_size=3),
            st.lists(NUMBERS, min_size=1, max_size=3),
            st.builds(lambda s: {"prefix": s}, TEXT),
            st.builds(lambda s: {"suffix": s}, TEXT),
            st.builds(lambda s: {"equals-ignore-case": s}, st.one_of(TEXT, st.lists(TEXT, min_size=1, max_size=2))),
            st.builds(lambda s: {"wildcard": s}, st.one_of(wildcards(), st.lists(wildcards(), min_size=1, max_size=2))),
        ),
    ),
)
LEAVES = st.lists(st.one_of(SCALARS, OPERATORS), min_size=1, max_size=3)


def objects(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(KEYS, values, min_size=1, max_size=3)


def with_or(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    branches = st.lists(children, min_size=2, max_size=3)
    return st.builds(lambda base, ors: {**base, "$or": ors}, st.dictionaries(KEYS, LEAVES, max_size=2), branches)


PATTERNS = st.recursive(
    objects(LEAVES),
    lambda children: st.one_of(objects(st.one_of(LEAVES, children)), with_or(children)),
    max_leaves=6,
)
EXACT_PATTERNS = st.recursive(
    objects(st.lists(SCALARS, min_size=1, max_size=3)),
    lambda children: objects(st.one_of(st.lists(SCALARS, min_size=1, max_size=3), children)),
    max_leaves=6,
)
JSON_VALUES = st.recursive(
    SCALARS, lambda children: st.one_of(st.lists(children, max_size=3), objects(children)), max_leaves=8
)


@settings(max_examples=100)
@given(PATTERNS)
def test_generated_patterns_validate(pattern):
    validate(pattern)


@settings(max_examples=100)
@given(PATTERNS)
def test_a_pattern_validates_the_same_after_a_json_round_trip(pattern):
    validate(pattern)
    validate(json.loads(json.dumps(pattern)))
    validate(json.loads(json.dumps(pattern, separators=(",", ":"))))


@settings(max_examples=100)
@given(PATTERNS, JSON_VALUES)
def test_matching_a_valid_pattern_never_raises(pattern, event):
    result = matches(pattern, event if isinstance(event, dict) else {"value": event})
    assert result.matched == (result.failed_path is None) == (result.reason is None)


def leaf_paths(pattern: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for key, value in pattern.items():
        if isinstance(value, dict):
            paths.extend(leaf_paths(value, (*prefix, key)))
        else:
            paths.append((*prefix, key))
    return paths


def lookup(tree: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


@settings(max_examples=100)
@given(EXACT_PATTERNS, st.data())
def test_an_event_built_from_an_exact_pattern_matches_until_one_leaf_changes(pattern, data):
    def build(node: dict[str, Any]) -> dict[str, Any]:
        return {k: build(v) if isinstance(v, dict) else data.draw(st.sampled_from(v)) for k, v in node.items()}

    event = build(pattern)
    assert matches(pattern, event) == Match(True)

    path = data.draw(st.sampled_from(leaf_paths(pattern)))
    matchers = lookup(pattern, path)
    # Longer than, and built from, every matcher: it cannot be one of them.
    outside = "\x00outside " + json.dumps(matchers)
    lookup(event, path[:-1])[path[-1]] = outside
    result = matches(pattern, event)
    assert not result.matched
    assert result.failed_path == ".".join(path)


@settings(max_examples=100)
@given(st.one_of(TEXT, NUMBERS), st.lists(st.one_of(TEXT, NUMBERS), max_size=2), st.booleans())
def test_anything_but_never_matches_its_own_value(value, others, as_array):
    same_kind = [o for o in others if isinstance(o, str) == isinstance(value, str)]
    event = {"x": [value] if as_array else value}
    assert not matches({"x": [{"anything-but": value}]}, event).matched
    assert not matches({"x": [{"anything-but": [value, *same_kind]}]}, event).matched


@settings(max_examples=100)
@given(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=3), st.text(max_size=3), st.text(max_size=3))
def test_a_wildcard_matches_its_parts_with_anything_between(parts, before, after):
    wildcard = "*" + "*".join(map(escape_wildcard, parts)) + "*"
    assert matches({"x": [{"wildcard": wildcard}]}, {"x": before + "".join(parts) + after}).matched
    assert matches({"x": [{"wildcard": "".join(map(escape_wildcard, parts))}]}, {"x": "".join(parts)}).matched


@settings(max_examples=100)
@given(st.sampled_from(sorted(TOP_LEVEL_KEYS)), LEAVES)
def test_stream_filters_accept_record_fields_and_refuse_others(key, leaves):
    pattern = {key: leaves}
    supported = all(
        not isinstance(m, dict) or ("wildcard" not in m and not isinstance(m.get("anything-but"), dict)) for m in leaves
    )
    if supported:
        validate_stream_filter(pattern)
    with pytest.raises(PatternError, match="is not a field of a DynamoDB stream record"):
        validate_stream_filter({key.upper(): leaves})


@pytest.mark.parametrize(
    "pattern",
    [
        {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1.5, "<=", 10]}]}}}},
        {"dynamodb": {"NewImage": {"flag": {"BOOL": [True, False]}, "gone": {"NULL": [None]}}}},
        {"$or": [{"eventName": ["INSERT"]}, {"eventName": ["MODIFY"], "dynamodb": {"Keys": {"id": {"S": []}}}}]},
        {"dynamodb": {"NewImage": {"é": {"S": ['ü"quoted"']}}}},
    ],
)
def test_the_bounds_check_counts_compact_json_exactly(pattern):
    """The size is counted without building the JSON: at the exact length it passes, one less refuses."""
    length = len(compact_json(pattern))
    filter_pattern.check_bounds(pattern)  # within any limit the real length allows
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(filter_pattern, "PATTERN_MAX", length)
        filter_pattern.check_bounds(pattern)
        patch.setattr(filter_pattern, "PATTERN_MAX", length - 1)
        with pytest.raises(PatternError, match="holds more than"):
            filter_pattern.check_bounds(pattern)
