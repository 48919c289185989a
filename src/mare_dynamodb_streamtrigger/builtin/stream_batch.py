"""What the built-in functions share: the records of a pipe's batch, and one client per service and region.

Zipped beside the built-in function's module, at the archive's root, so the function imports it as
`stream_batch`: the standard library and boto3 only.

The event is the pipe's JSON array, one element per record after the pipe's InputTemplate; the default
template of a trigger without Code makes each element
`{"Records": [{"eventID": "...", "dynamodb": {"NewImage": {...}, "SequenceNumber": "..."}}]}`. Also
accepted: a single element instead of the array, and elements without `Records`, each then being one record.

A function that fails on a record answers with a partial batch response naming it and every record
after it by eventID (`failed_from`): the pipe retries from the first record named. Records without an
eventID (a template that drops it) cannot be named, and the whole batch fails instead.
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


def event_id(record: Any) -> str | None:
    """The record's eventID, which names it in a partial batch response; None when the template dropped it."""
    identifier = record.get("eventID") if isinstance(record, dict) else None
    return identifier if isinstance(identifier, str) and identifier else None


def failed_from(records: list[Any], index: int) -> list[dict[str, str]] | None:
    """batchItemFailures naming records[index:] (the one failed on, and those not yet tried), or None
    when one of them has no eventID: then only failing the whole batch keeps it from being lost."""
    identifiers = [event_id(record) for record in records[index:]]
    if any(identifier is None for identifier in identifiers):
        return None
    return [{"itemIdentifier": identifier} for identifier in identifiers if identifier is not None]
