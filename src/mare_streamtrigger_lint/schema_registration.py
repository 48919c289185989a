"""Makes cfn-lint check Mare::DynamoDB::StreamTrigger's properties against the type's schema.

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
fixed the lookup (then delete the map entries). tests/test_lint.py fails if either breaks, and
register_type refuses to go on if our schema cannot be reached.
"""

from __future__ import annotations

from cfnlint.helpers import REGIONS
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from mare_streamtrigger_lint.type_schema import SCHEMA, type_schema


class SchemaNotServed(RuntimeError):
    """cfn-lint does not serve the type's schema after registration: its internals changed."""


def register_type() -> str:
    """Load the type's schema into cfn-lint and make the type known in every region; its name."""
    type_name = str(type_schema()["typeName"])
    PROVIDER_SCHEMA_MANAGER.load_registry_schemas(str(SCHEMA.parent))
    for region in REGIONS:
        PROVIDER_SCHEMA_MANAGER._load_provider_module(region)[type_name] = f"registry:{type_name}"
    served = [
        schema
        for _, schema in PROVIDER_SCHEMA_MANAGER.get_resource_schemas_by_regions(type_name, REGIONS)
        if schema.type_name == type_name
    ]
    if not served:
        raise SchemaNotServed(
            f"cfn-lint does not serve the {type_name} schema; see mare_streamtrigger_lint/schema_registration.py"
        )
    return type_name
