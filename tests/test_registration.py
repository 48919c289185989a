"""Registering the type: `make register` (cfn submit from the project's environment) and the organization
template (`make org-template`), its roles, and the type configuration's function run as Lambda would run it."""

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar

import boto3
import jsonschema
import pytest
import yaml
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from cloudformation_cli_python_lib.metrics import MetricsPublisher

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import org_template  # noqa: E402

PACKAGE = "s3://org-packages/mare-dynamodb-streamtrigger.zip"
TYPE_ARN = "arn:aws:cloudformation:eu-west-1:123456789012:type/resource/Mare-DynamoDB-StreamTrigger"
# A shell without the project's environment on PATH, as a new terminal has.
FRESH_PATH = "/usr/local/bin:/usr/bin:/bin"


def make(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": FRESH_PATH, "HOME": os.environ.get("HOME", "/tmp"), **(env or {})}
    return subprocess.run(["make", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=300, env=environment)


@pytest.fixture
def fake_cfn() -> Any:
    """A `cfn` in place of the environment's, recording how make runs it (no AWS account here)."""
    folder = ROOT / "build" / "test-fake-cfn"
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "record.json"
    script = folder / "cfn"
    script.write_text(
        "#!/bin/sh\n"
        f'printf \'{{"args": "%s", "pip_no_deps": "%s", "path": "%s", "pip": "%s"}}\' "$*" "$PIP_NO_DEPS" "$PATH" '
        f'"$(command -v pip)" > {record}\n'
    )
    script.chmod(0o755)
    (folder / "pip").write_text("#!/bin/sh\n")
    (folder / "pip").chmod(0o755)
    yield folder.relative_to(ROOT), record
    for path in (record, script, folder / "pip"):
        path.unlink(missing_ok=True)
    folder.rmdir()


@pytest.mark.lint
def test_make_register_runs_cfn_submit_with_the_environments_pip_first(fake_cfn):
    folder, record = fake_cfn
    result = make("register", "REGION=eu-west-1", f"BIN={folder}")
    assert result.returncode == 0, result.stdout + result.stderr
    ran = json.loads(record.read_text())
    assert ran["args"] == "submit --set-default --region eu-west-1"
    assert ran["pip_no_deps"] == "1"
    # The package is built by the first pip on PATH: the environment's (guide 5.1).
    assert ran["pip"] == str(ROOT / folder / "pip")


@pytest.mark.lint
def test_make_register_passes_a_role_of_your_own(fake_cfn):
    folder, record = fake_cfn
    role = "arn:aws:iam::123456789012:role/streamtrigger-execution"
    assert make("register", "REGION=eu-west-1", f"ROLE_ARN={role}", f"BIN={folder}").returncode == 0
    assert json.loads(record.read_text())["args"] == f"submit --set-default --region eu-west-1 --role-arn {role}"


@pytest.mark.lint
@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("register", "make register needs REGION, as in: make register REGION=eu-west-1"),
        (
            "org-template",
            "make org-template needs PACKAGE_URL, as in: make org-template PACKAGE_URL=s3://bucket/key.zip",
        ),
    ],
)
def test_a_target_without_its_variable_says_what_to_give(target, message):
    result = make(target)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return org_template.org_template(PACKAGE)


def test_the_execution_role_is_resource_role_yamls(template):
    role_template = yaml.safe_load((ROOT / "resource-role.yaml").read_text())
    assert template["Resources"]["ExecutionRole"] == role_template["Resources"]["ExecutionRole"]
    for section in ("Parameters", "Conditions", "Outputs"):
        for name, value in role_template[section].items():
            assert template[section][name] == value, f"{section}.{name}"


def test_the_type_version_registers_the_package_with_both_roles(template):
    resources = template["Resources"]
    assert template["Parameters"]["SchemaHandlerPackage"]["Default"] == PACKAGE
    assert resources["TypeVersion"] == {
        "Type": "AWS::CloudFormation::ResourceVersion",
        "Properties": {
            "TypeName": "Mare::DynamoDB::StreamTrigger",
            "SchemaHandlerPackage": {"Ref": "SchemaHandlerPackage"},
            "ExecutionRoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
            "LoggingConfig": {
                "LogGroupName": {"Ref": "LogGroup"},
                "LogRoleArn": {"Fn::GetAtt": ["LogDeliveryRole", "Arn"]},
            },
        },
    }
    assert resources["DefaultVersion"]["Properties"] == {"TypeVersionArn": {"Ref": "TypeVersion"}}
    assert resources["TypeConfiguration"]["DependsOn"] == "DefaultVersion"


