"""Where the function's network interfaces go: a VpcConfig's subnets and security groups, looked
up before anything is made, and allowed only in a VPC the type configuration lists.

The type's execution role creates the function, so whatever network a stack author names, the
function's code would run in it; the type configuration's VpcIds is what the account's
administrator lets triggers reach (as Lambda's own lambda:VpcIds condition key does for people).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from mare_dynamodb_streamtrigger.core.errors import error_code, invalid
from mare_dynamodb_streamtrigger.models import ResourceModel, TypeConfigurationModel
from mare_dynamodb_streamtrigger.operations.clients import Aws

# EC2's answers for an ID it does not know in this account and region (botocore's ec2 model
# documents no error shapes; these are EC2's "Error codes for the Amazon EC2 API").
UNKNOWN_IDS = (
    "InvalidSubnetID.NotFound",
    "InvalidSubnetID.Malformed",
    "InvalidGroup.NotFound",
    "InvalidGroupId.Malformed",
)


def check_vpc(aws: Aws, model: ResourceModel, type_configuration: TypeConfigurationModel | None) -> str | None:
    """The VPC of the model's VpcConfig, once its subnets and security groups are found, all in
    that one VPC, and that VPC is one the type configuration's VpcIds lists; None without a VpcConfig."""
    config = model.VpcConfig
    if config is None:
        return None
    subnets = list(config.SubnetIds or [])
    groups = list(config.SecurityGroupIds or [])
    try:
        subnet_vpcs = {s["SubnetId"]: s["VpcId"] for s in aws.ec2.describe_subnets(SubnetIds=subnets)["Subnets"]}
        group_vpcs = {
            g["GroupId"]: g.get("VpcId", "")
            for g in aws.ec2.describe_security_groups(GroupIds=groups)["SecurityGroups"]
        }
    except ClientError as error:
        if error_code(error) in UNKNOWN_IDS:
            raise invalid(
                f"VpcConfig names a subnet or security group this account does not have here: {error_code(error)}"
            ) from error
        raise
    missing = [value for value in subnets if value not in subnet_vpcs] + [
        value for value in groups if value not in group_vpcs
    ]
    if missing:
        raise invalid(f"VpcConfig names {', '.join(missing)}, which this account does not have in {aws.region}")
    vpcs = set(subnet_vpcs.values()) | set(group_vpcs.values())
    if len(vpcs) != 1:
        raise invalid(
            f"VpcConfig's subnets and security groups must all be of one VPC, not of {', '.join(sorted(vpcs))}"
        )
    (vpc,) = vpcs
    allowed = list(getattr(type_configuration, "VpcIds", None) or [])
    if vpc not in allowed:
        listed = ", ".join(allowed) or "none: the type configuration sets no VpcIds"
        raise invalid(
            f"VpcConfig is in {vpc}, which is not one of the type configuration's VpcIds (allowed: {listed}); "
            "ask the account's administrator to add it"
        )
    return vpc
