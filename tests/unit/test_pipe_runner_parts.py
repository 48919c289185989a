"""The pipe runner's pure parts: the pipe's settings, the record as a pipe passes it on, checkpoints."""

from __future__ import annotations

import datetime
import json

import pytest

from mare_streamtrigger_local.lambda_emulator import Outcome
from mare_streamtrigger_local.pipe_runner import (
    Batch,
    Checkpoints,
    PipeSettings,
    dead_letter_message,
    first_reported_failure,
    stream_record,
    written_after,
)

STREAM = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-12-02T00:00:00.000"
CREATED = datetime.datetime(2026, 12, 2, 0, 0, 10, 500000, tzinfo=datetime.UTC)
PIPE = {
    "Arn": "arn:aws:pipes:eu-west-1:123456789012:pipe/p",
    "CurrentState": "RUNNING",
    "Source": STREAM,
    "Target": "arn:aws:lambda:eu-west-1:123456789012:function:p",
    "RoleArn": "arn:aws:iam::123456789012:role/p",
    "CreationTime": CREATED,
    "SourceParameters": {
        "FilterCriteria": {
            "Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}, {"Pattern": '{"eventName": ["REMOVE"]}'}]
        },
        "DynamoDBStreamParameters": {
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 7,
            "MaximumRetryAttempts": 2,
            "MaximumRecordAgeInSeconds": 60,
            "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
            "DeadLetterConfig": {"Arn": "arn:aws:sqs:eu-west-1:123456789012:dlq"},
        },
    },
    "TargetParameters": {"InputTemplate": "<$.eventName>"},
}


def record(sequence: str, seconds: float, name: str = "INSERT") -> dict:
    return {"eventName": name, "dynamodb": {"SequenceNumber": sequence, "ApproximateCreationDateTime": seconds}}


def test_the_settings_of_a_live_pipe():
    settings = PipeSettings.of(PIPE)
    assert (settings.batch_size, settings.retry_attempts, settings.record_age) == (7, 2, 60)
    assert settings.bisect and settings.starting_position == "TRIM_HORIZON"
    assert settings.dead_letter_arn == "arn:aws:sqs:eu-west-1:123456789012:dlq"
    assert settings.input_template == "<$.eventName>"
    assert settings.created == CREATED.timestamp()


def test_a_record_passes_if_it_matches_one_filter_or_there_is_none():
    settings = PipeSettings.of(PIPE)
    assert settings.keeps(record("1", 0, "INSERT")) and settings.keeps(record("2", 0, "REMOVE"))
    assert not settings.keeps(record("3", 0, "MODIFY"))
    bare = PipeSettings.of({**PIPE, "SourceParameters": {}, "TargetParameters": {}})
    assert bare.keeps(record("3", 0, "MODIFY"))
    # The service defaults where the pipe names nothing.
    assert (bare.batch_size, bare.retry_attempts, bare.record_age, bare.starting_position) == (100, -1, -1, "LATEST")
    assert bare.input_template is None and bare.dead_letter_arn is None and not bare.bisect


def test_a_stream_record_gets_epoch_seconds_the_source_and_the_streams_region():
    written = datetime.datetime(2026, 12, 2, 0, 0, 11, tzinfo=datetime.UTC)
    raw = {"eventName": "INSERT", "awsRegion": "us-east-1", "dynamodb": {"ApproximateCreationDateTime": written}}
    assert stream_record(raw, STREAM) == {
        "eventName": "INSERT",
        "awsRegion": "eu-west-1",
        "dynamodb": {"ApproximateCreationDateTime": written.timestamp()},
        "eventSourceARN": STREAM,
    }


def test_written_after_creation_at_the_records_precision():
    created = CREATED.timestamp()  # 10.5 s past the minute
    assert written_after(record("1", created + 0.001), created)
    assert not written_after(record("1", created - 0.001), created)
    # DynamoDB rounds down to the second: a record of the same second counts as after.
    assert written_after(record("1", float(int(created))), created)
    assert not written_after(record("1", float(int(created)) - 1), created)


def test_the_dead_letter_message_describes_the_batch_not_its_records():
    batch = Batch("shard-1", [record("11", 100.0), record("12", 101.5)], ["secret-1", "secret-2"], 2, "12")
    message = dead_letter_message(PipeSettings.of(PIPE), batch, 3, Outcome(None, "ValueError", "boom"), "X", 200.0)
    assert message["DDBStreamBatchInfo"] == {
        "shardId": "shard-1",
        "startSequenceNumber": "11",
        "endSequenceNumber": "12",
        "approximateArrivalOfFirstRecord": "1970-01-01T00:01:40.000Z",
        "approximateArrivalOfLastRecord": "1970-01-01T00:01:41.500Z",
        "batchSize": 2,
        "streamArn": STREAM,
    }
    assert message["requestContext"]["condition"] == "X"
    assert message["requestContext"]["approximateInvokeCount"] == 3
    assert message["responseContext"] == {"functionError": "ValueError", "errorMessage": "boom"}
    assert "secret" not in json.dumps(message)


