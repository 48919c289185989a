"""A local EventBridge Pipe: fires a trigger the type built, from the pipe's live configuration.

moto stores a pipe but never runs it. `fire(...)` does what the deployed pipe would do, once, until
the stream is drained:

1. DescribePipe: source stream, StartingPosition, BatchSize, FilterCriteria, InputTemplate, retry and
   record-age limits, OnPartialBatchItemFailure, dead-letter queue, role and target. A pipe that is
   not RUNNING delivers nothing.
2. Reads each shard through DynamoDB Streams (DescribeStream, GetShardIterator, GetRecords) with the
   pipe role's credentials, where the last run stopped (a checkpoint file per pipe in the user's
   cache folder, keyed by endpoint, pipe ARN and pipe creation time). Without a checkpoint it starts
   where the pipe did: TRIM_HORIZON at the oldest record the stream holds, LATEST at the first record
   written after the pipe was created.
3. Drops the records that match none of the filters (the patterns are evaluated by `filter_pattern`,
   the module that validates FilterPattern), transforms each kept record by the input template
   (`input_template`), and fills batches of at most BatchSize records (and 6 MB, Lambda's payload
   limit). Each batch is one invocation of the function with the JSON array of transformed records.
4. A batch whose invocation fails is retried as the pipe would: up to MaximumRetryAttempts times,
   while its oldest record is younger than MaximumRecordAgeInSeconds; with AUTOMATIC_BISECT a failed
   batch of more than one record is halved and each half delivered in turn. A function that answers
   with a partial batch response (`batchItemFailures`, records named by eventID) has the records
   before the first one it named delivered, and the rest retried as the batch, without halving
   (`first_reported_failure` says how an answer is read). A batch given up on is
   described in one message to the dead-letter queue or topic (stream, shard, first and last sequence numbers,
   batch size; never the records), then skipped. With both limits infinite (-1) the deployed pipe
   would retry until the records leave the stream, blocking the shard: the runner stops that shard
   after `attempts_cap` attempts, keeps its checkpoint before the batch, and reports it blocked.

The checkpoint moves past each batch once it is delivered or given up on, and past dropped records,
so that a later run delivers only what is new and never a record twice. Retries are immediate: the
runner does not wait out Pipes' back-off. MaximumBatchingWindowInSeconds has no effect here: the
runner reads what the stream holds now instead of waiting for more. With a ParallelizationFactor
above 1 the pipe processes several batches of a shard at once, each item's records in order; the
runner delivers them one after another in stream order, which keeps every item's order (and says so).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import boto3

from . import input_template
from .filter_matching import matches
from .lambda_emulator import LocalFunction, Outcome

# The services the runner calls, as the operator or as the pipe role.
RunnerService = Literal["dynamodbstreams", "lambda", "pipes", "sns", "sqs", "sts"]

Json = dict[str, Any]

GET_RECORDS_LIMIT = 1000  # DynamoDB Streams' largest page
PAYLOAD_LIMIT = 6 * 1024 * 1024  # a synchronous Lambda invocation's request payload
ATTEMPTS_CAP = 10  # local attempts at a batch the deployed pipe would retry without end
INFINITE = -1
# Batch statuses that are no failure: a bisected batch's halves, and the rest of a partly delivered
# batch, are reported after it.
SUCCESSFUL = ("delivered", "filtered", "bisected", "partial")


def default_cache_folder() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mare-dynamodb-streamtrigger" / "checkpoints"


@dataclass(frozen=True)
class PipeSettings:
    """What the runner reads of a live pipe."""

    arn: str
    state: str
    source: str
    target: str
    role_arn: str
    created: float
    starting_position: str
    batch_size: int
    parallelization_factor: int
    retry_attempts: int
    record_age: int
    bisect: bool
    dead_letter_arn: str | None
    filters: tuple[Json, ...]
    input_template: str | None

    @classmethod
    def of(cls, pipe: Json) -> PipeSettings:
        source = pipe.get("SourceParameters") or {}
        stream = source.get("DynamoDBStreamParameters") or {}
        patterns = (source.get("FilterCriteria") or {}).get("Filters") or []
        return cls(
            arn=pipe["Arn"],
            state=pipe.get("CurrentState", ""),
            source=pipe["Source"],
            target=pipe["Target"],
            role_arn=pipe["RoleArn"],
            created=pipe["CreationTime"].timestamp(),
            starting_position=stream.get("StartingPosition", "LATEST"),
            batch_size=stream.get("BatchSize", 100),
            parallelization_factor=stream.get("ParallelizationFactor", 1),
            retry_attempts=stream.get("MaximumRetryAttempts", INFINITE),
            record_age=stream.get("MaximumRecordAgeInSeconds", INFINITE),
            bisect=stream.get("OnPartialBatchItemFailure") == "AUTOMATIC_BISECT",
            dead_letter_arn=(stream.get("DeadLetterConfig") or {}).get("Arn"),
            filters=tuple(json.loads(f["Pattern"]) for f in patterns if f.get("Pattern")),
            input_template=(pipe.get("TargetParameters") or {}).get("InputTemplate"),
        )

    def keeps(self, record: Json) -> bool:
        """A record passes when there is no filter or it matches one of them."""
        return not self.filters or any(matches(pattern, record).matched for pattern in self.filters)


class Checkpoints:
    """How far the runner got, per shard, for one pipe at one endpoint: a small JSON file.

    The cache folder may be shared: a checkpoint is written to a new file of a random name (never
    through an existing path, so a planted link is never followed) and then renamed over the old
    one, which replaces a link rather than writing through it. A checkpoint that is not one this
    runner wrote is reported (`problem`) and the run starts where a new pipe would.
    """

    def __init__(self, folder: Path, endpoint: str, pipe: PipeSettings) -> None:
        key = f"{endpoint}|{pipe.arn}|{pipe.created}"
        self.path = folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
        self.header = {"endpoint": endpoint, "pipeArn": pipe.arn, "pipeCreated": pipe.created}
        self.shards: dict[str, str] = {}
        self.problem: str | None = None
        if self.path.exists():
            self.shards, self.problem = read_checkpoint(self.path)

    def after(self, stream: str, shard: str) -> str | None:
        return self.shards.get(f"{stream}|{shard}")

    def advance(self, stream: str, shard: str, sequence_number: str) -> None:
        self.shards[f"{stream}|{shard}"] = sequence_number
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, written = tempfile.mkstemp(dir=self.path.parent, prefix=".checkpoint-", suffix=".partial")
        try:
            with os.fdopen(handle, "w") as partial:
                partial.write(json.dumps({**self.header, "shards": self.shards}, indent=1))
            os.replace(written, self.path)  # atomic: a run that stops midway leaves the last whole checkpoint
        except BaseException:
            Path(written).unlink(missing_ok=True)
            raise

    def forget(self) -> None:
        self.shards = {}
        self.path.unlink(missing_ok=True)


def read_checkpoint(path: Path) -> tuple[dict[str, str], str | None]:
    """A checkpoint's shards, or none and why, for a file that is not one this runner writes."""
    try:
        content = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return {}, f"checkpoint {path} cannot be read ({type(error).__name__}): starting where a new pipe would"
    shards = content.get("shards") if isinstance(content, dict) else None
    if not isinstance(shards, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in shards.items()):
        return {}, f"checkpoint {path} is not one the runner writes: starting where a new pipe would"
    return shards, None


