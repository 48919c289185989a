"""Pipes input templates, rendered as the EventBridge User Guide describes them. No server."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare_dynamodb_streamtrigger.core.settings import DEFAULT_INPUT_TEMPLATE
from mare_streamtrigger_local.input_template import is_json_template, pipe_variables, render, value_at

MODIFY = {
    "eventID": "e-1",
    "eventName": "MODIFY",
    "awsRegion": "eu-west-1",
    "dynamodb": {
        "Keys": {"id": {"S": "req-42"}},
        "NewImage": {"id": {"S": "req-42"}, "status": {"S": "DONE"}, "tags": {"L": [{"S": "a"}, {"S": "b"}]}},
        "OldImage": {"id": {"S": "req-42"}, "status": {"S": "PENDING"}},
        "SequenceNumber": "111",
    },
    "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-12-02T00:00:00.000",
}
REMOVE = {
    "eventName": "REMOVE",
    "dynamodb": {"Keys": {"id": {"S": "req-42"}}, "OldImage": {"id": {"S": "req-42"}}},
}
VARIABLES = pipe_variables(
    "arn:aws:pipes:eu-west-1:123456789012:pipe/p",
    MODIFY["eventSourceARN"],
    "arn:aws:lambda:eu-west-1:123456789012:function:f",
    "2026-12-02T00:00:01.000Z",
)


def test_the_default_template_gives_the_typed_new_image():
    assert render(DEFAULT_INPUT_TEMPLATE, MODIFY) == {
        "Records": [{"dynamodb": {"NewImage": MODIFY["dynamodb"]["NewImage"]}}]
    }


def test_the_default_template_gives_null_for_a_remove_record():
    assert render(DEFAULT_INPUT_TEMPLATE, REMOVE) == {"Records": [{"dynamodb": {"NewImage": None}}]}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{"e": "<$.eventName>"}', {"e": "MODIFY"}),
        ('{"e": <$.eventName>}', {"e": "MODIFY"}),
        ('{"k": <$.dynamodb.Keys>}', {"k": {"id": {"S": "req-42"}}}),
        # An object inside quotes loses its inner quotes, as EventBridge does, so the string stays valid.
        ('{"k": "<$.dynamodb.Keys>"}', {"k": "{id: {S: req-42}}"}),
        ('{"t": <$.dynamodb.NewImage.tags.L[1].S>}', {"t": "b"}),
        ('{"s": <$.dynamodb.NewImage.*.S>}', {"s": ["req-42", "DONE"]}),
        ('{"missing": <$.dynamodb.Nope>, "quoted": "<$.dynamodb.Nope>"}', {"missing": None, "quoted": ""}),
        (
            '{"msg": "was <$.dynamodb.OldImage.status.S>, now <$.dynamodb.NewImage.status.S>"}',
            {"msg": "was PENDING, now DONE"},
        ),
        ('{"q": "say \\"<$.eventName>\\""}', {"q": 'say "MODIFY"'}),
        ('{"n": "<$.dynamodb.SequenceNumber>", "all": <$.dynamodb.Keys.id>}', {"n": "111", "all": {"S": "req-42"}}),
        ("<$.dynamodb.Keys>", {"id": {"S": "req-42"}}),
        ("<$>", MODIFY),
    ],
)
def test_placeholders_in_json_templates(template, expected):
    assert render(template, MODIFY) == expected


def test_reserved_variables():
    template = (
        '{"pipe": "<aws.pipes.pipe-name>", "arn": "<aws.pipes.pipe-arn>", "source": "<aws.pipes.source-arn>",'
        ' "target": "<aws.pipes.target-arn>", "enrichment": "<aws.pipes.enrichment-arn>",'
        ' "at": "<aws.pipes.event.ingestion-time>", "record": <aws.pipes.event.json>, "text": "<aws.pipes.event>"}'
    )
    rendered = render(template, MODIFY, VARIABLES)
    assert rendered["pipe"] == "p"
    assert rendered["arn"] == "arn:aws:pipes:eu-west-1:123456789012:pipe/p"
    assert rendered["source"] == MODIFY["eventSourceARN"]
    assert rendered["target"] == "arn:aws:lambda:eu-west-1:123456789012:function:f"
    assert rendered["enrichment"] == ""
    assert rendered["at"] == "2026-12-02T00:00:01.000Z"
    assert rendered["record"] == MODIFY
    assert json.loads(rendered["text"]) == MODIFY


def test_a_free_text_template_gives_text():
    assert not is_json_template("Hello, <$.eventName> for <$.dynamodb.Keys.id.S>")
    assert render("Hello, <$.eventName> for <$.dynamodb.Keys.id.S>", MODIFY) == "Hello, MODIFY for req-42"
    assert render("static text", MODIFY) == "static text"


def test_an_unknown_variable_is_left_as_written():
    assert render('{"x": "<aws.pipes.nothing>"}', MODIFY) == {"x": "<aws.pipes.nothing>"}


def test_value_at_walks_keys_indexes_and_wildcards():
    assert value_at(MODIFY, "$.dynamodb.NewImage.tags.L[0]") == {"S": "a"}
    assert value_at(MODIFY, "$.dynamodb.NewImage.tags.L[9]") is None
    assert value_at(MODIFY, "$.dynamodb.Keys.*") == [{"S": "req-42"}]
    assert value_at(MODIFY, "$.eventName.deeper") is None


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=8,
    )
)
def test_any_value_renders_to_valid_json_in_and_out_of_quotes(value):
    record = {"v": value}
    assert render('{"raw": <$.v>}', record) == {"raw": value}
    quoted = render('{"quoted": "<$.v>"}', record)["quoted"]
    assert isinstance(quoted, str)
    if isinstance(value, str):
        assert quoted == value
