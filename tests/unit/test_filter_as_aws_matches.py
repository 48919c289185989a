"""filter_pattern against AWS's recorded answers and Event Ruler's source (docs/aws-behaviour.md).

The recorded cases are LocalStack's event-pattern templates, whose results its test suite recorded
against AWS's TestEventPattern (tests/aws/services/events/test_events_patterns.snapshot.json): a
name ending in _NEG did not match there, any other did. The rest follows Event Ruler, the library
behind EventBridge (JsonRuleCompiler.java, CIDR.java, Constants.java), read but not recorded.
"""

from __future__ import annotations

from typing import Any

import pytest

from mare_dynamodb_streamtrigger.core.filter_pattern import (
    RESERVED_IN_OR,
    PatternError,
    numeric_on_stream_numbers,
    validate,
    validate_stream_filter,
)
from mare_streamtrigger_local.filter_matching import ALTERNATIVES_MAX, alternatives, matches

COMPLEX_OR = {
    "detail": {
        "$or": [
            {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
            {"d-count": [{"numeric": ["<", 10]}]},
            {"x-limit": [{"numeric": ["=", 3.018e2]}]},
        ]
    }
}
# (LocalStack's template name, pattern, event, whether AWS matched)
RECORDED: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("number_comparison_float", {"number": [300]}, {"number": 300.0}, True),
    ("numeric-int-float", {"number": [{"numeric": [">", 100]}]}, {"number": 101.0}, True),
    (
        "dot_joining_event",
        {"detail": {"state": {"status": ["running"]}}},
        {"detail": {"state.status": "running"}},
        True,
    ),
    (
        "dot_joining_event_NEG",
        {"detail": {"state": {"status": ["running"]}}},
        {"detail": {"state.status": {"status": "running"}}},
        False,
    ),
    (
        "dot_joining_pattern",
        {"detail": {"state.status": ["running"]}},
        {"detail": {"state": {"status": "running"}}},
        True,
    ),
    (
        "dot_joining_pattern_NEG",
        {"detail": {"state.status": {"status": ["running"]}}},
        {"detail": {"state": {"status": "running"}}},
        False,
    ),
    (
        "or-numeric-anything-but",
        {"dynamodb": {"NewImage": {"numericFilter": {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}}}},
        {"dynamodb": {"NewImage": {"numericFilter": {"N": "42"}}}},
        True,
    ),
    (
        "or-numeric-anything-but_NEG",
        {"dynamodb": {"NewImage": {"numericFilter": {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}}}},
        {"dynamodb": {"NewImage": {"numericFilter": {"N": "101"}}}},
        False,
    ),
    (
        "or-exists-parent",
        {"dynamodb": {"NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": False}]}}}},
        {"dynamodb": {"NewImage": {"purchased": {"N": "789"}}}},
        True,
    ),
    (
        "complex_or",
        COMPLEX_OR,
        {"detail": {"c-count": 0, "d-count": 0, "x-limit": 9.018e2}},
        True,
    ),
    (
        "complex_or_NEG",
        COMPLEX_OR,
        {"detail": {"c-count": 0, "d-count": 10, "x-limit": 9.018e2}},
        False,
    ),
]


@pytest.mark.parametrize(("pattern", "event", "matched"), [c[1:] for c in RECORDED], ids=[c[0] for c in RECORDED])
def test_the_matcher_agrees_with_awss_recorded_answer(pattern, event, matched):
    assert matches(pattern, event).matched is matched


def test_a_number_matches_an_equal_number_but_not_its_string_nor_true():
    assert matches({"n": [5]}, {"n": 5.0}).matched
    assert matches({"n": [3.0e2]}, {"n": 300}).matched
    assert not matches({"n": [1]}, {"n": True}).matched
    assert not matches({"n": [300]}, {"n": "300"}).matched


def test_dotted_and_nested_names_are_one_field_in_an_event_given_both_ways():
    event = {"a": {"b": 1}, "a.b": 2}
    assert matches({"a": {"b": [2]}}, event).matched
    assert matches({"a.b": [1]}, event).matched
    assert not matches({"a.b": [3]}, event).matched


