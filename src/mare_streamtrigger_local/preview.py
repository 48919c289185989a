"""What a pipe would do with a stream record, tried before deploying. Pure: no AWS call.

- `insert_record(item)`: a plain item as the INSERT record DynamoDB would put on the stream, with
  DynamoDB's typed values (`{"status": "PENDING"}` becomes `{"status": {"S": "PENDING"}}`).
- `render_input_template(template, record)`: what the function receives for that record, rendered
  by `input_template`, the one implementation of Pipes' input templates.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from . import input_template


def _decimals(value: Any) -> Any:
    """JSON numbers as Decimal, which DynamoDB's serializer requires instead of float."""
    return json.loads(json.dumps(value), parse_float=Decimal, parse_int=Decimal)


def insert_record(
    item: dict[str, Any],
    table_arn: str = "arn:aws:dynamodb:eu-west-1:123456789012:table/example",
    region: str = "eu-west-1",
) -> dict[str, Any]:
    serializer = TypeSerializer()
    image = {key: serializer.serialize(value) for key, value in _decimals(item).items()}
    keys = {key: image[key] for key in list(image)[:1]}
    return {
        "eventID": "1",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": {
            "Keys": keys,
            "NewImage": image,
            "SequenceNumber": "100000000000000000001",
            "SizeBytes": len(json.dumps(image)),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": f"{table_arn}/stream/2026-01-01T00:00:00.000",
    }


def render_input_template(template: str, record: dict[str, Any]) -> Any:
    """The event the target receives for one record: the template with its placeholders filled."""
    return input_template.render(template, record)
