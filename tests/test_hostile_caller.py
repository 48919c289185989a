"""A hostile stack author, through the real entrypoint against moto: every attack of issue 19 is
tried, refused, and leaves everything the type did not make as it was.

CloudFormation runs the handlers with the type's execution role for every author who may use
the type, so whatever the handlers can be talked into, any author can do. Each test here plays
one such author and then looks at what exists.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import tracemalloc
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import (
    ACCOUNT,
    NOTHING_LEFT,
    REGION,
    TABLE,
    client,
    drive,
    hold_pipes,
    invoke,
    left_behind,
    make_table,
    network,
    pipeline_properties,
    published_layer,
    role_statements,
)
from mare_dynamodb_streamtrigger.core import waits
from mare_dynamodb_streamtrigger.core.filter_pattern import PATTERN_DEPTH_MAX, PatternError, validate_stream_filter
from mare_dynamodb_streamtrigger.core.names import ROLE_PATH, role_name, table_parameter_name

# What a hand-made function, role or pipe is assumed by (moto does not check the trust).
LAMBDA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
READ_ONLY = ("Get", "Describe", "List")
# 123456789012 in Arabic-Indic digits: Python's \d takes them, AWS does not.
ARABIC_INDIC_ACCOUNT = "".join(chr(0x0660 + int(digit)) for digit in ACCOUNT)


def mutations(aws_calls: Any) -> list[str]:
    """The calls a handler made that change something."""
    return [call for call in aws_calls.calls if not call.split(".")[1].startswith(READ_ONLY)]


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 'payroll'\n")
    return buffer.getvalue()


def users_role(name: str, path: str = "/ops/") -> str:
    return client("iam").create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]


def users_function(name: str) -> dict[str, Any]:
    """A function a user made by hand, with its own role and no pipe."""
    return client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=users_role(f"{name}-own"),
        Handler="app.handler",
        Code={"ZipFile": code_zip()},
    )


def users_pipe(name: str, table: dict[str, Any]) -> dict[str, Any]:
    """A pipe a user made by hand, of a function of the same name, with the user's own roles."""
    function = users_function(name)
    role = users_role(f"{name}-pipe-own")
    client("pipes").create_pipe(
        Name=name, RoleArn=role, Source=table["LatestStreamArn"], Target=function["FunctionArn"]
    )
    return client("pipes").describe_pipe(Name=name)


# --- 1. It deletes what it never made --------------------------------------------------------


def test_delete_of_a_users_function_is_not_found_and_leaves_it(table, aws_calls):
    users_function("payments-prod")

    final, events = drive("DELETE", {"Name": "payments-prod"})

    assert len(events) == 1 and (final["status"], final["errorCode"]) == ("FAILED", "NotFound")
    assert client("lambda").get_function(FunctionName="payments-prod")["Configuration"]["Handler"] == "app.handler"
    assert mutations(aws_calls) == []


def test_the_rollback_order_create_refused_then_delete_leaves_the_users_function(table, aws_calls):
    users_function("payments-prod")

    created, _ = drive("CREATE", pipeline_properties(Name="payments-prod"))
    deleted, _ = drive("DELETE", {"Name": "payments-prod"})

    assert (created["status"], created["errorCode"]) == ("FAILED", "AlreadyExists")
    assert (deleted["status"], deleted["errorCode"]) == ("FAILED", "NotFound")
    assert client("lambda").get_function(FunctionName="payments-prod")
    assert mutations(aws_calls) == []


def test_a_users_pipe_of_the_name_is_not_read_updated_deleted_or_listed(table, aws_calls):
    pipe = users_pipe("audit-feed", table)
    properties = pipeline_properties(Name="audit-feed")

    read, _ = drive("READ", {"Name": "audit-feed"})
    updated, _ = drive("UPDATE", {**properties, "BatchSize": 1}, previous=properties)
    deleted, _ = drive("DELETE", {"Name": "audit-feed"})
    listed, _ = drive("LIST", {})

    assert [event["errorCode"] for event in (read, updated, deleted)] == ["NotFound"] * 3
    assert listed["resourceModels"] == []
    live = client("pipes").describe_pipe(Name="audit-feed")
    assert (live["RoleArn"], live["Target"], live["CurrentState"]) == (pipe["RoleArn"], pipe["Target"], "RUNNING")
    assert client("lambda").get_function(FunctionName="audit-feed")
    assert mutations(aws_calls) == []


