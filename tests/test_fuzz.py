"""No input crashes a handler: generated properties and malformed requests, through the real
entrypoint against moto. Each answer is SUCCESS, IN_PROGRESS, or FAILED with a code other than
InternalFailure and a message that names the problem; a refused CREATE leaves nothing behind.

`make test` runs FUZZ_EXAMPLES (2,000) examples with a fixed seed; `make fuzz` runs more.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from conftest import NOTHING_LEFT, TARGET, left_behind, make_table, pipeline_properties
from mare_dynamodb_streamtrigger import handlers
from mare_streamtrigger_local import driving, moto_world
from test_bad_input import CASES

pytestmark = pytest.mark.fuzz

READER_ROLE = "arn:aws:iam::210987654321:role/parameter-reader"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
SEED = int(os.environ.get("FUZZ_SEED", "20261202"))
SCHEMA = json.loads((Path(__file__).parent.parent / "schema.json").read_text())
PROPERTY_NAMES = sorted(SCHEMA["properties"])
ACTIONS = ["CREATE", "READ", "UPDATE", "DELETE", "LIST"]
CODES_ALLOWED = {
    "NotUpdatable",
    "InvalidRequest",
    "AccessDenied",
    "InvalidCredentials",
    "AlreadyExists",
    "NotFound",
    "ResourceConflict",
    "Throttling",
    "ServiceLimitExceeded",
    "NotStabilized",
    "GeneralServiceException",
    "ServiceInternalError",
    "NetworkFailure",
}
# What a message must never be: a Python error's own text instead of the problem's name.
PYTHON_ERROR = re.compile(
    r"\((KeyError|TypeError|AttributeError|ValueError|IndexError|RecursionError)\)|object has no attribute|"
    r"Traceback|takes \d+ positional|unexpected keyword|NoneType"
)
# The calls that change something: after a refusal, none may have left anything.
MUTATING = re.compile(r"\.(Create|Put|Add|Tag|Update|Attach|Start)")

# -- values ----------------------------------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

huge_strings = st.builds(lambda char, count: char * count, st.characters(), st.integers(1_000, 300_000))
unicode_strings = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=100)
garbage = st.one_of(json_values, huge_strings, unicode_strings)
# Values of the right JSON type, often near a rule's edge.
typed = {
    "integer": st.one_of(st.integers(-5, 20_000), st.integers(-5, 20_000).map(str)),
    "string": st.one_of(st.text(max_size=70), st.sampled_from(["PIPELINE", "SNS_TOPIC", "LATEST", "TRIM_HORIZON"])),
    "boolean": st.one_of(st.booleans(), st.sampled_from(["true", "false", "TRUE", "yes"])),
}


def schema_type(name: str) -> str | None:
    return SCHEMA["properties"][name].get("type")


@st.composite
def properties(draw: Any) -> tuple[str, dict[str, Any]]:
    """A valid trigger's properties changed one way; the change's name for the message check."""
    props = pipeline_properties()
    change = draw(st.sampled_from(["near-miss", "garbage", "typed", "drop", "extra", "several", "valid"]))
    if change == "near-miss":
        _, overrides, _, _ = draw(st.sampled_from(CASES))
        props.update(overrides)
        props = {key: value for key, value in props.items() if value is not None}
    elif change == "garbage":
        props[draw(st.sampled_from(PROPERTY_NAMES))] = draw(garbage)
    elif change == "typed":
        name = draw(st.sampled_from([n for n in PROPERTY_NAMES if schema_type(n) in typed]))
        props[name] = draw(typed[schema_type(name)])  # type: ignore[index]
    elif change == "drop":
        props.pop(draw(st.sampled_from(sorted(props))))
    elif change == "extra":
        props[draw(st.text(min_size=1, max_size=20).filter(lambda key: key not in SCHEMA["properties"]))] = draw(
            json_values
        )
    elif change == "several":
        for name in draw(st.lists(st.sampled_from(PROPERTY_NAMES), min_size=2, max_size=6)):
            props[name] = draw(st.one_of(garbage, typed["string"], typed["integer"]))
    else:
        props["Name"] = draw(st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True))
        props["MemorySize"] = draw(st.integers(128, 10_240))
    return change, props


CONTEXTS = {
    "CREATE": {"TableArn": "t", "StreamArn": "s", "done": [], "created": []},
    "UPDATE": {"TableArn": "t", "StreamArn": "s", "LiveTags": {}, "pipe_changes": True, "done": []},
    "DELETE": {"pipe_deleting": True},
}


@st.composite
def malformed(draw: Any, event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The same request broken at its own level."""
    event = copy.deepcopy(event)
    data = event["requestData"]
    change = draw(
        st.sampled_from(
            [
                "no-action",
                "bad-action",
                "no-desired",
                "null-desired",
                "desired-garbage",
                "previous-garbage",
                "other-context",
                "context-garbage",
                "type-configuration",
                "request-data-garbage",
                "credentials-garbage",
                "top-level-garbage",
            ]
        )
    )
    if change == "no-action":
        event.pop("action")
    elif change == "bad-action":
        event["action"] = draw(garbage)
    elif change == "no-desired":
        data.pop("resourceProperties")
    elif change == "null-desired":
        data["resourceProperties"] = None
    elif change == "desired-garbage":
        data["resourceProperties"] = draw(json_values)
    elif change == "previous-garbage":
        data["previousResourceProperties"] = draw(json_values)
    elif change == "other-context":
        other = draw(st.sampled_from(sorted(set(CONTEXTS) - {event["action"]})))
        event["callbackContext"] = copy.deepcopy(CONTEXTS[other])
    elif change == "context-garbage":
        event["callbackContext"] = draw(json_values)
    elif change == "type-configuration":
        data["typeConfiguration"] = draw(
            st.one_of(
                json_values,
                st.fixed_dictionaries({"DevopsParameterRoleArn": garbage}),
                st.fixed_dictionaries(
                    {
                        "DevopsParameterRoleArn": st.just("arn:aws:iam::210987654321:role/r"),
                        "DevopsParameterRoleExternalId": garbage,
                    }
                ),
            )
        )
    elif change == "request-data-garbage":
        event["requestData"] = draw(json_values)
    elif change == "credentials-garbage":
        data["callerCredentials"] = draw(json_values)
    else:
        event[draw(st.sampled_from(["awsAccountId", "bearerToken", "region"]))] = draw(garbage)
    return change, event


