"""Two creates of the same Name racing against one moto: one trigger, one AlreadyExists, no leftovers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conftest import REGION, client, drive, pipeline_properties
from mare_dynamodb_streamtrigger.core.names import role_description, role_name
from mare_dynamodb_streamtrigger.operations.clients import Aws

NAME = "deployment-processor"


@pytest.fixture
def lined_up(monkeypatch: pytest.MonkeyPatch) -> threading.Barrier:
    """Holds each create at its first CreateRole until both got there: both have passed the
    existence checks, so only the creates themselves can tell them apart."""
    barrier = threading.Barrier(2, timeout=30)
    waited: set[int] = set()
    original = Aws.client

    def wait_once(**_kwargs: Any) -> None:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()

    def client_with_barrier(self: Aws, service: str, credentials: dict[str, str] | None = None) -> Any:
        made = original(self, service, credentials)
        if service == "iam":
            made.meta.events.register("before-call.iam.CreateRole", wait_once)
        return made

    monkeypatch.setattr(Aws, "client", client_with_barrier)
    return barrier


@pytest.mark.parametrize("attempt", range(3))
def test_racing_creates_end_with_one_trigger_and_one_already_exists(table, lined_up, attempt):
    tokens = [f"request-a-{attempt}", f"request-b-{attempt}"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        finals = list(pool.map(lambda token: drive("CREATE", pipeline_properties(), token=token)[0], tokens))

    outcomes = sorted((f["status"], f.get("errorCode")) for f in finals)
    assert outcomes == [("FAILED", "AlreadyExists"), ("SUCCESS", None)], finals
    winner = tokens[[f["status"] for f in finals].index("SUCCESS")]
    loser_event = finals[[f["status"] for f in finals].index("FAILED")]
    assert "already exists and belongs to another trigger or request" in loser_event["message"]

    # Exactly the winner's trigger: one function, one pipe, two roles made by the winner's request.
    assert [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]] == [NAME]
    assert [p["Name"] for p in client("pipes").list_pipes()["Pipes"]] == [NAME]
    iam = client("iam")
    for kind in ("fn", "pipe"):
        role = iam.get_role(RoleName=role_name(NAME, REGION, kind))["Role"]
        assert role["Description"] == role_description(NAME, kind, winner)
    assert len(iam.list_roles()["Roles"]) == 2