@dataclass
class Batch:
    """Stream records kept by the filter, as read, and what the function receives for them."""

    shard: str
    records: list[Json] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    read: int = 0  # records read from the stream to fill it, those dropped by the filter included
    end: str | None = None  # the sequence number of the last record read into it: the next checkpoint
    payload_bytes: int = 2

    @property
    def first(self) -> str:
        return str(self.records[0]["dynamodb"]["SequenceNumber"])

    @property
    def last(self) -> str:
        return str(self.records[-1]["dynamodb"]["SequenceNumber"])

    def oldest(self) -> float:
        return float(min(record["dynamodb"]["ApproximateCreationDateTime"] for record in self.records))

    def split(self, at: int) -> tuple[Batch, Batch]:
        """The records before `at`, and the rest."""
        first = Batch(self.shard, self.records[:at], self.events[:at], self.read)
        first.end = first.last
        second = Batch(self.shard, self.records[at:], self.events[at:], 0, self.end)
        return first, second

    def halves(self) -> tuple[Batch, Batch]:
        return self.split(len(self.records) // 2)


@dataclass
class BatchReport:
    """One batch: what was read, kept and delivered, and how the function answered."""

    shard: str
    first_sequence_number: str | None
    last_sequence_number: str | None
    read: int
    kept: int
    delivered: int
    attempts: int
    status: str  # delivered | filtered | bisected | partial | dead-lettered | discarded | blocked
    event: Any = None  # what the function received: the JSON array of transformed records
    result: Any = None
    error: str | None = None
    logs: str = ""
    dead_letter_message_id: str | None = None
    function_seconds: float = 0.0

    def as_json(self) -> Json:
        return asdict(self)


@dataclass
class FireReport:
    pipe: str
    state: str
    batches: list[BatchReport] = field(default_factory=list)
    records_read: int = 0
    problem: str | None = None
    warnings: list[str] = field(default_factory=list)
    # How the run differs from the deployed pipe where the difference cannot change what is delivered.
    notes: list[str] = field(default_factory=list)

    @property
    def invocations(self) -> int:
        return sum(batch.attempts for batch in self.batches)

    @property
    def ok(self) -> bool:
        return self.problem is None and all(b.status in SUCCESSFUL for b in self.batches)

    def summary(self) -> Json:
        return {
            "pipe": self.pipe,
            "state": self.state,
            "batches": sum(1 for b in self.batches if b.status != "filtered"),
            "records_read": self.records_read,
            "records_kept": sum(b.kept for b in self.batches),
            "records_delivered": sum(b.delivered for b in self.batches),
            "invocations": self.invocations,
            "dead_lettered": sum(1 for b in self.batches if b.status == "dead-lettered"),
            "ok": self.ok,
            "problem": self.problem,
            "warnings": self.warnings,
            "notes": self.notes,
        }


def stream_record(record: Json, stream_arn: str) -> Json:
    """A GetRecords record as a pipe passes it on: epoch seconds, the source ARN, the stream's region.

    moto 5.2.5 writes awsRegion us-east-1 on every record; DynamoDB writes the table's region, which
    is the stream ARN's.
    """
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime.datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "awsRegion": stream_arn.split(":")[3], "dynamodb": dynamodb, "eventSourceARN": stream_arn}


