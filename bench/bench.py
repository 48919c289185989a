"""What each action costs, measured against moto: API calls, invocations, callback pacing, cold start,
list at scale, package size and memory, and the local pipe runner's latency and rate. Prints numbers;
asserts nothing.

    python bench/bench.py            (make bench)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from faults import Recorder, install  # noqa: E402
from mare_dynamodb_streamtrigger import handlers  # noqa: E402
from mare_dynamodb_streamtrigger.core.waits import PIPE_POLL_SECONDS, ROLE_RETRY_SECONDS  # noqa: E402
from mare_streamtrigger_local import driving, moto_world  # noqa: E402

REGION = "eu-west-1"
TABLE = "deployment-requests"
# The least each action can do, call by call, in the order the design needs them.
MINIMUM = {
    "CREATE": [
        "ssm.GetParameters (both parameters)",
        "dynamodb.DescribeTable (stream and index check)",
        "lambda.GetFunction (must not exist)",
        "pipes.DescribePipe (must not exist)",
        "pipes.ListPipes per page (the stream's other readers)",
        "iam.CreateRole + iam.PutRolePolicy (function role)",
        "iam.CreateRole + iam.PutRolePolicy (pipe role)",
        "lambda.CreateFunction",
        "lambda.AddPermission",
        "pipes.CreatePipe",
        "pipes.DescribePipe per poll until RUNNING",
        "per later invocation, its context's claims: dynamodb.DescribeTable (the latest stream) + "
        "2 x iam.GetRole (roles made by this request)",
        "the result: Read's 5 calls",
    ],
    "READ": [
        "lambda.GetFunction",
        "pipes.DescribePipe",
        "iam.GetRolePolicy",
        "logs.DescribeLogGroups (the function's log group: its retention, if the type's)",
        "cloudwatch.DescribeAlarms (the pipe-failures alarm: its topic, if the type's)",
    ],
    "UPDATE": [
        "lambda.GetFunction + pipes.DescribePipe (must exist)",
        "2 x iam.PutRolePolicy",
        "changes only",
        "the result (5 calls)",
    ],
    "DELETE": [
        "lambda.GetFunction + pipes.DescribePipe (must exist)",
        "pipes.DeletePipe",
        "pipes.DescribePipe per poll until gone",
        "cloudwatch.DescribeAlarms (delete the trigger's alarms, only where tagged as its own)",
        "lambda.GetFunction + lambda.DeleteFunction (the function's role is the trigger's, looked at as it goes)",
        "2 x logs.ListTagsForResource (remove the function's and the pipe's log groups only if the type made them)",
        "2 x (iam.GetRole + iam.DeleteRolePolicy + iam.DeleteRole) (each role under the type's path, with its marker)",
    ],
    "LIST": ["iam.ListRoles per page (type's path)", "pipes.ListPipes per page"],
}


def properties(name: str = "deployment-processor", **overrides: Any) -> dict[str, Any]:
    return moto_world.example_properties(REGION, "123456789012", Name=name, **overrides)


def drive(
    action: str,
    model: dict[str, Any] | None,
    previous: dict[str, Any] | None = None,
    clock: list[float] | None = None,
    type_configuration: dict[str, str] | None = None,
) -> tuple[dict[str, Any], int, float, float]:
    """The action through the real entrypoint until final: (event, invocations, summed delays, longest call)."""
    target = driving.moto_target(REGION)
    token = str(uuid.uuid4())
    calls: list[float] = []

    def request_for(desired: dict[str, Any] | None, context: dict[str, Any] | None) -> dict[str, Any]:
        return driving.handler_request(
            action, target, token, desired, previous, context, type_configuration=type_configuration
        )

    def timed(request: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        event: dict[str, Any] = json.loads(json.dumps(handlers.resource(request, None)))
        calls.append(time.perf_counter() - started)
        return event

    delays = 0.0
    event: dict[str, Any] = {}
    for event in driving.invocations(model, request_for, invoke_with=timed):
        if event["status"] == "IN_PROGRESS":
            delays += event["callbackDelaySeconds"]
            if clock is not None:
                clock[0] += event["callbackDelaySeconds"]
    return event, len(calls), delays, max(calls)


def counted(recorder: Recorder, action: str, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], int]:
    recorder.calls.clear()
    event, invocations, _, _ = drive(action, *args, **kwargs)
    assert event["status"] == "SUCCESS", event
    return event, invocations


def report_calls(recorder: Recorder, label: str, action: str, invocations: int) -> int:
    counts = recorder.counts()
    by_service = Counter(call.split(".")[0] for call in recorder.calls)
    total = sum(counts.values())
    print(f"{label}: {total} API calls in {invocations} invocation(s); by service: {dict(sorted(by_service.items()))}")
    print(f"  calls: {', '.join(recorder.calls)}")
    print(f"  minimum the design needs: {'; '.join(MINIMUM[action])}")
    return total


def api_calls(moto_url: str, recorder: Recorder) -> None:
    print("== API calls per action (pipes CREATING for 2 describes) ==")
    moto_world.seed_table(TABLE, REGION)
    moto_world.hold_pipes(moto_url, 3)
    _, invocations = counted(recorder, "CREATE", properties())
    total = report_calls(recorder, "CREATE", "CREATE", invocations)
    before_polls = recorder.calls.index("pipes.CreatePipe") + 1
    print(f"  before the pipe's stabilization polls: {before_polls} (target at most 12)")
    print(f"  polls and the result: {total - before_polls}")
    devops_create(recorder)
    changed = properties(MemorySize=256, BatchSize=50)
    for label, action, model, previous in (
        ("READ", "READ", {"Name": "deployment-processor"}, None),
        ("UPDATE (function and pipe)", "UPDATE", changed, properties()),
        ("UPDATE (function alone)", "UPDATE", properties(MemorySize=512, BatchSize=50), changed),
        ("LIST", "LIST", {}, None),
        ("DELETE", "DELETE", {"Name": "deployment-processor"}, None),
    ):
        _, invocations = counted(recorder, action, model, previous)
        report_calls(recorder, label, action, invocations)
    moto_world.hold_pipes(moto_url, 1)


def devops_create(recorder: Recorder) -> None:
    """IsDevops: the parameters read through the type configuration's role in a second account."""
    sts = boto3.client("sts", region_name=REGION)
    devops = sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/setup", RoleSessionName="setup")["Credentials"]
    session = boto3.session.Session(devops["AccessKeyId"], devops["SecretAccessKey"], devops["SessionToken"])
    session.client("iam", region_name=REGION).create_role(RoleName="reader", AssumeRolePolicyDocument="{}")
    table = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=TABLE)["Table"]
    moto_world.put_table_parameters(
        session.client("ssm", region_name=REGION), TABLE, table["TableArn"], table["LatestStreamArn"]
    )
    recorder.calls.clear()
    event, _, _, _ = drive(
        "CREATE",
        properties("devops-trigger", IsDevops=True),
        type_configuration={"DevopsParameterRoleArn": "arn:aws:iam::210987654321:role/reader"},
    )
    assert event["status"] == "SUCCESS", event
    before_polls = recorder.calls.index("pipes.CreatePipe") + 1
    print(
        f"CREATE with IsDevops through the type configuration's role: {before_polls} calls before the polls "
        f"(target at most 13: one sts.AssumeRole more); calls: {', '.join(recorder.calls[:before_polls])}"
    )
    assert drive("DELETE", {"Name": "devops-trigger"})[0]["status"] == "SUCCESS"


