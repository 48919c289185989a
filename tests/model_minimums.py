"""What botocore does not check before a request leaves: the minimums of AWS's own models.

botocore validates types and required members, and the minimum length of strings and lists, but
not of maps: an empty Tags map reaches Pipes, whose TagMap holds at least one tag ("min": 1), and
AWS refuses it where moto takes it. conftest checks every request a handler makes with this.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape


def below_minimum(shape: Shape, value: Any, path: str) -> list[str]:
    """Every member of a request (or the request) shorter than its shape's minimum, by path."""
    found: list[str] = []
    minimum = shape.metadata.get("min")
    sized = shape.type_name in ("map", "list", "string") and hasattr(value, "__len__")
    if sized and minimum is not None and len(value) < minimum:
        found.append(f"{path} holds {len(value)}, its model's minimum is {minimum}")
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                found.extend(below_minimum(member, value[name], f"{path}.{name}"))
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(below_minimum(shape.member, item, f"{path}[{index}]"))
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            found.extend(below_minimum(shape.value, item, f"{path}.{key}"))
    return found
