# Two commands set everything up: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Python 3.12 (the handler's Lambda runtime) where the machine has it, else python3.
PYTHON ?= $(shell scripts/find-python.sh)
PACKAGE := mare_dynamodb_streamtrigger

.PHONY: register org-template cdk-venv cdk-test cdk-requirements venv demo test test-fast typecheck fuzz contract package lint lint-code validate check-generated generate bench requirements clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	# The local tools as the command `mare-streamtrigger` (src/ linked into the venv, nothing copied).
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

demo: venv
	$(BIN)/mare-streamtrigger demo

# Everything: code checks, every test tier with coverage of src/ (gated), the contract tests, the package.
# The gate sits a point under the coverage reached (95.1% of lines when it was set); sys.monitoring
# (Python 3.12) keeps coverage's cost small.
COVERAGE_MIN ?= 94
test: venv lint-code typecheck validate check-generated lint
	COVERAGE_CORE=sysmon $(BIN)/pytest -q --cov=src --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_MIN)
	$(MAKE) contract
	$(MAKE) package
	$(MAKE) cdk-test

# The CDK package (cdk/): its own environment, cdk/.venv, with aws-cdk-lib, which runs in Node.js
# (jsii), kept out of the handler's. Its tests synthesize real apps and lint the templates with
# this project's cfn-lint check (the handler's environment, hence venv).
CDK_VENV := cdk/.venv
CDK_BIN := $(CDK_VENV)/bin
# jsii warns at every start on a Node.js that has reached its end of life; scripts/check-node.sh says so once.
NODE_MAJOR := $(shell node --version 2>/dev/null | sed 's/^v\([0-9]*\).*/\1/')
CDK_ENV := JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=$(NODE_MAJOR)
cdk-venv: $(CDK_VENV)/.installed

$(CDK_VENV)/.installed: cdk/requirements.txt
	scripts/check-node.sh
	$(PYTHON) -m venv $(CDK_VENV)
	$(CDK_BIN)/pip install --quiet --disable-pip-version-check -r cdk/requirements.txt
	touch $@

cdk-test: cdk-venv venv
	scripts/check-node.sh
	cd cdk && $(CDK_ENV) .venv/bin/mypy
	cd cdk && $(CDK_ENV) .venv/bin/pytest -q

# cdk/requirements.txt from cdk/requirements.in, keeping every pin it already holds.
cdk-requirements: venv
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-trusted-host --no-emit-find-links --allow-unsafe \
		--strip-extras --output-file cdk/requirements.txt cdk/requirements.in

# The edit loop: the tests without the fuzz, cfn test or cfn-lint subprocesses, and no package.
test-fast: venv
	$(BIN)/pytest -q -m "not fuzz and not contract and not lint"

typecheck: venv
	$(BIN)/mypy

# The no-crash property test at length: `make fuzz FUZZ_EXAMPLES=50000 FUZZ_SEED=7` (make test runs 2,000).
FUZZ_EXAMPLES ?= 20000
FUZZ_SEED ?= 20261202
fuzz: venv
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest -q -s tests/test_fuzz.py

# AWS's contract tests (`cfn test`) against moto, without Docker; arguments after -- reach pytest.
contract: venv
	$(BIN)/python contract/harness.py $(CONTRACT_ARGS)

# cfn-lint on templates, checking this type's properties too: `make lint TEMPLATES="a.yaml b.yaml"`.
TEMPLATES ?= examples/*.yaml template.yml
lint: venv
	$(BIN)/python scripts/lint.py $(TEMPLATES)

lint-code: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

validate: venv
	$(BIN)/cfn validate

# `cfn generate` rewrites models.py and docs/ (removing every file there): keep the hand-written guides.
# It also writes resource-role.yaml with every permission on "*": scripts/execution_role.py scopes it.
generate: venv
	mkdir -p build/kept-docs && cp docs/guide.md docs/performance.md docs/compared-with-pipes.md docs/aws-behaviour.md docs/migrating-from-cdk.md build/kept-docs/ 2>/dev/null || true
	$(BIN)/cfn generate
	cp build/kept-docs/*.md docs/ 2>/dev/null || true
	$(BIN)/python scripts/execution_role.py
	$(BIN)/python scripts/generate_cdk.py

# What each action costs: API calls, invocations, pacing, list at scale, cold start, size, memory.
bench: venv
	$(BIN)/python bench/bench.py

# models.py and the property reference in docs/ must be what `cfn generate` writes now.
check-generated: venv
	scripts/check-generated.sh

# The registry package, built without Docker: rpdk runs the first pip on PATH, so the venv's
# (Python 3.12 where the machine has it) builds wheels that fit the python3.12 runtime. PIP_NO_DEPS
# makes it install requirements.txt exactly: every runtime dependency is pinned there.
package: venv
	PIP_NO_DEPS=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/cfn submit --dry-run
	$(BIN)/python scripts/check_package.py mare-dynamodb-streamtrigger.zip

# Registers the type in one account and region with cfn submit from the project's environment (guide 5.1):
# `make register REGION=eu-west-1`, with ROLE_ARN=... to use an execution role of your own.
register: venv
	@test -n "$(REGION)" || { echo "make register needs REGION, as in: make register REGION=eu-west-1" >&2; exit 2; }
	PIP_NO_DEPS=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/cfn submit --set-default --region $(REGION) $(if $(ROLE_ARN),--role-arn $(ROLE_ARN))

# The template that registers the type in every account and region of a service-managed StackSet (guide 5.8):
# `make org-template PACKAGE_URL=s3://bucket/mare-dynamodb-streamtrigger.zip` writes it and lints it.
ORG_TEMPLATE := build/org-registration.yaml
org-template: venv
	@test -n "$(PACKAGE_URL)" || { echo "make org-template needs PACKAGE_URL, as in: make org-template PACKAGE_URL=s3://bucket/key.zip" >&2; exit 2; }
	$(BIN)/python scripts/org_template.py --package "$(PACKAGE_URL)" --output $(ORG_TEMPLATE)
	$(BIN)/python scripts/lint.py $(ORG_TEMPLATE)

# requirements-dev.txt from requirements-dev.in, keeping every pin it already holds.
requirements: venv
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-trusted-host --no-emit-find-links --allow-unsafe \
		--strip-extras --output-file requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) $(CDK_VENV) build .pytest_cache .ruff_cache
