#!/usr/bin/env bash
# Prints the interpreter to build the virtual environment with: Python 3.12 (the handler's
# Lambda runtime) where the machine has it, else python3. Under pyenv, 3.12 may be installed
# without being the default, so ask pyenv for its newest 3.12 too.
pyenv_312=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.[0-9]+)?$' | sort -V | tail -n 1)
for version in "" "$pyenv_312"; do
  found=$(PYENV_VERSION=$version python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null) \
    && [ -n "$found" ] && { echo "$found"; exit 0; }
done
command -v python3
