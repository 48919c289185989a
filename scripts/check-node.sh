#!/usr/bin/env bash
# The AWS CDK's Python packages run on jsii, which runs the CDK in Node.js: without `node` on PATH
# nothing synthesizes. Names what is missing; warns (once) where jsii no longer supports the version.
if ! command -v node >/dev/null 2>&1; then
  echo "Node.js is missing: the AWS CDK (through jsii) runs in it. Install Node.js 22 or 24 and put 'node' on PATH." >&2
  exit 1
fi
version=$(node --version)
major=${version#v}
major=${major%%.*}
if [ "$major" -lt 22 ]; then
  echo "Node.js $version: jsii supports Node.js 22 and 24 and warns on older versions; synthesis works, upgrade when you can." >&2
fi
