"""The built-in functions of zero-code triggers (PIPELINE, SNS_TOPIC), called as the pipe calls them, against moto."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, client
from mare_dynamodb_streamtrigger.core.settings import BATCH_ITEM_INPUT_TEMPLATE
from mare_streamtrigger_local import input_template, moto_world

# As in the function's archive, the built-in modules are top-level modules beside each other.
BUILTIN = Path(__file__).resolve().parent.parent / "src" / "mare_dynamodb_streamtrigger" / "builtin"
sys.path.insert(0, str(BUILTIN))
import pipeline  # noqa: E402
import sns_topic  # noqa: E402
import stream_batch  # noqa: E402

FUNCTIONS = [BUILTIN / "pipeline.py", BUILTIN / "sns_topic.py"]
MODULES = [*FUNCTIONS, BUILTIN / "stream_batch.py"]
OTHER_REGION = "us-east-1"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/deployment-requests"
STREAM_ARN = f"{TABLE_ARN}/stream/2024-01-01T00:00:00.000"


# --- events as the pipe sends them --------------------------------------------------------------------------------


def stream_record(event_name: str, keys: dict[str, Any], new: dict[str, Any] | None, old: Any = None) -> dict[str, Any]:
    """A DynamoDB stream record as the pipe reads it from a NEW_AND_OLD_IMAGES stream."""
    data: dict[str, Any] = {
        "ApproximateCreationDateTime": 1717171717.0,
        "Keys": keys,
        "SequenceNumber": str(uuid.uuid4().int)[:21],
        "SizeBytes": 120,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        data["NewImage"] = new
    if old is not None:
        data["OldImage"] = old
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": data,
        "eventSourceARN": STREAM_ARN,
    }


def default_template(record: dict[str, Any]) -> dict[str, Any]:
    """The type's default InputTemplate: `{"Records": [{"dynamodb": {"NewImage": <$.dynamodb.NewImage>}}]}`."""
    return {"Records": [{"dynamodb": {"NewImage": record["dynamodb"].get("NewImage")}}]}


def pipe_event(*records: dict[str, Any]) -> list[dict[str, Any]]:
    """What the pipe invokes the function with: a JSON array, one element per record after the template."""
    return json.loads(json.dumps([default_template(r) for r in records]))


def batch_item_event(*records: dict[str, Any]) -> list[Any]:
    """What a trigger without Code receives: its default template keeps each record's eventID."""
    return json.loads(json.dumps([input_template.render(BATCH_ITEM_INPUT_TEMPLATE, r) for r in records]))


def deployment(item_id: str, status: str = "PENDING", **extra: Any) -> dict[str, Any]:
    return {"id": {"S": item_id}, "status": {"S": status}, **extra}


def insert(item_id: str, **extra: Any) -> dict[str, Any]:
    return stream_record("INSERT", {"id": {"S": item_id}}, deployment(item_id, **extra))


def remove(item_id: str) -> dict[str, Any]:
    return stream_record("REMOVE", {"id": {"S": item_id}}, None, old=deployment(item_id, "DONE"))


# --- PIPELINE ------------------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without the clients a previous one kept, as a cold function would."""
    monkeypatch.setattr(stream_batch, "clients", {})


def executions(name: str, region: str = REGION) -> list[str]:
    summaries = boto3.client("codepipeline", region_name=region).list_pipeline_executions(pipelineName=name)
    return [s["pipelineExecutionId"] for s in summaries["pipelineExecutionSummaries"]]


