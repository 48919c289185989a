"""Custom::TypeConfiguration: sets Mare::DynamoDB::StreamTrigger's type configuration in one account and region.

CloudFormation has no resource type for a registered resource type's configuration (its
AWS::CloudFormation::* types hold a HookTypeConfig only), so the organization template
(scripts/org_template.py) runs this file inline (ZipFile) as a custom resource's function: on Create
and Update it calls SetTypeConfiguration with the settings its properties give, empty ones left out.
On Delete it does nothing: deleting the ResourceVersion deregisters the type, configuration and all.
It never prints its event, and keeps the external ID out of what it reports: the ID is a secret.
"""

import json
import urllib.parse
import urllib.request
from typing import Any

import boto3

SETTINGS = ("DevopsParameterRoleArn", "DevopsParameterRoleExternalId", "CodeBuckets", "LayerArns", "VpcIds")
HIDDEN_SETTING = "DevopsParameterRoleExternalId"
# SetTypeConfiguration requires an alias for a resource type's configuration; the handlers read "default".
ALIAS = "default"


def configuration(properties: dict[str, Any]) -> dict[str, Any]:
    """The type configuration the properties give: each setting given, empty strings and list items left out."""
    chosen: dict[str, Any] = {}
    for key in SETTINGS:
        value = properties.get(key)
        if isinstance(value, list):
            value = [item for item in value if item]
        if value:
            chosen[key] = value
    return chosen


def handler(event: dict[str, Any], context: object) -> None:
    properties = event.get("ResourceProperties", {})
    physical = event.get("PhysicalResourceId") or f"{properties.get('TypeArn')}/configuration/{ALIAS}"
    status, reason = "SUCCESS", "done"
    try:
        if event["RequestType"] in ("Create", "Update"):
            boto3.client("cloudformation").set_type_configuration(
                TypeArn=properties["TypeArn"],
                Configuration=json.dumps(configuration(properties)),
                ConfigurationAlias=ALIAS,
            )
    except Exception as error:  # noqa: BLE001 - any failure is CloudFormation's to report
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
        secret = properties.get(HIDDEN_SETTING)
        if secret:
            reason = reason.replace(secret, "***")
    respond(event, status, reason[:1000], physical)


def respond(event: dict[str, Any], status: str, reason: str, physical: str) -> None:
    """The answer CloudFormation waits for, PUT to the presigned URL it gave."""
    url = event["ResponseURL"]
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise ValueError("ResponseURL must be an http(s) URL")
    body = {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": physical,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=json.dumps(body).encode(), method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310
        pass