def foreign_role_of(name: str, path: str) -> str:
    """A role named as a trigger's function role would be, made by hand elsewhere, with an inline
    policy and a managed one attached."""
    iam = client("iam")
    role = role_name(name, REGION, "fn")
    users_role(role, path)
    iam.put_role_policy(
        RoleName=role,
        PolicyName="ops",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
        ),
    )
    managed = iam.create_policy(
        PolicyName=f"{role}-managed",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=managed)
    return role


@pytest.mark.parametrize("path", ["/ops/", ROLE_PATH], ids=["outside the type's path", "in its path, unmarked"])
def test_delete_never_touches_a_role_it_did_not_make(moto, aws_calls, path):
    role = foreign_role_of("ci", path)

    final, _ = drive("DELETE", {"Name": "ci"})

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotFound")
    iam = client("iam")
    assert iam.get_role(RoleName=role)["Role"]["Path"] == path
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["ops"]
    assert len(iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]) == 1
    assert mutations(aws_calls) == []


def test_where_iam_refuses_to_show_a_role_outside_the_path_delete_takes_it_as_not_ours(moto, aws_calls):
    """The execution role may read only roles under the type's path: real IAM answers
    AccessDenied for GetRole of a role elsewhere (simulated here; moto does not enforce it)."""
    role = foreign_role_of("ci", "/ops/")
    aws_calls.fail(
        "iam.GetRole", "AccessDenied", f"not authorized to perform: iam:GetRole on resource: {role}", times=9
    )

    final, _ = drive("DELETE", {"Name": "ci"})

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotFound")
    assert client("iam").get_role(RoleName=role)
    assert mutations(aws_calls) == []


def test_a_failed_rollback_check_removes_nothing_of_another_request(table, aws_calls):
    """Two requests for one Name: the second is refused, and its rollback removes nothing of the first."""
    first, _ = drive("CREATE", pipeline_properties())
    second, _ = drive("CREATE", pipeline_properties())

    assert first["status"] == "SUCCESS"
    assert (second["status"], second["errorCode"]) == ("FAILED", "AlreadyExists")
    assert drive("READ", {"Name": "deployment-processor"})[0]["status"] == "SUCCESS"


# --- 2. It reads any S3 object for the author -----------------------------------------------


def s3_code_properties(bucket: str) -> dict[str, Any]:
    return pipeline_properties(Code={"S3Bucket": bucket, "S3Key": "payroll/exporter.zip"})


def test_code_from_a_bucket_the_configuration_does_not_list_is_refused_before_anything(table, aws_calls):
    client("s3").create_bucket(Bucket="finance-private", CreateBucketConfiguration={"LocationConstraint": REGION})
    client("s3").put_object(Bucket="finance-private", Key="payroll/exporter.zip", Body=code_zip())

    for configuration in (None, {"CodeBuckets": ["team-artifacts"]}):
        final, _ = drive("CREATE", s3_code_properties("finance-private"), type_configuration=configuration)
        assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
        assert final["message"].startswith("Code.S3Bucket finance-private is not one of the type configuration's")

    assert aws_calls.calls == []
    assert client("lambda").list_functions()["Functions"] == []


