"""moto in this process, on 127.0.0.1, and what the demo and the tests seed in it: the table with its
stream and SSM parameters, a CodePipeline pipeline. The AWS environment variables point at it until
it stops. moto is a development dependency: it is imported only when started."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import socket
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import boto3

from mare_dynamodb_streamtrigger.core.names import stream_parameter_name, table_parameter_name

if TYPE_CHECKING:
    from mypy_boto3_codepipeline.type_defs import ActionTypeIdTypeDef
    from mypy_boto3_dynamodb.type_defs import TableDescriptionTypeDef

Json = dict[str, Any]


MOTO_REGION = "eu-west-1"

FAKE_CREDENTIALS = {"accessKeyId": "testing", "secretAccessKey": "testing", "sessionToken": "testing"}

# What moto needs in the environment; all of it is put back when moto stops.
MOTO_ENVIRONMENT = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
)

# Enough for any wait against moto, which never needs real time: more means a handler loops.
MOTO_MAX_INVOCATIONS = 50

DEMO_TABLE = "deployment-requests"

DEMO_INDEX = "status-index"

DEMO_PIPELINE = "deploy-pipeline"

DEMO_HELD_DESCRIBES = 2


def example_properties(region: str, account: str, **overrides: Any) -> Json:
    """The seed's example, the one trigger the demo, the tests and the benchmarks build on: start a
    pipeline on the INSERT of a PENDING deployment request. `overrides` replace properties."""
    return {
        "Name": "deployment-processor",
        "TableName": DEMO_TABLE,
        "TriggerType": "PIPELINE",
        "Handler": "app.handler",
        "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
        "Environment": {"PIPELINE_ARN": f"arn:aws:codepipeline:{region}:{account}:{DEMO_PIPELINE}"},
        "FilterPattern": {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["PENDING"]}}}},
        "IsDevops": False,
        **overrides,
    }


def demo_properties(region: str, account: str) -> Json:
    """The example as the demo shows it: reading the table's index, printing what it receives."""
    return example_properties(
        region,
        account,
        Code={"ZipFile": "def handler(event, context):\n    print(event)\n    return event\n"},
        TableIndexName=DEMO_INDEX,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def moto_api(url: str, path: str, body: Json) -> None:
    """A call of moto's own API, on the moto server this module started (http://127.0.0.1)."""
    request = urllib.request.Request(  # noqa: S310 - our own server's address
        f"{url}/moto-api/{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - our own server's address
        pass


@contextlib.contextmanager
def environment(variables: dict[str, str], cleared: Iterable[str]) -> Iterator[None]:
    """The process environment with `cleared` unset and `variables` set, until the block ends."""
    names = set(variables) | set(cleared)
    saved = {name: os.environ.get(name) for name in names}
    for name in cleared:
        os.environ.pop(name, None)
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def moto_environment(url: str, region: str) -> contextlib.AbstractContextManager[None]:
    """This process's AWS environment pointed at the moto server at `url`; put back on exit."""
    variables = {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["accessKeyId"],
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["secretAccessKey"],
        "AWS_SESSION_TOKEN": FAKE_CREDENTIALS["sessionToken"],
        "AWS_DEFAULT_REGION": region,
    }
    return environment(variables, cleared=MOTO_ENVIRONMENT)


@contextlib.contextmanager
def moto_server(region: str) -> Iterator[str]:
    """moto on 127.0.0.1 with this process's AWS environment pointed at it; both undone on exit.

    moto's backends live in the process, so they are reset on start and stop: it starts empty
    even where another moto (a test session's) ran before, and leaves nothing behind.
    """
    from moto.server import ThreadedMotoServer

    from .moto_fidelity import complete_moto

    complete_moto()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    requests_log = logging.getLogger("werkzeug")  # one line per request otherwise
    saved_level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with moto_environment(url, region):
            reset(url)
            try:
                yield url
            finally:
                with contextlib.suppress(OSError):
                    reset(url)
    finally:
        server.stop()
        requests_log.setLevel(saved_level)


def reset(url: str) -> None:
    """moto as new: no resources, and pipes moving through their states at once again (a reset
    alone keeps the state manager's transitions)."""
    moto_api(url, "reset", {})
    moto_api(url, "state-manager/unset-transition", {"model_name": "pipes::pipe"})


def hold_pipes(url: str, describes: int) -> None:
    """Keeps each pipe in its state for `describes` DescribePipe calls, so waits show as IN_PROGRESS."""
    moto_api(
        url,
        "state-manager/set-transition",
        {"model_name": "pipes::pipe", "transition": {"progression": "manual", "times": describes}},
    )


def publish_layer(name: str, region: str) -> str:
    """A layer version holding one Python module (python/helpers.py); its ARN."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("python/helpers.py", "def helper():\n    return 1\n")
    answer = boto3.client("lambda", region_name=region).publish_layer_version(
        LayerName=name, Content={"ZipFile": archive.getvalue()}
    )
    return str(answer["LayerVersionArn"])


def make_network(region: str, cidr: str, subnets: int = 1) -> tuple[str, list[str], str]:
    """A VPC of `cidr` (a /16) with `subnets` subnets, one per Availability Zone, and a security
    group: the VPC's ID, the subnets' and the group's."""
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    prefix = ".".join(cidr.split(".")[:2])
    made = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{prefix}.{n}.0/24", AvailabilityZone=f"{region}{zone}")["Subnet"]
        for n, zone in zip(range(1, subnets + 1), "abcdefghijklmnop", strict=False)
    ]
    group = ec2.create_security_group(GroupName="trigger", Description="trigger", VpcId=vpc)["GroupId"]
    return vpc, [subnet["SubnetId"] for subnet in made], group


def seed_table(
    name: str,
    region: str,
    view_type: str | None = "NEW_AND_OLD_IMAGES",
    parameters: bool = True,
    ssm: Any = None,
) -> TableDescriptionTypeDef:
    """A table with a stream (of `view_type`; None for none) and the GSI status-index, and, with
    `parameters`, its two SSM parameters (through `ssm`, another account's client, where given)."""
    specification: Json = {
        "TableName": name,
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": DEMO_INDEX,
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }
    if view_type:
        specification["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    table = boto3.client("dynamodb", region_name=region).create_table(**specification)["TableDescription"]
    if parameters:
        put_table_parameters(
            ssm or boto3.client("ssm", region_name=region),
            name,
            table["TableArn"],
            table.get("LatestStreamArn", "none"),
        )
    return table


def put_table_parameters(ssm: Any, name: str, table_arn: str, stream_arn: str) -> None:
    for parameter, value in ((table_parameter_name(name), table_arn), (stream_parameter_name(name), stream_arn)):
        ssm.put_parameter(Name=parameter, Value=value, Type="String", Overwrite=True)


def seed_pipeline(name: str, region: str) -> str:
    """A minimal CodePipeline pipeline (an S3 source and a build) and its role; returns its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam = boto3.client("iam", region_name=region)
    role = f"{name}-role"
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    action: ActionTypeIdTypeDef = {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"}
    build: ActionTypeIdTypeDef = {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}
    codepipeline = boto3.client("codepipeline", region_name=region)
    codepipeline.create_pipeline(
        pipeline={
            "name": name,
            "roleArn": iam.get_role(RoleName=role)["Role"]["Arn"],
            "artifactStore": {"type": "S3", "location": f"{name}-artifacts"},
            "stages": [
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Source",
                            "actionTypeId": action,
                            "configuration": {"S3Bucket": f"{name}-sources", "S3ObjectKey": "source.zip"},
                            "outputArtifacts": [{"name": "source"}],
                        }
                    ],
                },
                {
                    "name": "Build",
                    "actions": [
                        {
                            "name": "Build",
                            "actionTypeId": build,
                            "configuration": {"ProjectName": name},
                            "inputArtifacts": [{"name": "source"}],
                        }
                    ],
                },
            ],
        }
    )
    return codepipeline.get_pipeline(name=name)["metadata"]["pipelineArn"]
