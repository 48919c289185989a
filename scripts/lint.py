"""Lint CloudFormation templates with cfn-lint and Mare::DynamoDB::StreamTrigger's checks.

Usage: python scripts/lint.py [ARGS...]

ARGS go to cfn-lint unchanged (templates, or options such as --regions); with none, the examples and
template.yml are linted. The checks are mare_streamtrigger_lint's (the type's schema, and create's
own checks as rules E9301-E9305 and W9301); users run the same as `mare-streamtrigger-lint`. The exit
code is cfn-lint's, counting errors only: 0 clean (warnings are printed but do not fail), 2 errors
found, 1 cfn-lint could not run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mare_streamtrigger_lint.command import main

ROOT = Path(__file__).resolve().parent.parent


def default_templates() -> list[str]:
    """The templates linted when no arguments are given."""
    return [*map(str, sorted((ROOT / "examples").glob("*.yaml"))), str(ROOT / "template.yml")]


if __name__ == "__main__":
    main(sys.argv[1:] or ["--", *default_templates()])
