"""Security against moto over HTTP: the foundation account's session, and no secret in any log or message."""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import (
    ACCOUNT,
    DEVOPS_ACCOUNT,
    PIPELINE_ARN,
    REGION,
    TABLE,
    client,
    devops_clients_kwargs,
    drive,
    make_table,
    pipeline_properties,
    put_table_parameters,
)
from mare_dynamodb_streamtrigger.core.names import stream_parameter_name, table_parameter_name
from mare_dynamodb_streamtrigger.guard import redaction
from mare_streamtrigger_local import driving

NAME = "deployment-processor"
READER_ROLE = f"arn:aws:iam::{DEVOPS_ACCOUNT}:role/parameter-reader"
EXTERNAL_ID = "mare-7d1c2f9e-external"
PARAMETER_ARNS = [
    f"arn:aws:ssm:{REGION}:{DEVOPS_ACCOUNT}:parameter/{table_parameter_name(TABLE)}",
    f"arn:aws:ssm:{REGION}:{DEVOPS_ACCOUNT}:parameter/{stream_parameter_name(TABLE)}",
]
# STS: RoleSessionName is 2 to 64 characters of [\w+=,.@-].
SESSION_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]{2,64}$")
# What the foundation role's trust would require; moto does not enforce it, the test reads the request.
READER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
        }
    ],
}


def devops_table() -> dict[str, Any]:
    """The table here, its parameters in the devops account, read through a (broad) reader role there."""
    table = make_table(parameters=False)
    devops = devops_clients_kwargs()
    client("iam", **devops).create_role(RoleName="parameter-reader", AssumeRolePolicyDocument=json.dumps(READER_TRUST))
    put_table_parameters(client("ssm", **devops), TABLE, table["TableArn"], table["LatestStreamArn"])
    return table


def test_the_foundation_session_is_short_named_after_the_request_and_reads_only_the_two_parameters(moto, aws_calls):
    table = devops_table()
    token = "0b6f6a57-5d0e-4c1f-9a51-3d8e4f2b7c60"
    final, _ = drive(
        "CREATE",
        pipeline_properties(IsDevops=True),
        token=token,
        type_configuration={"DevopsParameterRoleArn": READER_ROLE, "DevopsParameterRoleExternalId": EXTERNAL_ID},
    )
    assert final["status"] == "SUCCESS", final
    assert final["resourceModel"]["StreamArn"] == table["LatestStreamArn"]

    (request,) = aws_calls.sent("sts.AssumeRole")
    assert set(request) == {"RoleArn", "RoleSessionName", "DurationSeconds", "Policy", "ExternalId"}
    assert request["RoleArn"] == READER_ROLE
    assert request["ExternalId"] == EXTERNAL_ID
    assert request["DurationSeconds"] == 900
    assert request["RoleSessionName"] == f"Mare-DynamoDB-StreamTrigger-{token}"
    assert len(request["RoleSessionName"]) == 64 and SESSION_NAME.fullmatch(request["RoleSessionName"])
    # The session policy: exactly ssm:GetParameters on exactly these two ARNs, nothing else.
    assert json.loads(request["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTableParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameters"],
                "Resource": PARAMETER_ARNS,
            }
        ],
    }
    # What the session then reads is what its policy allows: the same two parameters, in one call.
    (read,) = aws_calls.sent("ssm.GetParameters")
    assert [f"arn:aws:ssm:{REGION}:{DEVOPS_ACCOUNT}:parameter/{name}" for name in read["Names"]] == PARAMETER_ARNS


def test_without_an_external_id_none_is_sent_and_a_long_token_is_cut_to_the_session_name_limit(moto, aws_calls):
    devops_table()
    token = "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/" + "x" * 60
    final, _ = drive(
        "CREATE",
        pipeline_properties(IsDevops=True),
        token=token,
        type_configuration={"DevopsParameterRoleArn": READER_ROLE},
    )
    assert final["status"] == "SUCCESS", final
    (request,) = aws_calls.sent("sts.AssumeRole")
    assert "ExternalId" not in request
    # ":" and "/" are not allowed in a session name; the name keeps the type's prefix.
    assert request["RoleSessionName"] == "Mare-DynamoDB-StreamTrigger-arn-aws-cloudformation-eu-west-1-123"
    assert len(request["RoleSessionName"]) == 64 and SESSION_NAME.fullmatch(request["RoleSessionName"])