@pytest.fixture
def two_pipelines(moto: str, monkeypatch: pytest.MonkeyPatch, fresh_clients: None) -> None:
    """`deploy` here and `promote` in another region, named in the environment among values to ignore."""
    monkeypatch.setenv("PIPELINE_ARN", moto_world.seed_pipeline("deploy", REGION))
    monkeypatch.setenv("PROMOTE_PIPELINE", moto_world.seed_pipeline("promote", OTHER_REGION))
    monkeypatch.setenv("TOPIC_ARN", f"arn:aws:sns:{REGION}:{ACCOUNT}:deployments")
    monkeypatch.setenv("STAGE", "production")
    monkeypatch.setenv("NOT_AN_ARN", f"codepipeline:{REGION}:{ACCOUNT}:deploy")
    monkeypatch.setenv("OTHER_SERVICE", f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/deploy")


def test_pipeline_batch_of_one_starts_each_pipeline_named_in_the_environment(two_pipelines, capsys):
    result = pipeline.handler(pipe_event(insert("d-1")), None)

    assert result["records"] == 1
    assert [s["pipeline"] for s in result["started"]] == ["deploy", "promote"]
    started = {s["pipeline"]: s["executionId"] for s in result["started"]}
    assert executions("deploy") == [started["deploy"]]
    assert executions("promote", OTHER_REGION) == [started["promote"]]
    assert json.loads(json.dumps(result)) == result
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "deploy" in lines[0] and started["deploy"] in lines[0]
    assert "promote" in lines[1] and started["promote"] in lines[1]


def test_pipeline_batch_of_three_starts_each_pipeline_once(two_pipelines):
    event = pipe_event(insert("d-1"), insert("d-2", stage={"S": "test"}), remove("d-0"))

    result = pipeline.handler(event, None)

    assert result["records"] == 3
    assert len(result["started"]) == 2
    started = {s["pipeline"]: s["executionId"] for s in result["started"]}
    assert executions("deploy") == [started["deploy"]]
    assert executions("promote", OTHER_REGION) == [started["promote"]]


def test_pipeline_each_batch_starts_a_new_execution(two_pipelines):
    first = pipeline.handler(pipe_event(insert("d-1")), None)
    second = pipeline.handler(pipe_event(insert("d-2"), insert("d-3"), insert("d-4")), None)

    ids = [s["executionId"] for s in first["started"] + second["started"]]
    assert len(set(ids)) == 4
    assert executions("deploy") == [second["started"][0]["executionId"], first["started"][0]["executionId"]]


@pytest.mark.parametrize("event", [[], [{"Records": []}], [{"Records": []}, {"Records": []}], {"Records": []}, None])
def test_pipeline_empty_batch_starts_nothing(two_pipelines, event):
    assert pipeline.handler(event, None) == {"records": 0, "started": []}
    assert executions("deploy") == []
    assert executions("promote", OTHER_REGION) == []
    assert stream_batch.clients == {}


def test_pipeline_same_pipeline_under_two_variables_is_started_once(two_pipelines, monkeypatch):
    monkeypatch.setenv("AGAIN", os.environ["PIPELINE_ARN"])

    result = pipeline.handler(pipe_event(insert("d-1")), None)

    assert [s["pipeline"] for s in result["started"]] == ["deploy", "promote"]
    assert len(executions("deploy")) == 1


def test_pipeline_reads_the_environment_at_call_time(two_pipelines, monkeypatch):
    monkeypatch.delenv("PROMOTE_PIPELINE")
    assert [s["pipeline"] for s in pipeline.handler(pipe_event(insert("d-1")), None)["started"]] == ["deploy"]

    monkeypatch.delenv("PIPELINE_ARN")
    assert pipeline.handler(pipe_event(insert("d-2")), None) == {"records": 1, "started": []}
    assert len(executions("deploy")) == 1
    assert executions("promote", OTHER_REGION) == []


@pytest.mark.parametrize(
    ("event", "records"),
    [
        # One element instead of the array.
        ({"Records": [{"dynamodb": {"NewImage": {"id": {"S": "d-1"}}}}]}, 1),
        # No InputTemplate: the stream records themselves.
        ("raw", 3),
        # An InputTemplate of the user's own, without Records.
        ([{"id": "d-1"}, {"id": "d-2"}], 2),
        # Elements that are JSON texts.
        ([json.dumps({"Records": [{"dynamodb": {"NewImage": {"id": {"S": "d-1"}}}}]})], 1),
        # One element with several records.
        ([{"Records": [{"dynamodb": {}}, {"dynamodb": {}}]}, {"Records": [{"dynamodb": {}}]}], 3),
    ],
)
def test_pipeline_accepts_other_event_shapes(two_pipelines, event, records):
    if event == "raw":
        event = [insert("d-1"), insert("d-2"), remove("d-0")]

    result = pipeline.handler(event, None)

    assert result["records"] == records
    assert len(result["started"]) == 2
    assert len(executions("deploy")) == 1


def test_pipeline_that_does_not_exist_fails_the_batch(two_pipelines, monkeypatch):
    """An error reaches the pipe, which retries the batch (or sends it to its dead-letter queue)."""
    monkeypatch.setenv("PIPELINE_ARN", f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:missing")
    with pytest.raises(ClientError) as error:
        pipeline.handler(pipe_event(insert("d-1")), None)
    assert error.value.response["Error"]["Code"] == "PipelineNotFoundException"


def test_pipeline_arns_of_other_partitions_match():
    environ = {
        "A": "arn:aws-cn:codepipeline:cn-north-1:123456789012:deploy",
        "B": "arn:aws-us-gov:codepipeline:us-gov-west-1:123456789012:deploy.v2",
        "C": "arn:aws:codepipeline:eu-west-1:123456789012:deploy/stage",  # not a pipeline
        "D": "arn:aws:codepipeline:eu-west-1:1234:deploy",
        "E": "arn:aws:codepipeline:eu-west-1:123456789012:",
    }
    assert pipeline.pipelines(environ) == [("cn-north-1", "deploy"), ("us-gov-west-1", "deploy.v2")]


# --- SNS_TOPIC -----------------------------------------------------------------------------------------------------


def subscribed_queue(topic_arn: str, name: str, raw: bool) -> str:
    """A queue subscribed to the topic; returns its URL."""
    sqs = client("sqs")
    attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client("sns").subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true" if raw else "false"},
    )
    return url


def received(url: str) -> list[dict[str, Any]]:
    sqs = client("sqs")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages.extend(batch)
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return messages


@pytest.fixture
def topics(moto: str, monkeypatch: pytest.MonkeyPatch, fresh_clients: None) -> dict[str, Any]:
    """Two topics in the environment, among values to ignore: `raw` delivers raw messages, `envelope` SNS's envelope."""
    sns = client("sns")
    raw_arn = sns.create_topic(Name="deployments")["TopicArn"]
    envelope_arn = sns.create_topic(Name="audit")["TopicArn"]
    monkeypatch.setenv("TOPIC_ARN", raw_arn)
    monkeypatch.setenv("AUDIT_TOPIC", envelope_arn)
    monkeypatch.setenv("PIPELINE_ARN", f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:deploy")
    monkeypatch.setenv("QUEUE_ARN", f"arn:aws:sqs:{REGION}:{ACCOUNT}:deployments")
    monkeypatch.setenv("STAGE", "production")
    return {
        "raw": raw_arn,
        "envelope": envelope_arn,
        "raw_queue": subscribed_queue(raw_arn, "raw", raw=True),
        "envelope_queue": subscribed_queue(envelope_arn, "envelope", raw=False),
    }


def raw_bodies(topics: dict[str, Any]) -> list[Any]:
    return sorted((json.loads(m["Body"]) for m in received(topics["raw_queue"])), key=lambda b: json.dumps(b))


def envelopes(topics: dict[str, Any]) -> dict[str, Any]:
    """messageId → message, from SNS's envelopes."""
    bodies = [json.loads(m["Body"]) for m in received(topics["envelope_queue"])]
    assert {b["TopicArn"] for b in bodies} <= {topics["envelope"]}
    return {b["MessageId"]: json.loads(b["Message"]) for b in bodies}


EVERY_TYPE = {
    "id": {"S": "d-1"},
    "status": {"S": "PENDING"},
    "attempts": {"N": "3"},
    "ratio": {"N": "12.5"},
    "negative": {"N": "-0.25"},
    "big": {"N": "12345678901234567890123456789012345678"},
    "exponent": {"N": "1E+2"},
    "zero_fraction": {"N": "7.000"},
    "enabled": {"BOOL": True},
    "dry_run": {"BOOL": False},
    "approver": {"NULL": True},
    "config": {
        "M": {
            "region": {"S": "eu-west-1"},
            "replicas": {"N": "2"},
            "steps": {"L": [{"S": "build"}, {"N": "1.5"}, {"M": {"ok": {"BOOL": True}}}, {"NULL": True}]},
        }
    },
    "list": {"L": [{"S": "a"}, {"L": [{"N": "1"}, {"N": "2"}]}]},
    "empty_map": {"M": {}},
    "empty_list": {"L": []},
    "empty_string": {"S": ""},
    "regions": {"SS": ["us-east-1", "eu-west-1", "ap-south-1"]},
    "ports": {"NS": ["443", "80", "8080.5"]},
    "digest": {"B": "3q2+7w=="},
    "keys": {"BS": ["AQ==", "AA=="]},
    "artifact": {"M": {"sha": {"B": "AQID"}, "chunks": {"L": [{"B": "BAU="}, {"BS": ["Bg=="]}]}}},
}
EVERY_TYPE_PLAIN = {
    "id": "d-1",
    "status": "PENDING",
    "attempts": 3,
    "ratio": 12.5,
    "negative": -0.25,
    "big": 12345678901234567890123456789012345678,
    "exponent": 100,
    "zero_fraction": 7,
    "enabled": True,
    "dry_run": False,
    "approver": None,
    "config": {"region": "eu-west-1", "replicas": 2, "steps": ["build", 1.5, {"ok": True}, None]},
    "list": ["a", [1, 2]],
    "empty_map": {},
    "empty_list": [],
    "empty_string": "",
    "regions": ["ap-south-1", "eu-west-1", "us-east-1"],
    "ports": [80, 443, 8080.5],
    "digest": "3q2+7w==",
    "keys": ["AA==", "AQ=="],
    "artifact": {"sha": "AQID", "chunks": ["BAU=", ["Bg=="]]},
}


def test_unwrap_gives_plain_json_values():
    assert sns_topic.unwrap({"status": {"S": "PENDING"}, "n": {"N": "12.5"}}) == {"status": "PENDING", "n": 12.5}
    plain = sns_topic.unwrap(EVERY_TYPE)
    assert plain == EVERY_TYPE_PLAIN
    assert [type(plain[k]) for k in ("attempts", "ratio", "exponent", "zero_fraction", "big")] == [
        int,
        float,
        int,
        int,
        int,
    ]
    assert json.loads(json.dumps(plain)) == plain


def test_unwrap_keeps_untyped_values_as_they_came():
    assert sns_topic.unwrap(
        {"id": "d-1", "n": 3, "typed": {"S": "x"}, "odd": {"XX": 1}, "nan": {"N": "x"}, "bad": {"B": "%%"}}
    ) == {"id": "d-1", "n": 3, "typed": "x", "odd": {"XX": 1}, "nan": {"N": "x"}, "bad": {"B": "%%"}}


def test_sns_batch_of_one_publishes_the_new_image_to_each_topic(topics, capsys):
    record = stream_record("INSERT", {"id": {"S": "d-1"}}, EVERY_TYPE)

    result = sns_topic.handler(pipe_event(record), None)

    assert result["records"] == 1
    assert [p["topic"] for p in result["published"]] == [topics["envelope"], topics["raw"]]
    assert raw_bodies(topics) == [EVERY_TYPE_PLAIN]
    assert envelopes(topics) == {result["published"][0]["messageId"]: EVERY_TYPE_PLAIN}
    assert json.loads(json.dumps(result)) == result
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(
        p["topic"] in line and p["messageId"] in line for p, line in zip(result["published"], lines, strict=True)
    )


def test_sns_batch_of_three_skips_the_record_without_a_new_image(topics, capsys):
    first = stream_record(
        "INSERT", {"id": {"S": "d-1"}}, deployment("d-1", priority={"N": "1"}, tags={"SS": ["b", "a"]})
    )
    second = stream_record(
        "MODIFY",
        {"id": {"S": "d-2"}},
        deployment("d-2", "APPROVED", ratio={"N": "0.5"}, meta={"M": {"by": {"S": "ana"}, "n": {"NULL": True}}}),
        old=deployment("d-2"),
    )
    event = pipe_event(first, remove("d-0"), second)

    result = sns_topic.handler(event, None)

    expected_first = {"id": "d-1", "status": "PENDING", "priority": 1, "tags": ["a", "b"]}
    expected_second = {"id": "d-2", "status": "APPROVED", "ratio": 0.5, "meta": {"by": "ana", "n": None}}
    assert result["records"] == 3
    assert [p["topic"] for p in result["published"]] == [topics["envelope"], topics["raw"]] * 2
    assert raw_bodies(topics) == [expected_first, expected_second]
    by_id = envelopes(topics)
    assert by_id == {
        result["published"][0]["messageId"]: expected_first,
        result["published"][2]["messageId"]: expected_second,
    }
    raw_ids = {result["published"][1]["messageId"], result["published"][3]["messageId"]}
    assert len(raw_ids | set(by_id)) == 4
    assert "record 1: no NewImage" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("event", "records"),
    [
        # The default template on a REMOVE: no new image to put in.
        ([{"Records": [{"dynamodb": {"NewImage": None}}]}], 1),
        ([{"Records": [{"dynamodb": {}}]}], 1),
        # No InputTemplate: the stream record itself.
        ("raw-remove", 1),
        ([], 0),
        ([{"Records": []}], 0),
        (None, 0),
    ],
)
def test_sns_records_without_a_new_image_publish_nothing(topics, event, records):
    if event == "raw-remove":
        event = [remove("d-0")]

    result = sns_topic.handler(event, None)

    assert result == {"records": records, "published": [], "batchItemFailures": []}
    assert received(topics["raw_queue"]) == []
    assert received(topics["envelope_queue"]) == []
    assert stream_batch.clients == {}


@pytest.mark.parametrize(
    "event",
    [
        # One element instead of the array.
        {"Records": [{"dynamodb": {"NewImage": {"id": {"S": "d-1"}}}}]},
        # No InputTemplate: the stream records themselves.
        "raw",
        # An element that is a JSON text.
        [json.dumps({"Records": [{"dynamodb": {"NewImage": {"id": {"S": "d-1"}}}}]})],
    ],
)
def test_sns_accepts_other_event_shapes(topics, event):
    if event == "raw":
        event = [stream_record("INSERT", {"id": {"S": "d-1"}}, {"id": {"S": "d-1"}})]

    result = sns_topic.handler(event, None)

    assert result["records"] == 1
    assert len(result["published"]) == 2
    assert raw_bodies(topics) == [{"id": "d-1"}]


def test_sns_reads_the_environment_at_call_time(topics, monkeypatch):
    monkeypatch.delenv("AUDIT_TOPIC")
    result = sns_topic.handler(pipe_event(insert("d-1")), None)
    assert [p["topic"] for p in result["published"]] == [topics["raw"]]

    monkeypatch.delenv("TOPIC_ARN")
    assert sns_topic.handler(pipe_event(insert("d-2")), None) == {
        "records": 1,
        "published": [],
        "batchItemFailures": [],
    }
    assert raw_bodies(topics) == [{"id": "d-1", "status": "PENDING"}]
    assert envelopes(topics) == {}


def test_sns_topic_in_another_region_and_the_same_topic_twice(topics, monkeypatch):
    other = boto3.client("sns", region_name=OTHER_REGION).create_topic(Name="deployments")["TopicArn"]
    assert f":{OTHER_REGION}:" in other
    queue = boto3.client("sqs", region_name=OTHER_REGION).create_queue(QueueName="other")["QueueUrl"]
    queue_arn = boto3.client("sqs", region_name=OTHER_REGION).get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    boto3.client("sns", region_name=OTHER_REGION).subscribe(
        TopicArn=other, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    monkeypatch.setenv("OTHER_TOPIC", other)
    monkeypatch.setenv("SAME_TOPIC", topics["raw"])

    result = sns_topic.handler(pipe_event(insert("d-1")), None)

    assert [p["topic"] for p in result["published"]] == [topics["envelope"], other, topics["raw"]]
    messages = boto3.client("sqs", region_name=OTHER_REGION).receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    assert [json.loads(m["Body"]) for m in messages["Messages"]] == [{"id": "d-1", "status": "PENDING"}]
    assert raw_bodies(topics) == [{"id": "d-1", "status": "PENDING"}]


def test_sns_fifo_topic_gets_a_message_group(moto, monkeypatch, fresh_clients):
    topic = client("sns").create_topic(Name="deployments.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    queue = subscribed_queue(topic, "deployments.fifo", raw=True)
    monkeypatch.setenv("TOPIC_ARN", topic)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "deployment-processor")

    result = sns_topic.handler(pipe_event(insert("d-1"), insert("d-2"), insert("d-3")), None)

    assert len(result["published"]) == 3
    messages = received(queue)
    assert [json.loads(m["Body"])["id"] for m in messages] == ["d-1", "d-2", "d-3"]


def test_sns_publish_error_fails_the_batch_whose_records_have_no_event_id(topics, monkeypatch):
    monkeypatch.setenv("TOPIC_ARN", f"arn:aws:sns:{REGION}:{ACCOUNT}:missing")
    with pytest.raises(ClientError) as error:
        sns_topic.handler(pipe_event(insert("d-1")), None)
    assert error.value.response["Error"]["Code"] == "NotFound"


# SNS refuses a message over 256 KiB ("Message too long"): a record the function fails on, for real.
OVERSIZED = {"notes": {"S": "x" * 262_144}}


def test_sns_reports_the_record_it_failed_on_and_every_record_after_it(topics, capsys):
    records = [insert("d-1"), insert("d-2", **OVERSIZED), insert("d-3"), remove("d-4")]

    result = sns_topic.handler(batch_item_event(*records), None)

    # The pipe retries from d-2: d-1 is done, and d-3 was not tried, so it is not published twice.
    assert result["batchItemFailures"] == [{"itemIdentifier": r["eventID"]} for r in records[1:]]
    assert [p["topic"] for p in result["published"]] == [topics["envelope"], topics["raw"]]
    assert raw_bodies(topics) == [{"id": "d-1", "status": "PENDING"}]
    assert "Message too long; reporting it and 2 after it" in capsys.readouterr().out


def test_sns_reports_nothing_when_every_record_is_published(topics):
    records = [insert("d-1"), remove("d-2"), insert("d-3")]

    result = sns_topic.handler(batch_item_event(*records), None)

    assert (result["records"], len(result["published"]), result["batchItemFailures"]) == (3, 4, [])


def test_sns_without_event_ids_fails_the_whole_batch(topics, capsys):
    with pytest.raises(ClientError) as error:
        sns_topic.handler(pipe_event(insert("d-1"), insert("d-2", **OVERSIZED)), None)

    assert error.value.response["Error"]["Code"] == "InvalidParameter"
    assert "the records carry no eventID: the whole batch fails" in capsys.readouterr().out


def test_the_event_ids_a_partial_response_needs_are_in_the_built_in_functions_default_event():
    record = insert("d-1")
    [element] = batch_item_event(record)
    [kept] = stream_batch.records_of([element])
    assert stream_batch.event_id(kept) == record["eventID"]
    assert kept["dynamodb"] == {
        "NewImage": record["dynamodb"]["NewImage"],
        "SequenceNumber": record["dynamodb"]["SequenceNumber"],
    }
    assert stream_batch.failed_from([kept, {"dynamodb": {}}], 0) is None
    assert stream_batch.failed_from([kept], 0) == [{"itemIdentifier": record["eventID"]}]


# --- self-contained modules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_the_standard_library_and_boto3(path):
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore", "stream_batch"}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"relative import in {path.name}"
            assert node.module is not None
            assert node.module.split(".")[0] in allowed, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] in allowed, alias.name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_importing_a_module_makes_no_client(path, monkeypatch):
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a client made at import")

    monkeypatch.setattr(boto3, "client", refuse)
    monkeypatch.setattr(boto3, "resource", refuse)
    monkeypatch.setattr(boto3.session.Session, "client", refuse)
    monkeypatch.setattr(botocore.session.Session, "create_client", refuse)
    monkeypatch.delitem(sys.modules, "stream_batch")  # imported afresh, under the refusals
    spec = importlib.util.spec_from_file_location(f"builtin_{path.stem}_{uuid.uuid4().hex}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    shared = module if path.stem == "stream_batch" else sys.modules["stream_batch"]
    assert shared.clients == {}
    assert callable(module.client if path.stem == "stream_batch" else module.handler)


@pytest.mark.parametrize("path", FUNCTIONS, ids=lambda p: p.name)
def test_function_runs_with_only_the_shared_module_beside_it(path, tmp_path):
    """Copied with stream_batch.py alone into a directory, as in its zip: it imports and handles an
    empty batch without the package."""
    shutil.copy(path, tmp_path / path.name)
    shutil.copy(BUILTIN / "stream_batch.py", tmp_path / "stream_batch.py")
    script = (
        "import json, pathlib, sys\n"
        f"import {path.stem} as function\n"
        "result = function.handler([], None)\n"
        "assert not [m for m in sys.modules if m.startswith('mare_dynamodb_streamtrigger')]\n"
        "assert pathlib.Path(sys.modules['stream_batch'].__file__).parent == pathlib.Path.cwd()\n"
        "print(json.dumps(result))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    expected = (
        {"records": 0, "started": []}
        if path.stem == "pipeline"
        else {"records": 0, "published": [], "batchItemFailures": []}
    )
    assert json.loads(completed.stdout.splitlines()[-1]) == expected
