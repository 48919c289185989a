"""Lint CloudFormation templates with cfn-lint, checking Mare::DynamoDB::StreamTrigger against schema.json.

Usage: python scripts/lint.py [ARGS...]

ARGS go to cfn-lint unchanged (templates, or options such as --regions); with none, the examples and
template.yml are linted. The exit code is cfn-lint's own, counting errors only: 0 clean (warnings are
printed but do not fail), 2 errors found, 1 cfn-lint could not run.

Why this exists: since cfn-lint 1.43, `--registry-schemas` makes a third-party type known (no E3006)
but its properties are never checked. ProviderSchemaManager.get_resource_schemas_by_regions
(cfnlint/schema/manager.py) looks each type up in the per-region provider files
(data/schemas/providers/<region>.json, type -> schema hash) and skips types without a hash, which
registry types never have, so the rules built on it (E3002/E3003/E3012/E3030... in
rules/resources/properties/Properties.py, and the GetAtt/Ref rules) never see our schema. Up to 1.42
that method called get_resource_schema, which serves registry schemas first.
We therefore add our type to every region's provider map, under a hash that names no bundled file;
get_resource_schema then serves it from the registry schemas as before.

On a cfn-lint upgrade, re-check: ProviderSchemaManager._load_provider_module (private) still returns
the cached, mutable per-region map that get_resource_schemas_by_regions reads, and whether upstream
fixed the lookup (then delete this wrapper). tests/test_lint.py fails if either breaks, and the
wrapper itself refuses to lint if our schema cannot be reached.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import cfnlint.runner
from cfnlint.helpers import REGIONS
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema.json"


def default_templates() -> list[str]:
    """The templates linted when no arguments are given."""
    return [*map(str, sorted((ROOT / "examples").glob("*.yaml"))), str(ROOT / "template.yml")]


def register_type(schema_dir: str) -> str:
    """Load the registry schemas in schema_dir and make the type of schema.json known in every region."""
    type_name: str = json.loads(SCHEMA.read_text(encoding="utf-8"))["typeName"]
    PROVIDER_SCHEMA_MANAGER.load_registry_schemas(schema_dir)
    for region in REGIONS:
        PROVIDER_SCHEMA_MANAGER._load_provider_module(region)[type_name] = f"registry:{type_name}"
    found = [
        schema
        for _, schema in PROVIDER_SCHEMA_MANAGER.get_resource_schemas_by_regions(type_name, REGIONS)
        if schema.type_name == type_name
    ]
    if not found:
        sys.exit(f"lint.py: cfn-lint still does not serve the {type_name} schema; see the comment at the top.")
    return type_name


def main(argv: list[str]) -> None:
    """Run cfn-lint's command line on argv (or the default templates) with our schema registered."""
    with tempfile.TemporaryDirectory() as schema_dir, open(os.devnull, encoding="utf-8") as empty_input:
        if sys.stdin is None:
            # fd 0 closed, as some CI runners start commands: cfn-lint calls sys.stdin.isatty() to decide
            # whether to read a template from a pipe. An empty stdin answers that; what is linted is unchanged.
            sys.stdin = empty_input
        # --registry-schemas loads every *.json below the folder: give it a folder with schema.json only.
        shutil.copy(SCHEMA, Path(schema_dir) / "schema.json")
        register_type(schema_dir)
        sys.argv = [
            "cfn-lint",
            "--registry-schemas",
            schema_dir,
            "--non-zero-exit-code",
            "error",
            *(argv or ["--", *default_templates()]),
        ]
        cfnlint.runner.main()  # always ends with sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
