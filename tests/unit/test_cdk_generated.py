"""cdk/mare_streamtrigger_cdk/cfn_stream_trigger.py is what scripts/generate_cdk.py writes from schema.json now."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import generate_cdk


def test_the_generated_construct_is_what_the_schema_gives_now():
    assert generate_cdk.TARGET.read_text() == generate_cdk.generate(), (
        "cdk/mare_streamtrigger_cdk/cfn_stream_trigger.py is stale: run `make generate` and commit it"
    )


def test_a_property_added_to_the_schema_changes_the_construct():
    schema = json.loads(generate_cdk.SCHEMA.read_text())
    schema["properties"]["QueueVisibilitySeconds"] = {"type": "integer", "description": "A new property."}
    schema["readOnlyProperties"].append("/properties/QueueUrl")
    schema["properties"]["QueueUrl"] = {"type": "string", "description": "A new attribute."}

    source = generate_cdk.module_source(schema)

    assert "        queue_visibility_seconds: int | float | None = None,\n" in source
    assert '"QueueVisibilitySeconds": queue_visibility_seconds,' in source
    assert "    def attr_queue_url(self) -> str:\n" in source
    assert source != generate_cdk.module_source(json.loads(generate_cdk.SCHEMA.read_text()))


def test_names_become_snake_case_as_the_cdk_writes_them():
    assert [
        generate_cdk.snake(name)
        for name in (
            "S3ObjectVersion",
            "KmsKeyArn",
            "IsDevops",
            "MaximumBatchingWindowInSeconds",
            "VpcConfig",
            "ZipFile",
        )
    ] == [
        "s3_object_version",
        "kms_key_arn",
        "is_devops",
        "maximum_batching_window_in_seconds",
        "vpc_config",
        "zip_file",
    ]