def list_at_scale(recorder: Recorder) -> None:
    print("== LIST with 1,000 pipes in the account, 100 of them triggers ==")
    pipes = boto3.client("pipes", region_name=REGION)
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="someone-elses", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    stream = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    for number in range(100):
        event, _, _, _ = drive("CREATE", properties(f"trigger-{number:03}"))
        assert event["status"] == "SUCCESS", event
    for number in range(900):
        pipes.create_pipe(
            Name=f"other-{number:03}",
            RoleArn=role,
            Source=stream,
            Target=f"arn:aws:lambda:{REGION}:123456789012:function:other-{number:03}",
        )
    recorder.calls.clear()
    event, _ = counted(recorder, "LIST", {})
    counts = recorder.counts()
    print(
        f"LIST: {len(event['resourceModels'])} triggers found with {sum(counts.values())} API calls "
        f"({dict(counts)}): pages, not pipes"
    )


def pacing(recorder: Recorder) -> None:
    """AWS simulated on a clock that the handler's callback delays move on: the function role reaches
    Lambda at ROLE_READY s; the pipe is RUNNING PIPE_TAKES s after it was created."""
    print("== Callback pacing (simulated time) ==")
    role_ready, pipe_takes = 25.0, 45.0
    clock = [0.0]
    created_at: list[float] = []

    def refuse_role(**_kwargs: Any) -> Any:
        if clock[0] < role_ready:
            from faults import error_answer

            return error_answer(
                "rest-json",
                "InvalidParameterValueException",
                400,
                "The role defined for the function cannot be assumed by Lambda.",
            ), {
                "Error": {
                    "Code": "InvalidParameterValueException",
                    "Message": "The role defined for the function cannot be assumed by Lambda.",
                },
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
        return None

    def pipe_state(parsed: dict[str, Any]) -> None:
        if "CurrentState" not in parsed:
            return
        if not created_at:
            created_at.append(clock[0])
        if clock[0] < created_at[0] + pipe_takes:
            parsed["CurrentState"] = "CREATING"

    from faults import Fault

    class ClockFault(Fault):
        def __call__(self, **kwargs: Any) -> Any:
            return refuse_role(**kwargs)

    recorder.faults.append(ClockFault("lambda.CreateFunction", "", ""))
    recorder.rewrite("pipes.CreatePipe", pipe_state, times=10**6)
    recorder.rewrite("pipes.DescribePipe", pipe_state, times=10**6, after=1)
    event, invocations, delays, longest = drive("CREATE", properties("paced"), clock=clock)
    recorder.faults.clear()
    recorder.rewrites.clear()
    assert event["status"] == "SUCCESS", event
    assert drive("DELETE", {"Name": "paced"})[0]["status"] == "SUCCESS"
    needed = role_ready + pipe_takes
    print(f"AWS needs {role_ready:.0f} s for the role and {pipe_takes:.0f} s for the pipe: {needed:.0f} s in all")
    print(
        f"the handler asked for {delays:.0f} s of callback delays over {invocations} invocations: "
        f"{delays - needed:+.0f} s beyond what AWS needed "
        f"(at most one delay per wait: {ROLE_RETRY_SECONDS} + {PIPE_POLL_SECONDS} = "
        f"{ROLE_RETRY_SECONDS + PIPE_POLL_SECONDS} s)"
    )
    print(f"longest single invocation: {longest:.3f} s (target at most 5 s)")


def cold_start() -> None:
    print("== Cold start: import time in a fresh interpreter, 10 runs each, alternating ==")
    statements = {
        "boto3 + cloudformation_cli_python_lib": "import boto3, cloudformation_cli_python_lib",
        "mare_dynamodb_streamtrigger.handlers": "import mare_dynamodb_streamtrigger.handlers",
    }
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    runs: dict[str, list[float]] = {label: [] for label in statements}
    for _ in range(10):
        for label, statement in statements.items():
            code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
            answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
            runs[label].append(float(answer.stdout))
    for label, times in runs.items():
        print(f"{label}: min {min(times) * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms")
    floor, ours = (statistics.median(times) for times in runs.values())
    print(f"ratio of medians: {ours / floor:.2f} (target at most 1.1)")


def size_and_memory() -> None:
    print("== Size and memory ==")
    package = ROOT / "mare-dynamodb-streamtrigger.zip"
    if package.exists():
        print(f"dry-run package: {package.stat().st_size:,} bytes (make package builds it)")
    else:
        print("dry-run package: not built (run make package first)")
    tracemalloc.start()
    event, _, _, _ = drive("CREATE", properties("memory"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert event["status"] == "SUCCESS", event
    print(f"peak Python memory of one create: {peak / 1e6:.1f} MB (tracemalloc)")


def timed_session() -> tuple[Any, dict[str, float]]:
    """A boto3 session whose clients add the time of each call (request to parsed answer) to spent["moto"]."""
    import boto3

    session = boto3.Session(region_name=REGION)
    spent = {"moto": 0.0, "calls": 0, "started": 0.0}

    def start(**_kwargs: Any) -> None:
        spent["started"] = time.perf_counter()

    def stop(**_kwargs: Any) -> None:
        spent["moto"] += time.perf_counter() - spent["started"]
        spent["calls"] += 1

    session.events.register("before-call", start)
    session.events.register("after-call", stop)
    return session, spent


def put_items(count: int, start: int = 0) -> None:
    import boto3

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for first in range(start, start + count, 25):
        requests = [
            {"PutRequest": {"Item": {"id": {"S": f"req-{n:05}"}, "status": {"S": "PENDING"}}}}
            for n in range(first, min(first + 25, start + count))
        ]
        dynamodb.batch_write_item(RequestItems={TABLE: requests})


def firing(moto_url: str, recorder: Recorder) -> None:
    """The local pipe runner: one record's latency, and the rate and overhead for 1,000 records."""
    import cProfile
    import pstats
    import tempfile

    from mare_streamtrigger_local.pipe_runner import fire

    print("== Firing: the local pipe runner against embedded moto ==")
    moto_world.reset(moto_url)
    moto_world.seed_table(TABLE, REGION)
    event, _, _, _ = drive("CREATE", properties("fired"))
    assert event["status"] == "SUCCESS", event
    with tempfile.TemporaryDirectory() as cache:
        latencies = []  # the first run of the process includes loading the clients' service models
        for run in range(5):
            put_items(1, start=90000 + run)
            started = time.perf_counter()
            report = fire("fired", cache_folder=Path(cache))
            latencies.append(time.perf_counter() - started)
            assert report.summary()["records_delivered"] == 1, report.summary()
        print(
            f"one record, PutItem to the function's return (the runner's whole start included): "
            f"first {latencies[0]:.3f} s, then median {statistics.median(latencies[1:]):.3f} s over 4 runs "
            "(target under 0.5 s after the first; the first starts the function's process, a cold start)"
        )
        put_items(1000)
        session, spent = timed_session()
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        report = fire("fired", cache_folder=Path(cache), session=session)
        profile.disable()
        wall = time.perf_counter() - started
    summary = report.summary()
    assert summary["records_delivered"] == 1000, summary
    function = sum(batch.function_seconds for batch in report.batches)
    overhead = wall - spent["moto"] - function
    print(
        f"1,000 records: {wall:.3f} s, {1000 / wall:.0f} records/s, {summary['invocations']} invocations "
        f"(BatchSize 100)"
    )
    print(
        f"  time in the runner's {spent['calls']} moto calls: {spent['moto']:.3f} s; "
        f"in the function: {function:.3f} s; the runner's own: {overhead:.3f} s = "
        f"{overhead / spent['moto']:.0%} of the moto time (target under 20%)"
    )
    print("  where the time goes (cProfile, every thread: moto's server thread too; the 8 largest own times):")
    stats = pstats.Stats(profile)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:8]  # type: ignore[attr-defined]
    for (file, line, function_name), (_, calls, own, cumulative, _) in rows:
        print(
            f"    {own:7.3f} s own, {cumulative:7.3f} s cumulative, {calls:6} calls: "
            f"{Path(file).parent.name}/{Path(file).name}:{line} {function_name}"
        )


def main() -> int:
    with pytest.MonkeyPatch.context() as monkeypatch, moto_world.moto_server(REGION) as moto_url:
        recorder = install(monkeypatch)
        api_calls(moto_url, recorder)
        pacing(recorder)
        list_at_scale(recorder)
        size_and_memory()
        firing(moto_url, recorder)
    cold_start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
