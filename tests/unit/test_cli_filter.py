"""`mare-streamtrigger filter`: a record tried against a pattern, offline."""

from __future__ import annotations

import json
from pathlib import Path

from mare_streamtrigger_local.cli import main

PATTERN = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}}


def files(tmp_path: Path, **documents: object) -> dict[str, str]:
    paths = {}
    for name, document in documents.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        paths[name] = str(path)
    return paths


def test_an_item_that_passes_shows_what_the_function_receives(tmp_path, capsys):
    paths = files(tmp_path, pattern=PATTERN, item={"id": "r1", "status": "PENDING"})
    code = main(["filter", "--pattern", paths["pattern"], "--item", paths["item"], "--input-template", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (result["kind"], result["passes"], result["failed_field"]) == ("filter", True, None)
    assert result["function_receives"] == [
        {"Records": [{"dynamodb": {"NewImage": {"id": {"S": "r1"}, "status": {"S": "PENDING"}}}}]}
    ]


def test_a_record_that_fails_names_the_field(tmp_path, capsys):
    record = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"status": {"S": "PENDING"}}}}
    paths = files(tmp_path, pattern=PATTERN, record=record)
    code = main(["filter", "--pattern", paths["pattern"], "--record", paths["record"]])
    assert code == 1
    assert capsys.readouterr().out.startswith('does not pass: eventName: "MODIFY" matches none of ["INSERT"]')


def test_an_invalid_pattern_is_reported_as_such(tmp_path, capsys):
    paths = files(tmp_path, pattern={"eventName": [{"prefx": "IN"}]}, item={"id": "r1"})
    assert main(["filter", "--pattern", paths["pattern"], "--item", paths["item"]]) == 2
    assert capsys.readouterr().out.startswith("invalid pattern: FilterPattern.eventName[0]")


def test_numeric_on_a_dynamodb_number_is_warned_about_as_it_never_matches(tmp_path, capsys):
    pattern = {"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": [">", 10]}]}}}}
    paths = files(tmp_path, pattern=pattern, item={"id": "r1", "amount": 50})
    assert main(["filter", "--pattern", paths["pattern"], "--item", paths["item"]]) == 1
    out = capsys.readouterr().out
    assert out.startswith("does not pass: dynamodb.NewImage.amount.N: ")
    assert (
        "warning: FilterPattern.dynamodb.NewImage.amount.N[0]: numeric never matches a DynamoDB number, which a "
        'stream record carries as a string ({"N": "12.5"}); match the string exactly or by prefix instead\n'
    ) in out


MODIFIED = {"eventName": ["MODIFY"]}


def test_several_patterns_pass_a_record_that_any_matches_and_name_it(tmp_path, capsys):
    record = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"status": {"S": "DONE"}}}}
    paths = files(tmp_path, first=PATTERN, second=MODIFIED, record=record)
    code = main(["filter", "--pattern", paths["first"], "--pattern", paths["second"], "--record", paths["record"]])
    assert code == 0
    assert capsys.readouterr().out == (
        "passes (FilterPatterns[1].Pattern matches): the pipe sends this record to the function\n"
    )


def test_several_patterns_that_all_fail_say_why_for_each(tmp_path, capsys):
    record = {"eventName": "REMOVE", "dynamodb": {"Keys": {"id": {"S": "r1"}}}}
    paths = files(tmp_path, first=PATTERN, second=MODIFIED, record=record)
    code = main(
        ["filter", "--pattern", paths["first"], "--pattern", paths["second"], "--record", paths["record"], "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (result["passes"], result["passing_pattern"]) == (False, None)
    assert [(failure["pattern"], failure["failed_field"]) for failure in result["failures"]] == [
        ("FilterPatterns[0].Pattern", "eventName"),
        ("FilterPatterns[1].Pattern", "eventName"),
    ]


def test_a_bad_pattern_among_several_is_named_by_its_place(tmp_path, capsys):
    paths = files(tmp_path, first=PATTERN, second={"eventName": [{"wildcard": "IN*"}]}, item={"id": "r1"})
    assert main(["filter", "--pattern", paths["first"], "--pattern", paths["second"], "--item", paths["item"]]) == 2
    assert capsys.readouterr().out.startswith(
        "invalid pattern: FilterPatterns[1].Pattern.eventName[0]: EventBridge Pipes does not support wildcard"
    )


def test_more_patterns_than_a_pipe_takes_are_refused(tmp_path, capsys):
    paths = files(tmp_path, pattern=PATTERN, item={"id": "r1"})
    arguments = ["filter", *(["--pattern", paths["pattern"]] * 6), "--item", paths["item"]]
    assert main(arguments) == 2
    assert capsys.readouterr().out == "invalid pattern: 6 patterns given; a pipe takes at most 5\n"