@st.composite
def requests_(draw: Any) -> tuple[str, dict[str, Any]]:
    action = draw(st.sampled_from(ACTIONS))
    change, props = draw(properties())
    is_devops = draw(st.booleans())
    if is_devops and isinstance(props, dict):
        props["IsDevops"] = True
    event = driving.handler_request(
        action, TARGET, "fuzz-token", props, pipeline_properties() if action == "UPDATE" else None, None
    )
    if draw(st.integers(0, 2)) == 0:
        return draw(malformed(event))
    return change, event


def test_no_input_crashes_a_handler(moto, aws_calls):
    make_table()
    seen = {"examples": 0, "statuses": {}}

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=False,  # FUZZ_SEED chooses the examples (make fuzz)
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(requests_())
    def one(case: tuple[str, dict[str, Any]]) -> None:
        change, event = case
        aws_calls.calls.clear()
        answer = json.loads(json.dumps(handlers.resource(copy.deepcopy(event), None)))
        status = answer.get("status")
        seen["examples"] += 1
        key = f"{status} {answer.get('errorCode', '')}".strip()
        seen["statuses"][key] = seen["statuses"].get(key, 0) + 1
        assert status in ("SUCCESS", "IN_PROGRESS", "FAILED"), (change, answer)
        if status == "FAILED":
            assert answer.get("errorCode") in CODES_ALLOWED, (change, answer)
            message = answer.get("message")
            assert isinstance(message, str) and len(message) > 10, (change, answer)
            assert not PYTHON_ERROR.search(message), (change, answer)
            if event.get("action") == "CREATE" and any(MUTATING.search(call) for call in aws_calls.calls):
                assert left_behind() == NOTHING_LEFT, (change, answer)
        elif status == "IN_PROGRESS":
            assert answer["callbackDelaySeconds"] > 0 and isinstance(answer["callbackContext"], dict)
        if status != "FAILED" and any(MUTATING.search(call) for call in aws_calls.calls):
            # Something was built: start the next example from the same world.
            moto_world.reset(moto)
            make_table()

    one()
    print(f"fuzz: {seen['examples']} examples (seed {SEED}): {json.dumps(seen['statuses'], sort_keys=True)}")
    assert seen["examples"] >= min(EXAMPLES, 2000)


def test_a_create_context_resumed_as_delete_and_the_reverse_are_refused(moto):
    """The callback context from another action is named as such, before any call."""
    for action, other in (("DELETE", "CREATE"), ("CREATE", "DELETE"), ("UPDATE", "CREATE"), ("CREATE", "UPDATE")):
        event = driving.handler_request(action, TARGET, "t", pipeline_properties(), None, CONTEXTS[other])
        answer = handlers.resource(event, None)
        assert (answer["status"], answer["errorCode"]) == ("FAILED", "InvalidRequest")
        assert answer["message"].startswith("The callback context holds "), answer
        assert f"which the {action} handler never writes" in answer["message"]
