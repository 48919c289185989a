"""Zero-code triggers: without Code, the type deploys the built-in function of the trigger type."""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

from conftest import ACCOUNT, REGION, client, drive, pipeline_properties
from mare_dynamodb_streamtrigger.core.code_archives import builtin_source, code_sha256, zip_of
from mare_streamtrigger_local import moto_world

NAME = "deployment-processor"
BUILTIN = Path(__file__).resolve().parent.parent / "src" / "mare_dynamodb_streamtrigger" / "builtin"
SHARED = (BUILTIN / "stream_batch.py").read_text()


def zero_code(**overrides: Any) -> dict[str, Any]:
    properties = pipeline_properties(**{"Handler": "index.handler", **overrides})
    properties.pop("Code")
    return properties


def deployed_files() -> dict[str, str]:
    """The files of the function's code as Lambda holds it. moto's Location points at an S3 host
    that is not moto, so read the archive from moto's backend (the threaded server is in-process)."""
    from moto.backends import get_backend

    function = get_backend("lambda")[ACCOUNT][REGION].get_function(NAME)
    archive = zipfile.ZipFile(io.BytesIO(function.code_bytes))
    assert (
        code_sha256(function.code_bytes)
        == client("lambda").get_function(FunctionName=NAME)["Configuration"]["CodeSha256"]
    )
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_a_pipeline_trigger_without_code_deploys_the_builtin_pipeline_function(table):
    final, _ = drive("CREATE", zero_code())
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["Handler"] == "index.handler"
    config = client("lambda").get_function(FunctionName=NAME)["Configuration"]
    assert (config["Handler"], config["Runtime"]) == ("index.handler", "python3.12")
    expected = {"index.py": (BUILTIN / "pipeline.py").read_text(), "stream_batch.py": SHARED}
    assert config["CodeSha256"] == code_sha256(zip_of(expected))
    assert deployed_files() == expected


def test_a_named_handler_gets_the_builtin_under_that_name(table, topic_arn):
    properties = zero_code(TriggerType="SNS_TOPIC", Environment={"TOPIC_ARN": topic_arn}, Handler="trigger.publish")
    final, _ = drive("CREATE", properties)
    assert final["status"] == "SUCCESS", final
    files = deployed_files()
    assert files == {
        "trigger.py": (BUILTIN / "sns_topic.py").read_text() + "\n\npublish = handler\n",
        "stream_batch.py": SHARED,
    }


def test_update_between_own_code_and_the_builtin(table):
    created, _ = drive("CREATE", pipeline_properties())
    assert created["status"] == "SUCCESS"
    to_builtin, _ = drive("UPDATE", zero_code(), previous=pipeline_properties())
    assert to_builtin["status"] == "SUCCESS", to_builtin
    assert deployed_files() == {"index.py": (BUILTIN / "pipeline.py").read_text(), "stream_batch.py": SHARED}
    back, _ = drive("UPDATE", pipeline_properties(), previous=zero_code())
    assert back["status"] == "SUCCESS", back
    assert deployed_files() == {"app.py": pipeline_properties()["Code"]["ZipFile"]}


def test_the_deployed_builtin_starts_the_pipeline_when_the_pipe_invokes_it(table, tmp_path, monkeypatch):
    """The archive Lambda holds, run as Lambda would run it, with a pipe-shaped event, against moto."""
    pipeline_arn = moto_world.seed_pipeline("deploy", REGION)
    final, _ = drive("CREATE", zero_code(Environment={"PIPELINE_ARN": pipeline_arn}))
    assert final["status"] == "SUCCESS", final

    for name, source in deployed_files().items():
        (tmp_path / name).write_text(source)
    # The archive's root is where Lambda's Python finds modules: the deployed stream_batch, no other.
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "stream_batch", raising=False)
    spec = importlib.util.spec_from_file_location("deployed_index", tmp_path / "index.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "deployed_index", module)
    spec.loader.exec_module(module)
    monkeypatch.setenv("PIPELINE_ARN", pipeline_arn)
    event = [{"Records": [{"dynamodb": {"NewImage": {"id": {"S": "r1"}, "status": {"S": "PENDING"}}}}]}]
    answer = module.handler(event, None)

    executions = client("codepipeline").list_pipeline_executions(pipelineName="deploy")["pipelineExecutionSummaries"]
    assert [e["pipelineExecutionId"] for e in executions] == [s["executionId"] for s in answer["started"]]
    assert answer["records"] == 1 and len(executions) == 1
    assert Path(sys.modules["stream_batch"].__file__).parent == tmp_path
    assert builtin_source("PIPELINE", "index.handler") == (BUILTIN / "pipeline.py").read_text()
