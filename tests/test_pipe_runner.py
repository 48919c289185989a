"""The trigger fires offline: triggers built through the entrypoint, fired by the local pipe runner.

Every trigger here is created (and updated) by the real handlers in moto; the runner then reads the
live pipe, the table's stream through DynamoDB Streams, and runs the deployed code. What the tests
assert is what the firing left in moto (pipeline executions, SNS messages through an SQS
subscription, dead-letter messages) and what the function received and returned.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

from conftest import ACCOUNT, PIPELINE_ARN, REGION, TABLE, client, drive, pipeline_properties
from mare_dynamodb_streamtrigger.core.settings import BATCH_ITEM_INPUT_TEMPLATE
from mare_streamtrigger_local import cli, moto_world, pipe_runner
from mare_streamtrigger_local.pipe_runner import FireReport

NAME = "deployment-processor"
# A function that returns what it was given, and what Lambda's runtime gave it around the event.
ECHO = textwrap.dedent(
    """
    import os

    def handler(event, context):
        print(f"{len(event)} element(s)")
        return {
            "event": event,
            "function_name": context.function_name,
            "arn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb,
            "remaining_positive": context.get_remaining_time_in_millis() > 0,
            "stage": os.environ.get("STAGE"),
            "key_id": os.environ.get("AWS_ACCESS_KEY_ID"),
            "function_env": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        }
    """
)
# A function that fails every batch holding an item whose status is POISON, and counts its calls in S3.
POISON = textwrap.dedent(
    """
    import json

    def handler(event, context):
        statuses = [e["Records"][0]["dynamodb"]["NewImage"]["status"]["S"] for e in event]
        if "POISON" in statuses:
            raise ValueError(f"poison among {len(event)} record(s)")
        return {"statuses": statuses}
    """
)


def poison_properties(**overrides: Any) -> dict[str, Any]:
    """A trigger on every INSERT whose function fails on POISON items."""
    return pipeline_properties(Code={"ZipFile": POISON}, FilterPattern={"eventName": ["INSERT"]}, **overrides)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints"


@pytest.fixture
def runner_calls() -> tuple[boto3.Session, Counter[str]]:
    """A session whose clients count every call the runner makes, as service.Operation."""
    session = boto3.Session(region_name=REGION)
    counts: Counter[str] = Counter()

    def count(model: Any, **_kwargs: Any) -> None:
        counts[f"{model.service_model.service_name}.{model.name}"] += 1

    session.events.register("before-call", count)
    return session, counts


def fire(cache: Path, name: str = NAME, **options: Any) -> FireReport:
    return pipe_runner.fire(name, cache_folder=cache, **options)


def create(properties: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    final, _ = drive("CREATE", properties, **kwargs)
    assert final["status"] == "SUCCESS", final
    return final["resourceModel"]


def put(**item: str) -> None:
    client("dynamodb").put_item(TableName=TABLE, Item={key: {"S": value} for key, value in item.items()})


def image(**item: str) -> dict[str, Any]:
    """An element of the event with the default template."""
    return {"Records": [{"dynamodb": {"NewImage": {key: {"S": value} for key, value in item.items()}}}]}


def delivered(report: FireReport) -> list[Any]:
    return [batch.event for batch in report.batches if batch.status == "delivered"]


def statuses(report: FireReport) -> list[str]:
    return [batch.status for batch in report.batches]


def executions(name: str) -> list[str]:
    summaries = client("codepipeline").list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]
    return [summary["pipelineExecutionId"] for summary in summaries]


def queue(name: str) -> tuple[str, str]:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def messages(url: str) -> list[dict[str, Any]]:
    received = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in received]


# --- the zero-code functions ---------------------------------------------------------------------


def test_a_zero_code_pipeline_trigger_starts_the_pipeline_for_a_matching_insert_only(table, cache):
    moto_world.seed_pipeline("deploy-pipeline", REGION)
    properties = pipeline_properties()
    del properties["Code"]
    create(properties)
    put(id="req-1", status="PENDING")
    put(id="req-2", status="DONE")

    report = fire(cache)

    [batch] = report.batches
    assert (batch.read, batch.kept, batch.delivered, batch.attempts, batch.status) == (2, 1, 1, 1, "delivered")
    # Without Code, the default template keeps what names the record in a partial batch response.
    [element] = batch.event
    [record] = element["Records"]
    assert record["dynamodb"] == {
        "NewImage": image(id="req-1", status="PENDING")["Records"][0]["dynamodb"]["NewImage"],
        "SequenceNumber": batch.first_sequence_number,
    }
    assert isinstance(record["eventID"], str) and record["eventID"]
    [execution] = executions("deploy-pipeline")
    assert batch.result == {"records": 1, "started": [{"pipeline": "deploy-pipeline", "executionId": execution}]}
    assert batch.logs == f"started pipeline deploy-pipeline in {REGION} for 1 record(s): execution {execution}\n"
    assert report.summary() == {
        "pipe": f"arn:aws:pipes:{REGION}:{ACCOUNT}:pipe/{NAME}",
        "state": "RUNNING",
        "batches": 1,
        "records_read": 2,
        "records_kept": 1,
        "records_delivered": 1,
        "invocations": 1,
        "dead_lettered": 0,
        "ok": True,
        "problem": None,
        "warnings": [],
        "notes": [],
    }


def test_a_zero_code_sns_trigger_publishes_each_matching_image(table, topic_arn, cache):
    url, queue_arn = queue("deployments-seen")
    client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    properties = pipeline_properties(TriggerType="SNS_TOPIC", Environment={"TOPIC_ARN": topic_arn})
    del properties["Code"]
    create(properties)
    put(id="req-1", status="PENDING")
    put(id="req-2", status="DONE")

    report = fire(cache)

    assert [batch.delivered for batch in report.batches] == [1]
    [notification] = messages(url)
    assert notification["TopicArn"] == topic_arn
    assert json.loads(notification["Message"]) == {"id": "req-1", "status": "PENDING"}
    assert report.batches[0].result["records"] == 1


# --- the user's own code -------------------------------------------------------------------------


def test_inline_code_runs_with_its_environment_context_and_role(table, cache):
    model = create(
        pipeline_properties(
            Code={"ZipFile": ECHO}, Environment={"STAGE": "test", "PIPELINE_ARN": PIPELINE_ARN}, MemorySize=256
        )
    )
    put(id="req-1", status="PENDING")
    environment_before = dict(os.environ)

    [batch] = fire(cache).batches

    result = batch.result
    assert result["event"] == [image(id="req-1", status="PENDING")]
    assert result["function_name"] == NAME
    assert result["arn"] == model["FunctionArn"]
    assert result["memory"] == "256"
    assert result["remaining_positive"] is True
    assert result["stage"] == "test"
    assert result["function_env"] == NAME
    # The function runs with its execution role's credentials, from STS, not the caller's.
    assert result["key_id"] not in (None, os.environ["AWS_ACCESS_KEY_ID"])
    assert batch.logs == "1 element(s)\n"
    # Its environment was set for the call only, and its modules are gone.
    environment_before.pop("PYTEST_CURRENT_TEST", None)
    after = dict(os.environ)
    after.pop("PYTEST_CURRENT_TEST", None)
    assert after == environment_before
    assert "app" not in sys.modules


def test_code_deployed_from_s3_runs_too(table, cache, tmp_path):
    s3 = client("s3")
    s3.create_bucket(Bucket="function-code", CreateBucketConfiguration={"LocationConstraint": REGION})
    archive = tmp_path / "code.zip"
    import zipfile

    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", "def handler(event, context):\n    return {'from': 's3', 'count': len(event)}\n")
    s3.put_object(Bucket="function-code", Key="app.zip", Body=archive.read_bytes())
    create(
        pipeline_properties(Code={"S3Bucket": "function-code", "S3Key": "app.zip"}),
        type_configuration={"CodeBuckets": ["function-code"]},
    )
    put(id="req-1", status="PENDING")

    assert [batch.result for batch in fire(cache).batches] == [{"from": "s3", "count": 1}]


# --- filters, templates and record kinds -----------------------------------------------------------


def test_a_filter_on_event_name_and_a_typed_new_image_value(table, cache):
    pattern = {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"priority": {"N": ["2"]}}}}
    create(pipeline_properties(Code={"ZipFile": ECHO}, FilterPattern=pattern))
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "a"}, "priority": {"N": "2"}})  # INSERT: dropped
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "a"}, "priority": {"N": "2"}, "x": {"S": "1"}})  # MODIFY
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "a"}, "priority": {"N": "3"}})  # MODIFY to 3: dropped
    dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": "a"}})  # REMOVE: dropped

    report = fire(cache)

    [batch] = report.batches
    assert (batch.read, batch.kept, batch.delivered) == (4, 1, 1)
    assert batch.event == [
        {"Records": [{"dynamodb": {"NewImage": {"id": {"S": "a"}, "priority": {"N": "2"}, "x": {"S": "1"}}}}]}
    ]


def test_modify_and_remove_records_with_the_default_and_a_custom_template(table, cache):
    create(pipeline_properties(Code={"ZipFile": ECHO}, FilterPattern={"eventName": ["MODIFY", "REMOVE"]}))
    put(id="a", status="PENDING")
    put(id="a", status="DONE")
    client("dynamodb").delete_item(TableName=TABLE, Key={"id": {"S": "a"}})

    [batch] = fire(cache).batches

    # A REMOVE record has no NewImage: the default template gives null there.
    assert batch.event == [image(id="a", status="DONE"), {"Records": [{"dynamodb": {"NewImage": None}}]}]

    template = (
        '{"event": "<$.eventName>", "id": "<$.dynamodb.Keys.id.S>", "old": <$.dynamodb.OldImage.status>,'
        ' "pipe": "<aws.pipes.pipe-name>", "source": "<aws.pipes.source-arn>"}'
    )
    final, _ = drive(
        "UPDATE",
        pipeline_properties(Code={"ZipFile": ECHO}, FilterPattern={"eventName": ["REMOVE"]}, InputTemplate=template),
        previous=pipeline_properties(Code={"ZipFile": ECHO}),
    )
    assert final["status"] == "SUCCESS"
    put(id="b", status="PENDING")
    client("dynamodb").delete_item(TableName=TABLE, Key={"id": {"S": "b"}})

    [batch] = fire(cache).batches
    stream_arn = client("pipes").describe_pipe(Name=NAME)["Source"]
    assert batch.event == [{"event": "REMOVE", "id": "b", "old": {"S": "PENDING"}, "pipe": NAME, "source": stream_arn}]
    assert batch.read == 2


def test_25_items_with_batch_size_10_are_3_invocations(table, cache, runner_calls):
    session, counts = runner_calls
    create(pipeline_properties(Code={"ZipFile": ECHO}, BatchSize=10))
    for number in range(25):
        put(id=f"req-{number:02}", status="PENDING")

    report = fire(cache, session=session)

    assert [batch.delivered for batch in report.batches] == [10, 10, 5]
    assert report.invocations == 3
    ids = [element["Records"][0]["dynamodb"]["NewImage"]["id"]["S"] for event in delivered(report) for element in event]
    assert ids == [f"req-{number:02}" for number in range(25)]
    first = int(report.batches[0].first_sequence_number)
    assert [(int(b.first_sequence_number) - first, int(b.last_sequence_number) - first) for b in report.batches] == [
        (0, 9),
        (10, 19),
        (20, 24),
    ]
    # One page of 25 records and the empty page that says the shard is drained.
    assert counts == Counter(
        {
            "pipes.DescribePipe": 1,
            "lambda.GetFunction": 1,
            "sts.AssumeRole": 2,
            "dynamodbstreams.DescribeStream": 1,
            "dynamodbstreams.GetShardIterator": 1,
            "dynamodbstreams.GetRecords": 2,
        }
    )


# --- positions and checkpoints -----------------------------------------------------------------


def test_a_later_run_delivers_only_what_is_new_and_from_start_forgets(table, cache):
    create(pipeline_properties(Code={"ZipFile": ECHO}))
    put(id="req-1", status="PENDING")
    assert [len(event) for event in delivered(fire(cache))] == [1]

    assert fire(cache).batches == []  # nothing new: nothing twice
    put(id="req-2", status="PENDING")
    assert delivered(fire(cache)) == [[image(id="req-2", status="PENDING")]]

    again = fire(cache, from_start=True)
    assert delivered(again) == [[image(id="req-1", status="PENDING"), image(id="req-2", status="PENDING")]]
    # The checkpoint is one file per pipe, keyed by endpoint, pipe ARN and creation time.
    [checkpoint] = list(cache.iterdir())
    saved = json.loads(checkpoint.read_text())
    assert saved["pipeArn"] == f"arn:aws:pipes:{REGION}:{ACCOUNT}:pipe/{NAME}"
    assert saved["endpoint"] == os.environ["AWS_ENDPOINT_URL"]
    assert list(saved["shards"].values()) == [again.batches[-1].last_sequence_number]


OPERATOR_MARK = "operator-only-3e9d1c"
SNOOP = textwrap.dedent(
    """
    import gc, os


    def snoop():
        # Built here, so that the marker's text is in no dict of this module.
        mark = "operator" + "-only-"
        found = set()
        for holder in gc.get_objects():
            if isinstance(holder, dict) and any(isinstance(v, str) and mark in v for v in list(holder.values())):
                found.add("memory")
        if any(mark in value for value in os.environ.values()):
            found.add("environment")
        if "testing" in os.environ.values():
            found.add("the operator's key")
        return sorted(found)


    # At import time, as a hostile package would.
    FOUND = snoop()


    def handler(event, context):
        return FOUND
    """
)


def test_the_functions_code_cannot_read_the_operators_credentials(table, cache, monkeypatch):
    """The runner's own credentials (moto's "testing", and a marked variable) stay out of the child."""
    monkeypatch.setenv("OPERATOR_TOKEN", OPERATOR_MARK)
    create(pipeline_properties(Code={"ZipFile": SNOOP}))
    put(id="req-1", status="PENDING")

    [batch] = fire(cache).batches

    assert batch.status == "delivered" and batch.result == []


def test_a_malformed_checkpoint_is_reported_and_the_run_starts_as_a_new_pipe_would(table, cache):
    create(pipeline_properties(Code={"ZipFile": ECHO}))
    put(id="req-1", status="PENDING")
    assert [len(event) for event in delivered(fire(cache))] == [1]
    [checkpoint] = list(cache.iterdir())
    checkpoint.write_text('{"shards": "planted"}')
    put(id="req-2", status="PENDING")

    report = fire(cache)

    assert report.warnings == [f"checkpoint {checkpoint} is not one the runner writes: starting where a new pipe would"]
    assert delivered(report) == [[image(id="req-1", status="PENDING"), image(id="req-2", status="PENDING")]]
    assert report.ok


@pytest.mark.parametrize(("position", "delivered_ids"), [("LATEST", ["after"]), ("TRIM_HORIZON", ["before", "after"])])
def test_the_starting_position_is_where_the_deployed_pipe_starts(table, cache, position, delivered_ids):
    put(id="before", status="PENDING")
    create(pipeline_properties(Code={"ZipFile": ECHO}, StartingPosition=position))
    put(id="after", status="PENDING")

    [event] = delivered(fire(cache))

    assert [element["Records"][0]["dynamodb"]["NewImage"]["id"]["S"] for element in event] == delivered_ids


def test_an_updated_filter_is_used_on_the_next_firing(table, cache):
    properties = pipeline_properties(Code={"ZipFile": ECHO})
    create(properties)
    put(id="req-1", status="DONE")
    assert statuses(fire(cache)) == ["filtered"]

    updated = {**properties, "FilterPattern": {"dynamodb": {"NewImage": {"status": {"S": ["DONE"]}}}}}
    final, _ = drive("UPDATE", updated, previous=properties)
    assert final["status"] == "SUCCESS"
    put(id="req-2", status="DONE")
    put(id="req-3", status="PENDING")

    [batch] = fire(cache).batches
    assert batch.event == [image(id="req-2", status="DONE")]
    assert (batch.read, batch.kept) == (2, 1)


def test_a_stopped_pipe_delivers_nothing(table, cache):
    create(pipeline_properties(Code={"ZipFile": ECHO}))
    client("pipes").stop_pipe(Name=NAME)
    put(id="req-1", status="PENDING")

    report = fire(cache)

    assert report.batches == []
    assert report.problem is not None and "not RUNNING" in report.problem
    assert not report.ok


# --- failures, retries and the dead-letter queue -----------------------------------------------


def test_a_raising_function_is_retried_then_one_message_describes_the_batch(table, cache):
    dead_letters, queue_arn = queue("trigger-dlq")
    create(poison_properties(DeadLetterQueueArn=queue_arn))
    put(id="req-1", status="POISON")
    put(id="req-2", status="PENDING")

    report = fire(cache)

    [batch] = report.batches
    # No explicit limits with a dead-letter queue: 3 retries, so 4 invocations in all.
    assert (batch.attempts, batch.status, batch.delivered) == (4, "dead-lettered", 0)
    assert batch.error == "RetryAttemptsExhausted: ValueError: poison among 2 record(s)"
    [message] = messages(dead_letters)
    stream_arn = client("pipes").describe_pipe(Name=NAME)["Source"]
    info = message["DDBStreamBatchInfo"]
    assert {key: info[key] for key in ("streamArn", "batchSize", "startSequenceNumber", "endSequenceNumber")} == {
        "streamArn": stream_arn,
        "batchSize": 2,
        "startSequenceNumber": batch.first_sequence_number,
        "endSequenceNumber": batch.last_sequence_number,
    }
    assert info["shardId"] == batch.shard
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["approximateInvokeCount"] == 4
    assert "req-1" not in json.dumps(message)  # where the batch is, never the records
    assert batch.dead_letter_message_id is not None
    # Given up on, the batch is behind the checkpoint.
    assert fire(cache).batches == []


def test_without_a_dead_letter_queue_the_batch_is_discarded_after_its_retries(table, cache):
    create(poison_properties(MaximumRetryAttempts=1))
    put(id="req-1", status="POISON")

    [batch] = fire(cache).batches

    assert (batch.attempts, batch.status) == (2, "discarded")


def test_unlimited_retries_block_the_shard_until_the_code_is_fixed(table, cache):
    properties = poison_properties()
    create(properties)
    put(id="req-1", status="POISON")

    blocked = fire(cache, attempts_cap=3)
    assert [(b.status, b.attempts) for b in blocked.batches] == [("blocked", 3)]
    assert not blocked.ok

    fixed = {**properties, "Code": {"ZipFile": "def handler(event, context):\n    return len(event)\n"}}
    final, _ = drive("UPDATE", fixed, previous=properties)
    assert final["status"] == "SUCCESS"
    [batch] = fire(cache).batches
    assert (batch.status, batch.result) == ("delivered", 1)


def test_records_older_than_the_age_limit_go_to_the_queue_without_an_invocation(table, cache):
    dead_letters, queue_arn = queue("trigger-dlq")
    create(pipeline_properties(Code={"ZipFile": ECHO}, DeadLetterQueueArn=queue_arn, MaximumRecordAgeInSeconds=60))
    put(id="req-1", status="PENDING")
    written = client("dynamodbstreams")  # the record's own time, read back as the runner reads it
    stream = client("pipes").describe_pipe(Name=NAME)["Source"]
    shard = written.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = written.get_shard_iterator(StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    record = written.get_records(ShardIterator=iterator["ShardIterator"])["Records"][0]
    later = record["dynamodb"]["ApproximateCreationDateTime"].timestamp() + 61

    [batch] = fire(cache, now=lambda: later).batches

    assert (batch.status, batch.attempts, batch.error) == ("dead-lettered", 0, "RecordAgeExceeded")
    [message] = messages(dead_letters)
    assert message["requestContext"]["condition"] == "RecordAgeExceeded"


def test_automatic_bisect_isolates_the_failing_record(table, cache):
    dead_letters, queue_arn = queue("trigger-dlq")
    create(
        pipeline_properties(
            Code={"ZipFile": POISON},
            DeadLetterQueueArn=queue_arn,
            MaximumRetryAttempts=0,
            OnPartialBatchItemFailure="AUTOMATIC_BISECT",
            FilterPattern={"eventName": ["INSERT"]},
        )
    )
    for number, status in enumerate(["PENDING", "PENDING", "POISON", "PENDING"]):
        put(id=f"req-{number}", status=status)

    report = fire(cache)

    # [0 1 2 3] fails: [0 1] is delivered; [2 3] fails: [2] is given up on, [3] is delivered.
    assert [(b.status, b.kept) for b in report.batches] == [
        ("bisected", 4),
        ("delivered", 2),
        ("bisected", 2),
        ("dead-lettered", 1),
        ("delivered", 1),
    ]
    [message] = messages(dead_letters)
    assert message["DDBStreamBatchInfo"]["batchSize"] == 1
    assert message["DDBStreamBatchInfo"]["startSequenceNumber"] == report.batches[3].first_sequence_number
    assert not report.ok


# --- partial batch responses ---------------------------------------------------------------------------

# Names the POISON items' records by eventID, as a pipe's partial batch response does; the answer
# given depends on NAME_BY (eventID, or the sequence number Lambda's own stream mappings would take).
PARTIAL = textwrap.dedent(
    """
    import os

    def handler(event, context):
        records = [element["Records"][0] for element in event]
        key = os.environ["NAME_BY"]
        failed = [r[key] if key == "eventID" else r["dynamodb"][key]
                  for r in records if r["dynamodb"]["NewImage"]["status"]["S"] == "POISON"]
        return {"batchItemFailures": [{"itemIdentifier": name} for name in failed]}
    """
)


def partial_properties(name_by: str, **overrides: Any) -> dict[str, Any]:
    return pipeline_properties(
        Code={"ZipFile": PARTIAL},
        InputTemplate=BATCH_ITEM_INPUT_TEMPLATE,
        Environment={"PIPELINE_ARN": PIPELINE_ARN, "NAME_BY": name_by},
        FilterPattern={"eventName": ["INSERT"]},
        **overrides,
    )


def test_a_partial_batch_response_delivers_the_records_before_the_first_named_and_retries_the_rest(table, cache):
    create(partial_properties("eventID", MaximumRetryAttempts=2))
    for number, status in enumerate(["PENDING", "PENDING", "POISON", "PENDING"]):
        put(id=f"req-{number}", status=status)

    report = fire(cache)

    # [0 1 2 3] names 2: 0 and 1 are done; [2 3] is the batch from then on, retried twice, then given up on.
    assert [(b.status, b.kept, b.delivered, b.attempts) for b in report.batches] == [
        ("partial", 4, 2, 1),
        ("discarded", 2, 0, 3),
    ]
    partial, given_up = report.batches
    assert partial.error == "the function reported 1 record(s) failed, from record 3 of 4"
    assert given_up.error == "RetryAttemptsExhausted: the function reported 1 record(s) failed, from record 1 of 2"
    assert [e["Records"][0]["dynamodb"]["NewImage"]["id"]["S"] for e in given_up.event] == ["req-2", "req-3"]
    assert given_up.first_sequence_number == partial.event[2]["Records"][0]["dynamodb"]["SequenceNumber"]
    assert report.summary()["records_delivered"] == 2
    assert not report.ok
    assert fire(cache).batches == []


def test_a_response_naming_records_by_sequence_number_fails_the_whole_batch(table, cache):
    create(partial_properties("SequenceNumber", MaximumRetryAttempts=0))
    put(id="req-0", status="PENDING")
    put(id="req-1", status="POISON")

    [batch] = fire(cache).batches

    # Nothing is taken as done on a name the pipe does not know: the whole batch failed.
    assert (batch.status, batch.delivered, batch.attempts) == ("discarded", 0, 1)
    assert batch.error is not None and "is not the eventID of a record of the batch" in batch.error


def test_the_built_in_sns_function_has_the_records_after_a_failed_one_retried(table, topic_arn, cache):
    url, subscriber = queue("deployments-seen")
    client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=subscriber, Attributes={"RawMessageDelivery": "true"}
    )
    dead_letters, queue_arn = queue("trigger-dlq")
    properties = pipeline_properties(
        TriggerType="SNS_TOPIC",
        Environment={"TOPIC_ARN": topic_arn},
        DeadLetterQueueArn=queue_arn,
        MaximumRetryAttempts=1,
        FilterPattern={"eventName": ["INSERT"]},
    )
    del properties["Code"]
    create(properties)
    put(id="req-1", status="PENDING")
    # SNS refuses a message over 256 KiB: the function fails on this record, in every attempt.
    put(id="req-2", status="PENDING", notes="x" * 262_144)
    put(id="req-3", status="PENDING")

    report = fire(cache)

    assert [(b.status, b.kept, b.delivered, b.attempts) for b in report.batches] == [
        ("partial", 3, 1, 1),
        ("dead-lettered", 2, 0, 2),
    ]
    assert [body["id"] for body in messages(url)] == ["req-1"]  # once, never again
    [message] = messages(dead_letters)
    assert message["DDBStreamBatchInfo"]["batchSize"] == 2
    assert message["DDBStreamBatchInfo"]["startSequenceNumber"] == report.batches[1].first_sequence_number
    assert message["responseContext"]["functionError"] is None


# --- the command -----------------------------------------------------------------------------------


def test_the_fire_command_prints_a_line_per_batch_as_json(table, cache, capsys, moto):
    create(pipeline_properties(Code={"ZipFile": ECHO}))
    put(id="req-1", status="PENDING")
    put(id="req-2", status="DONE")

    code = cli.main(["fire", "--name", NAME, "--endpoint-url", moto, "--cache-dir", str(cache), "--json"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [line["kind"] for line in lines] == ["batch", "fired"]
    assert {key: lines[0][key] for key in ("number", "read", "kept", "delivered", "attempts", "status")} == {
        "number": 1,
        "read": 2,
        "kept": 1,
        "delivered": 1,
        "attempts": 1,
        "status": "delivered",
    }
    assert lines[1]["records_delivered"] == 1 and lines[1]["ok"] is True


def test_the_fire_command_names_a_missing_pipe(moto, cache, capsys):
    code = cli.main(["fire", "--name", "nothing-here", "--endpoint-url", moto, "--cache-dir", str(cache)])

    assert code == 2
    out, err = capsys.readouterr()
    assert out == ""  # a failure goes to stderr, in one line
    assert err.startswith("mare-streamtrigger: fire nothing-here: An error occurred (NotFoundException)")
    assert err.count("\n") == 1


def test_code_that_fails_to_import_is_named_and_nothing_is_delivered(table, cache, capsys, moto):
    create(pipeline_properties(Code={"ZipFile": "raise RuntimeError('no config')\n"}))
    put(id="req-1", status="PENDING")

    code = cli.main(["fire", "--name", NAME, "--endpoint-url", moto, "--cache-dir", str(cache)])

    assert code == 2
    assert "Runtime.ImportModuleError: Unable to import module 'app': no config" in capsys.readouterr().err
    assert "app" not in sys.modules
    assert not cache.exists()  # no checkpoint: the record is still to be delivered
