"""policies: the exact IAM documents the type writes."""

from __future__ import annotations

import json

import pytest

from mare_dynamodb_streamtrigger.core.policies import (
    SID_LIST_STREAMS,
    SID_PIPELINES,
    SID_STREAM,
    SID_TABLE_INDEX,
    SID_TOPICS,
    lambda_trust_policy,
    pipe_key_policy_statements,
    pipe_policy,
    pipe_trust_policy,
    statement_resources,
)

from .builders import (
    ACCOUNT,
    FUNCTION_ARN,
    INDEX,
    OTHER_PIPELINE_ARN,
    OTHER_TOPIC_ARN,
    PIPE_ARN,
    PIPELINE_ARN,
    QUEUE_ARN,
    STREAM_ARN,
    TABLE_ARN,
    TOPIC_ARN,
    built_function_policy,
)

LOGS = {
    "Sid": "WriteOwnLogs",
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/deploy-trigger",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/deploy-trigger:log-stream:*",
    ],
}
STREAM_READ = {
    "Sid": "ReadTableStream",
    "Effect": "Allow",
    "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
    "Resource": ["arn:aws:dynamodb:eu-west-1:123456789012:table/deployment-requests/stream/2024-05-01T12:00:00.000"],
}
LIST_STREAMS = {"Sid": "ListTableStreams", "Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]}
TABLE_INDEX = {
    "Sid": "QueryAndUpdateTable",
    "Effect": "Allow",
    "Action": ["dynamodb:Query", "dynamodb:UpdateItem"],
    "Resource": [
        "arn:aws:dynamodb:eu-west-1:123456789012:table/deployment-requests",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/deployment-requests/index/status-index",
    ],
}
PIPELINES = {
    "Sid": "StartPipelines",
    "Effect": "Allow",
    "Action": ["codepipeline:ListPipelineExecutions", "codepipeline:StartPipelineExecution"],
    "Resource": [
        "arn:aws:codepipeline:eu-west-1:123456789012:audit-pipeline",
        "arn:aws:codepipeline:eu-west-1:123456789012:deploy-pipeline",
    ],
}
TOPICS = {
    "Sid": "PublishToTopics",
    "Effect": "Allow",
    "Action": ["sns:Publish"],
    "Resource": [
        "arn:aws:sns:eu-west-1:123456789012:alerts.fifo",
        "arn:aws:sns:eu-west-1:123456789012:deployments",
    ],
}
INVOKE = {
    "Sid": "InvokeFunction",
    "Effect": "Allow",
    "Action": ["lambda:InvokeFunction"],
    "Resource": ["arn:aws:lambda:eu-west-1:123456789012:function:deploy-trigger"],
}
DEAD_LETTER = {
    "Sid": "SendToDeadLetterQueue",
    "Effect": "Allow",
    "Action": ["sqs:SendMessage"],
    "Resource": ["arn:aws:sqs:eu-west-1:123456789012:trigger-dlq"],
}


ALL_DOCUMENTS = [
    built_function_policy("PIPELINE", [PIPELINE_ARN, OTHER_PIPELINE_ARN], INDEX),
    built_function_policy("PIPELINE", [PIPELINE_ARN], None),
    built_function_policy("SNS_TOPIC", [TOPIC_ARN, OTHER_TOPIC_ARN], INDEX),
    built_function_policy("SNS_TOPIC", [TOPIC_ARN], None),
    pipe_policy(pipe_arn=PIPE_ARN, stream_arn=STREAM_ARN, function_arn=FUNCTION_ARN, dead_letter_arn=QUEUE_ARN),
    pipe_policy(pipe_arn=PIPE_ARN, stream_arn=STREAM_ARN, function_arn=FUNCTION_ARN, dead_letter_arn=None),
]
DOCUMENT_IDS = ["fn-pipeline-index", "fn-pipeline", "fn-sns-index", "fn-sns", "pipe-dlq", "pipe"]


def test_function_policy_for_pipeline_with_index():
    # target ARNs given out of order come out sorted
    document = built_function_policy("PIPELINE", [PIPELINE_ARN, OTHER_PIPELINE_ARN], INDEX)
    assert document == {
        "Version": "2012-10-17",
        "Statement": [LOGS, STREAM_READ, LIST_STREAMS, PIPELINES, TABLE_INDEX],
    }


def test_function_policy_for_pipeline_without_index():
    document = built_function_policy("PIPELINE", [PIPELINE_ARN], None)
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            LOGS,
            STREAM_READ,
            LIST_STREAMS,
            {**PIPELINES, "Resource": ["arn:aws:codepipeline:eu-west-1:123456789012:deploy-pipeline"]},
        ],
    }


