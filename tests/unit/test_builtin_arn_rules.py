"""One rule for an ARN in Environment, end to end: what validation accepts, what the function role's
policy grants and what the built-in function calls are the same values, on the same inputs.

The built-in functions run alone in the user's Lambda (the standard library and boto3), so they
keep their own copy of the ARN patterns; this test holds the copies to the validation's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mare_dynamodb_streamtrigger.core.errors import TriggerError
from mare_dynamodb_streamtrigger.core.validation import _validate_environment, target_arns

BUILTIN = Path(__file__).resolve().parents[2] / "src" / "mare_dynamodb_streamtrigger" / "builtin"
sys.path.insert(0, str(BUILTIN))
import pipeline  # noqa: E402
import sns_topic  # noqa: E402

PIPELINE = "arn:aws:codepipeline:eu-west-1:123456789012:deploy"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:changes"
# Values an Environment may hold, each tried as the value beside a valid ARN of the trigger's kind.
VALUES = [
    PIPELINE.replace("deploy", "second"),
    TOPIC.replace("changes", "second.fifo"),
    f" {PIPELINE.replace('deploy', 'spaced')}",
    f"{PIPELINE.replace('deploy', 'newline')}\n",
    f"{TOPIC.replace('changes', 'tabbed')}\t",
    f"\n{TOPIC.replace('changes', 'led')}",
    "arn:aws-cn:codepipeline:cn-north-1:123456789012:china",
    "arn:aws:codepipeline:eu-west-1:12345678901:short-account",
    "arn:aws:codepipeline:eu-west-1:123456789012:",
    "arn:aws:sns:eu-west-1:123456789012:" + "x" * 257,
    "arn:aws:codepipeline:eu-west-1:123456789012:name:extra",
    "arn:aws:codepipeline:eu-west-1:\uff11\uff12\uff13456789012:fullwidth-digits",
    "not an arn",
    "",
]


def built_in_targets(trigger_type: str, environment: dict[str, str]) -> list[str]:
    """What the built-in function of this trigger type would call, from its environment: a pipeline
    by its region and name (StartPipelineExecution takes the name), a topic by its ARN."""
    if trigger_type == "PIPELINE":
        return sorted(f"{region}:{name}" for region, name in pipeline.pipelines(environment))
    return sorted(arn for _, arn in sns_topic.topics(environment))


def granted_targets(trigger_type: str, environment: dict[str, str]) -> list[str]:
    """What the function role's policy grants, in the built-in function's terms."""
    arns = target_arns(trigger_type, environment)
    if trigger_type == "PIPELINE":
        return sorted(f"{arn.split(':')[3]}:{arn.split(':')[5]}" for arn in arns)
    return arns


@pytest.mark.parametrize("trigger_type", ["PIPELINE", "SNS_TOPIC"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_built_in_function_calls_exactly_what_the_policy_grants(trigger_type, value):
    own = PIPELINE if trigger_type == "PIPELINE" else TOPIC
    environment = {"FIRST": own, "SECOND": value}
    # Compared whether or not validation accepts the value: each rule must hold on its own.
    assert built_in_targets(trigger_type, environment) == granted_targets(trigger_type, environment)


@pytest.mark.parametrize(
    "value",
    [f" {PIPELINE}", f"{PIPELINE}\n", f"{PIPELINE}\t", f" {TOPIC} "],
    ids=["leading space", "trailing newline", "trailing tab", "spaces around a topic"],
)
def test_an_arn_with_whitespace_around_it_is_refused_naming_the_variable(value):
    with pytest.raises(TriggerError) as caught:
        _validate_environment("PIPELINE", {"FIRST": PIPELINE, "SECOND": value})
    assert caught.value.message == (
        "Environment value of SECOND has whitespace around an ARN: AWS takes it as it is, so "
        "neither the function role's policy nor the function would use it; remove the whitespace"
    )
