"""API-call budgets (a count is deterministic; a time is not). docs/performance.md records them;
`make bench` prints the counts with the calls by name."""

from __future__ import annotations

from collections import Counter

from conftest import drive, hold_pipes, network, pipeline_properties, published_layer
from mare_dynamodb_streamtrigger.core.names import layer_of_version

# Calls before the pipe's stabilization polls; then per poll one describe and the resumed context's
# three checks (the table's stream, and that both roles are this request's), and three for the result.
CREATE_BEFORE_POLLS = 12  # one pipes.ListPipes: how many pipes read the stream already
CREATE_PER_POLL = 4
# And the function log group's (DescribeLogGroups): its retention, if the type's; and the trigger's
# pipe-failures alarm (DescribeAlarms): its topic, if the type's.
READ = 5
UPDATE = 12  # a configuration change: no code, tags or wait; DescribeTable for the table's KMS key
DELETE_BEFORE_POLLS = 3  # then one describe per poll, the alarms' and two log group looks, four deletions
# Each part is looked at as it is removed: the trigger's alarms (DescribeAlarms), the function
# (GetFunction), the function's and the pipe's log groups (ListTagsForResource: the type's own?) and
# each role (GetRole: under the type's path, with its marker).
DELETE_AFTER_POLLS = 11


def plain_create_calls(aws_calls) -> Counter[str]:
    """The calls of a create of the plain example trigger, which is then deleted: the count an
    option's create is measured against."""
    drive("CREATE", pipeline_properties())
    plain = aws_calls.counts()
    drive("DELETE", {"Name": "deployment-processor"})
    return plain


def test_create_stays_within_its_recorded_budget(moto, table, aws_calls):
    hold_pipes(moto, describes=3)
    final, events = drive("CREATE", pipeline_properties())
    assert final["status"] == "SUCCESS"
    calls = aws_calls.calls
    before_polls = calls.index("pipes.CreatePipe") + 1
    assert before_polls <= CREATE_BEFORE_POLLS, calls
    polls = len(events) - 1  # the invocations after the one that made the pipe
    assert len(calls) <= CREATE_BEFORE_POLLS + 1 + polls * CREATE_PER_POLL + READ, calls


def test_read_update_and_delete_stay_within_their_budgets(table, aws_calls):
    drive("CREATE", pipeline_properties())
    aws_calls.calls.clear()
    assert drive("READ", {"Name": "deployment-processor"})[0]["status"] == "SUCCESS"
    assert len(aws_calls.calls) <= READ, aws_calls.calls

    aws_calls.calls.clear()
    updated = drive("UPDATE", pipeline_properties(MemorySize=256, BatchSize=50), previous=pipeline_properties())[0]
    assert updated["status"] == "SUCCESS"
    assert len(aws_calls.calls) <= UPDATE, aws_calls.calls

    aws_calls.calls.clear()
    final, events = drive("DELETE", {"Name": "deployment-processor"})
    assert final["status"] == "SUCCESS"
    polls = len(events) - 1
    assert len(aws_calls.calls) <= DELETE_BEFORE_POLLS + polls + DELETE_AFTER_POLLS, aws_calls.calls


# Issue 22's options, set all at once, with values other than AWS's defaults.
EVERY_OPTION = {
    "DesiredState": "STOPPED",
    "ParallelizationFactor": 4,
    "Description": "Starts the deployment pipeline",
    "Architectures": ["arm64"],
    "EphemeralStorage": {"Size": 2048},
    "TracingConfig": {"Mode": "Active"},
    "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"},
}


def test_the_options_add_no_call_to_create_or_read(table, aws_calls):
    """Each option rides on a request the trigger makes anyway (CreateFunction, CreatePipe)."""
    plain = plain_create_calls(aws_calls)
    aws_calls.calls.clear()
    many_filters = [{"Pattern": {"eventName": [name]}} for name in ("INSERT", "MODIFY", "REMOVE")]
    with_options = pipeline_properties(**EVERY_OPTION, FilterPatterns=many_filters)
    del with_options["FilterPattern"]
    final, _ = drive("CREATE", with_options)
    assert final["status"] == "SUCCESS", final
    assert aws_calls.counts() == plain


def test_changing_the_options_adds_one_call_only_for_the_architecture(table, aws_calls):
    """Update: the function's options go with UpdateFunctionConfiguration, the state, factor and
    filters with UpdatePipe; the architecture alone needs UpdateFunctionCode (1 call), and a pipe
    being stopped one more look."""
    drive("CREATE", pipeline_properties())
    aws_calls.calls.clear()
    assert (
        drive("UPDATE", pipeline_properties(MemorySize=256, BatchSize=50), previous=pipeline_properties())[0]["status"]
        == "SUCCESS"
    )
    plain = aws_calls.counts()
    aws_calls.calls.clear()
    options = {key: value for key, value in EVERY_OPTION.items() if key != "Architectures"}
    desired = pipeline_properties(MemorySize=512, BatchSize=60, **options)
    assert (
        drive("UPDATE", desired, previous=pipeline_properties(MemorySize=256, BatchSize=50))[0]["status"] == "SUCCESS"
    )
    # Stopping the pipe (DesiredState STOPPED) is looked at once more, while it goes STOPPING.
    assert aws_calls.counts() == plain + Counter({"pipes.DescribePipe": 1})
    aws_calls.calls.clear()
    arm = {**desired, "Architectures": ["arm64"]}
    assert drive("UPDATE", arm, previous=desired)[0]["status"] == "SUCCESS"
    assert aws_calls.counts()["lambda.UpdateFunctionCode"] == 1