def test_function_policy_for_sns_topic_with_index():
    document = built_function_policy("SNS_TOPIC", [TOPIC_ARN, OTHER_TOPIC_ARN], INDEX)
    assert document == {
        "Version": "2012-10-17",
        "Statement": [LOGS, STREAM_READ, LIST_STREAMS, TOPICS, TABLE_INDEX],
    }


def test_function_policy_for_sns_topic_without_index():
    document = built_function_policy("SNS_TOPIC", [TOPIC_ARN], "")
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            LOGS,
            STREAM_READ,
            LIST_STREAMS,
            {**TOPICS, "Resource": ["arn:aws:sns:eu-west-1:123456789012:deployments"]},
        ],
    }


def test_function_policy_does_not_change_the_callers_list():
    targets = [PIPELINE_ARN, OTHER_PIPELINE_ARN]
    built_function_policy("PIPELINE", targets, None)
    assert targets == [PIPELINE_ARN, OTHER_PIPELINE_ARN]


def test_pipe_policy_with_dead_letter_queue():
    document = pipe_policy(
        pipe_arn=PIPE_ARN, stream_arn=STREAM_ARN, function_arn=FUNCTION_ARN, dead_letter_arn=QUEUE_ARN
    )
    assert document == {
        "Version": "2012-10-17",
        "Statement": [STREAM_READ, LIST_STREAMS, INVOKE, DEAD_LETTER],
    }


@pytest.mark.parametrize("dead_letter_arn", [None, ""], ids=["none", "empty"])
def test_pipe_policy_without_dead_letter_queue(dead_letter_arn):
    document = pipe_policy(
        pipe_arn=PIPE_ARN, stream_arn=STREAM_ARN, function_arn=FUNCTION_ARN, dead_letter_arn=dead_letter_arn
    )
    assert document == {"Version": "2012-10-17", "Statement": [STREAM_READ, LIST_STREAMS, INVOKE]}


PIPE_LOG_GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/pipes/deploy-trigger"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PIPE_ROLE = "arn:aws:iam::123456789012:role/mare-dynamodb-streamtrigger/deploy-trigger-pipe-1d0dc1e9"


def test_pipe_policy_with_its_log_group_and_key():
    document = pipe_policy(
        stream_arn=STREAM_ARN,
        function_arn=FUNCTION_ARN,
        dead_letter_arn=None,
        log_group_arn=PIPE_LOG_GROUP,
        kms_key_arn=KEY_ARN,
        pipe_arn=PIPE_ARN,
    )
    assert document["Statement"][3:] == [
        {
            "Sid": "WritePipeLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [PIPE_LOG_GROUP, f"{PIPE_LOG_GROUP}:log-stream:*"],
        },
        {"Sid": "DescribePipeKey", "Effect": "Allow", "Action": ["kms:DescribeKey"], "Resource": [KEY_ARN]},
        {
            "Sid": "UsePipeKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [KEY_ARN],
            "Condition": {"StringEquals": {"kms:EncryptionContext:aws:pipes:arn": PIPE_ARN}},
        },
    ]


def test_the_key_policy_statements_let_only_this_pipes_role_use_the_key_for_this_pipe():
    describe, use = pipe_key_policy_statements(PIPE_ROLE, PIPE_ARN)
    assert describe == {
        "Sid": "PipeDescribesKey",
        "Effect": "Allow",
        "Principal": {"AWS": PIPE_ROLE},
        "Action": "kms:DescribeKey",
        "Resource": "*",
    }
    assert use["Principal"] == {"AWS": PIPE_ROLE}
    assert use["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    # In a key policy "*" is the key itself; the condition binds each use to this pipe.
    assert use["Resource"] == "*"
    assert use["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:pipes:arn": PIPE_ARN}}