def test_a_refused_assume_role_is_access_denied_naming_the_role_and_builds_nothing(moto, aws_calls):
    devops_table()
    aws_calls.fail("sts.AssumeRole", "AccessDenied", "not authorized to perform sts:AssumeRole", status=403)
    final, events = drive(
        "CREATE",
        pipeline_properties(IsDevops=True),
        type_configuration={"DevopsParameterRoleArn": READER_ROLE, "DevopsParameterRoleExternalId": "wrong-id"},
    )
    assert len(events) == 1
    assert (final["status"], final["errorCode"]) == ("FAILED", "AccessDenied")
    assert final["message"] == (
        f"Trigger deployment-processor: DevopsParameterRoleArn {READER_ROLE}: sts:AssumeRole was refused with an "
        "external ID (the type "
        "configuration's DevopsParameterRoleExternalId): not authorized to perform sts:AssumeRole"
    )
    assert client("iam").list_roles(PathPrefix="/mare-dynamodb-streamtrigger/")["Roles"] == []
    assert client("lambda").list_functions()["Functions"] == []


def test_a_bad_external_id_is_refused_before_anything_is_called(moto, aws_calls):
    final, _ = drive(
        "CREATE",
        pipeline_properties(IsDevops=True),
        type_configuration={"DevopsParameterRoleArn": READER_ROLE, "DevopsParameterRoleExternalId": 7},
    )
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == (
        "DevopsParameterRoleExternalId must be a string, not a number (in requestData.typeConfiguration)"
    )
    assert aws_calls.calls == []
    # A string, but not one STS takes: refused by the same rule STS applies, without repeating it.
    final, _ = drive(
        "CREATE",
        pipeline_properties(IsDevops=True),
        type_configuration={"DevopsParameterRoleArn": READER_ROLE, "DevopsParameterRoleExternalId": "two words"},
    )
    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == (
        "DevopsParameterRoleExternalId (type configuration) must be 2 to 1224 letters, digits or any of _+=,.@:/-"
    )
    assert aws_calls.calls == []


# --- no secret in any log, message or callback context ------------------------------------------

CALLER = {
    "accessKeyId": "AKIACALLERSCAN7Q2W9E",
    "secretAccessKey": "caller-secret-4Hq8zR1mV6tY0pLs3Kd9",
    "sessionToken": "caller-token-Jm2Nb7Vc5Xz8Lk1Qw4Er6Ty9",
}
PROVIDER = {
    "accessKeyId": "AKIAPROVIDERSCAN3X8Z",
    "secretAccessKey": "provider-secret-9Gf2Hd7Js4Ka1Lq6Wp3",
    "sessionToken": "provider-token-Bv5Nc2Mx8Zl4Kj7Hg1Fd3",
}
CODE_MARK = "zip-secret-6e1f0b"
CODE = f"def handler(event, context):\n    return {{'mark': '{CODE_MARK}'}}\n"
NEW_CODE = "def handler(event, context):\n    return 'zip-secret-second-3c9a'\n"
ENV_SECRET = "env-secret-8d2b47a1"
NEW_ENV_SECRET = "env-secret-updated-5f0c"
PROVIDER_LOG_GROUP = "provider-logs"
# The scan's own caller and provider credentials, with the library's log delivery to the provider's group.
SCAN_REQUEST = {
    "target": driving.Target(REGION, ACCOUNT, CALLER, wait=False, max_invocations=None),
    "request_data": {"providerCredentials": PROVIDER, "providerLogGroupName": PROVIDER_LOG_GROUP},
}