def written_after(record: Json, created: float) -> bool:
    """Whether a record was written after the pipe was created, at the precision of the record's time.

    DynamoDB rounds ApproximateCreationDateTime down to the second; moto keeps milliseconds.
    """
    written = record["dynamodb"]["ApproximateCreationDateTime"]
    return bool(written >= (int(created) if written == int(written) else created))


class PipeRunner:
    """Serves one pipe once; `run()` returns the FireReport."""

    def __init__(
        self,
        name: str,
        session: boto3.Session | None = None,
        endpoint_url: str | None = None,
        cache_folder: Path | None = None,
        from_start: bool = False,
        code_path: Path | None = None,
        attempts_cap: int = ATTEMPTS_CAP,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.session = session or boto3.Session()
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        self.clients: dict[str, Any] = {}
        self.pipe = PipeSettings.of(self.client("pipes").describe_pipe(Name=name))
        self.checkpoints = Checkpoints(cache_folder or default_cache_folder(), self.endpoint_url or "aws", self.pipe)
        if from_start:
            self.checkpoints.forget()
        self.code_path = code_path
        self.attempts_cap = attempts_cap
        self.now = now or (lambda: datetime.datetime.now(datetime.UTC).timestamp())
        self.variables = input_template.pipe_variables(self.pipe.arn, self.pipe.source, self.pipe.target, "")

    def variables_at(self, seconds: float) -> dict[str, str]:
        """The pipe's reserved variables, the ingestion time being when the runner read the record."""
        return {**self.variables, "aws.pipes.event.ingestion-time": iso(seconds)}

    def client(self, service: RunnerService) -> Any:
        if service not in self.clients:
            self.clients[service] = self.session.client(service, endpoint_url=self.endpoint_url)
        return self.clients[service]

    def as_pipe_role(self, service: RunnerService) -> Any:
        """A client with the pipe role's credentials: what the pipe reads and writes with."""
        key = f"pipe-role:{service}"
        if key not in self.clients:
            credentials = self.client("sts").assume_role(RoleArn=self.pipe.role_arn, RoleSessionName="local-pipe")[
                "Credentials"
            ]
            self.clients[key] = self.session.client(
                service,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return self.clients[key]

    # --- reading -----------------------------------------------------------------------------

    def shards(self) -> list[Json]:
        """The stream's shards, parents before their children, as a pipe reads them."""
        streams, shards, start = self.as_pipe_role("dynamodbstreams"), [], None
        while True:
            page = streams.describe_stream(
                StreamArn=self.pipe.source, **({"ExclusiveStartShardId": start} if start else {})
            )
            shards.extend(page["StreamDescription"].get("Shards", []))
            start = page["StreamDescription"].get("LastEvaluatedShardId")
            if not start:
                break
        known = {shard["ShardId"] for shard in shards}
        ordered: list[Json] = []
        while len(ordered) < len(shards):
            ready = [
                shard
                for shard in shards
                if shard not in ordered
                and (
                    shard.get("ParentShardId") not in known
                    or any(s["ShardId"] == shard["ParentShardId"] for s in ordered)
                )
            ]
            ordered.extend(ready or [shard for shard in shards if shard not in ordered])
        return ordered

    def records(self, shard_id: str) -> Iterator[Json]:
        """The shard's records after the checkpoint (or from its oldest) until it is drained."""
        streams = self.as_pipe_role("dynamodbstreams")
        after = self.checkpoints.after(self.pipe.source, shard_id)
        position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after else {}
        iterator = streams.get_shard_iterator(
            StreamArn=self.pipe.source, ShardId=shard_id, **(position or {"ShardIteratorType": "TRIM_HORIZON"})
        ).get("ShardIterator")
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT)
            if not page.get("Records"):
                return
            for record in page["Records"]:
                yield stream_record(record, self.pipe.source)
            iterator = page.get("NextShardIterator")

    def before_start(self, record: Json, shard_id: str) -> bool:
        """A record a LATEST pipe never saw: written before the pipe existed, with no checkpoint yet."""
        return (
            self.pipe.starting_position == "LATEST"
            and self.checkpoints.after(self.pipe.source, shard_id) is None
            and not written_after(record, self.pipe.created)
        )

    def batches(self, shard_id: str) -> Iterator[Batch]:
        """Batches of kept records; a last Batch without records counts what the filter dropped."""
        batch = Batch(shard_id)
        for record in self.records(shard_id):
            sequence_number = record["dynamodb"]["SequenceNumber"]
            if self.before_start(record, shard_id):
                batch.end = sequence_number
                continue
            if not self.pipe.keeps(record):
                batch.read, batch.end = batch.read + 1, sequence_number
                continue
            event = (
                input_template.render(self.pipe.input_template, record, self.variables_at(self.now()))
                if self.pipe.input_template
                else record
            )
            size = len(json.dumps(event)) + 1
            if batch.records and batch.payload_bytes + size > PAYLOAD_LIMIT:
                yield batch
                batch = Batch(shard_id)
            batch.records.append(record)
            batch.events.append(event)
            batch.read, batch.end, batch.payload_bytes = batch.read + 1, sequence_number, batch.payload_bytes + size
            if len(batch.records) == self.pipe.batch_size:
                yield batch
                batch = Batch(shard_id)
        if batch.read:
            yield batch

    # --- delivering --------------------------------------------------------------------------

    def run(self) -> FireReport:
        report = FireReport(self.pipe.arn, self.pipe.state)
        if self.checkpoints.problem:
            report.warnings.append(self.checkpoints.problem)
        if self.pipe.state != "RUNNING":
            report.problem = f"the pipe is {self.pipe.state}, not RUNNING: it delivers nothing"
            return report
        factor = self.pipe.parallelization_factor
        if factor > 1:
            report.notes.append(
                f"ParallelizationFactor {factor}: the pipe would process up to {factor} batches of a shard at "
                "once, keeping the records of each item (each key) in order; the runner delivers a shard's "
                "batches one after another, in stream order, which keeps that order too"
            )
        function = LocalFunction.deployed(
            self.client("lambda"), self.client("sts"), self.pipe.target, self.endpoint_url, self.code_path
        )
        with function:
            for shard in self.shards():
                if not self.serve_shard(shard["ShardId"], function, report):
                    break
        return report

    def serve_shard(self, shard_id: str, function: LocalFunction, report: FireReport) -> bool:
        """Delivers the shard's batches in order; False when a batch blocks the shard."""
        for batch in self.batches(shard_id):
            report.records_read += batch.read
            if not batch.records:
                report.batches.append(BatchReport(shard_id, None, None, batch.read, 0, 0, 0, "filtered"))
            else:
                outcomes = self.deliver(batch, function)
                report.batches.extend(outcomes)
                if outcomes[-1].status == "blocked":
                    return False
            if batch.end is not None:
                self.checkpoints.advance(self.pipe.source, shard_id, batch.end)
        return True

    def deliver(self, batch: Batch, function: LocalFunction) -> list[BatchReport]:
        """Invokes the function with the batch, retrying or bisecting it as the pipe would."""
        attempts, outcome, error, done = 0, Outcome(), None, list[BatchReport]()
        while True:
            if self.pipe.record_age != INFINITE and self.now() - batch.oldest() > self.pipe.record_age:
                return [*done, self.give_up(batch, attempts, outcome, error, "RecordAgeExceeded")]
            attempts += 1
            outcome = function.invoke(batch.events)
            failed_at, problem = (0, None) if outcome.failed else first_reported_failure(batch.records, outcome.result)
            if failed_at is None:
                return [*done, self.reported(batch, attempts, outcome, "delivered")]
            error = outcome.error or problem
            if error is None:  # a partial batch response that names records of the batch
                named, kept = len(outcome.result["batchItemFailures"]), len(batch.records)
                error = f"the function reported {named} record(s) failed, from record {failed_at + 1} of {kept}"
                if failed_at:
                    done.append(self.reported(batch, attempts, outcome, "partial", error, delivered=failed_at))
                    batch = batch.split(failed_at)[1]
            elif self.pipe.bisect and len(batch.records) > 1:
                first, second = batch.halves()
                reports = [
                    *done,
                    self.reported(batch, attempts, outcome, "bisected", error),
                    *self.deliver(first, function),
                ]
                return reports if reports[-1].status == "blocked" else [*reports, *self.deliver(second, function)]
            if self.pipe.retry_attempts != INFINITE and attempts > self.pipe.retry_attempts:
                return [*done, self.give_up(batch, attempts, outcome, error, "RetryAttemptsExhausted")]
            if (
                self.pipe.retry_attempts == INFINITE
                and self.pipe.record_age == INFINITE
                and attempts >= self.attempts_cap
            ):
                blocked = self.reported(
                    batch,
                    attempts,
                    outcome,
                    "blocked",
                    f"{error} (the pipe retries this batch until its records leave the stream; "
                    f"the runner stopped after {attempts} attempts and tries it again on the next run)",
                )
                return [*done, blocked]

    def reported(
        self,
        batch: Batch,
        attempts: int,
        outcome: Outcome,
        status: str,
        error: str | None = None,
        delivered: int | None = None,
    ) -> BatchReport:
        return BatchReport(
            batch.shard,
            batch.first,
            batch.last,
            batch.read,
            len(batch.records),
            (len(batch.records) if status == "delivered" else 0) if delivered is None else delivered,
            attempts,
            status,
            event=batch.events,
            result=outcome.result,
            error=error,
            logs=outcome.logs,
            function_seconds=outcome.seconds,
        )

    def give_up(self, batch: Batch, attempts: int, outcome: Outcome, error: str | None, condition: str) -> BatchReport:
        """The batch is skipped; with a dead-letter queue, one message describes it there."""
        status = "dead-lettered" if self.pipe.dead_letter_arn else "discarded"
        report = self.reported(batch, attempts, outcome, status, f"{condition}: {error}" if error else condition)
        if self.pipe.dead_letter_arn:
            report.dead_letter_message_id = self.send_to_dead_letter_queue(batch, attempts, outcome, condition)
        return report

    def send_to_dead_letter_queue(self, batch: Batch, attempts: int, outcome: Outcome, condition: str) -> str:
        """One message to the dead-letter queue, or one publication to the dead-letter topic, as the pipe role."""
        assert self.pipe.dead_letter_arn is not None
        body = json.dumps(dead_letter_message(self.pipe, batch, attempts, outcome, condition, self.now()))
        _, _, service, _, account, target = self.pipe.dead_letter_arn.split(":")
        if service == "sns":
            sns = self.as_pipe_role("sns")
            return str(sns.publish(TopicArn=self.pipe.dead_letter_arn, Message=body)["MessageId"])
        sqs = self.as_pipe_role("sqs")
        url = sqs.get_queue_url(QueueName=target, QueueOwnerAWSAccountId=account)["QueueUrl"]
        return str(sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"])


def first_reported_failure(records: list[Json], result: Any) -> tuple[int | None, str | None]:
    """Where a function's answer has the pipe retry its batch from, and why it fails the whole batch.

    (None, None): the batch succeeded, as an answer without `batchItemFailures`, or with it null or
    empty, says. (index, None): the answer names records of the batch by eventID, the identifier Pipes
    documents for a DynamoDB source; the pipe retries from the first of them. (0, why): an answer that
    names records wrongly (not a list, an entry without an itemIdentifier, an identifier that is no
    eventID of the batch, such as a sequence number) fails the whole batch, as Lambda's stream event
    source mappings treat such answers; no record is ever taken as done because of it.
    """
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return None, None
    if not isinstance(failures, list):
        return 0, "batchItemFailures is not a list: the whole batch failed"
    positions = {record.get("eventID"): index for index, record in enumerate(records)}
    named: list[int] = []
    for entry in failures:
        identifier = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or not identifier:
            return 0, "an entry of batchItemFailures has no itemIdentifier: the whole batch failed"
        if identifier not in positions:
            return 0, (
                f"itemIdentifier {identifier[:64]!r} is not the eventID of a record of the batch "
                "(Pipes names DynamoDB records by eventID, not by sequence number): the whole batch failed"
            )
        named.append(positions[identifier])
    return min(named), None


def iso(seconds: float) -> str:
    return (
        datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def dead_letter_message(
    pipe: PipeSettings, batch: Batch, attempts: int, outcome: Outcome, condition: str, now: float
) -> Json:
    """What describes a failed batch in the dead-letter queue: where it is in the stream, not its records.

    The shape of the record Lambda writes for a DynamoDB stream batch it gave up on (DDBStreamBatchInfo),
    with the pipe in place of the function.
    """
    times = [record["dynamodb"]["ApproximateCreationDateTime"] for record in batch.records]
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "pipeArn": pipe.arn,
            "targetArn": pipe.target,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": {"functionError": outcome.error_type, "errorMessage": outcome.error_message},
        "version": "1.0",
        "timestamp": iso(now),
        "DDBStreamBatchInfo": {
            "shardId": batch.shard,
            "startSequenceNumber": batch.first,
            "endSequenceNumber": batch.last,
            "approximateArrivalOfFirstRecord": iso(min(times)),
            "approximateArrivalOfLastRecord": iso(max(times)),
            "batchSize": len(batch.records),
            "streamArn": pipe.source,
        },
    }


def fire(name: str, **options: Any) -> FireReport:
    """Runs the pipe `name` once, until its stream is drained (options: those of PipeRunner)."""
    return PipeRunner(name, **options).run()