def test_code_from_a_listed_bucket_is_deployed(table):
    client("s3").create_bucket(Bucket="team-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    client("s3").put_object(Bucket="team-artifacts", Key="payroll/exporter.zip", Body=code_zip())

    final, _ = drive(
        "CREATE", s3_code_properties("team-artifacts"), type_configuration={"CodeBuckets": ["team-artifacts"]}
    )

    assert final["status"] == "SUCCESS", final


# --- 4. Environment values reach DEBUG log records ------------------------------------------

BRACED = '{"user": "app", "password": "braced-secret-7c1d"}'
NON_ASCII = "pässwörd-geheim-ümlaut-42"


def test_environment_values_of_any_spelling_reach_no_log_record_or_message(table, aws_calls, everything_at_debug):
    environment = {"PIPELINE_ARN": pipeline_properties()["Environment"]["PIPELINE_ARN"], "DB": BRACED, "PW": NON_ASCII}
    properties = pipeline_properties(Environment=environment)
    # A failure whose AWS message repeats both values, as Lambda's validation messages may.
    aws_calls.fail("lambda.CreateFunction", "InvalidParameterValueException", f"Values {BRACED} and {NON_ASCII}")
    failed, _ = drive("CREATE", properties)
    created, _ = drive("CREATE", properties)
    events = [failed, created]
    # READ and DELETE carry no Environment: the live values come back in GetFunction's answer.
    read_and_deleted = [
        drive("READ", {"Name": "deployment-processor"})[0],
        drive("DELETE", {"Name": "deployment-processor"})[0],
    ]
    events += read_and_deleted

    assert [event["status"] for event in events] == ["FAILED", "SUCCESS", "SUCCESS", "SUCCESS"]
    assert failed["message"].startswith("Create failed at step function: CreateFunction deployment-processor: "), failed
    logged = everything_at_debug.getvalue()
    # The models carry the Environment, as CloudFormation needs them; the messages must not.
    messages = json.dumps([event.get("message") for event in events])
    for text in (logged, messages):
        for value in (BRACED, NON_ASCII):
            assert "braced-secret-7c1d" not in text and "geheim" not in text
            assert json.dumps(value)[1:-1] not in text and repr(value.encode())[2:-1] not in text
            assert "\\u00e4" not in text and "\\xc3\\xa4" not in text
    # Not vacuous: the wire records were there, Lambda's bodies among them, masked.
    assert "Response body" in logged and '"Variables": {***' in logged


# --- 5. It changes a log group the user made -------------------------------------------------

# A group of the trigger's name that the user made before the trigger: the pipe's, and the function's.
USERS_GROUPS = [
    ("/aws/vendedlogs/pipes/audit", "LogRetentionInDays", {"LogLevel": "ERROR"}),
    ("/aws/lambda/audit", "FunctionLogRetentionInDays", {}),
]


def users_log_group(name: str) -> None:
    logs = client("logs")
    logs.create_log_group(logGroupName=name, tags={"owner": "security"})
    logs.put_retention_policy(logGroupName=name, retentionInDays=3653)


def users_group_now(name: str) -> tuple[int | None, dict[str, str]]:
    logs = client("logs")
    (group,) = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
    return group.get("retentionInDays"), logs.list_tags_for_resource(resourceArn=arn)["tags"]


@pytest.mark.parametrize(("group", "prop", "extra"), USERS_GROUPS, ids=["pipe-log-group", "function-log-group"])
def test_a_users_log_group_keeps_its_retention_and_tags_through_every_action(table, aws_calls, group, prop, extra):
    users_log_group(group)
    properties = pipeline_properties(Name="audit", **extra)

    refused, _ = drive("CREATE", {**properties, prop: 1})
    assert (refused["status"], refused["errorCode"]) == ("FAILED", "InvalidRequest")
    assert refused["message"].startswith(f"{prop}: log group {group} exists and was not made")
    assert mutations(aws_calls) == []

    created, _ = drive("CREATE", properties)
    assert created["status"] == "SUCCESS", created
    # Older than the trigger: not one Lambda made for the trigger's function, so not taken either.
    updated, _ = drive("UPDATE", {**properties, prop: 1}, previous=properties)
    assert (updated["status"], updated["errorCode"]) == ("FAILED", "InvalidRequest")
    assert updated["message"].startswith(f"{prop}: log group {group} exists and was not made")
    assert drive("UPDATE", {**properties, "BatchSize": 5}, previous=properties)[0]["status"] == "SUCCESS"
    # Read does not show the user's retention as the trigger's.
    assert prop not in invoke("READ", {"Name": "audit"})["resourceModel"]
    assert drive("DELETE", {"Name": "audit"})[0]["status"] == "SUCCESS"

    assert users_group_now(group) == (3653, {"owner": "security"})
    calls = set(aws_calls.calls)
    assert not calls & {"logs.PutRetentionPolicy", "logs.DeleteRetentionPolicy", "logs.DeleteLogGroup"}
    assert "logs.TagResource" not in calls


# --- 5a. It takes over, or deletes, an alarm the user made ----------------------------------------

USERS_ALARM = "mare-streamtrigger-audit-function-errors"


def users_alarm(tags: list[dict[str, str]]) -> dict[str, Any]:
    """An alarm under the name the trigger "audit" would give its function-errors alarm."""
    cloudwatch = client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=USERS_ALARM,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "payroll"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=3,
        Threshold=10,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[f"arn:aws:sns:{REGION}:{ACCOUNT}:payroll-pager"],
        Tags=tags,
    )
    return alarm_now()