def run_to_the_end(action: str, properties: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every event of one request with the scan's credentials, driven as CloudFormation drives it."""
    return drive(action, properties, **SCAN_REQUEST, **kwargs)[1]


def test_no_secret_reaches_a_log_a_message_or_a_callback_context(moto, aws_calls, everything_at_debug, capfd):
    devops_table()
    # What the test itself wrote to set up the foundation account (the trust policy with the
    # external ID) is not the handlers' output.
    everything_at_debug.seek(0)
    everything_at_debug.truncate()
    assumed: list[dict[str, str]] = []
    aws_calls.rewrite("sts.AssumeRole", lambda parsed: assumed.append(dict(parsed["Credentials"])), times=99)
    properties = pipeline_properties(
        IsDevops=True, Code={"ZipFile": CODE}, Environment={"PIPELINE_ARN": PIPELINE_ARN, "API_TOKEN": ENV_SECRET}
    )
    updated = {
        **properties,
        "Code": {"ZipFile": NEW_CODE},
        "Environment": {"PIPELINE_ARN": PIPELINE_ARN, "API_TOKEN": NEW_ENV_SECRET},
    }
    configuration = {"DevopsParameterRoleArn": READER_ROLE, "DevopsParameterRoleExternalId": EXTERNAL_ID}

    events = run_to_the_end("CREATE", properties, type_configuration=configuration)
    events += run_to_the_end("READ", {"Name": NAME})
    events += run_to_the_end("UPDATE", updated, previous=properties)
    events += run_to_the_end("LIST", {})
    # A failure whose AWS message repeats an environment value, as Lambda's validation messages do.
    aws_calls.fail("lambda.CreateFunction", "InvalidParameterValueException", f"Value {ENV_SECRET} is not valid")
    failed = run_to_the_end("CREATE", {**properties, "Name": "second"}, type_configuration=configuration)
    events += failed
    events += run_to_the_end("DELETE", {"Name": NAME})
    assert [e["status"] for e in events if e["status"] != "IN_PROGRESS"] == [
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
        "FAILED",
        "SUCCESS",
    ]
    assert failed[-1]["message"].startswith("Create failed at step function: CreateFunction second: ")
    assert f"Value {redaction.MASK} is not valid" in failed[-1]["message"]

    output = capfd.readouterr()
    provider_logs = client("logs").filter_log_events(logGroupName=PROVIDER_LOG_GROUP)["events"]
    logged = everything_at_debug.getvalue()
    written = {
        "the log records": logged,
        "stdout and stderr": output.out + output.err,
        "the provider's log group": "\n".join(event["message"] for event in provider_logs),
        "the progress messages": "\n".join(e.get("message") or "" for e in events),
        "the callback contexts": "\n".join(json.dumps(e.get("callbackContext")) for e in events),
    }
    assert len(assumed) == 2  # both creates read the foundation parameters
    secrets = {
        **{f"caller {key}": value for key, value in CALLER.items()},
        **{f"provider {key}": value for key, value in PROVIDER.items()},
        **{
            f"assumed {key} {n}": c[key]
            for n, c in enumerate(assumed)
            for key in ("AccessKeyId", "SecretAccessKey", "SessionToken")
        },
        "Code.ZipFile": CODE,
        "Code.ZipFile's text": CODE_MARK,
        "the updated Code.ZipFile": NEW_CODE,
        "Environment.API_TOKEN": ENV_SECRET,
        "DevopsParameterRoleExternalId": EXTERNAL_ID,
        "the updated Environment.API_TOKEN": NEW_ENV_SECRET,
    }
    found = [
        f"{secret} in {where}" for secret, value in secrets.items() for where, text in written.items() if value in text
    ]
    assert found == []
    # The scan saw what it had to: botocore's wire records and the library's log delivery, masked.
    assert logged.count("botocore.endpoint DEBUG") > 50
    assert "Response body" in logged and "Authorization" in logged
    assert redaction.MASK in logged
    # The provider's group gets the handlers' own lines, and none of botocore's request records.
    assert "create pipe_settled: done" in written["the provider's log group"]
    assert "botocore" not in written["the provider's log group"]


def test_without_the_scrubbing_the_same_run_would_leak(moto, everything_at_debug, monkeypatch):
    """The scan above can fail: with records made as logging makes them, the secrets are written."""
    make_table()
    monkeypatch.setattr(redaction, "scrub_record", lambda record: record)
    properties = pipeline_properties(
        Code={"ZipFile": CODE}, Environment={"PIPELINE_ARN": PIPELINE_ARN, "API_TOKEN": ENV_SECRET}
    )
    events = run_to_the_end("CREATE", properties)
    assert events[-1]["status"] == "SUCCESS"
    logged = everything_at_debug.getvalue()
    assert CALLER["accessKeyId"] in logged and CALLER["sessionToken"] in logged and ENV_SECRET in logged
