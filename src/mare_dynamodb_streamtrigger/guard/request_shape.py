"""Whether a handler request has the shape the library and the handlers rely on.

The library turns a request into models without looking at JSON types: a string where an
object belongs, an unknown property or a missing action would end as a Python error's text
("'Bogus' (KeyError)"). This check runs first and names the problem instead. Its types come
from the generated models (and so from schema.json); CloudFormation sends numbers and
booleans as strings, which are accepted where the library casts them back; a string property
takes a string only.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from mare_dynamodb_streamtrigger import models
from mare_dynamodb_streamtrigger.core.callback_context import CONTEXTS, RESUMED_REQUIRED
from mare_dynamodb_streamtrigger.core.errors import shortened
from mare_dynamodb_streamtrigger.core.filter_pattern import PATTERN_DEPTH_MAX
from mare_dynamodb_streamtrigger.core.names import TYPE_NAME

ACTIONS = ("CREATE", "READ", "UPDATE", "DELETE", "LIST")
# Actions whose request must name the resource.
NEEDS_PROPERTIES = ("CREATE", "READ", "UPDATE", "DELETE")
# The request's own strings; each ends up in names, ARNs, policies and role descriptions.
REQUEST_STRINGS = {
    "awsAccountId": (re.compile(r"^[0-9]{12}$"), "12 digits"),
    "region": (re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$"), "a region name such as eu-west-1"),
    # CloudFormation's token is a UUID; IAM descriptions and STS session names take printable ASCII.
    "bearerToken": (re.compile(r"^[\x21-\x7e]{1,128}$"), "1 to 128 printable ASCII characters without spaces"),
}
CREDENTIAL_FIELDS = ("accessKeyId", "secretAccessKey", "sessionToken")
# Longer digit strings are out of every range here; Python refuses to read past 4300 digits.
INTEGER_DIGITS_MAX = 20
INTEGER_TEXT = re.compile(rf"^[+-]?[0-9]{{1,{INTEGER_DIGITS_MAX}}}$")
SHOWN_MAX = 60
# requestData's properties: the deepest, FilterPattern, within them; a callback context is shallower.
REQUEST_DEPTH_MAX = PATTERN_DEPTH_MAX + 5

# A callback context's values, by their type in core.callback_context: the JSON type each must have.
STRING_LIST = "list of strings"
JSON_TYPES: dict[object, str] = {
    str: "string",
    bool: "boolean",
    list[str]: STRING_LIST,
    dict[str, str]: "object of strings",
    dict[str, float]: "object of numbers",
}


def context_keys(action: str) -> dict[str, str]:
    """What the action's handler keeps in its callback context (key: JSON type), read from its
    TypedDict: a context holding anything else was not written by that handler."""
    shape = CONTEXTS[action]
    return {} if shape is None else {key: JSON_TYPES[hint] for key, hint in get_type_hints(shape).items()}


CONTEXT_KEYS = {action: context_keys(action) for action in ACTIONS}


def shown(value: Any) -> str:
    """A name from the request, short enough for a message."""
    return shortened(value if isinstance(value, str) else repr(value), SHOWN_MAX)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def request_problem(event: Any) -> str | None:
    """What is wrong with the request's shape, or None; never the value of anything secret."""
    if not isinstance(event, Mapping):
        return f"The request is {json_type(event)}, not a JSON object"
    action = event.get("action")
    if action not in ACTIONS:
        return f"The request's action is {shown(action)}; expected one of {', '.join(ACTIONS)}"
    for key, (pattern, rule) in REQUEST_STRINGS.items():
        value = event.get(key)
        if not isinstance(value, str):
            return f"The request's {key} must be a string ({rule}), not {json_type(value)}"
        if not pattern.fullmatch(value):
            return f"The request's {key} must be {rule}"
    data = event.get("requestData")
    if not isinstance(data, Mapping):
        return f"The request's requestData must be an object, not {json_type(data)}"
    for key, value in (("requestData", data), ("callbackContext", event.get("callbackContext"))):
        deep = too_deep(value, REQUEST_DEPTH_MAX)
        if deep is not None:
            return f"{deep or key} nests deeper than {REQUEST_DEPTH_MAX} levels (in the request's {key})"
    return data_problem(action, data) or context_problem(action, event.get("callbackContext"))


