"""A deployed Lambda function's code, run on this machine as Lambda's Python runtime would run it.

`LocalFunction.deployed(...)` reads the function's live configuration (GetFunction) and its code:
the archive the function was deployed with, whether it came inline (ZipFile) or from S3 (S3Bucket and
S3Key). It is unpacked into a temporary folder; `Handler` names the module and function, imported in
isolation: the folder is first on `sys.path` only while the function loads or runs, and every module
it loaded is unloaded afterwards, so that two functions with an `app.py` do not meet.

Each `invoke` sets the environment Lambda would (the function's `Environment`, its name, memory,
region, and the credentials of its execution role) for that call only, passes a context object,
captures what the function prints, and returns its result or its error as Lambda reports them.
The function's own boto3 calls therefore reach the same endpoint as the runner (moto).

Where the code comes from: GetFunction's `Code.Location` is a presigned URL in AWS, but moto 5.2.5
answers with an address that serves nothing. So the archive is, in this order: the file given with
`--code`; the archive moto holds, when moto runs in this process (the demo, the tests); the built-in
function's archive, rebuilt as the type builds it (zero-code triggers); the one at `Code.Location`
(AWS). Each is checked against the function's `CodeSha256`, except a folder given with `--code`.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import urllib.request
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from .spec import BUILTIN_MODULES, builtin_files, code_sha256, inline_zip, zip_of

Json = dict[str, Any]

# What Lambda's Python runtime puts in a function's environment, apart from its own variables.
RUNTIME_VARIABLES = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "LAMBDA_TASK_ROOT",
    "_HANDLER",
)


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


@dataclass
class LambdaContext:
    """What Lambda's Python runtime passes as `context`."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: str
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""
    identity: Any = None
    client_context: Any = None
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


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
    with urllib.request.urlopen(location, timeout=30) as response:
        return response.read()


def builtin_archive(configuration: Json) -> bytes | None:
    """The built-in function's archive, rebuilt as the type builds it, if that is what the function runs."""
    handler, runtime = configuration["Handler"], configuration.get("Runtime", "python3.12")
    for trigger_type in BUILTIN_MODULES:
        archive = zip_of(builtin_files(trigger_type, handler, runtime))
        if code_sha256(archive) == configuration.get("CodeSha256"):
            return archive
    return None


def given_archive(path: Path, configuration: Json) -> bytes:
    """The code given with --code: a zip file, a folder, or the source that was ZipFile (a .py file)."""
    if path.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for file in sorted(path.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(path).as_posix())
        return buffer.getvalue()  # a folder zipped here cannot be checked against CodeSha256
    if path.suffix == ".zip":
        archive = path.read_bytes()
    else:  # inline source, zipped exactly as the type zips ZipFile
        archive = inline_zip(path.read_text(), configuration["Handler"], configuration.get("Runtime", "python3.12"))
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


