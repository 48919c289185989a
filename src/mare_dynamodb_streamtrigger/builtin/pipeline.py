"""The built-in PIPELINE function: start every CodePipeline pipeline named in the environment.

Deployed with `stream_batch.py` beside it: the standard library and boto3 only.

Each invocation (one batch of stream records from the EventBridge Pipe) starts each pipeline whose ARN
is the value of one of the function's environment variables, once, with a client for the pipeline's
region. A batch without records starts nothing. The records are read as `stream_batch` says.

A start that fails raises: the pipeline is started for the batch, not for a record, so there is no
record to name in a partial batch response, and the pipe retries the whole batch (pipelines started
before the failed one are started again).
"""

from __future__ import annotations

import os
import re
from typing import Any

import stream_batch

CODEPIPELINE_ARN = re.compile(
    r"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):"
    r"codepipeline:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):(?P<name>[A-Za-z0-9.@_-]{1,100})$"
)


def pipelines(environ: Any) -> list[tuple[str, str]]:
    """(region, name) of every distinct CodePipeline ARN among the environment's values, by variable name."""
    found: list[tuple[str, str]] = []
    for key in sorted(environ):
        # As validation reads it: the value as it is, the whole of it (its ARN patterns, core/names.py).
        match = CODEPIPELINE_ARN.fullmatch(environ[key])
        if match and (match["region"], match["name"]) not in found:
            found.append((match["region"], match["name"]))
    return found


def handler(event: Any, context: Any) -> dict[str, Any]:
    records = stream_batch.records_of(event)
    started: list[dict[str, str]] = []
    targets = pipelines(os.environ)
    if not records:
        print(f"no record in the batch: started none of {len(targets)} pipeline(s)")
        return {"records": 0, "started": started}
    if not targets:
        print(f"{len(records)} record(s) but no CodePipeline ARN in the environment: nothing to start")
    for region, name in targets:
        codepipeline = stream_batch.client("codepipeline", region)
        execution_id = codepipeline.start_pipeline_execution(name=name)["pipelineExecutionId"]
        print(f"started pipeline {name} in {region} for {len(records)} record(s): execution {execution_id}")
        started.append({"pipeline": name, "executionId": execution_id})
    return {"records": len(records), "started": started}