def alarm_now() -> dict[str, Any]:
    cloudwatch = client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[USERS_ALARM])["MetricAlarms"] or [{}]
    arn = alarm.get("AlarmArn")
    tags = cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] if arn else []
    keep = ("MetricName", "Dimensions", "Threshold", "Period", "AlarmActions", "OKActions")
    return {**{key: alarm.get(key) for key in keep}, "tags": tags}


@pytest.mark.parametrize(
    "tags",
    [
        [{"Key": "owner", "Value": "payroll"}],
        # The type's own tag, naming the pipe of a trigger "audit" in another region: not this trigger's.
        [{"Key": "mare:streamtrigger:alarm", "Value": f"arn:aws:pipes:us-east-1:{ACCOUNT}:pipe/audit"}],
    ],
    ids=["untagged", "tagged-for-another-pipe"],
)
def test_a_users_alarm_of_the_name_is_never_taken_over_changed_or_deleted(table, aws_calls, tags):
    before = users_alarm(tags)
    team = client("sns").create_topic(Name="team-alerts")["TopicArn"]
    properties = pipeline_properties(Name="audit")

    refused, _ = drive("CREATE", {**properties, "AlarmTopicArn": team})
    assert (refused["status"], refused["errorCode"]) == ("FAILED", "InvalidRequest")
    assert refused["message"].startswith(f"AlarmTopicArn: an alarm named {USERS_ALARM} exists and was not made")
    assert mutations(aws_calls) == []

    assert drive("CREATE", properties)[0]["status"] == "SUCCESS"
    updated, _ = drive("UPDATE", {**properties, "AlarmTopicArn": team}, previous=properties)
    assert (updated["status"], updated["errorCode"]) == ("FAILED", "InvalidRequest")
    assert "AlarmTopicArn" not in invoke("READ", {"Name": "audit"})["resourceModel"]
    assert drive("DELETE", {"Name": "audit"})[0]["status"] == "SUCCESS"

    assert alarm_now() == before
    calls = set(aws_calls.calls)
    assert not calls & {"cloudwatch.PutMetricAlarm", "cloudwatch.DeleteAlarms", "cloudwatch.TagResource"}


# --- 5b. It reads another team's layer, or runs code in another team's network ----------------------


