"""The docs cite tests as evidence (docs/aws-behaviour.md: the test that simulates each AWS
behaviour; compared-with-pipes.md and performance.md too): each test they name in full must exist,
so that a renamed or removed test cannot leave a page citing nothing."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A test's name in full: not a file's (test_x.py, test_x.snapshot.json), nor one cut short (test_x_...).
CITED = re.compile(r"\b(test_\w*[a-z0-9])(?![\w.])")


def test_every_test_the_docs_name_exists():
    defined = {
        name
        for path in [*(ROOT / "tests").rglob("test_*.py"), *(ROOT / "cdk" / "tests").rglob("test_*.py")]
        for name in re.findall(r"^def (test_\w+)\(", path.read_text(), flags=re.MULTILINE)
    }
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    cited = {(page.name, name) for page in pages for name in CITED.findall(page.read_text())}
    assert len({page for page, _ in cited}) >= 3 and len(cited) > 100
    assert sorted((page, name) for page, name in cited if name not in defined) == []