@contextlib.contextmanager
def environment(variables: dict[str, str], cleared: Iterable[str] = RUNTIME_VARIABLES) -> Iterator[None]:
    """The process environment with `cleared` unset and `variables` set, until the block ends."""
    names = set(variables) | set(cleared)
    saved = {name: os.environ.get(name) for name in names}
    for name in cleared:
        os.environ.pop(name, None)
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class LocalFunction:
    """A function's code unpacked and imported in isolation; use it as a context manager."""

    def __init__(self, configuration: Json, archive: bytes, credentials: Json | None, endpoint_url: str | None) -> None:
        self.configuration = configuration
        self.archive = archive
        self.credentials = credentials
        self.endpoint_url = endpoint_url
        self.folder: Path | None = None
        self.handler: Any = None
        self.displaced: dict[str, Any] = {}
        self.loaded: set[str] = set()
        # The function's own default boto3 session, kept between its invocations as a warm Lambda keeps it.
        self.boto3_session: Any = None

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
        return self.configuration["FunctionName"]

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
            "LAMBDA_TASK_ROOT": str(self.folder),
            "_HANDLER": config["Handler"],
        }
        if self.credentials:
            variables["AWS_ACCESS_KEY_ID"] = self.credentials["AccessKeyId"]
            variables["AWS_SECRET_ACCESS_KEY"] = self.credentials["SecretAccessKey"]
            variables["AWS_SESSION_TOKEN"] = self.credentials["SessionToken"]
        if self.endpoint_url:
            variables["AWS_ENDPOINT_URL"] = self.endpoint_url
        variables.update(config.get("Environment", {}).get("Variables", {}))
        return variables

    def __enter__(self) -> LocalFunction:
        self.folder = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        try:
            with zipfile.ZipFile(io.BytesIO(self.archive)) as archive:
                archive.extractall(self.folder)
        except zipfile.BadZipFile as error:
            self.__exit__(None, None, None)
            raise FunctionCodeError(f"the code of {self.name} is not a zip archive: {error}") from error
        try:
            with self.running():
                self.handler = self.load()
        except FunctionCodeError:
            self.__exit__(None, None, None)  # nothing of a function that did not load stays behind
            raise
        return self

    def __exit__(self, *_: object) -> None:
        for name in [name for name in sys.modules if self.is_ours(sys.modules[name])]:
            del sys.modules[name]
        sys.modules.update(self.displaced)
        self.displaced = {}
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def is_ours(self, module: Any) -> bool:
        path = getattr(module, "__file__", None) or ""
        return self.folder is not None and path.startswith(str(self.folder) + os.sep)

    def load(self) -> Any:
        module_name, _, function_name = self.configuration["Handler"].rpartition(".")
        assert self.folder is not None
        # Modules of the same name loaded elsewhere in this process step aside while the function runs.
        top_levels = {path.stem if path.is_file() else path.name for path in self.folder.iterdir()}
        for name in list(sys.modules):
            if name.split(".")[0] in top_levels and not self.is_ours(sys.modules[name]):
                self.displaced[name] = sys.modules.pop(name)
        try:
            module = importlib.import_module(module_name.replace("/", "."))
        except Exception as error:
            raise FunctionCodeError(
                f"Runtime.ImportModuleError: Unable to import module '{module_name}': {error}"
            ) from error
        handler = getattr(module, function_name, None)
        if not callable(handler):
            raise FunctionCodeError(
                f"Runtime.HandlerNotFound: Handler '{function_name}' missing on module '{module_name}'"
            )
        return handler

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """The function's folder first on sys.path, its environment set and its own boto3 default session."""
        assert self.folder is not None
        saved_path, saved_session = list(sys.path), boto3.DEFAULT_SESSION
        sys.path.insert(0, str(self.folder))
        boto3.DEFAULT_SESSION = self.boto3_session
        try:
            with environment(self.variables()):
                yield
        finally:
            self.boto3_session = boto3.DEFAULT_SESSION
            boto3.DEFAULT_SESSION = saved_session
            sys.path[:] = saved_path

    def invoke(self, event: Any) -> Outcome:
        """Calls the handler once, as a synchronous (RequestResponse) invocation."""
        timeout = int(self.configuration.get("Timeout", 3))
        context = LambdaContext(
            function_name=self.name,
            invoked_function_arn=self.configuration["FunctionArn"],
            memory_limit_in_mb=str(self.configuration.get("MemorySize", 128)),
            timeout_seconds=timeout,
            log_group_name=f"/aws/lambda/{self.name}",
        )
        printed = io.StringIO()
        started = time.perf_counter()
        with self.running(), contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            context.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
            try:
                result = self.handler(json.loads(json.dumps(event)), context)
            except Exception as error:  # noqa: BLE001 - the function's own failure, reported as Lambda reports it
                traceback.print_exc(file=printed)
                return Outcome(
                    None, type(error).__name__, str(error), printed.getvalue(), time.perf_counter() - started
                )
        seconds = time.perf_counter() - started
        if seconds > timeout:
            # Code in this process cannot be stopped; a call that outlives Timeout counts as Lambda's timeout.
            return Outcome(
                None, "Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds", printed.getvalue(), seconds
            )
        try:
            result = json.loads(json.dumps(result))
        except (TypeError, ValueError) as error:
            return Outcome(
                None, "Runtime.MarshalError", f"Unable to marshal response: {error}", printed.getvalue(), seconds
            )
        return Outcome(result, logs=printed.getvalue(), seconds=seconds)
