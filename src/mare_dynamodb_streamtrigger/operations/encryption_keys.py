"""The KMS keys behind a trigger's table and dead-letter queue or topic, which the pipe role must be able to use.

A stream of a table encrypted with a KMS key is read only with kms:Decrypt on that key ("true for
all pipe sources with AWS KMS CMK, including Amazon DynamoDB Streams", EventBridge Pipes
troubleshooting); a queue encrypted with a KMS key takes messages only from a sender that may call
kms:GenerateDataKey and kms:Decrypt on it (SQS developer guide, "Key management"), and so does an
encrypted topic (SNS developer guide, "Key management"). Each key is
granted exactly, by its key ARN: IAM matches a key's ARN, never an alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from mare_dynamodb_streamtrigger.core.errors import error_code, error_message, invalid, is_not_found
from mare_dynamodb_streamtrigger.core.names import KMS_KEY_ARN
from mare_dynamodb_streamtrigger.core.policies import PipeKeys, service_of
from mare_dynamodb_streamtrigger.operations.clients import Aws

# The states of SSEDescription in which the table's data is encrypted with its KMS key.
ENCRYPTED_STATES = ("ENABLING", "ENABLED", "UPDATING")
# SQS's answers for a queue that is not there, in its JSON and its older query protocol.
NO_SUCH_QUEUE = ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")


def pipe_keys(aws: Aws, table_key: str | None, dead_letter_arn: str | None) -> PipeKeys:
    """The keys the pipe role needs: the table's (as `table_key_arn` read it) and the dead-letter
    queue's or topic's, read from the queue or topic."""
    if not dead_letter_arn:
        return PipeKeys(table_key, None)
    if service_of(dead_letter_arn) == "sns":
        return PipeKeys(table_key, topic_key_arn(aws, dead_letter_arn))
    return PipeKeys(table_key, queue_key_arn(aws, dead_letter_arn))


def table_key_arn(table: Mapping[str, Any]) -> str | None:
    """The table's KMS key (AWS managed or customer managed) from DescribeTable's SSEDescription;
    None for a table encrypted with a key DynamoDB owns, which DescribeTable shows no SSEDescription for."""
    sse = table.get("SSEDescription") or {}
    key_arn = str(sse.get("KMSMasterKeyArn") or "")
    if sse.get("SSEType") != "KMS" or sse.get("Status") not in ENCRYPTED_STATES:
        return None
    return key_arn if KMS_KEY_ARN.fullmatch(key_arn) else None


def queue_key_arn(aws: Aws, queue_arn: str) -> str | None:
    """The dead-letter queue's KMS key as a key ARN (its KmsMasterKeyId may be an alias or a key
    ID), or None for a queue without one (SSE-SQS or no encryption). A queue the type cannot read
    is refused: a grant for an unknown key cannot be written."""
    # validation.py has checked the ARN's shape (names.SQS_QUEUE_ARN).
    account, name = queue_arn.split(":")[4:6]
    try:
        url = aws.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])
    except ClientError as error:
        refuse_unreadable(queue_arn, error, "its encryption")
        raise
    return key_arn_of(aws, queue_arn, str(attributes.get("Attributes", {}).get("KmsMasterKeyId") or ""))


def topic_key_arn(aws: Aws, topic_arn: str) -> str | None:
    """The dead-letter topic's KMS key as a key ARN, or None for a topic without one; a topic the
    type cannot read is refused, as a queue is. Publishing to a topic encrypted with a KMS key takes
    kms:GenerateDataKey and kms:Decrypt on it (SNS developer guide, "Key management")."""
    # validation.py has checked the ARN's shape (names.SNS_TOPIC_ARN).
    try:
        attributes = aws.sns.get_topic_attributes(TopicArn=topic_arn)
    except ClientError as error:
        refuse_unreadable(topic_arn, error, "its encryption")
        raise
    return key_arn_of(aws, topic_arn, str(attributes.get("Attributes", {}).get("KmsMasterKeyId") or ""))


def key_arn_of(aws: Aws, target_arn: str, key_id: str) -> str | None:
    """A queue's or topic's KmsMasterKeyId (a key ARN, a key ID, or an alias) as a key ARN; None
    where it names none. An alias is resolved with kms:DescribeKey: IAM matches a key's ARN."""
    if not key_id:
        return None
    if KMS_KEY_ARN.fullmatch(key_id):
        return key_id
    _, partition, _, region, account = target_arn.split(":")[:5]
    if not key_id.startswith(("alias/", "arn:")):  # a key ID, in the target's account and region
        key_arn = f"arn:{partition}:kms:{region}:{account}:key/{key_id}"
        if KMS_KEY_ARN.fullmatch(key_arn):
            return key_arn
    try:
        key_arn = str(aws.kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])
    except ClientError as error:
        refuse_unreadable(target_arn, error, f"its key {key_id}")
        raise
    if not KMS_KEY_ARN.fullmatch(key_arn):
        raise invalid(f"DeadLetterQueueArn {target_arn}: its key {key_id} is not a KMS key of this partition")
    return key_arn


def refuse_unreadable(target_arn: str, error: ClientError, what: str) -> None:
    """InvalidRequest where the queue or topic, or its key, is not there or not readable; any other
    error (throttling, AWS's own failure) is left to the caller."""
    code = error_code(error)
    if not (code in NO_SUCH_QUEUE or is_not_found(error) or "AccessDenied" in code or "AuthorizationError" in code):
        return
    kind = "topic" if service_of(target_arn) == "sns" else "queue"
    operation = error.operation_name or "an AWS call"
    raise invalid(
        f"DeadLetterQueueArn {target_arn}: {what} could not be read ({operation}: {code}: "
        f"{error_message(error)}). The pipe role is granted the {kind}'s KMS key, so the {kind} must be in "
        "this account and region, and readable by the type's execution role"
    )
