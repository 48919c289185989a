"""EventBridge Pipes input templates: what the target receives for one record. Pure: no AWS call.

Follows "Amazon EventBridge Pipes input transformation" (EventBridge User Guide):

- `<$.path>` takes the value at a JSON path of the record: dot notation, keys of letters, digits,
  `-`, `_`, `@` and `/`, array indexes (`[0]`) and wildcards (`.*`, `[*]`, which give the list of
  what they match). `<$>` is the whole record.
- Reserved variables: `<aws.pipes.pipe-arn>`, `<aws.pipes.pipe-name>`, `<aws.pipes.source-arn>`,
  `<aws.pipes.enrichment-arn>`, `<aws.pipes.target-arn>`, `<aws.pipes.event.ingestion-time>`,
  `<aws.pipes.event>` (the record as JSON text) and `<aws.pipes.event.json>` (the record itself,
  only as the value of a JSON field).
- "Put quotes around variables that refer to JSON path parameters, but not around variables that
  refer to JSON objects or arrays": outside quotes a value is written as JSON; inside quotes a string
  is written as its text, and an object or array as its JSON text with the inner quotes removed, as
  the guide's "Common issues" section says EventBridge does, so that the string stays valid.
- A template that is not JSON once its placeholders are filled is free text: the target receives
  that text as a JSON string, each placeholder written as text.

Where the guide is silent, this module decides, and the user guide says so: a path the record does
not hold gives `null` outside quotes and nothing inside quotes (so the default template gives
`"NewImage": null` for a REMOVE record, which has no new image).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

# A JSON path or a reserved variable between angle brackets.
PLACEHOLDER = re.compile(r"<(\$(?:\.[A-Za-z0-9_@/*-]+|\[(?:\d+|\*)\])*|aws\.pipes\.[a-z.-]+)>")
PATH_STEP = re.compile(r"\.([A-Za-z0-9_@/*-]+)|\[(\d+|\*)\]")
RESERVED = (
    "aws.pipes.pipe-arn",
    "aws.pipes.pipe-name",
    "aws.pipes.source-arn",
    "aws.pipes.enrichment-arn",
    "aws.pipes.target-arn",
    "aws.pipes.event.ingestion-time",
    "aws.pipes.event",
    "aws.pipes.event.json",
)
_MISSING = object()


def value_at(record: Any, path: str) -> Any:
    """The value at a JSON path (`$.a.b[0]`, `$.a.*`) of the record, or None where it holds nothing."""
    found = _walk([record], path[1:])
    if not found:
        return None
    return found if "*" in path else found[0]


def _walk(values: list[Any], steps: str) -> list[Any]:
    for step in PATH_STEP.finditer(steps):
        key, index = step.groups()
        following: list[Any] = []
        for value in values:
            if key == "*" or index == "*":
                following.extend(
                    value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
                )
            elif key is not None and isinstance(value, dict) and key in value:
                following.append(value[key])
            elif index is not None and isinstance(value, list) and int(index) < len(value):
                following.append(value[int(index)])
        values = following
    return values


def _quoted_positions(template: str) -> list[bool]:
    """For each placeholder of the template, whether it lies inside a JSON string literal."""
    quoted, inside, escaped, position = [], False, False, 0
    for match in PLACEHOLDER.finditer(template):
        for character in template[position : match.start()]:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = inside
            elif character == '"':
                inside = not inside
        quoted.append(inside)
        position = match.end()
    return quoted


@dataclass(frozen=True)
class Compiled:
    """A template cut into literal text and placeholders, each placeholder knowing whether it is quoted."""

    literals: tuple[str, ...]
    placeholders: tuple[tuple[str, bool], ...]
    as_json: bool


@functools.lru_cache(maxsize=64)
def compile_template(template: str) -> Compiled:
    matches = list(PLACEHOLDER.finditer(template))
    cuts = [0, *(edge for match in matches for edge in match.span()), len(template)]
    literals = tuple(template[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2))
    placeholders = tuple(zip((m.group(1) for m in matches), _quoted_positions(template), strict=True))
    compiled = Compiled(literals, placeholders, as_json=True)
    try:
        json.loads(_fill(compiled, None, {}))
    except json.JSONDecodeError:
        return Compiled(literals, placeholders, as_json=False)
    return compiled


def _resolve(name: str, record: Any, variables: dict[str, str]) -> Any:
    if name.startswith("$"):
        return value_at(record, name)
    if name == "aws.pipes.event.json":
        return record
    if name == "aws.pipes.event":
        return json.dumps(record)
    return variables.get(name, "" if name in RESERVED else _MISSING)


def _as_text(value: Any) -> str:
    """A value written inside a JSON string: its text, JSON-escaped, without the string's own quotes."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value).replace('"', "")
    elif not isinstance(value, str):
        value = json.dumps(value)
    return json.dumps(value)[1:-1]


def _written(name: str, quoted: bool, record: Any, variables: dict[str, str], as_json: bool) -> str:
    value = _resolve(name, record, variables)
    if value is _MISSING:  # not a variable Pipes knows: left as written
        return f"<{name}>"
    if not as_json:
        return value if isinstance(value, str) else json.dumps(value)
    return _as_text(value) if quoted else json.dumps(value)


def _fill(compiled: Compiled, record: Any, variables: dict[str, str]) -> str:
    parts = [compiled.literals[0]]
    for (name, quoted), literal in zip(compiled.placeholders, compiled.literals[1:], strict=True):
        parts.append(_written(name, quoted, record, variables, compiled.as_json))
        parts.append(literal)
    return "".join(parts)


def is_json_template(template: str) -> bool:
    """Whether the template is JSON once each placeholder outside quotes stands for a value."""
    return compile_template(template).as_json


def render(template: str, record: Any, variables: dict[str, str] | None = None) -> Any:
    """What the target receives for this record: parsed JSON, or the text of a free-text template."""
    compiled = compile_template(template)
    text = _fill(compiled, record, variables or {})
    return json.loads(text) if compiled.as_json else text


def pipe_variables(pipe_arn: str, source_arn: str, target_arn: str, ingestion_time: str) -> dict[str, str]:
    """The reserved variables of a pipe without enrichment."""
    return {
        "aws.pipes.pipe-arn": pipe_arn,
        "aws.pipes.pipe-name": pipe_arn.rsplit("/", 1)[-1],
        "aws.pipes.source-arn": source_arn,
        "aws.pipes.enrichment-arn": "",
        "aws.pipes.target-arn": target_arn,
        "aws.pipes.event.ingestion-time": ingestion_time,
    }
