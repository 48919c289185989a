"""Stream records from plain items, and the input template as the function would receive it."""

from __future__ import annotations

from mare_dynamodb_streamtrigger.core.settings import DEFAULT_INPUT_TEMPLATE
from mare_streamtrigger_local.filter_matching import matches
from mare_streamtrigger_local.preview import insert_record, render_input_template

ITEM = {"id": "req-1", "status": "PENDING", "attempts": 2, "score": 1.5, "tags": ["a", "b"], "meta": {"ok": True}}


def test_an_item_becomes_an_insert_record_with_typed_values():
    record = insert_record(ITEM)
    assert record["eventName"] == "INSERT"
    assert record["dynamodb"]["NewImage"] == {
        "id": {"S": "req-1"},
        "status": {"S": "PENDING"},
        "attempts": {"N": "2"},
        "score": {"N": "1.5"},
        "tags": {"L": [{"S": "a"}, {"S": "b"}]},
        "meta": {"M": {"ok": {"BOOL": True}}},
    }
    assert record["dynamodb"]["Keys"] == {"id": {"S": "req-1"}}


def test_the_seeds_filter_passes_a_pending_insert_and_names_the_field_that_fails_otherwise():
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}
    assert matches(pattern, insert_record(ITEM)).matched
    failed = matches(pattern, insert_record({**ITEM, "status": "DONE"}))
    assert not failed.matched
    assert failed.failed_path == "dynamodb.NewImage.status.S"


def test_the_default_template_delivers_the_typed_new_image():
    assert render_input_template(DEFAULT_INPUT_TEMPLATE, insert_record({"id": "x", "n": 3})) == {
        "Records": [{"dynamodb": {"NewImage": {"id": {"S": "x"}, "n": {"N": "3"}}}}]
    }


def test_a_quoted_placeholder_takes_the_bare_value_and_a_missing_path_is_null():
    record = insert_record({"id": "x"})
    assert render_input_template('{"event": "<$.eventName>", "old": <$.dynamodb.OldImage>}', record) == {
        "event": "INSERT",
        "old": None,
    }
