"""The schema's handler permissions name exactly the actions the handlers cause, checked by recording calls."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import (
    DEVOPS_ACCOUNT,
    REGION,
    TABLE,
    client,
    devops_clients_kwargs,
    drive,
    make_table,
    network,
    pipeline_properties,
    published_layer,
    put_table_parameters,
)
from mare_dynamodb_streamtrigger.core.names import layer_of_version, role_name

SCHEMA = json.loads((Path(__file__).parent.parent / "schema.json").read_text())
EMPTY_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}
)
ACTION_PREFIX = {
    "lambda": "lambda",
    "ec2": "ec2",
    "iam": "iam",
    "pipes": "pipes",
    "ssm": "ssm",
    "sts": "sts",
    "dynamodb": "dynamodb",
    "logs": "logs",
    "sqs": "sqs",
    "kms": "kms",
    "sns": "sns",
    "cloudwatch": "cloudwatch",
}
# What Pipes checks on the caller of CreatePipe, UpdatePipe and DeletePipe when the pipe logs to
# CloudWatch Logs (vended log delivery) or uses a customer managed key, as AWS::Pipes::Pipe's own
# handlers declare.
PIPE_LOG_DELIVERY = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
}
PIPE_KEY_USE = {"kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"}

# Permissions AWS checks on the caller without a call of that name: passing a role to Lambda and
# Pipes, tagging at creation, Lambda fetching S3 code with the caller's rights.
# What Lambda checks with the caller's rights: a layer (GetLayerVersion) and a VPC (DescribeVpcs;
# the handlers call DescribeSubnets and DescribeSecurityGroups themselves).
CHECKED_BY_LAMBDA = {"lambda:GetLayerVersion", "ec2:DescribeVpcs"}
IMPLIED = {
    "create": {
        "iam:PassRole",
        "iam:TagRole",
        "lambda:TagResource",
        "pipes:TagResource",
        "s3:GetObject",
        "s3:GetObjectVersion",
        # CreateLogGroup with tags
        "logs:TagResource",
        "logs:TagLogGroup",
        # PutMetricAlarm with tags (AWS::CloudWatch::Alarm's schema: "you must have the
        # cloudwatch:TagResource permission")
        "cloudwatch:TagResource",
        *PIPE_LOG_DELIVERY,
        *PIPE_KEY_USE,
        *CHECKED_BY_LAMBDA,
    },
    "update": {
        "iam:PassRole",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "logs:TagResource",
        "logs:TagLogGroup",
        *PIPE_LOG_DELIVERY,
        *PIPE_KEY_USE,
        *CHECKED_BY_LAMBDA,
    },
    "delete": {"logs:DeleteLogDelivery", "logs:GetLogDelivery", "logs:ListLogDeliveries", "kms:Decrypt"},
    # DescribePipe of a pipe with a customer managed key (AWS::Pipes::Pipe's read handler lists it).
    "read": {"kms:Decrypt"},
}


def as_actions(calls: list[str]) -> set[str]:
    return {f"{ACTION_PREFIX[call.split('.')[0]]}:{call.split('.')[1]}" for call in calls}


def permissions(handler: str) -> set[str]:
    return set(SCHEMA["handlers"][handler]["permissions"])


def test_every_handler_permission_is_used_and_every_call_is_permitted(moto, aws_calls):
    table = make_table(parameters=False)
    recorded: dict[str, set[str]] = {}

    def record(handler: str, *args, **kwargs) -> dict:
        aws_calls.calls.clear()
        final, _ = drive(*args, **kwargs)
        recorded.setdefault(handler, set()).update(as_actions(aws_calls.calls))
        return final

    # Parameters in a devops account, read through the type configuration's role (sts:AssumeRole).
    devops = devops_clients_kwargs("a")
    client("iam", **devops).create_role(RoleName="reader", AssumeRolePolicyDocument="{}")
    put_table_parameters(client("ssm", **devops), TABLE, table["TableArn"], table["LatestStreamArn"])
    put_table_parameters(client("ssm"), TABLE, table["TableArn"], table["LatestStreamArn"])
    type_configuration = {"DevopsParameterRoleArn": f"arn:aws:iam::{DEVOPS_ACCOUNT}:role/reader"}

    key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
    # A dead-letter queue encrypted with a key named by its alias (sqs:GetQueueAttributes, kms:DescribeKey).
    client("kms").create_alias(AliasName="alias/dead-letters", TargetKeyId=key_arn)
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="dead-letters", Attributes={"KmsMasterKeyId": "alias/dead-letters"})
    queue = sqs.get_queue_attributes(QueueUrl=queue_url["QueueUrl"], AttributeNames=["QueueArn"])
    alerts = client("sns").create_topic(Name="alerts")["TopicArn"]
    logged = pipeline_properties(
        IsDevops=True,
        LogLevel="INFO",
        LogRetentionInDays=30,
        KmsKeyArn=key_arn,
        DeadLetterQueueArn=queue["Attributes"]["QueueArn"],
        AlarmTopicArn=alerts,
    )
    created = record("create", "CREATE", logged, type_configuration=type_configuration)
    assert created["status"] == "SUCCESS"
    # A create that fails once its pipe exists, and removes everything it built, even where a
    # policy stands in the way of deleting a role (one given inline, one attached).
    aws_calls.fail("pipes.DescribePipe", "AccessDeniedException", "no", after=1)
    aws_calls.fail("iam.DeleteRolePolicy", "NoSuchEntity", "said gone, is not")
    attached = client("iam").create_policy(PolicyName="attached", PolicyDocument=EMPTY_POLICY)["Policy"]["Arn"]

    def attach_a_policy(_parsed: dict) -> None:
        client("iam").attach_role_policy(RoleName=role_name("rolled-back", REGION, "pipe"), PolicyArn=attached)

    aws_calls.rewrite("pipes.CreatePipe", attach_a_policy)
    rolled_back = pipeline_properties(Name="rolled-back", LogLevel="ERROR")
    assert record("create", "CREATE", rolled_back)["status"] == "FAILED"

    # A create that fails at its second alarm removes the first (cloudwatch:DeleteAlarms).
    aws_calls.fail("cloudwatch.PutMetricAlarm", "LimitExceeded", "too many alarms", after=1)
    alarmed = pipeline_properties(Name="alarmed", AlarmTopicArn=alerts)
    assert record("create", "CREATE", alarmed)["status"] == "FAILED"

    # A repeated delivery of a first invocation finds the roles it made (iam:GetRole).
    def context() -> dict:
        return {"TableArn": table["TableArn"], "StreamArn": table["LatestStreamArn"], "done": [], "created": []}

    drive("CREATE", pipeline_properties(Name="again"), token="t", context=context())
    client("pipes").delete_pipe(Name="again")
    client("lambda").delete_function(FunctionName="again")
    again = record("create", "CREATE", pipeline_properties(Name="again"), token="t", context=context())
    assert again["status"] == "SUCCESS"

    # A function still Pending after CreateFunction: the permission comes on a later invocation,
    # after a look at the function's policy (lambda:GetPolicy).
    def pending(parsed: dict) -> None:
        parsed.get("Configuration", parsed)["State"] = "Pending"

    aws_calls.rewrite("lambda.CreateFunction", pending)
    # With a reserved concurrency (lambda:PutFunctionConcurrency), a dead-letter topic
    # (sns:GetTopicAttributes), a layer and a VPC (ec2:DescribeSubnets, ec2:DescribeSecurityGroups).
    topic = client("sns").create_topic(Name="dead-letters")["TopicArn"]
    vpc, subnets, group = network("10.80.0.0/16")
    placement = {"SubnetIds": subnets, "SecurityGroupIds": [group]}
    layer = published_layer()
    placed = {"LayerArns": [layer_of_version(layer)], "VpcIds": [vpc]}
    with_topic = pipeline_properties(
        Name="pending", ReservedConcurrentExecutions=2, DeadLetterQueueArn=topic, Layers=[layer], VpcConfig=placement
    )
    created = record("create", "CREATE", with_topic, type_configuration=placed)
    assert created["status"] == "SUCCESS"

    assert record("read", "READ", {"Name": "deployment-processor"})["status"] == "SUCCESS"
    updated = pipeline_properties(
        TableIndexName="status-index",
        MemorySize=256,
        BatchSize=50,
        Code={"ZipFile": "def handler(e, c):\n    return 2\n"},
        Tags=[{"Key": "k", "Value": "v"}],
        LogLevel="INFO",
        LogRetentionInDays=7,
        DeadLetterQueueArn=logged["DeadLetterQueueArn"],
        ReservedConcurrentExecutions=3,
        AlarmTopicArn=client("sns").create_topic(Name="other-alerts")["TopicArn"],
    )
    # The alarms notify another topic (cloudwatch:PutMetricAlarm) and carry the trigger's new tag
    # (cloudwatch:TagResource); then the tag goes (cloudwatch:UntagResource).
    assert record("update", "UPDATE", updated, previous=logged)["status"] == "SUCCESS"
    untagged = {**updated, "Tags": []}
    assert record("update", "UPDATE", untagged, previous=updated)["status"] == "SUCCESS"
    # Without a retention, the log group's retention policy is removed; without a reserved
    # concurrency, the function's is deleted (lambda:DeleteFunctionConcurrency).
    relogged = pipeline_properties(LogLevel="TRACE", DeadLetterQueueArn=topic)
    assert record("update", "UPDATE", relogged, previous=updated)["status"] == "SUCCESS"
    # A log group deleted by hand is made again.
    client("logs").delete_log_group(logGroupName="/aws/vendedlogs/pipes/deployment-processor")
    assert record("update", "UPDATE", relogged, previous=relogged)["status"] == "SUCCESS"
    assert record("update", "UPDATE", pipeline_properties(), previous=relogged)["status"] == "SUCCESS"
    # Alarms again, for Delete to remove (cloudwatch:DeleteAlarms, after its look at their tags).
    alarmed_again = pipeline_properties(AlarmTopicArn=alerts)
    assert record("update", "UPDATE", alarmed_again, previous=pipeline_properties())["status"] == "SUCCESS"
    moved = pipeline_properties(Name="pending", DeadLetterQueueArn=topic, VpcConfig=placement)
    assert record("update", "UPDATE", moved, previous=with_topic, type_configuration=placed)["status"] == "SUCCESS"
    assert record("list", "LIST", {})["status"] == "SUCCESS"
    # A role given a policy by hand is cleared before it is deleted.
    client("iam").put_role_policy(
        RoleName=role_name("deployment-processor", REGION, "fn"),
        PolicyName="extra",
        PolicyDocument=EMPTY_POLICY,
    )
    managed = client("iam").create_policy(PolicyName="m", PolicyDocument=EMPTY_POLICY)
    client("iam").attach_role_policy(
        RoleName=role_name("deployment-processor", REGION, "pipe"), PolicyArn=managed["Policy"]["Arn"]
    )
    assert record("delete", "DELETE", {"Name": "deployment-processor"})["status"] == "SUCCESS"

    for handler in ("create", "read", "update", "delete", "list"):
        called = recorded[handler]
        declared = permissions(handler)
        assert called <= declared, f"{handler} calls {sorted(called - declared)} without declaring them"
        unused = declared - called - IMPLIED.get(handler, set())
        assert not unused, f"{handler} declares {sorted(unused)} but never calls them"
