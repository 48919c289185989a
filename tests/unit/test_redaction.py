"""redaction: what a log record may not carry, masked wherever and however it is written."""

from __future__ import annotations

import logging

import pytest

from mare_dynamodb_streamtrigger.guard import redaction
from mare_dynamodb_streamtrigger.guard.redaction import MASK, request_secrets, scrub, secrets_of


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # botocore's request record: a JSON body inside a Python repr, and the signed headers
        (
            """{'body': b'{"Code": {"ZipFile": "UEsDBBQAAAAIAA=="}, """
            """"Environment": {"Variables": {"A": "v", "B": "w"}}}', """
            """'headers': {'X-Amz-Security-Token': b'FwoGZXIvYXdz', 'Authorization': b'AWS4-HMAC-SHA256 """
            """Credential=ASIAIOSFODNN7EXAMPLE/20261202/eu-west-1/lambda/aws4_request, Signature=ab12'}}""",
            f"""{{'body': b'{{"Code": {{"ZipFile": "{MASK}"}}, """
            f""""Environment": {{"Variables": {{{MASK}}}}}}}', """
            f"""'headers': {{'X-Amz-Security-Token': b'{MASK}', 'Authorization': b'AWS4-HMAC-SHA256 """
            f"""Credential={MASK}/20261202/eu-west-1/lambda/aws4_request, Signature=ab12'}}}}""",
        ),
        # STS's answer, as botocore logs the response body
        (
            "<Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>a/b+c</SecretAccessKey>"
            "<SessionToken>t0k</SessionToken><Expiration>2026</Expiration></Credentials>",
            f"<Credentials><AccessKeyId>{MASK}</AccessKeyId><SecretAccessKey>{MASK}</SecretAccessKey>"
            f"<SessionToken>{MASK}</SessionToken><Expiration>2026</Expiration></Credentials>",
        ),
        # a parsed answer as a dict repr
        (
            "{'Credentials': {'AccessKeyId': 'x1', 'SecretAccessKey': \"it's\", 'SessionToken': 'y'}}",
            f"{{'Credentials': {{'AccessKeyId': '{MASK}', 'SecretAccessKey': \"{MASK}\", 'SessionToken': '{MASK}'}}}}",
        ),
        # a presigned query string and a bare key id
        (
            "https://x/?X-Amz-Security-Token=abc%2F&X-Amz-Date=1 key AKIAIOSFODNN7EXAMPLE here",
            f"https://x/?X-Amz-Security-Token={MASK}&X-Amz-Date=1 key {MASK} here",
        ),
        # ordinary text stays as it is
        ("create pipe_settled: done", "create pipe_settled: done"),
    ],
    ids=["botocore-request", "sts-xml", "dict-repr", "query-and-key-id", "plain"],
)
def test_credential_and_code_shapes_are_masked(written, expected):
    assert scrub(written) == expected


def test_a_requests_own_secrets_are_masked_as_written_as_json_and_as_repr_and_forgotten_after():
    event = {
        "requestData": {
            "callerCredentials": {
                "accessKeyId": "caller-id",
                "secretAccessKey": "caller/secret",
                "sessionToken": "tok",
            },
            "resourceProperties": {"Code": {"ZipFile": 'print("hi")\n'}, "Environment": {"A": "é-value", "B": "x"}},
            "previousResourceProperties": {"Environment": {"A": "old-value"}},
        }
    }
    assert request_secrets(event) == ["caller-id", "caller/secret", "tok", 'print("hi")\n', "é-value", "x", "old-value"]
    with secrets_of(event):
        assert scrub("id caller-id, secret caller/secret, old-value") == f"id {MASK}, secret {MASK}, {MASK}"
        # JSON escapes the code's quotes and newline, and the é; a repr escapes the newline
        assert scrub('{"code": "print(\\"hi\\")\\n", "a": "\\u00e9-value"}') == f'{{"code": "{MASK}", "a": "{MASK}"}}'
        assert scrub(repr('print("hi")\n')) == f"'{MASK}'"
        # 3 characters and fewer are too common in other text to mask
        assert scrub("x marks tok") == "x marks tok"
    assert scrub("caller-id") == "caller-id"


def test_malformed_requests_carry_no_secrets_to_look_for():
    assert request_secrets([1]) == []
    assert request_secrets({"requestData": None}) == []
    assert request_secrets({"requestData": {"callerCredentials": "x", "resourceProperties": {"Code": "z"}}}) == []


def test_records_are_scrubbed_as_they_are_made_with_arguments_and_tracebacks(caplog):
    redaction.install()
    logger = logging.getLogger("anyone.at.all")
    with caplog.at_level(logging.DEBUG, logger="anyone.at.all"):
        logger.debug("params: %s", {"SecretAccessKey": "s3cr3t-value"})
        try:
            raise ValueError("Value AKIAIOSFODNN7EXAMPLE is not valid")
        except ValueError:
            logger.exception("failed")
    first, second = caplog.records
    assert first.getMessage() == f"params: {{'SecretAccessKey': '{MASK}'}}"
    assert "AKIAIOSFODNN7EXAMPLE" not in caplog.text and f"ValueError: Value {MASK} is not valid" in caplog.text
    assert second.exc_text.endswith(f"ValueError: Value {MASK} is not valid")


def test_the_librarys_log_delivery_takes_no_transport_detail():
    wire = logging.LogRecord("botocore.endpoint", logging.DEBUG, "f", 1, "Sending http request", None, None)
    warning = logging.LogRecord("urllib3.connectionpool", logging.WARNING, "f", 1, "pool full", None, None)
    own = logging.LogRecord("mare_dynamodb_streamtrigger.steps", logging.INFO, "f", 1, "create pipe: done", None, None)
    assert [redaction.is_transport_detail(r) for r in (wire, warning, own)] == [True, False, False]
