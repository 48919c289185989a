"""A deployed Lambda function's code, run on this machine as Lambda's Python runtime would run it.

`LocalFunction.deployed(...)` reads the function's live configuration (GetFunction) and its code:
the archive the function was deployed with, whether it came inline (ZipFile) or from S3 (S3Bucket and
S3Key). It is unpacked into a private temporary folder, bounded as Lambda bounds a package (no more
than 250 MB unzipped, no links, nothing left behind on any error), and run in a child process, as
Lambda runs it in a container of its own: `lambda_bootstrap.py` imports `Handler` once (the init
phase) and serves every invocation of the run (a warm container). The child's environment is what
Lambda gives a function (its `Environment`, its name, memory and region, the credentials of its
execution role) and nothing of the operator's; its memory is its own, so the function cannot read
the runner's credentials. At `Timeout` the child is ended (`Sandbox.Timedout`) and the next
invocation starts a new one (a cold start). The function's own boto3 calls reach the same endpoint
as the runner (moto). The child runs as the operator's user: it is a separate process, not a
sandbox.

Where the code comes from: GetFunction's `Code.Location` is a presigned URL in AWS, but moto 5.2.5
answers with an address that serves nothing. So the archive is, in this order: the file given with
`--code`; the archive moto holds, when moto runs in this process (the demo, the tests); the built-in
function's archive, rebuilt as the type builds it (zero-code triggers); the one at `Code.Location`
(AWS). Each is checked against the function's `CodeSha256`, except a folder given with `--code`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mare_dynamodb_streamtrigger.core.code_archives import (
    BUILTIN_MODULES,
    builtin_files,
    code_sha256,
    inline_zip,
    zip_of,
)

Json = dict[str, Any]


class FunctionCodeError(RuntimeError):
    """The function's code cannot be had or loaded: what was tried, and why it failed."""


@dataclass(frozen=True)
class Outcome:
    """One invocation: the result (JSON) or Lambda's error type and message, and what it printed."""

    result: Any = None
    error_type: str | None = None
    error_message: str | None = None
    logs: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.error_type is not None

    @property
    def error(self) -> str | None:
        return None if self.error_type is None else f"{self.error_type}: {self.error_message}"


def code_in_this_process(configuration: Json) -> bytes | None:
    """The archive moto holds for this function, when moto runs in this process; else None."""
    if "moto" not in sys.modules:  # never import moto for it: it is a development dependency
        return None
    from moto.awslambda.models import lambda_backends

    arn = configuration["FunctionArn"].split(":")
    region, account = arn[3], arn[4]
    if account not in lambda_backends or region not in lambda_backends[account]:
        return None
    with contextlib.suppress(Exception):  # moto's own error types, for a function it does not hold
        archive = lambda_backends[account][region].get_function(configuration["FunctionName"]).code_bytes
        if archive and code_sha256(archive) == configuration.get("CodeSha256"):
            return archive
    return None


def code_from_location(location: str) -> bytes:
    """The archive at Lambda's presigned Code.Location: HTTPS alone (urlopen would also read file: URLs)."""
    if urllib.parse.urlsplit(location).scheme != "https":
        raise FunctionCodeError("Code.Location is not an https URL: the code is read from nowhere else")
    with urllib.request.urlopen(location, timeout=30) as response:  # noqa: S310 - the scheme is checked above
        body: bytes = response.read()
        return body


def builtin_archive(configuration: Json) -> bytes | None:
    """The built-in function's archive, rebuilt as the type builds it, if that is what the function runs."""
    for trigger_type in BUILTIN_MODULES:
        archive = zip_of(builtin_files(trigger_type, configuration["Handler"]))
        if code_sha256(archive) == configuration.get("CodeSha256"):
            return archive
    return None


def given_archive(path: Path, configuration: Json) -> bytes:
    """The code given with --code: a zip file, a folder, or the source that was ZipFile (a .py file)."""
    if path.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as folder_zip:
            for file in sorted(path.rglob("*")):
                if file.is_file():
                    folder_zip.write(file, file.relative_to(path).as_posix())
        return buffer.getvalue()  # a folder zipped here cannot be checked against CodeSha256
    # A .zip as it is; inline source zipped exactly as the type zips ZipFile.
    archive = path.read_bytes() if path.suffix == ".zip" else inline_zip(path.read_text(), configuration["Handler"])
    if code_sha256(archive) != configuration.get("CodeSha256"):
        raise FunctionCodeError(f"{path} is not the code {configuration['FunctionName']} runs: its CodeSha256 differs")
    return archive