def too_deep(value: Any, limit: int) -> str | None:
    """Where a JSON value nests deeper than `limit` (the property: "FilterPattern" for
    requestData.resourceProperties.FilterPattern), found without recursion: a crafted request
    could nest deep enough to exhaust the stack of any recursive reading. None where it does not."""
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(value, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > limit:
            return path[1] if path[:1] == ("resourceProperties",) and len(path) > 1 else ".".join(path)
        if isinstance(node, Mapping):
            stack.extend((item, depth + 1, path if len(path) == 2 else (*path, str(key))) for key, item in node.items())
        elif isinstance(node, list):
            stack.extend((item, depth + 1, path) for item in node)
    return None


def with_defaults(event: Mapping[str, Any]) -> dict[str, Any]:
    """The request with what the library reads unguarded but CloudFormation may leave out (a
    LIST's resourceProperties) set to null."""
    return {**event, "requestData": {"resourceProperties": None, **event["requestData"]}}


def data_problem(action: str, data: Mapping[str, Any]) -> str | None:
    for key in ("callerCredentials", "providerCredentials"):
        credentials = data.get(key)
        if credentials is None:
            continue
        if (
            not isinstance(credentials, Mapping)
            or set(credentials) != set(CREDENTIAL_FIELDS)
            or any(not isinstance(credentials.get(name), str) for name in CREDENTIAL_FIELDS)
        ):
            return f"requestData.{key} must be an object of the strings {', '.join(CREDENTIAL_FIELDS)}"
    properties = data.get("resourceProperties")
    if properties is None and action in NEEDS_PROPERTIES:
        return f"The {action} request carries no resource properties (requestData.resourceProperties)"
    for key, model in (
        ("resourceProperties", models.ResourceModel),
        ("previousResourceProperties", models.ResourceModel),
        ("typeConfiguration", models.TypeConfigurationModel),
    ):
        value = data.get(key)
        if value is not None:
            problem = value_problem(value, model, "")
            if problem:
                return problem if key == "resourceProperties" else f"{problem} (in requestData.{key})"
    for key in ("stackTags", "previousStackTags", "systemTags", "previousSystemTags"):
        problem = value_problem(data.get(key), Mapping[str, str] | None, key)
        if problem:
            return problem
    return None


def value_problem(value: Any, hint: Any, path: str) -> str | None:
    """Whether a JSON value fits a type of the generated models; the problem names its path."""
    if get_origin(hint) in (Union, types.UnionType):
        if value is None:
            return None
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    if hint is Any:
        return None
    subject = path or "The properties"
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return object_problem(value, hint, path)
    origin = get_origin(hint)
    if origin in (Mapping, MutableMapping, dict):
        if not isinstance(value, Mapping):
            return f"{subject} must be an object, not {json_type(value)}"
        entries = ((f"{path}.{shown(key)}" if path else shown(key), item) for key, item in value.items())
        return first_problem(entries, get_args(hint)[1])
    if origin in (Sequence, list):
        if not isinstance(value, list):
            return f"{subject} must be an array, not {json_type(value)}"
        return first_problem(((f"{path}[{index}]", item) for index, item in enumerate(value)), get_args(hint)[0])
    return scalar_problem(value, hint, subject)


def first_problem(entries: Iterable[tuple[str, Any]], hint: Any) -> str | None:
    """The first of the (path, value) entries that does not fit `hint`."""
    return next((problem for path, item in entries if (problem := value_problem(item, hint, path))), None)


def object_problem(value: Any, model: type[Any], path: str) -> str | None:
    subject = path or "The properties"
    if not isinstance(value, Mapping):
        return f"{subject} must be an object, not {json_type(value)}"
    hints = model_hints(model.__name__)
    for key, item in value.items():
        if key not in hints:
            if model is models.TypeConfigurationModel:
                return f"{shown(key)} is not a setting of {TYPE_NAME}'s type configuration"
            owner = f"{path} of {TYPE_NAME}" if path else TYPE_NAME
            return f"{shown(key)} is not a property of {owner}"
        where = f"{path}.{key}" if path else key
        if item is None:
            # The library cannot cast a null back; CloudFormation leaves an unset property out.
            return f"{where} is null: leave it out instead"
        problem = value_problem(item, hints[key], where)
        if problem:
            return problem
    return None


@cache
def model_hints(model_name: str) -> dict[str, Any]:
    """The property types of a generated model class, read once per process."""
    return get_type_hints(getattr(models, model_name), vars(models))


def scalar_problem(value: Any, hint: Any, subject: str) -> str | None:
    if hint is str:
        fits = isinstance(value, str)
        expected = "a string"
    elif hint is bool:
        fits = isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
        expected = "a boolean"
    elif hint is int:
        fits = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and INTEGER_TEXT.fullmatch(value) is not None
        )
        expected = (
            f"an integer (as text, at most {INTEGER_DIGITS_MAX} digits)" if isinstance(value, str) else "an integer"
        )
    else:
        return None
    return None if fits else f"{subject} must be {expected}, not {json_type(value)}"


def context_problem(action: str, context: Any) -> str | None:
    """A callback context must be one this action's handler could have written."""
    if context is None or context == {}:
        return None
    if not isinstance(context, Mapping):
        return f"The callback context must be an object, not {json_type(context)}"
    allowed = CONTEXT_KEYS[action]
    for key, value in context.items():
        if key not in allowed:
            return f"The callback context holds {shown(key)}, which the {action} handler never writes"
        problem = context_value_problem(value, allowed[key])
        if problem:
            return f"The callback context's {key} must be {problem}"
    if "StreamArn" in context:
        missing = [key for key in RESUMED_REQUIRED.get(action, ()) if key not in context]
        if missing:
            return f"The callback context of this {action} lacks {', '.join(missing)}"
    return None


def context_value_problem(value: Any, expected: str) -> str | None:
    fits = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        STRING_LIST: isinstance(value, list) and all(isinstance(item, str) for item in value),
        "object of strings": isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()),
        "object of numbers": isinstance(value, Mapping)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()),
    }[expected]
    article = "an" if expected[0] in "aeiou" else "a"
    return None if fits else f"{article} {expected}, not {json_type(value)}"