def test_an_update_into_a_network_or_with_a_layer_not_allowed_changes_nothing(table, aws_calls):
    database_vpc, (subnet,), group = network("10.60.0.0/16")
    private_layer = published_layer("finance-private")
    team_vpc, _, _ = network("10.70.0.0/16")
    allowed = {"VpcIds": [team_vpc], "LayerArns": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:team-helpers"]}
    properties = pipeline_properties(Name="curious")
    assert drive("CREATE", properties, type_configuration=allowed)[0]["status"] == "SUCCESS"
    before = client("lambda").get_function(FunctionName="curious")["Configuration"]
    policy_before = role_statements(role_name("curious", REGION, "fn"))

    attempts = [
        ({"VpcConfig": {"SubnetIds": [subnet], "SecurityGroupIds": [group]}}, f"VpcConfig is in {database_vpc}"),
        ({"Layers": [private_layer]}, "Layers[0] " + private_layer),
    ]
    for change, message in attempts:
        aws_calls.calls.clear()
        final, _ = drive("UPDATE", {**properties, **change}, previous=properties, type_configuration=allowed)
        assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
        assert final["message"].startswith(message), final["message"]
        assert mutations(aws_calls) == []

    after = client("lambda").get_function(FunctionName="curious")["Configuration"]
    assert (after.get("VpcConfig"), after.get("Layers")) == (before.get("VpcConfig"), before.get("Layers"))
    assert role_statements(role_name("curious", REGION, "fn")) == policy_before


# --- 6. It trusts its callback context --------------------------------------------------------


def in_progress_create(moto: str, token: str) -> dict[str, Any]:
    """A create held at its pipe's stabilization: its IN_PROGRESS event, context and all."""
    hold_pipes(moto, describes=3)
    first = invoke("CREATE", pipeline_properties(), token=token)
    while first["status"] == "IN_PROGRESS" and "pipe" not in first["callbackContext"]["done"]:
        first = invoke("CREATE", first["resourceModel"], context=first["callbackContext"], token=token)
    assert first["status"] == "IN_PROGRESS", first
    return first


def test_a_context_holding_stream_arn_does_not_skip_validation(table, aws_calls):
    context = {"TableArn": table["TableArn"], "StreamArn": table["LatestStreamArn"], "done": [], "created": []}
    wrong = pipeline_properties(Environment={"TOPIC": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"})

    final = invoke("CREATE", wrong, context=context)

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith("Environment does not fit TriggerType PIPELINE")
    assert aws_calls.calls == []


def test_a_context_replayed_under_another_token_is_refused_and_removes_nothing(moto, table, aws_calls):
    captured = in_progress_create(moto, token="first-request")
    assert (
        drive("CREATE", captured["resourceModel"], context=captured["callbackContext"], token="first-request")[0][
            "status"
        ]
        == "SUCCESS"
    )
    context = {**captured["callbackContext"], "done": [], "created": captured["callbackContext"]["created"]}
    aws_calls.calls.clear()

    final = invoke("CREATE", captured["resourceModel"], context=context, token="second-request")

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == (
        "The callback context is not one this request could have written: function_role was not made by this request"
    )
    assert mutations(aws_calls) == []
    assert drive("READ", {"Name": "deployment-processor"})[0]["status"] == "SUCCESS"


def test_a_forged_context_with_every_step_done_does_not_adopt_or_delete_a_users_function(table, aws_calls):
    users_function("deployment-processor")
    steps = ["function_role", "pipe_role", "log_group", "function", "function_active", "permission", "pipe"]
    context = {
        "TableArn": table["TableArn"],
        "StreamArn": table["LatestStreamArn"],
        "done": [*steps, "pipe_settled"],
        "created": ["function_role", "pipe_role", "function", "pipe"],
    }

    final = invoke("CREATE", pipeline_properties(), context=context)

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert client("lambda").get_function(FunctionName="deployment-processor")
    assert mutations(aws_calls) == []


@dataclass(frozen=True)
class SecondsAhead:
    """A deadline this many seconds after the test starts."""

    seconds: float

    def at(self) -> float:
        return time.time() + self.seconds


@pytest.mark.parametrize(
    ("forged", "problem"),
    [
        (
            {"TableArn": "arn:aws:dynamodb:*:*:table/*", "StreamArn": "*"},
            f"TableArn is not the ARN of table {TABLE} in this account and region",
        ),
        (
            {"TableArn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/payments"},
            f"TableArn is not the ARN of table {TABLE} in this account and region",
        ),
        ({"StreamArn": "*"}, f"StreamArn is not a stream of table {TABLE}"),
        ({"done": ["function_role", "wipe_account"]}, "done names steps this action does not have"),
        ({"created": ["function", "function"]}, "created names parts this action does not make"),
        ({"deadlines": {waits.PIPE_SETTLED.key: 4e12}}, "a deadline lies more than 1800 s ahead"),
        # Waits that never end: the overall deadline (docs/aws-behaviour.md, "Time") pushed out.
        ({"deadlines": {waits.OVERALL.key: 4e12}}, "a deadline lies more than 2700 s ahead"),
        # Each wait is bounded by its own limit: a role's propagation by 300 s, not the longest wait's.
        ({"deadlines": {waits.PIPE_ROLE_USABLE.key: SecondsAhead(1000)}}, "a deadline lies more than 300 s ahead"),
        # A call left to the next invocation, again and again: bounded as the whole action is.
        (
            {"deadlines": {waits.CALL_IN_NEXT_INVOCATION.key: SecondsAhead(3000)}},
            "a deadline lies more than 2700 s ahead",
        ),
        (
            {"deadlines": {"the pipe role to reach Pipes": SecondsAhead(10)}},
            "deadlines names 'the pipe role to reach Pipes', a wait this handler never starts",
        ),
    ],
    ids=[
        "wildcards",
        "another table",
        "any stream",
        "unknown step",
        "a part twice",
        "a deadline years ahead",
        "an overall deadline years ahead",
        "a role wait beyond its own limit",
        "a wait for the next invocation beyond the action's",
        "an unknown wait",
    ],
)
def test_a_forged_create_context_is_refused_before_anything(table, aws_calls, forged, problem):
    context = {"TableArn": table["TableArn"], "StreamArn": table["LatestStreamArn"], "done": [], "created": []}
    # A deadline relative to now is made now: parameters are built when the suite is collected.
    deadlines = forged.get("deadlines", {})
    forged = {**forged, "deadlines": {k: v.at() if isinstance(v, SecondsAhead) else v for k, v in deadlines.items()}}
    if not deadlines:
        del forged["deadlines"]

    final = invoke("CREATE", pipeline_properties(), context={**context, **forged})

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == f"The callback context is not one this request could have written: {problem}"
    assert aws_calls.calls == []
    assert left_behind() == NOTHING_LEFT


def test_a_delete_context_with_a_deadline_years_ahead_is_refused(table, aws_calls):
    assert drive("CREATE", pipeline_properties())[0]["status"] == "SUCCESS"
    aws_calls.calls.clear()

    final = invoke(
        "DELETE",
        {"Name": "deployment-processor"},
        context={"pipe_deleting": True, "deadlines": {waits.PIPE_DELETED.key: 4e12}},
    )

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].endswith("a deadline lies more than 1800 s ahead")
    assert aws_calls.calls == []
    assert drive("READ", {"Name": "deployment-processor"})[0]["status"] == "SUCCESS"


def test_a_stream_that_is_not_the_tables_latest_is_refused(table, aws_calls):
    context = {"TableArn": table["TableArn"], "StreamArn": f"{table['TableArn']}/stream/2020-01-01T00:00:00.000"}

    final = invoke("CREATE", pipeline_properties(), context={**context, "done": [], "created": []})

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert f"StreamArn is not the latest stream of table {TABLE}" in final["message"]
    assert mutations(aws_calls) == []


def test_a_table_deleted_during_a_create_fails_it_and_what_it_built_is_rolled_back(moto, table, aws_calls):
    first = in_progress_create(moto, token="doomed-request")
    client("dynamodb").delete_table(TableName=TABLE)

    final = invoke("CREATE", first["resourceModel"], context=first["callbackContext"], token="doomed-request")

    assert (final["status"], final["errorCode"]) == ("FAILED", "NotFound")
    assert "Rolled back:" in final["message"]
    assert client("lambda").list_functions()["Functions"] == [] and client("pipes").list_pipes()["Pipes"] == []
    assert client("iam").list_roles(PathPrefix=ROLE_PATH)["Roles"] == []


def update_context(table: dict[str, Any]) -> dict[str, Any]:
    return {"TableArn": table["TableArn"], "StreamArn": table["LatestStreamArn"], "LiveTags": {}, "done": []}


def test_a_forged_update_context_lets_through_no_invalid_index_and_no_other_table(table, aws_calls):
    properties = pipeline_properties()
    assert drive("CREATE", properties)[0]["status"] == "SUCCESS"
    aws_calls.calls.clear()

    star = invoke("UPDATE", {**properties, "TableIndexName": "*"}, previous=properties, context=update_context(table))
    other = make_table("payments")
    moved = invoke(
        "UPDATE", {**properties, "TableName": "payments"}, previous=properties, context=update_context(other)
    )

    assert (star["status"], star["errorCode"]) == ("FAILED", "InvalidRequest")
    assert star["message"].startswith("TableIndexName must be 3 to 255 letters")
    assert (moved["status"], moved["errorCode"]) == ("FAILED", "NotUpdatable")
    assert mutations(aws_calls) == []
    policy = client("iam").get_role_policy(
        RoleName=role_name("deployment-processor", REGION, "fn"), PolicyName="StreamTrigger"
    )
    assert "payments" not in json.dumps(policy["PolicyDocument"]) and '"*"' not in json.dumps(
        [s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] != "ListTableStreams"]
    )


# --- 7. It publishes its proof of ownership ----------------------------------------------------


def test_the_roles_show_a_digest_not_the_token_and_the_digest_adopts_nothing(table, aws_calls):
    token = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    assert drive("CREATE", pipeline_properties(), token=token)[0]["status"] == "SUCCESS"
    iam = client("iam")
    role = role_name("deployment-processor", REGION, "fn")
    description = iam.get_role(RoleName=role)["Role"]["Description"]
    assert token not in description
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    assert description.endswith(f"(request {digest})")
    aws_calls.calls.clear()

    replay, _ = drive("CREATE", pipeline_properties(MemorySize=1024), token=digest)

    assert (replay["status"], replay["errorCode"]) == ("FAILED", "AlreadyExists")
    assert mutations(aws_calls) == []
    assert client("lambda").get_function(FunctionName="deployment-processor")["Configuration"]["MemorySize"] == 128


# --- 8. Crafted input crashes it --------------------------------------------------------------


def nested(depth: int, leaf: Any) -> Any:
    pattern = leaf
    for _ in range(depth):
        pattern = {"k": pattern}
    return pattern


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"FilterPattern": nested(990, ["x"])},
            "FilterPattern nests deeper than 75 levels (in the request's requestData)",
        ),
        (
            {
                "FilterPattern": None,
                "FilterPatterns": [{"Pattern": {"eventName": ["INSERT"]}}, {"Pattern": nested(990, ["x"])}],
            },
            "FilterPatterns nests deeper than 75 levels (in the request's requestData)",
        ),
        (
            {
                "FilterPattern": None,
                "FilterPatterns": [
                    {"Pattern": {"eventName": ["INSERT"]}},
                    {"Pattern": {"dynamodb": {"NewImage": {"n": {"N": [10**400]}}}}},
                ],
            },
            "FilterPatterns[1].Pattern: holds a number beyond what a pattern can hold (at most 1.79769e+308)",
        ),
        (
            {
                "FilterPattern": None,
                "FilterPatterns": [
                    {"Pattern": {"eventName": ["INSERT"]}},
                    {"Pattern": {"dynamodb": nested(60, {"S": ["x" * 5000]})}},
                ],
            },
            "FilterPatterns[1].Pattern: holds more than 4096 characters as compact JSON; Pipes allows 4096",
        ),
        (
            {"FilterPattern": {"dynamodb": {"NewImage": {"n": {"N": [{"numeric": ["=", 10**400]}]}}}}},
            "FilterPattern: holds a number beyond what a pattern can hold (at most 1.79769e+308)",
        ),
        (
            {"FilterPattern": {"dynamodb": {"NewImage": {"n": {"N": [10**400]}}}}},
            "FilterPattern: holds a number beyond what a pattern can hold (at most 1.79769e+308)",
        ),
        (
            {"FilterPattern": {"dynamodb": nested(60, {"S": ["x" * 5000]})}},
            "FilterPattern: holds more than 4096 characters as compact JSON; Pipes allows 4096",
        ),
        (
            {"Environment": {"TOPIC": f"arn:aws:codepipeline:{REGION}:{ARABIC_INDIC_ACCOUNT}:x"}},
            "Environment must hold at least one CodePipeline ARN for TriggerType PIPELINE",
        ),
        (
            {"Environment": {"PIPE": f"arn:awsx-:codepipeline:{REGION}:{ACCOUNT}:deploy"}},
            "Environment must hold at least one CodePipeline ARN for TriggerType PIPELINE",
        ),
        (
            {"DeadLetterQueueArn": f"arn:aws-moon:sqs:{REGION}:{ACCOUNT}:dlq"},
            "DeadLetterQueueArn must be the ARN of an SQS queue or an SNS topic, "
            f"not 'arn:aws-moon:sqs:{REGION}:{ACCOUNT}:dlq'",
        ),
    ],
    ids=[
        "990 levels",
        "990 levels in FilterPatterns",
        "10**400 in a second pattern",
        "a second pattern too long",
        "10**400 in numeric",
        "10**400 as a value",
        "too long",
        "Arabic-Indic digits",
        "awsx-",
        "aws-moon",
    ],
)
def test_crafted_input_is_refused_by_name_before_anything(table, aws_calls, overrides, message):
    properties = pipeline_properties(**overrides)
    properties = {key: value for key, value in properties.items() if value is not None}
    final = invoke("CREATE", properties)

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == message
    assert mutations(aws_calls) == []
    assert left_behind() == NOTHING_LEFT