def deployed_archive(function: Json, endpoint_url: str | None, code_path: Path | None) -> bytes:
    """The function's deployed archive, checked against its CodeSha256 (see the module's docstring)."""
    configuration = function["Configuration"]
    if code_path is not None:
        return given_archive(code_path, configuration)
    for archive in (code_in_this_process(configuration), builtin_archive(configuration)):
        if archive is not None:
            return archive
    location = function.get("Code", {}).get("Location")
    if endpoint_url is None and location:
        archive = code_from_location(location)
        if code_sha256(archive) != configuration.get("CodeSha256"):
            raise FunctionCodeError(
                f"the code at Code.Location does not match CodeSha256 of {configuration['FunctionName']}"
            )
        return archive
    raise FunctionCodeError(
        f"the code of {configuration['FunctionName']} cannot be read from {endpoint_url}: moto's GetFunction gives "
        "a Code.Location that serves nothing. Run the runner in the process that runs moto, or pass --code "
        "with the source file (ZipFile), zip file or folder that was deployed"
    )


# Lambda's quota on a function's code once extracted (AccountLimit.CodeSizeUnzipped: 250 MB by default).
UNZIPPED_MAX_BYTES = 250 * 1024 * 1024
# Lambda states no limit on a package's entries; this one keeps a crafted archive off the operator's disk.
ARCHIVE_ENTRIES_MAX = 50_000
# Lambda's init phase (importing the handler) is limited to 10 seconds for on-demand functions.
INIT_SECONDS = 10
# How long an exited child may take to be reaped after its end of the answer pipe closed.
EXIT_REAP_SECONDS = 5
BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
# What Lambda's Python runtime sets besides the function's own variables (PATH, locale, time zone).
RUNTIME_BASICS = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC"}