def test_a_field_given_outside_and_inside_or_takes_the_value_written_later():
    # Event Ruler forks the fields seen so far into each branch, where a field given again overrides.
    outside_first = {"eventName": ["INSERT"], "$or": [{"eventName": ["MODIFY"]}, {"awsRegion": ["eu-west-1"]}]}
    assert alternatives(outside_first) == [
        {"eventName": ["MODIFY"]},
        {"eventName": ["INSERT"], "awsRegion": ["eu-west-1"]},
    ]
    assert matches(outside_first, {"eventName": "MODIFY", "awsRegion": "us-east-1"}).matched
    assert not matches(outside_first, {"eventName": "REMOVE", "awsRegion": "us-east-1"}).matched

    outside_last = {"$or": [{"eventName": ["MODIFY"]}, {"awsRegion": ["eu-west-1"]}], "eventName": ["INSERT"]}
    assert alternatives(outside_last) == [
        {"eventName": ["INSERT"]},
        {"awsRegion": ["eu-west-1"], "eventName": ["INSERT"]},
    ]
    assert not matches(outside_last, {"eventName": "MODIFY", "awsRegion": "us-east-1"}).matched


def test_too_many_alternatives_are_refused_rather_than_evaluated():
    # Each $or multiplies the alternatives: eleven of two branches make 2**11.
    either = {"$or": [{"S": ["a"]}, {"N": ["1"]}]}
    pattern = {"dynamodb": {"NewImage": {f"field{index}": dict(either) for index in range(11)}}}
    validate_stream_filter(pattern)  # valid for Pipes, which the type does not second-guess
    with pytest.raises(PatternError, match=f"more than {ALTERNATIVES_MAX} alternatives"):
        matches(pattern, {"eventName": "INSERT"})


@pytest.mark.parametrize("cidr", ["10.0.0.1/32", "2001:db8::1/128"])
def test_a_cidr_of_a_single_address_is_refused_as_event_ruler_does(cidr):
    with pytest.raises(PatternError, match="match the address exactly instead"):
        validate({"ip": [{"cidr": cidr}]})


@pytest.mark.parametrize("cidr", ["10.0.0.0/31", "2001:db8::/127", "0.0.0.0/0"])
def test_a_cidr_with_a_shorter_mask_is_valid(cidr):
    validate({"ip": [{"cidr": cidr}]})


@pytest.mark.parametrize("name", sorted(RESERVED_IN_OR))
def test_an_operator_name_as_a_field_inside_or_is_refused(name):
    pattern = {"dynamodb": {"$or": [{"NewImage": {name: {"S": ["x"]}}}, {"Keys": {"id": {"S": ["1"]}}}]}}
    with pytest.raises(PatternError) as refused:
        validate(pattern)
    assert refused.value.path == f"FilterPattern.dynamodb.$or[0].NewImage.{name}"
    # Outside $or the same name is an ordinary field.
    validate({"dynamodb": {"NewImage": {name: {"S": ["x"]}}}})


def test_a_top_level_field_may_be_written_dotted():
    validate_stream_filter({"dynamodb.NewImage.status.S": ["PENDING"]})
    with pytest.raises(PatternError, match="is not a field of a DynamoDB stream record"):
        validate_stream_filter({"detail.status": ["PENDING"]})


def test_numeric_on_a_dynamodb_number_is_found_to_warn_about():
    pattern = {
        "dynamodb": {
            "NewImage": {
                "amount": {"N": [{"numeric": [">", 100]}]},
                "count.N": [{"numeric": ["<", 5]}],
                "status": {"S": [{"prefix": "P"}]},
            }
        }
    }
    assert numeric_on_stream_numbers(pattern) == [
        "FilterPattern.dynamodb.NewImage.amount.N[0]: numeric never matches a DynamoDB number, which a stream "
        'record carries as a string ({"N": "12.5"}); match the string exactly or by prefix instead',
        "FilterPattern.dynamodb.NewImage.count.N[0]: numeric never matches a DynamoDB number, which a stream "
        'record carries as a string ({"N": "12.5"}); match the string exactly or by prefix instead',
    ]
    assert numeric_on_stream_numbers({"dynamodb": {"SizeBytes": [{"numeric": [">", 10]}]}}) == []
