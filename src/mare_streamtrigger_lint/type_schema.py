"""The type's schema.json as the developer tools read it (no cfn-lint needed)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# Beside this module: a link to the project's schema.json in a checkout, a copy in a wheel. The only
# JSON file in this folder, as cfn-lint's load_registry_schemas reads every one below it.
SCHEMA = Path(__file__).resolve().parent / "schema.json"


@cache
def type_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return schema


def required_properties() -> list[str]:
    return [str(name) for name in type_schema().get("required", [])]


def read_only_properties() -> list[str]:
    """The properties only the type sets (FunctionArn...), by name."""
    return property_names("readOnlyProperties")


def write_only_properties() -> list[str]:
    """The properties READ never returns (Code...), by name."""
    return property_names("writeOnlyProperties")


def property_names(section: str) -> list[str]:
    """The top-level property names a schema section lists as pointers (/properties/Code)."""
    return sorted({str(pointer).split("/")[2] for pointer in type_schema().get(section, [])})
