"""The function's code as zip archives: inline code and the built-in functions, byte-for-byte
reproducible. Pure."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from importlib.resources import files

from mare_dynamodb_streamtrigger import builtin

BUILTIN_MODULES = {"PIPELINE": "pipeline.py", "SNS_TOPIC": "sns_topic.py"}


# What the built-in modules share, zipped beside them at the archive's root.
BUILTIN_SHARED_MODULE = "stream_batch.py"


# A fixed timestamp keeps the archive of the same source byte-for-byte the same.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def builtin_source(trigger_type: str, handler: str) -> str:
    """The built-in function of the trigger type, its entry point named as the handler says."""
    source = (files(builtin) / BUILTIN_MODULES[trigger_type]).read_text()
    function = handler.rsplit(".", 1)[1]
    return source if function == "handler" else f"{source}\n\n{function} = handler\n"


def builtin_files(trigger_type: str, handler: str) -> dict[str, str]:
    """The built-in function's archive: its module where the handler names it, the shared module beside."""
    return {
        inline_file_name(handler): builtin_source(trigger_type, handler),
        BUILTIN_SHARED_MODULE: (files(builtin) / BUILTIN_SHARED_MODULE).read_text(),
    }


def inline_file_name(handler: str) -> str:
    """Where inline source goes: the module part of Handler, as Python's runtime imports it
    (everything before the last dot, as a module path)."""
    return handler.rsplit(".", 1)[0].replace(".", "/") + ".py"


def inline_zip(source: str, handler: str) -> bytes:
    return zip_of({inline_file_name(handler): source})


def zip_of(sources: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in sources.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.external_attr = 0o644 << 16
            archive.writestr(info, source)
    return buffer.getvalue()


def code_sha256(archive: bytes) -> str:
    """As Lambda reports CodeSha256: base64 of the archive's SHA-256."""
    return base64.b64encode(hashlib.sha256(archive).digest()).decode()
