"""The typed L1 construct of the type, CfnStreamTrigger: writes cdk/mare_streamtrigger_cdk/cfn_stream_trigger.py.

Generated from schema.json, the one source of truth for the type's properties: every property a
keyword argument in snake_case with the schema's type (enums as Literal, nested objects as frozen
dataclasses), every read-only property an `attr_*` attribute, the optional ones also as a
TypedDict for the drop-in's `**more`. cdk-import, the CDK's own generator of L1s for registry
types, reads the schema from a registered type through an AWS account and emits a jsii package
(TypeScript compiled for Python); this script needs neither. The text is formatted with ruff, so
the file stays ruff clean. `make generate` runs it; tests/unit/test_cdk_generated.py fails when
the file differs from what it writes.

    python scripts/generate_cdk.py           # writes the module
    python scripts/generate_cdk.py --check   # exit 1 when the module is stale
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema.json"
TARGET = ROOT / "cdk" / "mare_streamtrigger_cdk" / "cfn_stream_trigger.py"
WIDTH = 120
# The optional properties that the drop-in (cdk/mare_streamtrigger_cdk/stream_trigger.py) takes as
# the construct's named arguments: its `**more` is typed without them.
NAMED_BY_THE_DROP_IN = ("Environment", "FilterPattern", "TableIndexName", "IsDevops")


def snake(name: str) -> str:
    """S3ObjectVersion -> s3_object_version, KmsKeyArn -> kms_key_arn, IsDevops -> is_devops."""
    words = re.findall(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+", name)
    return "_".join(word.lower() for word in words)


def definition_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def class_name(definition: str) -> str:
    return f"{definition}Property"


def python_type(spec: dict[str, Any]) -> str:
    """The Python annotation of one schema value."""
    if "$ref" in spec:
        return class_name(definition_name(spec["$ref"]))
    kind = spec.get("type")
    if "enum" in spec:
        return "Literal[" + ", ".join(json.dumps(value) for value in spec["enum"]) + "]"
    if kind == "string":
        return "str"
    if kind == "integer":
        # As the CDK's own L1s take numbers: an int, or a number token (Token.as_number), which is a float.
        return "int | float"
    if kind == "boolean":
        return "bool"
    if kind == "array":
        return f"Sequence[{python_type(spec['items'])}]"
    if kind == "object":
        values = list(spec.get("patternProperties", {}).values())
        if values and all(value.get("type") == "string" for value in values):
            return "Mapping[str, str]"
        return "Mapping[str, Any]"
    raise ValueError(f"no Python type for {spec}")


def rendering(spec: dict[str, Any], value: str) -> str:
    """The expression that turns `value` (not None) into what the template holds."""
    if "$ref" in spec:
        return f"{value}.to_cloudformation()"
    kind = spec.get("type")
    if kind == "array":
        if "$ref" in spec["items"]:
            return f"[{rendering(spec['items'], 'item')} for item in {value}]"
        return f"list({value})"
    if kind == "object":
        return f"dict({value})"
    return value


def rendering_of_setting(spec: dict[str, Any], attribute: str, *, required: bool) -> str:
    """The template's value of an argument or field, which is None when left out unless required."""
    value = rendering(spec, attribute)
    if required or value == attribute:
        return value
    return f"None if {attribute} is None else {value}"


def docstring(text: str, indent: str) -> str:
    lines = textwrap.wrap(text, WIDTH - len(indent) - 8, break_on_hyphens=False)
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    body = "".join(f"{indent}{line}\n" for line in lines)
    return f'{indent}"""{lines[0]}\n{body[len(indent) + len(lines[0]) + 1 :]}{indent}"""\n'


def description(schema: dict[str, Any], spec: dict[str, Any], name: str) -> str:
    """A property's description, or that of the definition it refers to."""
    if "$ref" in spec:
        spec = schema["definitions"][definition_name(spec["$ref"])]
    return str(spec.get("description", name))


def init_docstring(schema: dict[str, Any], names: list[str]) -> str:
    """Declares the resource: one line (or more) per keyword argument, from the schema's descriptions."""
    out = '        """Declares the resource.\n\n        Args:\n'
    for name in names:
        text = f"{snake(name)}: {description(schema, schema['properties'][name], name)}"
        lines = textwrap.wrap(text, WIDTH - 16, break_on_hyphens=False)
        out += f"            {lines[0]}\n" + "".join(f"                {line}\n" for line in lines[1:])
    return out + '        """\n'


def dataclass_source(definition: str, spec: dict[str, Any]) -> str:
    required = spec.get("required", [])
    fields = spec["properties"]
    ordered = [name for name in fields if name in required] + [name for name in fields if name not in required]
    out = "@dataclasses.dataclass(frozen=True, kw_only=True)\n"
    out += f"class {class_name(definition)}:\n"
    out += docstring(spec.get("description", definition), "    ")
    out += "\n"
    for name in ordered:
        annotation = python_type(fields[name])
        default = "" if name in required else " | None = None"
        out += f"    {snake(name)}: {annotation}{default}\n"
        out += docstring(fields[name].get("description", name), "    ")
    out += "\n    def to_cloudformation(self) -> dict[str, Any]:\n"
    out += f'        """This {definition} as the template holds it."""\n'
    out += "        return _present(\n            {\n"
    for name in ordered:
        attribute = f"self.{snake(name)}"
        value = rendering_of_setting(fields[name], attribute, required=name in required)
        out += f'                "{name}": {value},\n'
    out += "            }\n        )\n"
    return out


