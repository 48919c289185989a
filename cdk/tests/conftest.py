"""Real CDK apps, synthesized with aws-cdk-lib (jsii runs the CDK in Node.js; no AWS account needed).

`synthesized` returns a stack's template as `cdk synth` writes it, and `lint` runs the project's
`make lint` (scripts/lint.py: cfn-lint with the type's schema checked) on a template.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema.json").read_text())
TYPE_NAME = SCHEMA["typeName"]
# The bucket of the CDK's default bootstrap (qualifier hnb659fds) that file assets go to.
ASSET_BUCKET = {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}


@pytest.fixture
def app(tmp_path: Path) -> cdk.App:
    """An app whose cloud assembly goes to a temporary folder, without the CDK's metadata resource."""
    return cdk.App(outdir=str(tmp_path / "cdk.out"), analytics_reporting=False)


@pytest.fixture
def stack(app: cdk.App) -> cdk.Stack:
    return cdk.Stack(app, "TriggerStack")


def synthesized(app: cdk.App, stack_name: str = "TriggerStack") -> dict[str, Any]:
    template: dict[str, Any] = app.synth().get_stack_by_name(stack_name).template
    return template


def triggers(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The template's Mare::DynamoDB::StreamTrigger resources by logical ID."""
    return {key: value for key, value in template["Resources"].items() if value["Type"] == TYPE_NAME}


def asset_files(app: cdk.App, stack_name: str = "TriggerStack") -> dict[str, Any]:
    """The file assets of a stack but its template, from the assets manifest `cdk synth` writes beside it."""
    manifest = json.loads((Path(app.outdir) / f"{stack_name}.assets.json").read_text())
    return {
        asset_hash: asset
        for asset_hash, asset in manifest["files"].items()
        if asset["source"]["path"] != f"{stack_name}.template.json"
    }


def lint_python() -> str:
    """The project's environment, which has cfn-lint (`make venv`)."""
    python = os.environ.get("MARE_LINT_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
    if not Path(python).exists():
        pytest.fail(f"{python} is missing: run `make venv` (make cdk-test does), or set MARE_LINT_PYTHON")
    return python


@pytest.fixture
def lint(tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], subprocess.CompletedProcess[str]]]:
    """Runs `make lint`'s check on a template; returns the finished process (exit 0: no error)."""
    count = 0

    def run(template: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        nonlocal count
        count += 1
        path = tmp_path / f"synthesized-{count}.template.json"
        path.write_text(json.dumps(template, indent=1))
        return subprocess.run(
            [lint_python(), str(ROOT / "scripts" / "lint.py"), str(path)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )

    yield run


def assert_lints_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(autouse=True)
def _in_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative code paths (the construct's "./lambda/deployment") are taken from here."""
    monkeypatch.chdir(tmp_path)