def test_a_reservation_adds_one_call_where_it_is_set_or_changed(table, aws_calls):
    plain = plain_create_calls(aws_calls)
    aws_calls.calls.clear()
    five = pipeline_properties(ReservedConcurrentExecutions=5)
    assert drive("CREATE", five)[0]["status"] == "SUCCESS"
    assert aws_calls.counts() == plain + Counter({"lambda.PutFunctionConcurrency": 1})
    aws_calls.calls.clear()
    assert drive("UPDATE", five, previous=five)[0]["status"] == "SUCCESS"
    assert "lambda.PutFunctionConcurrency" not in aws_calls.calls
    aws_calls.calls.clear()
    assert drive("UPDATE", pipeline_properties(), previous=five)[0]["status"] == "SUCCESS"
    assert aws_calls.counts()["lambda.DeleteFunctionConcurrency"] == 1


def test_a_function_log_retention_adds_its_look_its_group_and_its_retention(table, aws_calls):
    """CREATE: a look at the group before anything is made (DescribeLogGroups), the group made with
    its tag (CreateLogGroup) and its retention (PutRetentionPolicy); Read, at the end, reads the
    group's tags as well, since a retention is shown only for the trigger's own group. UPDATE with
    the same retention: the look and the tags, and nothing put."""
    plain = plain_create_calls(aws_calls)
    aws_calls.calls.clear()
    week = pipeline_properties(FunctionLogRetentionInDays=7)
    assert drive("CREATE", week)[0]["status"] == "SUCCESS"
    added = Counter(
        {
            "logs.DescribeLogGroups": 1,
            "logs.CreateLogGroup": 1,
            "logs.PutRetentionPolicy": 1,
            "logs.ListTagsForResource": 1,
        }
    )
    assert aws_calls.counts() == plain + added
    aws_calls.calls.clear()
    assert drive("UPDATE", week, previous=week)[0]["status"] == "SUCCESS"
    logs = Counter({call: n for call, n in aws_calls.counts().items() if call.startswith("logs.")})
    # The update's own look (the group and its tags), and Read's.
    assert logs == Counter({"logs.DescribeLogGroups": 2, "logs.ListTagsForResource": 2})


def test_layers_add_no_call_and_a_vpc_adds_its_two_looks(table, aws_calls):
    """Layers ride on CreateFunction; a VpcConfig is looked up (its subnets, its security groups)
    before anything is made, at creation and at each update."""
    plain = plain_create_calls(aws_calls)
    vpc, subnets, group = network("10.50.0.0/16")
    layer = published_layer()
    allowed = {"LayerArns": [layer_of_version(layer)], "VpcIds": [vpc]}
    placed = pipeline_properties(Layers=[layer], VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [group]})
    aws_calls.calls.clear()
    assert drive("CREATE", placed, type_configuration=allowed)[0]["status"] == "SUCCESS"
    assert aws_calls.counts() == plain + Counter({"ec2.DescribeSubnets": 1, "ec2.DescribeSecurityGroups": 1})
    aws_calls.calls.clear()
    assert drive("UPDATE", placed, previous=placed, type_configuration=allowed)[0]["status"] == "SUCCESS"
    ec2_calls = Counter({call: n for call, n in aws_calls.counts().items() if call.startswith("ec2.")})
    assert ec2_calls == Counter({"ec2.DescribeSubnets": 1, "ec2.DescribeSecurityGroups": 1})


def test_alarms_add_one_look_and_one_put_each(table, topic_arn, aws_calls):
    """CREATE: a look at the alarm names before anything is made, and in the alarms step a look and
    one PutMetricAlarm per alarm (3 without a dead-letter queue); Read then reads the pipe-failures
    alarm's tags. UPDATE with nothing changed: the first look (the alarms and their tags), which
    the alarms step reuses, and Read's; nothing put."""
    plain = plain_create_calls(aws_calls)
    aws_calls.calls.clear()
    watched = pipeline_properties(AlarmTopicArn=topic_arn)
    assert drive("CREATE", watched)[0]["status"] == "SUCCESS"
    added = Counter(
        {"cloudwatch.DescribeAlarms": 2, "cloudwatch.PutMetricAlarm": 3, "cloudwatch.ListTagsForResource": 1}
    )
    assert aws_calls.counts() == plain + added
    aws_calls.calls.clear()
    assert drive("UPDATE", watched, previous=watched)[0]["status"] == "SUCCESS"
    alarm_calls = Counter({call: n for call, n in aws_calls.counts().items() if call.startswith("cloudwatch.")})
    assert alarm_calls == Counter({"cloudwatch.DescribeAlarms": 2, "cloudwatch.ListTagsForResource": 4})
    aws_calls.calls.clear()
    assert drive("DELETE", {"Name": "deployment-processor"})[0]["status"] == "SUCCESS"
    alarm_calls = Counter({call: n for call, n in aws_calls.counts().items() if call.startswith("cloudwatch.")})
    assert alarm_calls == Counter(
        {"cloudwatch.DescribeAlarms": 1, "cloudwatch.ListTagsForResource": 3, "cloudwatch.DeleteAlarms": 1}
    )
