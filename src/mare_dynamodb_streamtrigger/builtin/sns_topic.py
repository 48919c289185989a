"""The built-in SNS_TOPIC function: publish every record's new image to every SNS topic named in the environment.

Deployed with `stream_batch.py` beside it: the standard library and boto3 only.

For each record of the batch, its new image (`record["dynamodb"]["NewImage"]`) is published, as plain JSON
with DynamoDB's typed values unwrapped, to each SNS topic whose ARN is the value of one of the function's
environment variables, with a client for the topic's region. Numbers become integers when integral, else
floats; sets become sorted lists; binary values become base64 strings. Records without a new image
(REMOVE events) are counted but not published. A FIFO topic gets the function's name as message group
and the message's SHA-256 as deduplication id. The records are read as `stream_batch` says.

When publishing a record fails, the records after it are not tried: the function answers with a
partial batch response naming that record and the rest (`stream_batch.failed_from`), so the pipe retries
from it and the records before it are not published twice. Without eventIDs to name them, it raises,
and the pipe retries the whole batch.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from decimal import Decimal
from typing import Any

import stream_batch
from boto3.dynamodb.types import Binary, TypeDeserializer

SNS_TOPIC_ARN = re.compile(
    r"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):"
    r"sns:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):(?P<name>[A-Za-z0-9_-]{1,256}(\.fifo)?)$"
)

_deserializer = TypeDeserializer()


def new_image(record: Any) -> dict[str, Any] | None:
    """`record["dynamodb"]["NewImage"]`, or None when the record has none (a REMOVE)."""
    if not isinstance(record, dict) or not isinstance(record.get("dynamodb"), dict):
        return None
    image = record["dynamodb"].get("NewImage")
    return image if isinstance(image, dict) else None


def plain(value: Any) -> Any:
    """A deserialized DynamoDB value as JSON can hold it."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a DynamoDB number: {value}")
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        # boto3 sets Binary.value; its type stubs leave it out.
        return base64.b64encode(value.value).decode("ascii")  # type: ignore[attr-defined]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(plain(item) for item in value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _bytes(value: Any) -> Any:
    """A binary value of the JSON event is base64 text; TypeDeserializer wants bytes."""
    return base64.b64decode(value, validate=True) if isinstance(value, str) else value


def _binary_decoded(value: Any) -> Any:
    """The typed value with its binaries (B, BS, also inside M and L) as bytes."""
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": _bytes(inner)}
    if kind == "BS" and isinstance(inner, list):
        return {"BS": [_bytes(item) for item in inner]}
    if kind == "M" and isinstance(inner, dict):
        return {"M": {key: _binary_decoded(item) for key, item in inner.items()}}
    if kind == "L" and isinstance(inner, list):
        return {"L": [_binary_decoded(item) for item in inner]}
    return value


def _attribute(value: Any) -> Any:
    try:
        return plain(_deserializer.deserialize(_binary_decoded(value)))
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError):
        # Not a typed DynamoDB value (an InputTemplate of the user's own): published as it came.
        return value


def unwrap(image: dict[str, Any]) -> dict[str, Any]:
    """`{"status": {"S": "PENDING"}, "n": {"N": "12.5"}}` → `{"status": "PENDING", "n": 12.5}`.

    An attribute that is not a typed DynamoDB value is kept as it came.
    """
    return {key: _attribute(value) for key, value in image.items()}


def topics(environ: Any) -> list[tuple[str, str]]:
    """(region, ARN) of every distinct SNS topic ARN among the environment's values, by variable name."""
    found: list[tuple[str, str]] = []
    for key in sorted(environ):
        # As validation reads it: the value as it is, the whole of it (its ARN patterns, core/names.py).
        arn = environ[key]
        match = SNS_TOPIC_ARN.fullmatch(arn)
        if match and (match["region"], arn) not in found:
            found.append((match["region"], arn))
    return found


def handler(event: Any, context: Any) -> dict[str, Any]:
    records = stream_batch.records_of(event)
    targets = topics(os.environ)
    published: list[dict[str, str]] = []
    if records and not targets:
        print(f"{len(records)} record(s) but no SNS topic ARN in the environment: nothing to publish")
    group = os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or "stream-trigger"
    for index, record in enumerate(records):
        try:
            published.extend(publish(index, record, targets, group))
        except Exception as error:
            failures = stream_batch.failed_from(records, index)
            if failures is None:
                print(f"record {index}: {type(error).__name__}; the records carry no eventID: the whole batch fails")
                raise
            print(f"record {index}: {type(error).__name__}: {error}; reporting it and {len(failures) - 1} after it")
            return {"records": len(records), "published": published, "batchItemFailures": failures}
    return {"records": len(records), "published": published, "batchItemFailures": []}


def publish(index: int, record: Any, targets: list[tuple[str, str]], group: str) -> list[dict[str, str]]:
    """The record's new image published to every topic; nothing for a record without one."""
    image = new_image(record)
    if image is None:
        print(f"record {index}: no NewImage (a REMOVE?), skipped")
        return []
    message = json.dumps(unwrap(image), sort_keys=True, separators=(",", ":"), allow_nan=False)
    published: list[dict[str, str]] = []
    for region, arn in targets:
        request: dict[str, Any] = {"TopicArn": arn, "Message": message}
        if arn.endswith(".fifo"):
            request["MessageGroupId"] = group
            request["MessageDeduplicationId"] = hashlib.sha256(message.encode()).hexdigest()
        message_id = stream_batch.client("sns", region).publish(**request)["MessageId"]
        print(f"record {index}: published to {arn}: message {message_id}")
        published.append({"topic": arn, "messageId": message_id})
    return published
