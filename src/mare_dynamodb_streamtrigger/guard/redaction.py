"""Keeps secrets out of every log record, whoever writes it: the handlers, the library, botocore;
and keeps the library's log delivery from sending the requests it makes itself.

With its loggers at DEBUG, botocore writes each request and answer whole: the Authorization and
X-Amz-Security-Token headers, a CreateFunction body with its ZipFile and Environment, STS's
answer with the new credentials. The library sends every record of the root logger to the
provider's log group. So records are scrubbed as they are made (a log record factory): the
secrets this invocation knows (its credentials, the code and environment it was given, the
credentials of roles it assumed) and anything shaped like a credential or a function's code
and environment, known or not.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

MASK = "***"
# Shorter values are too common in ordinary text to be told apart from it.
SECRET_LENGTH_MIN = 4

# Field names whose values are secret wherever they are written: JSON, a Python repr, XML, headers.
SECRET_FIELDS = (
    "AccessKeyId",
    "SecretAccessKey",
    "SessionToken",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "X-Amz-Security-Token",
    "ZipFile",
)
_FIELD_NAMES = "|".join(re.escape(name) for name in SECRET_FIELDS)
# "Field": "value", 'Field': b'value', Field=value
_QUOTED_FIELD = re.compile(
    rf"""(?P<key>["']?(?:{_FIELD_NAMES})["']?\s*[:=]\s*)(?P<prefix>b?)(?P<quote>["'])(?P<value>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""",
    re.DOTALL,
)
_BARE_FIELD = re.compile(rf"(?P<key>\b(?:{_FIELD_NAMES})=)(?P<value>[^&\s'\",;]+)")
_XML_FIELD = re.compile(rf"<(?P<tag>{_FIELD_NAMES})>[^<]*</(?P=tag)>")
# An Environment's variables, as Lambda's API writes them: {"Variables": {...}}. Where the object
# holds a brace or an escape (a value with braces, a non-ASCII value as JSON or a bytes repr spell
# it), its end cannot be told from its text: everything after the key is masked.
_VARIABLES = re.compile(r"""(?P<key>["']Variables["']\s*:\s*)(?:\{[^{}\\]*\}|\{.*)""", re.DOTALL)
_SIGV4_CREDENTIAL = re.compile(r"Credential=[^/,\s'\"]+")
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b")


class Secrets:
    """The values this invocation must not write, longest first so that none is half-masked."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._ordered: list[str] = []

    def add(self, *values: Any) -> None:
        for value in values:
            if isinstance(value, str) and len(value) >= SECRET_LENGTH_MIN:
                self._values.update(spellings(value))
        self._ordered = sorted(self._values, key=len, reverse=True)

    def clear(self) -> None:
        self._values.clear()
        self._ordered = []

    def __iter__(self) -> Iterator[str]:
        return iter(self._ordered)


KNOWN = Secrets()


def spellings(value: str) -> set[str]:
    """The ways a value is written in a log record: as it is; as JSON writes it (ASCII-escaped or
    not); as a Python repr writes it; and as botocore's bytes repr writes each of those (a
    request or answer body, where a JSON escape's backslash is doubled and non-ASCII is \\x..)."""
    texts = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1]}
    return texts | {repr(text.encode())[2:-1] for text in texts}


def scrub(text: str) -> str:
    """The text with every known secret and every credential-shaped value masked."""
    for value in KNOWN:
        if value in text:
            text = text.replace(value, MASK)
    text = _QUOTED_FIELD.sub(lambda m: f"{m['key']}{m['prefix']}{m['quote']}{MASK}{m['quote']}", text)
    text = _BARE_FIELD.sub(lambda m: f"{m['key']}{MASK}", text)
    text = _XML_FIELD.sub(lambda m: f"<{m['tag']}>{MASK}</{m['tag']}>", text)
    text = _VARIABLES.sub(lambda m: f"{m['key']}{{{MASK}}}", text)
    text = _SIGV4_CREDENTIAL.sub(f"Credential={MASK}", text)
    return _ACCESS_KEY_ID.sub(MASK, text)


def keep_secret(*values: Any) -> None:
    """Adds values (an assumed role's credentials) to what this invocation masks."""
    KNOWN.add(*values)


def learn_environment(parsed: Any, **_kwargs: Any) -> None:
    """botocore's after-call hook on Lambda clients: the live function's environment values, as
    GetFunction and the configuration calls answer them, are masked from then on (READ and
    DELETE requests carry no Environment of their own to learn them from)."""
    if not isinstance(parsed, Mapping):
        return
    configuration = parsed.get("Configuration", parsed)
    environment = configuration.get("Environment") if isinstance(configuration, Mapping) else None
    variables = environment.get("Variables") if isinstance(environment, Mapping) else None
    if isinstance(variables, Mapping):
        KNOWN.add(*variables.values())


def request_secrets(event: Any) -> list[Any]:
    """What a handler request carries that must never be written: both sets of credentials, the
    code and environment values of the desired and previous properties, and the external ID."""
    data = event.get("requestData") if isinstance(event, Mapping) else None
    if not isinstance(data, Mapping):
        return []
    found: list[Any] = []
    for key in ("callerCredentials", "providerCredentials"):
        credentials = data.get(key)
        if isinstance(credentials, Mapping):
            found.extend(credentials.values())
    for key in ("resourceProperties", "previousResourceProperties"):
        properties = data.get(key)
        if isinstance(properties, Mapping):
            found.extend(_property_secrets(properties))
    configuration = data.get("typeConfiguration")
    if isinstance(configuration, Mapping):
        # Not a password, but what keeps the foundation role from a confused deputy: not for logs.
        found.append(configuration.get("DevopsParameterRoleExternalId"))
    return found


def _property_secrets(properties: Mapping[str, Any]) -> Iterable[Any]:
    code = properties.get("Code")
    if isinstance(code, Mapping):
        yield code.get("ZipFile")
    environment = properties.get("Environment")
    if isinstance(environment, Mapping):
        yield from environment.values()


@contextmanager
def secrets_of(event: Any) -> Iterator[None]:
    """Masks the request's secrets in every record made while it is handled."""
    KNOWN.clear()
    KNOWN.add(*request_secrets(event))
    try:
        yield
    finally:
        KNOWN.clear()


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string is logging's own error to report
        return record
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info:
        # Formatters use exc_text when it is set: the traceback is written scrubbed.
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


_made_by_logging = logging.getLogRecordFactory()


def _scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    return scrub_record(_made_by_logging(*args, **kwargs))


# The loggers of the HTTP clients: at DEBUG they write every request and answer whole.
TRANSPORT_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")
# Held while the library's log delivery sends a record; see guard_provider_log_delivery.
_sending = threading.Lock()


def is_transport_detail(record: logging.LogRecord) -> bool:
    return record.levelno < logging.WARNING and record.name.split(".")[0] in TRANSPORT_LOGGERS


def guard_provider_log_delivery() -> None:
    """The library's ProviderLogHandler sends every record of the root logger to the provider's
    log group through a boto3 client of its own. At DEBUG, each of its own PutLogEvents calls
    writes records that come back to it, without end (RecursionError, seen as InternalFailure),
    and botocore's records carry whole requests. It takes no transport detail below WARNING, and
    nothing written while it is sending, from any thread: a record from another thread would wait
    for its lock while the sending call waits for that thread (idempotent)."""
    from cloudformation_cli_python_lib.log_delivery import ProviderLogHandler

    if getattr(ProviderLogHandler.handle, "guarded", False):
        return
    library_handle = ProviderLogHandler.handle

    def handle(self: logging.Handler, record: logging.LogRecord) -> Any:
        if is_transport_detail(record) or not _sending.acquire(blocking=False):
            return False
        try:
            return library_handle(self, record)
        finally:
            _sending.release()

    handle.guarded = True  # type: ignore[attr-defined]
    ProviderLogHandler.handle = handle  # type: ignore[method-assign]


def install() -> None:
    """Every log record of the process is scrubbed from now on, and the library's log delivery
    is guarded (idempotent)."""
    if logging.getLogRecordFactory() is not _scrubbed_record:
        logging.setLogRecordFactory(_scrubbed_record)
    guard_provider_log_delivery()
