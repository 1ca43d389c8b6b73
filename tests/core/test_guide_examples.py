"""The examples of the resources guide, run with ``import workbench as dg``."""

from __future__ import annotations

import http.server
import json
import threading
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import requests

import workbench as wb

if TYPE_CHECKING:
    from collections.abc import Iterator

    from workbench.core.instance import Instance

# The guide's code, unchanged except ``import dagster as dg`` -> ``import workbench as dg``.
# The guide uses ``Any`` without importing it; the namespace provides it (see _run_example).
ASSET_EXAMPLE = """
import workbench as dg
import requests
from requests import Response
class MyConnectionResource(dg.ConfigurableResource):
    username: str
    def request(self, endpoint: str) -> Response:
        return requests.get(
            f"https://my-api.com/{endpoint}",
            headers={"user-agent": "dagster"},
        )
@dg.asset
def data_from_service(my_conn: MyConnectionResource) -> dict[str, Any]:
    return my_conn.request("/fetch_data").json()
"""

JOB_EXAMPLE = """
import workbench as dg
import requests
from requests import Response
class MyConnectionResource(dg.ConfigurableResource):
    username: str
    def request(self, endpoint: str) -> Response:
        return requests.get(
            f"https://my-api.com/{endpoint}",
            headers={"user-agent": "dagster"},
        )
@dg.op
def update_service(my_conn: MyConnectionResource):
    my_conn.request("/update")
@dg.job
def update_service_job():
    update_service()
@dg.definitions
def resources():
    return dg.Definitions(
        resources={
            "my_conn": MyConnectionResource(username="my_user"),
        },
    )
"""

# The guide describes sensors and schedules in prose ("annotate the resource type as a
# parameter"); this is that prose written out in the guide's style.
AUTOMATION_EXAMPLE = """
import workbench as dg
@dg.sensor(job=update_service_job)
def service_sensor(context: dg.SensorEvaluationContext, my_conn: MyConnectionResource):
    status = my_conn.request("/status").json()
    if status["changed"]:
        return dg.RunRequest(run_key=status["version"])
    return dg.SkipReason("no change")
@dg.schedule(job=update_service_job, cron_schedule="0 * * * *")
def hourly_update(context: dg.ScheduleEvaluationContext, my_conn: MyConnectionResource):
    return dg.RunRequest(run_key=my_conn.request("/status").json()["version"])
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    requests_seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        _Handler.requests_seen.append((self.path, self.headers.get("user-agent", "")))
        if self.path.endswith("/fetch_data"):
            body: dict[str, Any] = {"rows": [1, 2, 3]}
        elif self.path.endswith("/status"):
            body = {"changed": True, "version": "v42"}
        else:
            body = {"ok": True}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Serve my-api.com from a local server; requests.get is pointed at it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    real_get = requests.get

    def local_get(url: str, **kwargs: Any) -> requests.Response:
        return real_get(url.replace("https://my-api.com", base), timeout=10, **kwargs)

    monkeypatch.setattr(requests, "get", local_get)
    _Handler.requests_seen = []
    try:
        yield _Handler.requests_seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _run_example(*sources: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"Any": Any, "__name__": "guide_example"}
    for source in sources:
        exec(compile(source, "<guide>", "exec"), namespace)
    return namespace


def test_asset_example(fake_api: list[tuple[str, str]], instance: Instance) -> None:
    example = _run_example(ASSET_EXAMPLE)
    dg = example["dg"]
    assert dg is wb
    defs = dg.Definitions(
        assets=[example["data_from_service"]],
        resources={"my_conn": example["MyConnectionResource"](username="my_user")},
    )
    defs.validate()
    result = dg.materialize(defs.assets, resources=defs.resources, instance=instance)
    assert result.success
    assert result.asset_value("data_from_service") == {"rows": [1, 2, 3]}
    assert fake_api == [("/fetch_data", "dagster")]


def test_job_example_with_definitions_decorator(
    fake_api: list[tuple[str, str]], instance: Instance
) -> None:
    example = _run_example(JOB_EXAMPLE)
    dg = example["dg"]
    defs = dg.Definitions.merge(
        example["resources"](), dg.Definitions(jobs=[example["update_service_job"]])
    )
    defs.validate()
    job = defs.resolve_job_def("update_service_job")
    result = job.execute_in_process(instance=instance)
    assert result.success
    assert fake_api == [("/update", "dagster")]
    assert instance.run_store.get_run(result.run_id).config_snapshot["resources"] == {
        "my_conn": {"class": "MyConnectionResource", "config": {"username": "my_user"}}
    }


def test_missing_resource_in_the_guide_job_is_explained() -> None:
    example = _run_example(JOB_EXAMPLE)
    defs = wb.Definitions(jobs=[example["update_service_job"]])
    with pytest.raises(wb.DefinitionError, match="resource 'my_conn' required by op"):
        defs.validate()


def test_sensor_and_schedule_with_resources(
    fake_api: list[tuple[str, str]], instance: Instance
) -> None:
    example = _run_example(JOB_EXAMPLE, AUTOMATION_EXAMPLE)
    dg = example["dg"]
    defs = dg.Definitions.merge(
        example["resources"](),
        dg.Definitions(
            jobs=[example["update_service_job"]],
            sensors=[example["service_sensor"]],
            schedules=[example["hourly_update"]],
        ),
    )
    defs.validate()
    conn = example["MyConnectionResource"](username="tester")
    sensor_context = dg.build_sensor_context(resources={"my_conn": conn})
    request = example["service_sensor"](sensor_context)
    assert request.run_key == "v42"
    schedule_context = dg.build_schedule_context(resources={"my_conn": conn})
    assert example["hourly_update"](schedule_context).run_key == "v42"

    tick = dg.tick(defs, "service_sensor", launch=True, instance=instance)
    (run,) = tick.runs
    assert run.success
    tick = dg.tick(defs, "hourly_update", launch=True, instance=instance)
    assert tick.runs[0].success
    assert [path for path, _ in fake_api] == [
        "/status",
        "/status",
        "/status",
        "/update",
        "/status",
        "/update",
    ]