def options_source(properties: dict[str, Any], optional: list[str]) -> str:
    """The TypedDicts of the optional properties: the drop-in's `**more`, and all of them."""
    out = "class DynamoDBStreamTriggerOptions(TypedDict, total=False):\n"
    out += '    """The optional properties but those the drop-in names as the construct did: its `**more`."""\n\n'
    for name in optional:
        if name not in NAMED_BY_THE_DROP_IN:
            out += f"    {snake(name)}: {python_type(properties[name])}\n"
    out += "\n\n"
    out += "class CfnStreamTriggerOptions(DynamoDBStreamTriggerOptions, total=False):\n"
    out += '    """Every optional property, for a construct that passes them on (`**options`)."""\n\n'
    for name in NAMED_BY_THE_DROP_IN:
        out += f"    {snake(name)}: {python_type(properties[name])}\n"
    out += "\n\n"

    return out


def module_source(schema: dict[str, Any]) -> str:
    properties: dict[str, Any] = schema["properties"]
    read_only = [pointer.rsplit("/", 1)[-1] for pointer in schema["readOnlyProperties"]]
    required = schema["required"]
    writable = [name for name in properties if name not in read_only]
    optional = [name for name in writable if name not in required and name != "Tags"]
    tag_property = schema["tagging"]["tagProperty"].rsplit("/", 1)[-1]

    out = '"""The typed L1 construct of Mare::DynamoDB::StreamTrigger, generated from schema.json.\n\n'
    out += "Written by scripts/generate_cdk.py (`make generate`); edit the schema, not this file.\n"
    out += '"""\n\n'
    out += "from __future__ import annotations\n\n"
    out += "import dataclasses\nfrom collections.abc import Mapping, Sequence\n"
    out += "from typing import Any, Literal, TypedDict\n\n"
    out += "import jsii\n"
    out += "from aws_cdk import CfnResource, ITaggable, TagManager, TagType, Token\n"
    out += "from constructs import Construct\n\n"
    out += f'TYPE_NAME = "{schema["typeName"]}"\n\n\n'
    out += "def _present(values: dict[str, Any]) -> dict[str, Any]:\n"
    out += '    """The values that are set: the template leaves the others out."""\n'
    out += "    return {key: value for key, value in values.items() if value is not None}\n\n\n"
    for definition, spec in schema["definitions"].items():
        out += dataclass_source(definition, spec) + "\n\n"

    out += options_source(properties, [*optional, tag_property])

    out += "@jsii.implements(ITaggable)\n"
    out += "class CfnStreamTrigger(CfnResource):\n"
    out += docstring(
        f"A {schema['typeName']}: {schema['description']} Tags.of(scope).add(...) reaches its {tag_property}.", "    "
    )
    out += f"\n    CFN_RESOURCE_TYPE_NAME = TYPE_NAME\n    PROPERTY_NAMES = {tuple(writable)!r}\n"
    out += f"    ATTRIBUTE_NAMES = {tuple(read_only)!r}\n\n"
    out += "    def __init__(\n        self,\n        scope: Construct,\n        id: str,\n"
    out += "        *,\n"
    for name in required:
        out += f"        {snake(name)}: {python_type(properties[name])},\n"
    for name in [*optional, tag_property]:
        out += f"        {snake(name)}: {python_type(properties[name])} | None = None,\n"
    out += "    ) -> None:\n"
    out += init_docstring(schema, [*required, *optional, tag_property])
    out += "        super().__init__(\n            scope,\n            id,\n            type=TYPE_NAME,\n"
    out += "            properties=_present(\n                {\n"
    for name in writable:
        if name == tag_property:
            continue
        attribute = snake(name)
        value = rendering_of_setting(properties[name], attribute, required=name in required)
        out += f'                    "{name}": {value},\n'
    out += "                }\n            ),\n        )\n"
    out += f"        # {tag_property}: rendered by the tag manager (as [{{Key, Value}}]) with those Tags.of() adds.\n"
    out += "        self._tag_manager = TagManager(\n"
    out += "            TagType.KEY_VALUE,\n            TYPE_NAME,\n"
    tags = snake(tag_property)
    out += f"            None if {tags} is None else {{tag.key: tag.value for tag in {tags}}},\n"
    out += f'            tag_property_name="{tag_property}",\n        )\n\n'
    out += "    @property\n    def tags(self) -> TagManager:\n"
    out += '        """The tag manager of the resource (ITaggable)."""\n'
    out += "        return self._tag_manager\n"
    for name in read_only:
        out += f"\n    @property\n    def attr_{snake(name)}(self) -> str:\n"
        out += docstring(properties[name].get("description", name), "        ")
        out += f'        return Token.as_string(self.get_att("{name}"))\n'
    return out


def formatted(source: str) -> str:
    """The source as `ruff format` writes it (ruff from this interpreter's environment)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET.relative_to(ROOT)), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def generate() -> str:
    return formatted(module_source(json.loads(SCHEMA.read_text())))


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        if TARGET.read_text() != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run 'make generate' and commit the result.", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
