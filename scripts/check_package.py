"""Checks the package `cfn submit --dry-run` built: what the registry needs, nothing it must not carry.

python scripts/check_package.py [mare-dynamodb-streamtrigger.zip]
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

OUTER_REQUIRED = {"schema.json", ".rpdk-config", "configuration-schema.json", "ResourceProvider.zip"}
INNER_REQUIRED = {
    "mare_dynamodb_streamtrigger/handlers.py",
    "mare_dynamodb_streamtrigger/models.py",
    "mare_dynamodb_streamtrigger/builtin/pipeline.py",
    "mare_dynamodb_streamtrigger/builtin/sns_topic.py",
    "mare_dynamodb_streamtrigger/builtin/stream_batch.py",
    "cloudformation_cli_python_lib/resource.py",
}
# The project's own development folders, and bytecode: none may reach the handler's package.
FORBIDDEN_TOP = {"tests", "contract", "inputs", "examples", "scripts", "docs", ".venv", "build", ".pytest_cache"}


def is_leftover(name: str) -> bool:
    parts = name.split("/")
    return parts[0] in FORBIDDEN_TOP or "__pycache__" in parts or name.endswith(".pyc")


def problems(path: Path) -> tuple[list[str], dict[str, int]]:
    outer = zipfile.ZipFile(path)
    found = [f"missing {name}" for name in sorted(OUTER_REQUIRED - set(outer.namelist()))]
    if "ResourceProvider.zip" not in outer.namelist():
        return found, {}
    inner = zipfile.ZipFile(io.BytesIO(outer.read("ResourceProvider.zip")))
    names = inner.namelist()
    found += [f"missing ResourceProvider.zip/{name}" for name in sorted(INNER_REQUIRED - set(names))]
    found += [f"leftover ResourceProvider.zip/{name}" for name in names if is_leftover(name)]
    sizes = {
        "package bytes": path.stat().st_size,
        "handler zip bytes": outer.getinfo("ResourceProvider.zip").file_size,
        "handler files": len(names),
        "handler unpacked bytes": sum(info.file_size for info in inner.infolist()),
    }
    return found, sizes


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "mare-dynamodb-streamtrigger.zip")
    found, sizes = problems(path)
    for key, value in sizes.items():
        print(f"{key}: {value:,}")
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
