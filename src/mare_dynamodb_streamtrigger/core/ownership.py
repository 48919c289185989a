"""Whether a part found under a trigger's Name is this type's own. Pure: no AWS call.

A registered type acts for every stack author who may use it, so it acts only on what it made:
a function whose role is the trigger's function role; a pipe whose role is the trigger's pipe
role and whose target is the trigger's function; a role under the type's path that carries the
type's marker for that trigger. Anything else under the same Name is someone else's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mare_dynamodb_streamtrigger.core.names import ROLE_PATH, RoleKind, TriggerNames, role_description, role_marker


def own_function(function: Mapping[str, Any] | None, names: TriggerNames) -> bool:
    """GetFunction's answer is this trigger's function."""
    configuration = (function or {}).get("Configuration") or {}
    return configuration.get("FunctionName") == names.function_name and configuration.get("Role") == (
        names.function_role_arn
    )


def own_pipe(pipe: Mapping[str, Any] | None, names: TriggerNames) -> bool:
    """DescribePipe's answer is this trigger's pipe: its role, and its target is this trigger's function."""
    return (
        pipe is not None
        and pipe.get("Name") == names.pipe_name
        and pipe.get("RoleArn") == names.pipe_role_arn
        and pipe.get("Target") == names.function_arn
    )


def own_role(role: Mapping[str, Any] | None, names: TriggerNames, kind: RoleKind) -> bool:
    """GetRole's Role is this trigger's role of this kind: under the type's path, with its marker."""
    return (
        role is not None
        and role.get("Path") == ROLE_PATH
        and role.get("Arn") == names.role_arn(kind)
        and str(role.get("Description") or "").startswith(role_marker(names.trigger_name, kind))
    )


def role_made_by(role: Mapping[str, Any] | None, names: TriggerNames, kind: RoleKind, request_token: str) -> bool:
    """The role is this trigger's, made by the request with this token."""
    return own_role(role, names, kind) and (role or {}).get("Description") == role_description(
        names.trigger_name, kind, request_token
    )
