"""What the built-in functions share: the records of a pipe's batch, and one client per service and region.

Zipped beside the built-in function's module, at the archive's root, so the function imports it as
`stream_batch`: the standard library and boto3 only.

The event is the pipe's JSON array, one element per record after the pipe's InputTemplate; the default
template makes each element `{"Records": [{"dynamodb": {"NewImage": {...}}}]}`. Also accepted: a single
element instead of the array, and elements without `Records`, each then being one record.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import boto3

# Made on first use and kept for warm invocations: (service, region) -> client.
clients: dict[tuple[str, str], Any] = {}


# The services the built-in functions call.
Service = Literal["codepipeline", "sns"]


def client(service: Service, region: str) -> Any:
    if (service, region) not in clients:
        clients[service, region] = boto3.client(service, region_name=region)
    return clients[service, region]


def _parsed(value: Any) -> Any:
    """A JSON text parsed (a template may make one), anything else as it is."""
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _elements(event: Any) -> list[Any]:
    event = _parsed(event)
    if event is None:
        return []
    return event if isinstance(event, list) else [event]


def records_of(event: Any) -> list[Any]:
    """The stream records of a pipe's event: `element["Records"]` where present, else the element itself."""
    records: list[Any] = []
    for element in _elements(event):
        element = _parsed(element)
        if isinstance(element, dict) and "Records" in element:
            inner = element["Records"]
            if isinstance(inner, list):
                records.extend(inner)
            elif inner is not None:
                records.append(inner)
        elif element is not None:
            records.append(element)
    return records
