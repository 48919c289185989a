"""A deployed function's code run on this machine: where the code comes from, and how it runs. No server."""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

import pytest

from mare_dynamodb_streamtrigger.local_function import FunctionCodeError, LocalFunction, deployed_archive
from mare_dynamodb_streamtrigger.spec import builtin_files, code_sha256, inline_zip, zip_of

ARN = "arn:aws:lambda:eu-west-1:999999999999:function:f"  # an account no moto in this process holds


def configuration(archive: bytes, **overrides: object) -> dict:
    return {
        "FunctionName": "f",
        "FunctionArn": ARN,
        "Handler": "app.handler",
        "Runtime": "python3.12",
        "MemorySize": 512,
        "Timeout": 3,
        "CodeSha256": code_sha256(archive),
        "Environment": {"Variables": {"STAGE": "unit"}},
        **overrides,
    }


def function(source: str, **overrides: object) -> LocalFunction:
    archive = inline_zip(source, "app.handler", "python3.12")
    return LocalFunction(configuration(archive, **overrides), archive, None, None)


def test_a_zero_code_function_is_rebuilt_and_matched_by_its_sha():
    archive = zip_of(builtin_files("SNS_TOPIC", "app.handler", "python3.12"))
    assert deployed_archive({"Configuration": configuration(archive)}, "http://127.0.0.1:1", None) == archive


def test_inline_source_given_with_code_is_zipped_as_the_type_zips_it(tmp_path):
    source = "def handler(event, context):\n    return 1\n"
    given = tmp_path / "app.py"
    given.write_text(source)
    archive = inline_zip(source, "app.handler", "python3.12")
    assert deployed_archive({"Configuration": configuration(archive)}, "http://127.0.0.1:1", given) == archive
    given.write_text(source + "# changed\n")
    with pytest.raises(FunctionCodeError, match="its CodeSha256 differs"):
        deployed_archive({"Configuration": configuration(archive)}, "http://127.0.0.1:1", given)


def test_code_that_cannot_be_had_is_named():
    archive = inline_zip("x = 1\n", "app.handler", "python3.12")
    with pytest.raises(FunctionCodeError, match=r"cannot be read from http://127\.0\.0\.1:1.*--code"):
        deployed_archive({"Configuration": configuration(archive)}, "http://127.0.0.1:1", None)


def test_a_folder_given_with_code_is_zipped(tmp_path):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'folder'\n")
    archive = deployed_archive({"Configuration": configuration(b"other")}, "http://127.0.0.1:1", tmp_path)
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.namelist() == ["app.py"]


def test_the_function_runs_with_lambdas_environment_and_context_then_leaves_nothing():
    before = dict(os.environ)
    source = (
        "import os\n"
        "def handler(event, context):\n"
        "    print('hello')\n"
        "    return {'event': event, 'stage': os.environ['STAGE'], 'region': os.environ['AWS_REGION'],\n"
        "            'name': context.function_name, 'memory': context.memory_limit_in_mb,\n"
        "            'left': 0 < context.get_remaining_time_in_millis() <= 3000,\n"
        "            'root': os.environ['LAMBDA_TASK_ROOT']}\n"
    )
    with function(source) as running:
        outcome = running.invoke([{"a": 1}])
        folder = running.folder
        assert os.environ.get("STAGE") is None  # only during the call
    assert outcome.result == {
        "event": [{"a": 1}],
        "stage": "unit",
        "region": "eu-west-1",
        "name": "f",
        "memory": "512",
        "left": True,
        "root": str(folder),
    }
    assert outcome.logs == "hello\n" and not outcome.failed
    assert dict(os.environ) == before
    assert "app" not in sys.modules
    assert folder is not None and not Path(folder).exists()


def test_two_functions_with_the_same_module_name_do_not_meet():
    first = function("def handler(event, context):\n    return 'first'\n")
    second = function("def handler(event, context):\n    return 'second'\n")
    with first, second:
        assert (first.invoke([]).result, second.invoke([]).result) == ("first", "second")


def test_an_exception_is_the_functions_error_with_its_traceback_in_the_logs():
    with function("def handler(event, context):\n    raise KeyError('status')\n") as running:
        outcome = running.invoke([])
    assert (outcome.failed, outcome.error) == (True, "KeyError: 'status'")
    assert "Traceback" in outcome.logs and "raise KeyError('status')" in outcome.logs


def test_a_result_that_is_not_json_is_lambdas_marshal_error():
    with function("def handler(event, context):\n    return {1, 2}\n") as running:
        outcome = running.invoke([])
    assert outcome.error_type == "Runtime.MarshalError"


def test_a_call_that_outlives_the_timeout_counts_as_timed_out():
    with function("import time\ndef handler(event, context):\n    time.sleep(1.05)\n", Timeout=1) as running:
        outcome = running.invoke([])
    assert outcome.error == "Sandbox.Timedout: Task timed out after 1.00 seconds"


@pytest.mark.parametrize(
    ("source", "handler", "message"),
    [
        ("import not_a_module_anywhere\n", "app.handler", "Runtime.ImportModuleError"),
        ("x = 1\n", "app.handler", "Runtime.HandlerNotFound: Handler 'handler' missing on module 'app'"),
    ],
)
def test_code_that_does_not_load_is_refused_with_lambdas_error(source, handler, message):
    with pytest.raises(FunctionCodeError, match=message):
        function(source, Handler=handler).__enter__()
    assert "app" not in sys.modules
