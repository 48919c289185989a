"""A deployed function's code run on this machine: where the code comes from, and how it runs. No server."""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from mare_dynamodb_streamtrigger.core.code_archives import builtin_files, code_sha256, inline_zip, zip_of
from mare_streamtrigger_local import lambda_emulator as local_function
from mare_streamtrigger_local.lambda_emulator import (
    FunctionCodeError,
    LocalFunction,
    code_from_location,
    deployed_archive,
    extract,
)

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
    archive = inline_zip(source, "app.handler")
    return LocalFunction(configuration(archive, **overrides), archive, None, None)


def test_a_zero_code_function_is_rebuilt_and_matched_by_its_sha():
    archive = zip_of(builtin_files("SNS_TOPIC", "app.handler"))
    assert deployed_archive({"Configuration": configuration(archive)}, "http://127.0.0.1:1", None) == archive


def test_inline_source_given_with_code_is_zipped_as_the_type_zips_it(tmp_path):
    source = "def handler(event, context):\n    return 1\n"
    given = tmp_path / "app.py"
    given.write_text(source)
    archive = inline_zip(source, "app.handler")
    assert deployed_archive({"Configuration": configuration(archive)}, "http://127.0.0.1:1", given) == archive
    given.write_text(source + "# changed\n")
    with pytest.raises(FunctionCodeError, match="its CodeSha256 differs"):
        deployed_archive({"Configuration": configuration(archive)}, "http://127.0.0.1:1", given)


def test_code_that_cannot_be_had_is_named():
    archive = inline_zip("x = 1\n", "app.handler")
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
        "root": str(folder / "task"),
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
    with function("import time\ndef handler(event, context):\n    time.sleep(0.3)\n", Timeout=0.2) as running:
        outcome = running.invoke([])
    assert outcome.error == "Sandbox.Timedout: Task timed out after 0.20 seconds"


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


# --- the function runs apart from the operator (issue 19, item 10) ---------------------------------

OPERATOR_SECRET = "operator-secret-5b1e9f"


def test_the_function_sees_neither_the_operators_environment_nor_memory(monkeypatch):
    monkeypatch.setenv("OPERATOR_TOKEN", OPERATOR_SECRET)
    source = (
        "import os, sys\n"
        "def handler(event, context):\n"
        "    seen = [value for value in os.environ.values() if 'operator-secret' in value]\n"
        "    return {'seen': seen, 'pytest': 'pytest' in sys.modules, 'pid': os.getpid(),\n"
        "            'home': os.path.expanduser('~'), 'keys': sorted(os.environ)}\n"
    )
    with function(source) as running:
        outcome = running.invoke([])
        folder = running.folder
    assert outcome.result["seen"] == [] and outcome.result["pytest"] is False
    assert outcome.result["pid"] != os.getpid()
    assert outcome.result["home"] == str(folder / "home")
    assert "OPERATOR_TOKEN" not in outcome.result["keys"] and "STAGE" in outcome.result["keys"]


def test_one_warm_child_serves_a_run_and_a_timeout_ends_it():
    source = (
        "import os, time\n"
        "calls = 0\n"
        "def handler(event, context):\n"
        "    global calls\n"
        "    calls += 1\n"
        "    if event == 'sleep':\n"
        "        time.sleep(30)\n"
        "    return {'calls': calls, 'pid': os.getpid()}\n"
    )
    with function(source, Timeout=0.5) as running:
        first, second = running.invoke([]).result, running.invoke([]).result
        timed_out = running.invoke("sleep")
        after = running.invoke([]).result
    assert (first["calls"], second["calls"], first["pid"] == second["pid"]) == (1, 2, True)  # warm
    assert timed_out.error == "Sandbox.Timedout: Task timed out after 0.50 seconds"
    with pytest.raises(ProcessLookupError):
        os.kill(second["pid"], 0)  # the timed-out child was ended
    assert after["calls"] == 1 and after["pid"] != second["pid"]  # a cold start


def test_a_function_that_exits_is_lambdas_exit_error_and_the_next_call_starts_anew():
    source = "import os\ndef handler(event, context):\n    if event == 'exit':\n        os._exit(3)\n    return 'ok'\n"
    with function(source) as running:
        exited = running.invoke("exit")
        again = running.invoke([])
    assert exited.error == "Runtime.ExitError: Runtime exited with error: exit status 3"
    assert again.result == "ok"


def leftovers(prefix: str = "f-") -> set[str]:
    return {path.name for path in Path(tempfile.gettempdir()).glob(f"{prefix}*")}


def archive_of(*entries: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in entries:
            zipped.writestr(name, content)
    return buffer.getvalue()


def link_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


HANDLER = ("app.py", b"def handler(event, context):\n    return 1\n")


@pytest.mark.parametrize(
    ("entries", "limits", "message"),
    [
        (
            [HANDLER, ("zeros.bin", b"\0" * (3 * 1024 * 1024))],
            {"UNZIPPED_MAX_BYTES": 2 * 1024 * 1024},
            "more than 2 MB",
        ),
        ([HANDLER, *((f"m{n}.py", b"") for n in range(30))], {"ARCHIVE_ENTRIES_MAX": 20}, "31 entries; at most 20"),
        ([HANDLER, link_entry("lib", "/etc"), ("lib/passwd", b"x")], {}, "holds a link, 'lib'"),
        ([HANDLER, ("lib", b"a file"), ("lib/passwd", b"x")], {}, "cannot be unpacked: FileExistsError"),
    ],
    ids=["a zip bomb", "too many entries", "a link and a file through it", "a file and a path through it"],
)
def test_a_crafted_archive_is_refused_and_leaves_nothing_behind(monkeypatch, entries, limits, message):
    for name, value in limits.items():
        monkeypatch.setattr(local_function, name, value)
    archive = archive_of(*entries)
    before = leftovers()
    running = LocalFunction(configuration(archive), archive, None, None)
    with pytest.raises(FunctionCodeError, match=message):
        running.__enter__()
    assert leftovers() == before and running.child is None
    assert len(archive) < 64 * 1024  # what a zip bomb weighs before it is unpacked


def test_an_archive_within_the_limits_unpacks_whole(tmp_path):
    extract(archive_of(HANDLER, ("pkg/__init__.py", b""), ("pkg/data.json", b"{}")), tmp_path)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")) == [
        "app.py",
        "pkg",
        "pkg/__init__.py",
        "pkg/data.json",
    ]


@pytest.mark.parametrize("location", ["file:///etc/passwd", "http://127.0.0.1:5000/code.zip", "ftp://host/code.zip"])
def test_code_is_read_from_https_alone(location):
    with pytest.raises(FunctionCodeError, match=r"^Code\.Location is not an https URL"):
        code_from_location(location)
