"""The package check finds what is missing and what must not be shipped."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import check_package


def package(tmp_path: Path, inner_names: list[str], outer_names: list[str] | None = None) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for name in inner_names:
            archive.writestr(name, "x")
    path = tmp_path / "package.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in (
            outer_names if outer_names is not None else ["schema.json", ".rpdk-config", "configuration-schema.json"]
        ):
            archive.writestr(name, "{}")
        archive.writestr("ResourceProvider.zip", inner.getvalue())
    return path


GOOD = [*sorted(check_package.INNER_REQUIRED), "certifi/tests/test_certify.py", "botocore/data/codebuild/x.json"]


def test_a_complete_package_passes(tmp_path):
    found, sizes = check_package.problems(package(tmp_path, GOOD))
    assert found == []
    assert sizes["handler files"] == len(GOOD)


def test_missing_parts_and_leftovers_are_named(tmp_path):
    names = [*GOOD[1:], "tests/test_create.py", "mare_dynamodb_streamtrigger/__pycache__/x.cpython-312.pyc", "x.pyc"]
    found, _ = check_package.problems(package(tmp_path, names, outer_names=["schema.json"]))
    assert found == [
        "missing .rpdk-config",
        "missing configuration-schema.json",
        f"missing ResourceProvider.zip/{GOOD[0]}",
        "leftover ResourceProvider.zip/tests/test_create.py",
        "leftover ResourceProvider.zip/mare_dynamodb_streamtrigger/__pycache__/x.cpython-312.pyc",
        "leftover ResourceProvider.zip/x.pyc",
    ]