def test_the_log_delivery_role_may_do_what_the_library_does_and_no_more(template):
    role = template["Resources"]["LogDeliveryRole"]["Properties"]
    execution = template["Resources"]["ExecutionRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"] == execution["AssumeRolePolicyDocument"]
    [statement_logs, statement_metrics] = role["Policies"][0]["PolicyDocument"]["Statement"]
    group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:mare-dynamodb-streamtrigger-logs"
    assert statement_logs["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement_logs["Resource"] == [{"Fn::Sub": group}, {"Fn::Sub": f"{group}:log-stream:*"}]
    assert statement_metrics["Action"] == "cloudwatch:PutMetricData"
    # The namespace the library in the handler's package publishes to.
    namespace = MetricsPublisher._make_namespace("Mare::DynamoDB::StreamTrigger")
    assert statement_metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": namespace}}


def test_the_configuration_function_may_set_this_types_configuration_only(template):
    statements = template["Resources"]["TypeConfigurationRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    [configuration, logs] = statements["Statement"]
    assert configuration["Action"] == "cloudformation:SetTypeConfiguration"
    assert configuration["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:type/resource/"
        "Mare-DynamoDB-StreamTrigger"
    }
    assert logs["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"
        "mare-streamtrigger-type-configuration:log-stream:*"
    }


def test_the_inline_function_fits_lambdas_inline_limit(template):
    code = template["Resources"]["TypeConfigurationFunction"]["Properties"]["Code"]["ZipFile"]
    assert code == (ROOT / "scripts" / "org_type_configuration.py").read_text()
    assert len(code) <= 4096  # AWS::Lambda::Function Code.ZipFile


@pytest.mark.lint
def test_make_org_template_writes_a_template_that_lints_clean():
    result = make("org-template", f"PACKAGE_URL={PACKAGE}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [line for line in result.stdout.splitlines() if line[:1] in "EW" and line[1:5].isdigit()]
    written = yaml.safe_load((ROOT / "build" / "org-registration.yaml").read_text())
    assert written == json.loads(json.dumps(org_template.org_template(PACKAGE)))


def test_a_package_that_is_not_an_s3_zip_is_refused(capsys):
    assert org_template.main(["--package", "https://example.com/type.zip"]) == 2
    assert "--package must be s3://BUCKET/KEY.zip" in capsys.readouterr().err


# --- the type configuration's function, run as Lambda runs it ---------------------------------------------


class Answers(http.server.BaseHTTPRequestHandler):
    """CloudFormation's presigned response URL: keeps what the function PUTs."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        Answers.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def response_url():
    Answers.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/response"
    server.shutdown()


@pytest.fixture
def function(template, monkeypatch):
    """The ZipFile text as Lambda loads it (index.py), with CloudFormation's SetTypeConfiguration simulated
    through botocore's event hooks: moto has no registry. Yields the module and the requests it sent."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    code = template["Resources"]["TypeConfigurationFunction"]["Properties"]["Code"]["ZipFile"]
    module: dict[str, Any] = {"__name__": "index"}
    exec(compile(code, "index.py", "exec"), module)
    sent: list[dict[str, Any]] = []
    refusal: list[ClientError] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if refusal:
            raise refusal[0]
        # AWS's rule (API reference, SetTypeConfiguration): an alias is required for a resource type's configuration.
        if "ConfigurationAlias" not in sent[-1]:
            raise ClientError(
                {
                    "Error": {
                        "Code": "ValidationError",
                        "Message": "Specifying a configuration alias is required when setting a configuration "
                        "for a resource type extension",
                    }
                },
                "SetTypeConfiguration",
            )
        accepted = AWSResponse("https://cloudformation.eu-west-1.amazonaws.com/", 200, {}, None)
        return accepted, {"ConfigurationArn": f"{TYPE_ARN}/configuration/default"}

    boto3.setup_default_session()
    events = boto3.DEFAULT_SESSION.events
    events.register("before-parameter-build.cloudformation.SetTypeConfiguration", record)
    events.register("before-call.cloudformation.SetTypeConfiguration", answer)
    yield module, sent, refusal
    boto3.DEFAULT_SESSION = None


def custom_resource_event(request_type: str, url: str, **properties: Any) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/StackSet-streamtrigger/1",
        "RequestId": "request-1",
        "LogicalResourceId": "TypeConfiguration",
        "ResourceType": "Custom::TypeConfiguration",
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:f", **properties},
    }


SETTINGS = {
    "TypeArn": TYPE_ARN,
    "DevopsParameterRoleArn": "arn:aws:iam::210987654321:role/devops-parameters",
    "DevopsParameterRoleExternalId": "shared-secret-1234",
    "CodeBuckets": ["team-packages", ""],
    "LayerArns": [""],
    "VpcIds": [""],
}


def test_create_sets_the_configuration_the_parameters_give(function, response_url):
    module, sent, _ = function
    module["handler"](custom_resource_event("Create", response_url, **SETTINGS), None)

    [request] = sent
    assert request["TypeArn"] == TYPE_ARN
    assert request["ConfigurationAlias"] == "default"
    configuration = json.loads(request["Configuration"])
    assert configuration == {
        "DevopsParameterRoleArn": "arn:aws:iam::210987654321:role/devops-parameters",
        "DevopsParameterRoleExternalId": "shared-secret-1234",
        "CodeBuckets": ["team-packages"],
    }
    schema = json.loads((ROOT / "mare-dynamodb-streamtrigger-configuration.json").read_text())
    jsonschema.validate(configuration, {**schema, "additionalProperties": False})
    [answer] = Answers.received
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", f"{TYPE_ARN}/configuration/default"), answer
    assert (answer["RequestId"], answer["LogicalResourceId"]) == ("request-1", "TypeConfiguration")


def test_empty_parameters_set_an_empty_configuration(function, response_url):
    module, sent, _ = function
    empty = {
        "TypeArn": TYPE_ARN,
        "DevopsParameterRoleArn": "",
        "DevopsParameterRoleExternalId": "",
        "CodeBuckets": [""],
    }
    module["handler"](custom_resource_event("Update", response_url, **empty), None)
    assert json.loads(sent[0]["Configuration"]) == {}
    assert Answers.received[0]["Status"] == "SUCCESS"


def test_delete_leaves_the_configuration_to_the_types_deregistration(function, response_url):
    module, sent, _ = function
    event = custom_resource_event("Delete", response_url, **SETTINGS)
    module["handler"]({**event, "PhysicalResourceId": f"{TYPE_ARN}/configuration/default"}, None)
    assert sent == []
    assert Answers.received[0]["Status"] == "SUCCESS"


def test_a_refusal_fails_the_stack_operation_without_the_external_id(function, response_url, capsys):
    module, _, refusal = function
    message = 'Configuration {"DevopsParameterRoleExternalId": "shared-secret-1234"} is not valid'
    refusal.append(ClientError({"Error": {"Code": "TypeConfigurationNotFoundException", "Message": message}}, "x"))
    module["handler"](custom_resource_event("Create", response_url, **SETTINGS), None)
    [answer] = Answers.received
    assert answer["Status"] == "FAILED"
    assert "TypeConfigurationNotFoundException" in answer["Reason"] and "***" in answer["Reason"]
    assert "shared-secret-1234" not in json.dumps(answer)
    assert "shared-secret-1234" not in "".join(capsys.readouterr())


def test_cloudformation_has_no_resource_type_for_a_resource_types_configuration():
    """Why the configuration is a custom resource: of AWS's AWS::CloudFormation::* types (AWS's schemas, as
    cfn-lint ships them), only hooks have one. When AWS adds one for resource types, this fails: use it."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    types = PROVIDER_SCHEMA_MANAGER.get_resource_types("us-east-1")
    configurations = sorted(name for name in types if name.startswith("AWS::CloudFormation::") and "Config" in name)
    assert configurations == ["AWS::CloudFormation::HookTypeConfig"]


def test_a_request_without_an_alias_is_refused_as_aws_refuses_it(function):
    """The control for the simulation: the function's requests pass it only because they give the alias."""
    _, sent, _ = function
    client = boto3.client("cloudformation")
    with pytest.raises(ClientError, match="configuration alias is required"):
        client.set_type_configuration(TypeArn=TYPE_ARN, Configuration="{}")
    assert len(sent) == 1
