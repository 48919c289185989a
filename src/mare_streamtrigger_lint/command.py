"""`mare-streamtrigger-lint`: cfn-lint with Mare::DynamoDB::StreamTrigger's schema and create's checks.

Usage: mare-streamtrigger-lint [CFN-LINT ARGUMENTS...] TEMPLATE...

Every argument goes to cfn-lint unchanged. The exit code is cfn-lint's, counting errors only:
0 clean (warnings are printed but do not fail), 2 errors found, 1 cfn-lint could not run.
"""

from __future__ import annotations

import os
import sys

import cfnlint.runner

RULES_MODULE = "mare_streamtrigger_lint.rules"


def main(argv: list[str] | None = None) -> None:
    """Run cfn-lint's command line on argv with the type's rules appended; always exits."""
    arguments = sys.argv[1:] if argv is None else argv
    with open(os.devnull, encoding="utf-8") as empty_input:
        if sys.stdin is None:
            # fd 0 closed, as some CI runners start commands: cfn-lint calls sys.stdin.isatty() to decide
            # whether to read a template from a pipe. An empty stdin answers that; what is linted is unchanged.
            sys.stdin = empty_input
        sys.argv = ["cfn-lint", "--append-rules", RULES_MODULE, "--non-zero-exit-code", "error", *arguments]
        cfnlint.runner.main()  # always ends with sys.exit(code)
