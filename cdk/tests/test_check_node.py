"""scripts/check-node.sh: the CDK package's set-up names Node.js when it is missing, and warns on an old one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

BASH = shutil.which("bash") or "bash"


def check(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, str(ROOT / "scripts" / "check-node.sh")], env={"PATH": path}, capture_output=True, text=True, check=False
    )


def fake_node(folder: Path, version: str) -> str:
    """A folder holding a `node` that prints `version`, with the tools the script uses."""
    folder.mkdir()
    (folder / "node").write_text(f"#!{BASH}\necho {version}\n")
    (folder / "node").chmod(0o755)
    return str(folder)


def test_a_machine_without_node_is_told_what_is_missing(tmp_path):
    result = check(str(tmp_path))

    assert result.returncode == 1
    assert result.stderr == (
        "Node.js is missing: the AWS CDK (through jsii) runs in it. Install Node.js 22 or 24 and put 'node' on PATH.\n"
    )


@pytest.mark.parametrize(
    ("version", "warning"),
    [
        (
            "v20.20.2",
            "Node.js v20.20.2: jsii supports Node.js 22 and 24 and warns on older versions; synthesis works, "
            "upgrade when you can.\n",
        ),
        ("v22.12.0", ""),
        ("v24.1.0", ""),
    ],
)
def test_an_old_node_is_warned_of_and_a_supported_one_passes(tmp_path, version, warning):
    result = check(fake_node(tmp_path / "bin", version))

    assert (result.returncode, result.stderr) == (0, warning)
