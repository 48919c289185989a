"""The KMS keys behind a trigger's table and dead-letter queue, which the pipe role must be able to use.

A stream of a table encrypted with a KMS key is read only with kms:Decrypt on that key ("true for
all pipe sources with AWS KMS CMK, including Amazon DynamoDB Streams", EventBridge Pipes
troubleshooting); a queue encrypted with a KMS key takes messages only from a sender that may call
kms:GenerateDataKey and kms:Decrypt on it (SQS developer guide, "Key management"). Each key is
granted exactly, by its key ARN: IAM matches a key's ARN, never an alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from mare_dynamodb_streamtrigger.core.errors import error_code, error_message, invalid, is_not_found
from mare_dynamodb_streamtrigger.core.names import KMS_KEY_ARN
from mare_dynamodb_streamtrigger.core.policies import PipeKeys
from mare_dynamodb_streamtrigger.operations.clients import Aws

# The states of SSEDescription in which the table's data is encrypted with its KMS key.
ENCRYPTED_STATES = ("ENABLING", "ENABLED", "UPDATING")
# SQS's answers for a queue that is not there, in its JSON and its older query protocol.
NO_SUCH_QUEUE = ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")


def pipe_keys(aws: Aws, table_key: str | None, dead_letter_arn: str | None) -> PipeKeys:
    """The keys the pipe role needs: the table's (as `table_key_arn` read it) and the dead-letter
    queue's, read from the queue."""
    return PipeKeys(table_key, queue_key_arn(aws, dead_letter_arn) if dead_letter_arn else None)


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
    _, partition, _, region, account, name = queue_arn.split(":", 5)
    try:
        url = aws.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])
    except ClientError as error:
        refuse_unreadable(queue_arn, error, "its encryption")
        raise
    key_id = str(attributes.get("Attributes", {}).get("KmsMasterKeyId") or "")
    if not key_id:
        return None
    if KMS_KEY_ARN.fullmatch(key_id):
        return key_id
    if not key_id.startswith(("alias/", "arn:")):  # a key ID, in the queue's account and region
        key_arn = f"arn:{partition}:kms:{region}:{account}:key/{key_id}"
        if KMS_KEY_ARN.fullmatch(key_arn):
            return key_arn
    try:
        key_arn = str(aws.kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])
    except ClientError as error:
        refuse_unreadable(queue_arn, error, f"its key {key_id}")
        raise
    if not KMS_KEY_ARN.fullmatch(key_arn):
        raise invalid(f"DeadLetterQueueArn {queue_arn}: its key {key_id} is not a KMS key of this partition")
    return key_arn


def refuse_unreadable(queue_arn: str, error: ClientError, what: str) -> None:
    """InvalidRequest where the queue or its key is not there or not readable; any other error
    (throttling, AWS's own failure) is left to the caller."""
    if not (error_code(error) in NO_SUCH_QUEUE or is_not_found(error) or "AccessDenied" in error_code(error)):
        return
    operation = error.operation_name or "an AWS call"
    raise invalid(
        f"DeadLetterQueueArn {queue_arn}: {what} could not be read ({operation}: {error_code(error)}: "
        f"{error_message(error)}). The pipe role is granted the queue's KMS key, so the queue must be in "
        "this account and region, and readable by the type's execution role"
    )