def test_checkpoints_persist_per_pipe_and_endpoint_and_forget(tmp_path):
    settings = PipeSettings.of(PIPE)
    first = Checkpoints(tmp_path, "http://127.0.0.1:1", settings)
    first.advance(STREAM, "shard-1", "12")
    assert Checkpoints(tmp_path, "http://127.0.0.1:1", settings).after(STREAM, "shard-1") == "12"
    assert Checkpoints(tmp_path, "http://127.0.0.1:2", settings).after(STREAM, "shard-1") is None
    recreated = PipeSettings.of({**PIPE, "CreationTime": CREATED + datetime.timedelta(seconds=1)})
    assert Checkpoints(tmp_path, "http://127.0.0.1:1", recreated).after(STREAM, "shard-1") is None
    first.forget()
    assert Checkpoints(tmp_path, "http://127.0.0.1:1", settings).after(STREAM, "shard-1") is None


def test_halves_keep_order_and_the_checkpoint_end():
    batch = Batch("s", [record(str(n), 0) for n in range(5)], list(range(5)), 6, "9")
    first, second = batch.halves()
    assert [r["dynamodb"]["SequenceNumber"] for r in first.records] == ["0", "1"]
    assert [r["dynamodb"]["SequenceNumber"] for r in second.records] == ["2", "3", "4"]
    assert (first.end, second.end, first.read + second.read) == ("1", "9", 6)


def test_a_split_keeps_order_and_the_checkpoint_end():
    batch = Batch("s", [record(str(n), 0) for n in range(5)], list(range(5)), 6, "9")
    done, rest = batch.split(4)
    assert ([r["dynamodb"]["SequenceNumber"] for r in done.records], rest.events) == (["0", "1", "2", "3"], [4])
    assert (done.end, rest.end) == ("3", "9")


IDENTIFIED = [{"eventID": f"e{n}", "dynamodb": {"SequenceNumber": str(100 + n)}} for n in range(4)]


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        # A success: no answer, another answer, or no failure named.
        (None, (None, None)),
        ({"published": []}, (None, None)),
        ({"batchItemFailures": None}, (None, None)),
        ({"batchItemFailures": []}, (None, None)),
        ([{"batchItemFailures": [{"itemIdentifier": "e1"}]}], (None, None)),
        # Records named by eventID: retried from the first in the batch, whatever the order named.
        ({"batchItemFailures": [{"itemIdentifier": "e2"}]}, (2, None)),
        ({"batchItemFailures": [{"itemIdentifier": "e3"}, {"itemIdentifier": "e1"}]}, (1, None)),
        ({"batchItemFailures": [{"itemIdentifier": "e0"}]}, (0, None)),
    ],
)
def test_a_partial_batch_response_names_records_by_event_id(result, expected):
    assert first_reported_failure(IDENTIFIED, result) == expected


@pytest.mark.parametrize(
    ("failures", "why"),
    [
        ("e1", "batchItemFailures is not a list"),
        ([{"itemIdentifier": ""}], "has no itemIdentifier"),
        ([{"id": "e1"}], "has no itemIdentifier"),
        (["e1"], "has no itemIdentifier"),
        ([{"itemIdentifier": "e1"}, {"itemIdentifier": None}], "has no itemIdentifier"),
        # Lambda's stream event source mappings name records by sequence number; a pipe does not.
        ([{"itemIdentifier": "101"}], "'101' is not the eventID of a record of the batch"),
        ([{"itemIdentifier": "e9"}], "'e9' is not the eventID"),
    ],
)
def test_a_response_that_names_records_wrongly_fails_the_whole_batch(failures, why):
    at, problem = first_reported_failure(IDENTIFIED, {"batchItemFailures": failures})
    assert at == 0
    assert problem is not None and why in problem and problem.endswith("the whole batch failed")


def test_a_planted_partial_link_in_a_shared_cache_is_never_written_through(tmp_path):
    settings = PipeSettings.of(PIPE)
    checkpoints = Checkpoints(tmp_path, "http://127.0.0.1:1", settings)
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file")
    # The names a predictable writer would use: the old .partial and the checkpoint itself.
    checkpoints.path.with_suffix(".partial").symlink_to(victim)
    checkpoints.advance(STREAM, "shard-1", "12")
    assert victim.read_text() == "someone else's file"
    assert Checkpoints(tmp_path, "http://127.0.0.1:1", settings).after(STREAM, "shard-1") == "12"

    checkpoints.path.unlink()
    checkpoints.path.symlink_to(victim)
    checkpoints.advance(STREAM, "shard-1", "13")
    assert victim.read_text() == "someone else's file" and not checkpoints.path.is_symlink()
    assert [path.name for path in tmp_path.glob(".checkpoint-*")] == []


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("not json", "cannot be read (JSONDecodeError)"),
        ("[1, 2]", "is not one the runner writes"),
        ('{"shards": {"s": 12}}', "is not one the runner writes"),
        ('{"shards": []}', "is not one the runner writes"),
    ],
)
def test_a_malformed_checkpoint_is_reported_and_the_run_starts_as_a_new_pipe_would(tmp_path, content, why):
    settings = PipeSettings.of(PIPE)
    path = Checkpoints(tmp_path, "http://127.0.0.1:1", settings).path
    path.write_text(content)
    checkpoints = Checkpoints(tmp_path, "http://127.0.0.1:1", settings)
    assert checkpoints.after(STREAM, "shard-1") is None
    assert checkpoints.problem == f"checkpoint {path} {why}: starting where a new pipe would"
