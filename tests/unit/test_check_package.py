"""The package check finds what is missing and what must not be shipped."""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import check_package

# What each of the project's modules imports, as the entrypoint's closure needs it.
SOURCES = {
    "mare_dynamodb_streamtrigger/__init__.py": "",
    "mare_dynamodb_streamtrigger/handlers.py": "from . import models\nfrom .errors import guarded\n",
    "mare_dynamodb_streamtrigger/models.py": "import json\n",
    "mare_dynamodb_streamtrigger/errors.py": "def guarded():\n    from mare_dynamodb_streamtrigger.spec import x\n",
    "mare_dynamodb_streamtrigger/spec.py": "from . import builtin\n",
    "mare_dynamodb_streamtrigger/builtin/__init__.py": "",
}


def package(tmp_path: Path, inner_names: list[str], outer_names: list[str] | None = None) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for name in inner_names:
            # The dependencies' bytes do not compress, so the project's share stays small beside them.
            data = random.Random(name).randbytes(20_000) if name.startswith("botocore/") else None
            archive.writestr(name, data or SOURCES.get(name, "x = 1\n"))
    path = tmp_path / "package.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in (
            outer_names if outer_names is not None else ["schema.json", ".rpdk-config", "configuration-schema.json"]
        ):
            archive.writestr(name, "{}")
        archive.writestr("ResourceProvider.zip", inner.getvalue())
    return path


GOOD = [
    *sorted(check_package.INNER_REQUIRED),
    *sorted(set(SOURCES) - check_package.INNER_REQUIRED),
    "certifi/tests/test_certify.py",
    "botocore/data/codebuild/x.json",
    *(f"botocore/data/{n}.json" for n in range(10)),
]


def test_a_complete_package_passes(tmp_path):
    found, sizes = check_package.problems(try_import=False, path=package(tmp_path, GOOD))
    assert found == []
    assert sizes["handler files"] == len(GOOD)


def test_missing_parts_and_leftovers_are_named(tmp_path):
    names = [*GOOD[1:], "tests/test_create.py", "mare_dynamodb_streamtrigger/__pycache__/x.cpython-312.pyc", "x.pyc"]
    found, _ = check_package.problems(try_import=False, path=package(tmp_path, names, outer_names=["schema.json"]))
    assert found == [
        "missing .rpdk-config",
        "missing configuration-schema.json",
        f"missing ResourceProvider.zip/{GOOD[0]}",
        "leftover ResourceProvider.zip/tests/test_create.py",
        "leftover ResourceProvider.zip/mare_dynamodb_streamtrigger/__pycache__/x.cpython-312.pyc",
        "leftover ResourceProvider.zip/x.pyc",
    ]


def test_the_import_closure_follows_relative_absolute_and_function_level_imports():
    assert check_package.import_closure(SOURCES) == set(SOURCES)
    unused = {**SOURCES, "mare_dynamodb_streamtrigger/local.py": "import moto\n"}
    assert "mare_dynamodb_streamtrigger/local.py" not in check_package.import_closure(unused)


def test_a_module_the_entrypoint_never_imports_and_the_local_tools_are_refused(tmp_path):
    names = [*GOOD, "mare_dynamodb_streamtrigger/local.py", "mare_streamtrigger_local/cli.py", "setuptools/__init__.py"]
    found, _ = check_package.problems(try_import=False, path=package(tmp_path, names))
    assert found == [
        "leftover ResourceProvider.zip/mare_streamtrigger_local/cli.py",
        "leftover ResourceProvider.zip/setuptools/__init__.py",
        "outside the entrypoint's import closure: ResourceProvider.zip/mare_dynamodb_streamtrigger/local.py",
    ]


def test_a_handler_zip_above_its_floor_is_refused(tmp_path):
    found, sizes = check_package.problems(try_import=False, path=package(tmp_path, GOOD))
    assert sizes["handler zip / floor"] < check_package.SIZE_RATIO_MAX
    heavy = [name for name in GOOD if not name.startswith("botocore/data/") or name.endswith("0.json")]
    found, sizes = check_package.problems(try_import=False, path=package(tmp_path, heavy))
    assert sizes["handler zip / floor"] > check_package.SIZE_RATIO_MAX
    assert found == [f"the handler zip is {sizes['handler zip / floor']:.3f} times its floor; at most 1.05"]


def test_an_entrypoint_that_needs_what_the_zip_lacks_is_refused(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("mare_dynamodb_streamtrigger/__init__.py", "")
        archive.writestr("mare_dynamodb_streamtrigger/handlers.py", "import requests_that_were_not_pinned\n")
    problem = check_package.import_problem(zipfile.ZipFile(inner))
    assert problem is not None
    assert problem.endswith("ModuleNotFoundError: No module named 'requests_that_were_not_pinned'")
