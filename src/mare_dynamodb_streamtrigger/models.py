# DO NOT modify this file by hand, changes will be overwritten
from dataclasses import dataclass

from cloudformation_cli_python_lib.interface import (
    BaseModel,
    BaseResourceHandlerRequest,
)
from cloudformation_cli_python_lib.recast import recast_object
from cloudformation_cli_python_lib.utils import deserialize_list

import sys
from inspect import getmembers, isclass
from typing import (
    AbstractSet,
    Any,
    Generic,
    Mapping,
    MutableMapping,
    Optional,
    Sequence,
    Type,
    TypeVar,
)

T = TypeVar("T")


def set_or_none(value: Optional[Sequence[T]]) -> Optional[AbstractSet[T]]:
    if value:
        return set(value)
    return None


@dataclass
class ResourceHandlerRequest(BaseResourceHandlerRequest):
    # pylint: disable=invalid-name
    desiredResourceState: Optional["ResourceModel"]
    previousResourceState: Optional["ResourceModel"]
    typeConfiguration: Optional["TypeConfigurationModel"]


@dataclass
class ResourceModel(BaseModel):
    Name: Optional[str]
    TableName: Optional[str]
    TriggerType: Optional[str]
    Handler: Optional[str]
    Code: Optional["_Code"]
    Runtime: Optional[str]
    MemorySize: Optional[int]
    Timeout: Optional[int]
    Description: Optional[str]
    Architectures: Optional[Sequence[str]]
    EphemeralStorage: Optional["_EphemeralStorage"]
    TracingConfig: Optional["_TracingConfig"]
    LoggingConfig: Optional["_LoggingConfig"]
    ReservedConcurrentExecutions: Optional[int]
    FunctionLogRetentionInDays: Optional[int]
    Layers: Optional[Sequence[str]]
    VpcConfig: Optional["_VpcConfig"]
    Environment: Optional[MutableMapping[str, str]]
    FilterPattern: Optional[MutableMapping[str, Any]]
    FilterPatterns: Optional[Sequence["_Filter"]]
    TableIndexName: Optional[str]
    IsDevops: Optional[bool]
    StartingPosition: Optional[str]
    DesiredState: Optional[str]
    BatchSize: Optional[int]
    MaximumBatchingWindowInSeconds: Optional[int]
    ParallelizationFactor: Optional[int]
    MaximumRetryAttempts: Optional[int]
    MaximumRecordAgeInSeconds: Optional[int]
    OnPartialBatchItemFailure: Optional[str]
    DeadLetterQueueArn: Optional[str]
    AlarmTopicArn: Optional[str]
    InputTemplate: Optional[str]
    LogLevel: Optional[str]
    LogRetentionInDays: Optional[int]
    KmsKeyArn: Optional[str]
    Tags: Optional[Sequence["_Tag"]]
    FunctionArn: Optional[str]
    FunctionRoleArn: Optional[str]
    PipeArn: Optional[str]
    PipeRoleArn: Optional[str]
    TableArn: Optional[str]
    StreamArn: Optional[str]

    @classmethod
    def _deserialize(
        cls: Type["_ResourceModel"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_ResourceModel"]:
        if not json_data:
            return None
        dataclasses = {n: o for n, o in getmembers(sys.modules[__name__]) if isclass(o)}
        recast_object(cls, json_data, dataclasses)
        return cls(
            Name=json_data.get("Name"),
            TableName=json_data.get("TableName"),
            TriggerType=json_data.get("TriggerType"),
            Handler=json_data.get("Handler"),
            Code=Code._deserialize(json_data.get("Code")),
            Runtime=json_data.get("Runtime"),
            MemorySize=json_data.get("MemorySize"),
            Timeout=json_data.get("Timeout"),
            Description=json_data.get("Description"),
            Architectures=json_data.get("Architectures"),
            EphemeralStorage=EphemeralStorage._deserialize(json_data.get("EphemeralStorage")),
            TracingConfig=TracingConfig._deserialize(json_data.get("TracingConfig")),
            LoggingConfig=LoggingConfig._deserialize(json_data.get("LoggingConfig")),
            ReservedConcurrentExecutions=json_data.get("ReservedConcurrentExecutions"),
            FunctionLogRetentionInDays=json_data.get("FunctionLogRetentionInDays"),
            Layers=json_data.get("Layers"),
            VpcConfig=VpcConfig._deserialize(json_data.get("VpcConfig")),
            Environment=json_data.get("Environment"),
            FilterPattern=json_data.get("FilterPattern"),
            FilterPatterns=deserialize_list(json_data.get("FilterPatterns"), Filter),
            TableIndexName=json_data.get("TableIndexName"),
            IsDevops=json_data.get("IsDevops"),
            StartingPosition=json_data.get("StartingPosition"),
            DesiredState=json_data.get("DesiredState"),
            BatchSize=json_data.get("BatchSize"),
            MaximumBatchingWindowInSeconds=json_data.get("MaximumBatchingWindowInSeconds"),
            ParallelizationFactor=json_data.get("ParallelizationFactor"),
            MaximumRetryAttempts=json_data.get("MaximumRetryAttempts"),
            MaximumRecordAgeInSeconds=json_data.get("MaximumRecordAgeInSeconds"),
            OnPartialBatchItemFailure=json_data.get("OnPartialBatchItemFailure"),
            DeadLetterQueueArn=json_data.get("DeadLetterQueueArn"),
            AlarmTopicArn=json_data.get("AlarmTopicArn"),
            InputTemplate=json_data.get("InputTemplate"),
            LogLevel=json_data.get("LogLevel"),
            LogRetentionInDays=json_data.get("LogRetentionInDays"),
            KmsKeyArn=json_data.get("KmsKeyArn"),
            Tags=deserialize_list(json_data.get("Tags"), Tag),
            FunctionArn=json_data.get("FunctionArn"),
            FunctionRoleArn=json_data.get("FunctionRoleArn"),
            PipeArn=json_data.get("PipeArn"),
            PipeRoleArn=json_data.get("PipeRoleArn"),
            TableArn=json_data.get("TableArn"),
            StreamArn=json_data.get("StreamArn"),
        )


# work around possible type aliasing issues when variable has same name as a model
_ResourceModel = ResourceModel


@dataclass
class Code(BaseModel):
    S3Bucket: Optional[str]
    S3Key: Optional[str]
    S3ObjectVersion: Optional[str]
    ZipFile: Optional[str]

    @classmethod
    def _deserialize(
        cls: Type["_Code"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_Code"]:
        if not json_data:
            return None
        return cls(
            S3Bucket=json_data.get("S3Bucket"),
            S3Key=json_data.get("S3Key"),
            S3ObjectVersion=json_data.get("S3ObjectVersion"),
            ZipFile=json_data.get("ZipFile"),
        )


# work around possible type aliasing issues when variable has same name as a model
_Code = Code


@dataclass
class EphemeralStorage(BaseModel):
    Size: Optional[int]

    @classmethod
    def _deserialize(
        cls: Type["_EphemeralStorage"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_EphemeralStorage"]:
        if not json_data:
            return None
        return cls(
            Size=json_data.get("Size"),
        )


# work around possible type aliasing issues when variable has same name as a model
_EphemeralStorage = EphemeralStorage


@dataclass
class TracingConfig(BaseModel):
    Mode: Optional[str]

    @classmethod
    def _deserialize(
        cls: Type["_TracingConfig"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_TracingConfig"]:
        if not json_data:
            return None
        return cls(
            Mode=json_data.get("Mode"),
        )


# work around possible type aliasing issues when variable has same name as a model
_TracingConfig = TracingConfig


@dataclass
class LoggingConfig(BaseModel):
    LogFormat: Optional[str]
    ApplicationLogLevel: Optional[str]
    SystemLogLevel: Optional[str]

    @classmethod
    def _deserialize(
        cls: Type["_LoggingConfig"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_LoggingConfig"]:
        if not json_data:
            return None
        return cls(
            LogFormat=json_data.get("LogFormat"),
            ApplicationLogLevel=json_data.get("ApplicationLogLevel"),
            SystemLogLevel=json_data.get("SystemLogLevel"),
        )


# work around possible type aliasing issues when variable has same name as a model
_LoggingConfig = LoggingConfig


@dataclass
class VpcConfig(BaseModel):
    SubnetIds: Optional[Sequence[str]]
    SecurityGroupIds: Optional[Sequence[str]]

    @classmethod
    def _deserialize(
        cls: Type["_VpcConfig"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_VpcConfig"]:
        if not json_data:
            return None
        return cls(
            SubnetIds=json_data.get("SubnetIds"),
            SecurityGroupIds=json_data.get("SecurityGroupIds"),
        )


# work around possible type aliasing issues when variable has same name as a model
_VpcConfig = VpcConfig


@dataclass
class Filter(BaseModel):
    Pattern: Optional[MutableMapping[str, Any]]

    @classmethod
    def _deserialize(
        cls: Type["_Filter"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_Filter"]:
        if not json_data:
            return None
        return cls(
            Pattern=json_data.get("Pattern"),
        )


# work around possible type aliasing issues when variable has same name as a model
_Filter = Filter


@dataclass
class Tag(BaseModel):
    Key: Optional[str]
    Value: Optional[str]

    @classmethod
    def _deserialize(
        cls: Type["_Tag"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_Tag"]:
        if not json_data:
            return None
        return cls(
            Key=json_data.get("Key"),
            Value=json_data.get("Value"),
        )


# work around possible type aliasing issues when variable has same name as a model
_Tag = Tag


@dataclass
class TypeConfigurationModel(BaseModel):
    DevopsParameterRoleArn: Optional[str]
    CodeBuckets: Optional[Sequence[str]]
    DevopsParameterRoleExternalId: Optional[str]
    LayerArns: Optional[Sequence[str]]
    VpcIds: Optional[Sequence[str]]

    @classmethod
    def _deserialize(
        cls: Type["_TypeConfigurationModel"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_TypeConfigurationModel"]:
        if not json_data:
            return None
        return cls(
            DevopsParameterRoleArn=json_data.get("DevopsParameterRoleArn"),
            CodeBuckets=json_data.get("CodeBuckets"),
            DevopsParameterRoleExternalId=json_data.get("DevopsParameterRoleExternalId"),
            LayerArns=json_data.get("LayerArns"),
            VpcIds=json_data.get("VpcIds"),
        )


# work around possible type aliasing issues when variable has same name as a model
_TypeConfigurationModel = TypeConfigurationModel


