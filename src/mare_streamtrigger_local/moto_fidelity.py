"""Where moto keeps less than AWS does, made to keep it, so that what the handlers ask for can be
checked by what exists afterwards (and Read shows it back, as in AWS).

Each gap, with what AWS does instead (moto 5.2.5):

- Lambda keeps no LoggingConfig: CreateFunction and UpdateFunctionConfiguration drop it and
  GetFunction returns none. AWS returns the function's LoggingConfig, by default LogFormat Text and
  the log group /aws/lambda/<name> (Lambda API reference, FunctionConfiguration).
- Lambda's UpdateFunctionConfiguration ignores EphemeralStorage and TracingConfig, and
  UpdateFunctionCode ignores Architectures; AWS applies each (Lambda API reference).
- Lambda's GetFunction leaves out a reserved concurrency of 0; AWS shows
  `Concurrency: {ReservedConcurrentExecutions: 0}` (Lambda API reference, GetFunction: "The
  function's reserved concurrency"), which is how a function that may not run at all is told apart.
- Pipes moves every pipe from CREATING to RUNNING, and from STOPPED through STARTING to RUNNING,
  whatever its DesiredState, and UpdatePipe never starts or stops a pipe. An AWS pipe settles in
  its DesiredState: created STOPPED it stays STOPPED; updated to STOPPED it goes STOPPING, STOPPED
  (Pipes API reference, DesiredState and CurrentState).

Developer tooling: moto runs in this process (moto_world.moto_server), so its classes are changed
in place, once.
"""

from __future__ import annotations

import weakref
from typing import Any

from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.pipes.models import EventBridgePipesBackend, Pipe

_completed = False
# Each moto function's LoggingConfig, as AWS would show it.
_logging_configs: weakref.WeakKeyDictionary[LambdaFunction, dict[str, Any]] = weakref.WeakKeyDictionary()


def complete_moto() -> None:
    """Applies the changes above (once per process)."""
    global _completed
    if _completed:
        return
    _completed = True
    _keep_function_configuration()
    _keep_architecture_and_concurrency()
    _settle_pipes_in_their_desired_state()


def _logging_config(function_name: str, asked: dict[str, Any] | None, kept: dict[str, Any] | None) -> dict[str, Any]:
    """The LoggingConfig AWS shows after a request: what was asked over what was kept, in Lambda's defaults."""
    config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}", **(kept or {}), **(asked or {})}
    if config["LogFormat"] != "JSON":
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def _keep_function_configuration() -> None:
    """LoggingConfig kept and shown; EphemeralStorage and TracingConfig applied on update."""
    created = LambdaFunction.__init__
    configured = LambdaFunction.update_configuration
    described = LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        created(self, account_id, spec, *args, **kwargs)
        _logging_configs[self] = _logging_config(self.function_name, spec.get("LoggingConfig"), None)

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "EphemeralStorage" in config_updates:
            self.ephemeral_storage = config_updates["EphemeralStorage"]["Size"]
        if "TracingConfig" in config_updates:
            self.tracing_config = config_updates["TracingConfig"]
        if "LoggingConfig" in config_updates:
            asked, kept = config_updates["LoggingConfig"], _logging_configs.get(self)
            _logging_configs[self] = _logging_config(self.function_name, asked, kept)
        return configured(self, config_updates)

    def get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:
        config = described(self, *args, **kwargs)
        config["LoggingConfig"] = dict(_logging_configs.get(self) or _logging_config(self.function_name, None, None))
        return config

    LambdaFunction.__init__ = init  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]


def _keep_architecture_and_concurrency() -> None:
    """Architectures applied by UpdateFunctionCode; a reserved concurrency of 0 shown by GetFunction."""
    code_updated = LambdaBackend.update_function_code
    code_described = LambdaFunction.get_code

    def update_function_code(
        self: LambdaBackend, function_name: str, qualifier: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        if body.get("Architectures"):
            self.get_function(function_name, qualifier).architectures = body["Architectures"]
        return code_updated(self, function_name, qualifier, body)

    def get_code(self: LambdaFunction) -> dict[str, Any]:
        answer = code_described(self)
        if self.reserved_concurrency is not None:
            answer["Concurrency"] = {"ReservedConcurrentExecutions": int(self.reserved_concurrency)}
        return answer

    LambdaBackend.update_function_code = update_function_code  # type: ignore[method-assign]
    LambdaFunction.get_code = get_code  # type: ignore[method-assign]


# Where each state leads, for a pipe whose DesiredState is given (AWS's PipeState values).
def _next_state(pipe: Pipe, previous: str | None) -> str | None:
    following = {
        "CREATING": pipe.desired_state if pipe.desired_state in ("RUNNING", "STOPPED") else "RUNNING",
        "STARTING": "RUNNING",
        "STOPPING": "STOPPED",
        "DELETING": "DELETED",
    }
    return following.get(previous or "", previous)


def _settle_pipes_in_their_desired_state() -> None:
    updated = EventBridgePipesBackend.update_pipe

    def update_pipe(self: EventBridgePipesBackend, name: str, *args: Any, **kwargs: Any) -> Pipe:
        pipe = updated(self, name, *args, **kwargs)
        current = pipe.status
        if pipe.desired_state == "STOPPED" and current == "RUNNING":
            pipe.status = "STOPPING"
        elif pipe.desired_state == "RUNNING" and current == "STOPPED":
            pipe.status = "STARTING"
        return pipe

    Pipe._get_next_status = _next_state  # type: ignore[method-assign,assignment]
    EventBridgePipesBackend.update_pipe = update_pipe  # type: ignore[method-assign]