def test_the_deepest_pattern_the_validator_takes_is_taken_in_filter_patterns_too(table, aws_calls):
    """The request's depth guard leaves room for FilterPatterns' two extra levels (list, Pattern)."""
    deepest = {"dynamodb": nested(PATTERN_DEPTH_MAX - 3, ["x"])}  # the leaf "x" at level 70
    validate_stream_filter(deepest)  # the validator's own limit: this is its deepest
    with pytest.raises(PatternError):
        validate_stream_filter({"dynamodb": nested(PATTERN_DEPTH_MAX - 2, ["x"])})
    properties = pipeline_properties(FilterPatterns=[{"Pattern": {"eventName": ["INSERT"]}}, {"Pattern": deepest}])
    del properties["FilterPattern"]
    final, _ = drive("CREATE", properties)
    assert final["status"] == "SUCCESS", final


def test_a_megabyte_pattern_800_levels_deep_is_refused_without_the_memory_it_would_take(table):
    pattern = nested(800, ["x" * 1_000_000])
    tracemalloc.start()
    try:
        final = invoke("CREATE", pipeline_properties(FilterPattern=pattern))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"].startswith("FilterPattern nests deeper than 75 levels")
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes"


def test_credentials_with_an_extra_key_are_refused_by_name(table):
    from conftest import handler_request
    from mare_dynamodb_streamtrigger import handlers

    request = json.loads(json.dumps(handler_request("CREATE", pipeline_properties())))
    request["requestData"]["callerCredentials"]["extra"] = "x"

    final = handlers.resource(request, None)

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == (
        "requestData.callerCredentials must be an object of the strings accessKeyId, secretAccessKey, sessionToken"
    )


# --- 9. It repeats a parameter's value ---------------------------------------------------------


def test_a_parameter_holding_a_secret_is_never_quoted(moto, aws_calls):
    make_table(parameters=False)
    secret = "postgres://admin:hunter2-very-secret@db.internal:5432/payroll"
    client("ssm").put_parameter(Name=table_parameter_name(TABLE), Value=secret, Type="String")
    client("ssm").put_parameter(Name=f"dynamodb_table_stream_{TABLE.replace('-', '_')}", Value=secret, Type="String")

    final, _ = drive("CREATE", pipeline_properties())

    assert (final["status"], final["errorCode"]) == ("FAILED", "InvalidRequest")
    assert final["message"] == (
        f"TableName {TABLE}: SSM parameter {table_parameter_name(TABLE)} does not hold a DynamoDB table ARN"
    )
    assert "hunter2" not in json.dumps(final)