def test_lambda_trust_policy():
    assert lambda_trust_policy(ACCOUNT) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }


def test_pipe_trust_policy():
    assert pipe_trust_policy(ACCOUNT) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "pipes.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }


@pytest.mark.parametrize(
    "document",
    [lambda_trust_policy(ACCOUNT), pipe_trust_policy(ACCOUNT)],
    ids=["lambda", "pipe"],
)
def test_every_trust_statement_is_bound_to_the_account(document):
    for statement in document["Statement"]:
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT


def test_pipe_trust_names_no_condition_key_pipes_is_not_known_to_send():
    # Only aws:SourceAccount, which public pipe examples use; see docs/aws-behaviour.md.
    for statement in pipe_trust_policy(ACCOUNT)["Statement"]:
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


@pytest.mark.parametrize("document", ALL_DOCUMENTS, ids=DOCUMENT_IDS)
def test_no_wildcard_resource_except_list_streams(document):
    for statement in document["Statement"]:
        resources = statement["Resource"]
        if statement["Sid"] == SID_LIST_STREAMS:
            assert statement["Action"] == ["dynamodb:ListStreams"]
            assert resources == ["*"]
        else:
            assert "*" not in resources
            assert all(resource.startswith("arn:aws:") for resource in resources)


@pytest.mark.parametrize("document", ALL_DOCUMENTS, ids=DOCUMENT_IDS)
def test_documents_are_well_formed_and_small(document):
    sids = [statement["Sid"] for statement in document["Statement"]]
    assert len(sids) == len(set(sids))
    assert all(statement["Effect"] == "Allow" for statement in document["Statement"])
    assert all(statement["Resource"] for statement in document["Statement"])
    # IAM allows 10,240 characters of inline policy per role
    assert len(json.dumps(document)) < 10240


def test_statement_resources_finds_the_statement_by_sid():
    document = built_function_policy("PIPELINE", [PIPELINE_ARN, OTHER_PIPELINE_ARN], INDEX)
    assert statement_resources(document, SID_PIPELINES) == [OTHER_PIPELINE_ARN, PIPELINE_ARN]
    assert statement_resources(document, SID_STREAM) == [STREAM_ARN]
    assert statement_resources(document, SID_TABLE_INDEX) == [TABLE_ARN, f"{TABLE_ARN}/index/{INDEX}"]


def test_statement_resources_of_a_missing_sid_is_none():
    document = built_function_policy("PIPELINE", [PIPELINE_ARN], None)
    assert statement_resources(document, SID_TOPICS) is None
    assert statement_resources(document, SID_TABLE_INDEX) is None
    assert statement_resources({}, SID_PIPELINES) is None
    assert statement_resources({"Version": "2012-10-17", "Statement": []}, SID_PIPELINES) is None


def test_statement_resources_accepts_a_single_string_resource():
    # IAM gives back a lone resource as a string
    document = {"Statement": [{"Sid": SID_TOPICS, "Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC_ARN}]}
    assert statement_resources(document, SID_TOPICS) == [TOPIC_ARN]


def test_statement_resources_of_a_statement_without_resource_is_empty():
    document = {"Statement": [{"Sid": SID_TOPICS, "Effect": "Allow", "Action": "sns:Publish"}]}
    assert statement_resources(document, SID_TOPICS) == []


def test_statement_resources_returns_a_copy():
    document = built_function_policy("SNS_TOPIC", [TOPIC_ARN], None)
    resources = statement_resources(document, SID_TOPICS)
    assert resources is not None
    resources.append("arn:aws:sns:eu-west-1:123456789012:extra")
    assert statement_resources(document, SID_TOPICS) == [TOPIC_ARN]


def test_the_devops_session_policy_allows_only_get_parameters_on_the_given_arns():
    from mare_dynamodb_streamtrigger.core.policies import devops_session_policy

    arns = ["arn:aws:ssm:eu-west-1:210987654321:parameter/a", "arn:aws:ssm:eu-west-1:210987654321:parameter/b"]
    assert devops_session_policy(arns) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadTableParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": arns}
        ],
    }
