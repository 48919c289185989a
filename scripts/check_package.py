"""Checks the package `cfn submit --dry-run` built: what the registry needs, nothing it must not carry.

python scripts/check_package.py [mare-dynamodb-streamtrigger.zip]

The handler's zip may hold, of this project, only the modules the entrypoint imports (followed
through every import statement, those inside functions included) and the built-in functions'
files, which are read as data. It holds no developer tool (`mare_streamtrigger_local`, `mare_streamtrigger_lint`), no
packaging tool (pip, setuptools), and its size stays within SIZE_RATIO_MAX of the floor: the
dependencies alone (the library, boto3, botocore and what they import).
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mare_dynamodb_streamtrigger.core.code_archives import BUILTIN_MODULES, BUILTIN_SHARED_MODULE

PACKAGE = "mare_dynamodb_streamtrigger"
ENTRYPOINT = f"{PACKAGE}.handlers"
# Read as files by spec.builtin_files, for the functions' archives; never imported by the handlers.
DATA_FILES = {f"{PACKAGE}/builtin/{name}" for name in (*BUILTIN_MODULES.values(), BUILTIN_SHARED_MODULE)}
OUTER_REQUIRED = {"schema.json", ".rpdk-config", "configuration-schema.json", "ResourceProvider.zip"}
INNER_REQUIRED = {
    f"{PACKAGE}/handlers.py",
    f"{PACKAGE}/models.py",
    *DATA_FILES,
    "cloudformation_cli_python_lib/resource.py",
}
# The project's own development folders and packages, packaging tools, and bytecode: none may reach
# the handler's package.
FORBIDDEN_TOP = {
    "tests",
    "contract",
    "inputs",
    "examples",
    "scripts",
    "docs",
    ".venv",
    "build",
    ".pytest_cache",
    "mare_streamtrigger_local",
    "mare_streamtrigger_lint",
    "pip",
    "setuptools",
    "pkg_resources",
    "_distutils_hack",
    "wheel",
}
# The handler's zip may be at most this many times the size of its dependencies alone.
SIZE_RATIO_MAX = 1.05
ZIP_ENTRY_HEADERS = 30 + 46  # a local file header and a central directory record, without the name


def is_leftover(name: str) -> bool:
    parts = name.split("/")
    top = parts[0].split("-")[0] if parts[0].endswith(".dist-info") else parts[0]
    return top in FORBIDDEN_TOP or "__pycache__" in parts or name.endswith(".pyc")


def module_name(path: str) -> str:
    dotted = path.removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def imported(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of `known` that `module`'s source imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    with_parents = {".".join(name.split(".")[:end]) for name in found for end in range(1, name.count(".") + 2)}
    return with_parents & known


def import_closure(sources: dict[str, str], entrypoint: str = ENTRYPOINT) -> set[str]:
    """The files of `sources` (path: text) that `entrypoint` imports, directly or through others."""
    by_module = {module_name(path): path for path in sources}
    known = set(by_module)
    parts = entrypoint.split(".")
    seen = {".".join(parts[:end]) for end in range(1, len(parts) + 1)} & known
    queue = list(seen)
    while queue:
        module = queue.pop()
        path = by_module[module]
        for name in imported(module, sources[path], path.endswith("__init__.py"), known) - seen:
            seen.add(name)
            queue.append(name)
    return {by_module[module] for module in seen}


def import_problem(inner: zipfile.ZipFile) -> str | None:
    """The entrypoint imported from the handler zip alone, without this machine's site-packages: what
    the package lacks (a dependency not pinned in requirements.txt) shows here, not in AWS."""
    with tempfile.TemporaryDirectory() as folder:
        inner.extractall(folder)
        probe = (
            f"import sys; sys.path.insert(0, {folder!r}); import {ENTRYPOINT}, boto3; "
            "boto3.client('sts', region_name='eu-west-1')"
        )
        ran = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, check=False)
    if ran.returncode == 0:
        return None
    return f"{ENTRYPOINT} does not import from the handler zip alone: {ran.stderr.strip().splitlines()[-1]}"


def problems(path: Path, try_import: bool = True) -> tuple[list[str], dict[str, float]]:
    outer = zipfile.ZipFile(path)
    found = [f"missing {name}" for name in sorted(OUTER_REQUIRED - set(outer.namelist()))]
    if "ResourceProvider.zip" not in outer.namelist():
        return found, {}
    inner = zipfile.ZipFile(io.BytesIO(outer.read("ResourceProvider.zip")))
    names = inner.namelist()
    found += [f"missing ResourceProvider.zip/{name}" for name in sorted(INNER_REQUIRED - set(names))]
    found += [f"leftover ResourceProvider.zip/{name}" for name in names if is_leftover(name)]
    own = {name: inner.read(name).decode() for name in names if name.startswith(f"{PACKAGE}/") and name.endswith(".py")}
    needed = import_closure(own) | DATA_FILES
    found += [
        f"outside the entrypoint's import closure: ResourceProvider.zip/{name}" for name in sorted(set(own) - needed)
    ]
    found += [
        f"not Python, in ResourceProvider.zip/{name}"
        for name in names
        if name.startswith(f"{PACKAGE}/") and not name.endswith((".py", "/")) and not is_leftover(name)
    ]
    if try_import and not found and (problem := import_problem(inner)):
        found.append(problem)
    handler_zip = outer.getinfo("ResourceProvider.zip").file_size
    floor = sum(
        info.compress_size + 30 + 46 + 2 * len(info.filename)
        for info in inner.infolist()
        if not info.filename.startswith(f"{PACKAGE}/")
    )
    sizes: dict[str, float] = {
        "package bytes": path.stat().st_size,
        "handler zip bytes": handler_zip,
        "handler zip floor bytes (dependencies alone)": floor,
        "handler zip / floor": round(handler_zip / floor, 4) if floor else 0.0,
        "handler files": len(names),
        "handler unpacked bytes": sum(info.file_size for info in inner.infolist()),
        "own modules": len(own),
    }
    if floor and handler_zip > SIZE_RATIO_MAX * floor:
        found.append(f"the handler zip is {handler_zip / floor:.3f} times its floor; at most {SIZE_RATIO_MAX}")
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