def extract(archive: bytes, folder: Path) -> None:
    """Unpacks a function's archive into an empty folder as Lambda would accept it: at most
    ARCHIVE_ENTRIES_MAX entries and UNZIPPED_MAX_BYTES in all (counted as written, whatever the
    archive claims), no link entries, every file new (never through an existing path)."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            entries = zipped.infolist()
            if len(entries) > ARCHIVE_ENTRIES_MAX:
                raise FunctionCodeError(f"the archive holds {len(entries)} entries; at most {ARCHIVE_ENTRIES_MAX}")
            written = 0
            for entry in entries:
                if stat.S_ISLNK(entry.external_attr >> 16):
                    raise FunctionCodeError(f"the archive holds a link, {entry.filename!r}: Lambda runs none here")
                target = folder / entry.filename
                if not target.resolve().is_relative_to(folder.resolve()):
                    raise FunctionCodeError(f"the archive's entry {entry.filename!r} points outside its folder")
                if entry.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(entry) as source, open(target, "xb") as copy:
                    while chunk := source.read(1024 * 1024):
                        written += len(chunk)
                        if written > UNZIPPED_MAX_BYTES:
                            raise FunctionCodeError(
                                f"the archive unpacks to more than {UNZIPPED_MAX_BYTES // (1024 * 1024)} MB, "
                                "Lambda's limit for a function's code"
                            )
                        copy.write(chunk)
    except FunctionCodeError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
        raise FunctionCodeError(f"the archive cannot be unpacked: {type(error).__name__}: {error}") from error


class LocalFunction:
    """A function's code unpacked and run in a child process; use it as a context manager."""

    def __init__(self, configuration: Json, archive: bytes, credentials: Json | None, endpoint_url: str | None) -> None:
        self.configuration = configuration
        self.archive = archive
        self.credentials = credentials
        self.endpoint_url = endpoint_url
        self.folder: Path | None = None
        self.child: subprocess.Popen[str] | None = None
        self.answers: int | None = None  # the read end of the child's answer pipe
        self.pending = b""
        self.init_logs = ""

    @classmethod
    def deployed(
        cls,
        lambda_client: Any,
        sts_client: Any,
        function_arn: str,
        endpoint_url: str | None,
        code_path: Path | None = None,
    ) -> LocalFunction:
        """The live function behind a pipe's target, with the credentials of its execution role."""
        function = lambda_client.get_function(FunctionName=function_arn)
        configuration = function["Configuration"]
        archive = deployed_archive(function, endpoint_url, code_path)
        session_name = configuration["FunctionName"][:64]
        credentials = sts_client.assume_role(RoleArn=configuration["Role"], RoleSessionName=session_name)["Credentials"]
        return cls(configuration, archive, credentials, endpoint_url)

    @property
    def name(self) -> str:
        return str(self.configuration["FunctionName"])

    def variables(self) -> dict[str, str]:
        config = self.configuration
        region = config["FunctionArn"].split(":")[3]
        variables = {
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.get("MemorySize", 128)),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.get('Runtime', 'python3.12')}",
            "LAMBDA_TASK_ROOT": str(self.task_root),
            "_HANDLER": config["Handler"],
            # A home of its own: nothing under the operator's ~ (~/.aws among it) is the function's.
            "HOME": str(self.home),
            **RUNTIME_BASICS,
        }
        if self.credentials:
            variables["AWS_ACCESS_KEY_ID"] = self.credentials["AccessKeyId"]
            variables["AWS_SECRET_ACCESS_KEY"] = self.credentials["SecretAccessKey"]
            variables["AWS_SESSION_TOKEN"] = self.credentials["SessionToken"]
        if self.endpoint_url:
            variables["AWS_ENDPOINT_URL"] = self.endpoint_url
        variables.update(config.get("Environment", {}).get("Variables", {}))
        return variables

    @property
    def task_root(self) -> Path:
        assert self.folder is not None
        return self.folder / "task"

    @property
    def home(self) -> Path:
        assert self.folder is not None
        return self.folder / "home"

    def __enter__(self) -> LocalFunction:
        self.folder = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        try:
            self.task_root.mkdir()
            self.home.mkdir()
            extract(self.archive, self.task_root)
            self.start()
        except BaseException:
            self.__exit__(None, None, None)  # nothing of a function that did not load stays behind
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def start(self) -> None:
        """A cold start: a new child, its init phase (the handler imported) within INIT_SECONDS."""
        answers, answer_end = os.pipe()
        assert self.folder is not None
        # What the function writes below Python (a C extension, os.write) goes to a file of its own.
        log = (self.folder / "runtime.log").open("ab")
        try:
            self.child = subprocess.Popen(
                [sys.executable, "-I", str(BOOTSTRAP), str(answer_end)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=log,
                env=self.variables(),
                cwd=self.task_root,
                pass_fds=(answer_end,),
                text=True,
            )
        finally:
            os.close(answer_end)
            log.close()
        self.answers, self.pending = answers, b""
        ready = self.receive(time.monotonic() + INIT_SECONDS)
        if ready is None or "ready" not in ready:
            self.stop()
            if ready is None:
                raise FunctionCodeError(f"Runtime.InitError: {self.name} did not load within {INIT_SECONDS} s")
            kind, message = ready.get("init_error") or ("Runtime.InitError", "the runtime exited while loading")
            raise FunctionCodeError(f"{kind}: {message}")
        self.init_logs = str(ready.get("logs") or "")

    def stop(self) -> None:
        """Ends the child (if any) at once, as Lambda ends a container."""
        if self.child is not None:
            if self.child.stdin is not None:
                with contextlib.suppress(OSError):
                    self.child.stdin.close()
            if self.child.poll() is None:
                self.child.kill()
            self.child.wait()
            self.child = None
        if self.answers is not None:
            os.close(self.answers)
            self.answers = None

    def receive(self, deadline: float) -> Json | None:
        """The child's next answer; None when it has not come by the deadline or the child has exited."""
        assert self.answers is not None
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.answers], [], [], left)[0]:
                return None
            chunk = os.read(self.answers, 1024 * 1024)
            if not chunk:
                # The pipe closes as the child exits, a moment before the child can be reaped.
                assert self.child is not None
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.child.wait(timeout=EXIT_REAP_SECONDS)
                return None
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        answer = json.loads(line)
        return answer if isinstance(answer, dict) else None

    def invoke(self, event: Any) -> Outcome:
        """Calls the handler once, as a synchronous (RequestResponse) invocation."""
        if self.child is None or self.child.poll() is not None:
            self.start()
        assert self.child is not None and self.child.stdin is not None
        # Lambda takes whole seconds; a fraction, for tests, keeps them from waiting a second.
        timeout = float(self.configuration.get("Timeout", 3))
        request = {
            "event": event,
            "context": {
                "function_name": self.name,
                "invoked_function_arn": self.configuration["FunctionArn"],
                "memory_limit_in_mb": str(self.configuration.get("MemorySize", 128)),
                "timeout_seconds": timeout,
                "aws_request_id": str(uuid.uuid4()),
                "log_group_name": f"/aws/lambda/{self.name}",
                "log_stream_name": f"local/[$LATEST]{uuid.uuid4().hex}",
            },
        }
        started = time.perf_counter()
        init_logs, self.init_logs = self.init_logs, ""
        try:
            self.child.stdin.write(json.dumps(request) + "\n")
            self.child.stdin.flush()
        except OSError:
            pass  # the child is gone: receive() says so
        answer = self.receive(time.monotonic() + timeout)
        seconds = time.perf_counter() - started
        if answer is None:
            exited = self.child.poll()
            self.stop()  # a timed-out or crashed container is not used again
            if exited is None:
                return Outcome(
                    None, "Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds", init_logs, seconds
                )
            return Outcome(
                None, "Runtime.ExitError", f"Runtime exited with error: exit status {exited}", init_logs, seconds
            )
        logs = init_logs + str(answer.get("logs") or "")
        if "error" in answer:
            kind, message = answer["error"]
            return Outcome(None, kind, message, logs, seconds)
        return Outcome(answer.get("result"), logs=logs, seconds=seconds)
