"""End to end: a notebook using every part of the resources guide gives the same results run in
its kernel, exported and run by real Dagster, run with ``python -m workbench``, and turned back
into a notebook (#13).

One notebook (cases/resources_guide) covers: EnvVar secrets, a nested resource, a nested Config,
a resource configured at launch (also nested in another), ResourceParam, lifecycle hooks, a
ConfigurableIOManager writing JSON files, an op job with op Config, a sensor and a schedule with
resources, a job whose default RunConfig gives a PermissiveConfig extra fields, saved form edits
of every field kind Dagster's config accepts, multi_asset, deps and merged Definitions. The IO
manager and the job's ledger write files, so each path's results are the files it wrote.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.export import export_notebook, notebook_from_module

from .conftest import DAGSTER_OWN_WARNINGS, load_module

pytestmark = [pytest.mark.dagster, *DAGSTER_OWN_WARNINGS]

CASE = Path(__file__).parent / "cases" / "resources_guide"
SECRET = "s3cret-warehouse-password"
SCHEDULED_AT = "2026-12-01T06:00:00+00:00"
DAGSTER = Path(sys.executable).parent / "dagster"


class Guide:
    """The notebook's folder, its saved edits, and what each path wrote."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notebook = folder / "orders.ipynb"
        self.home = folder / "home"
        self.materialize_config = yaml.safe_load((CASE / "materialize.yaml").read_text())
        self.launch_config = yaml.safe_load((CASE / "launch.yaml").read_text())

    def data_dir(self, name: str) -> Path:
        return self.folder / f"data-{name}"

    def environment(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "WORKBENCH_HOME": str(self.home),
            "WORKBENCH_NOTEBOOK": str(self.notebook),
            "WAREHOUSE_PASSWORD": SECRET,
            "ORDERS_DATA_DIR": str(self.data_dir(name)),
            "DAGSTER_HOME": str(self.folder / "dagster-home"),
        }

    def workbench(self, name: str, *arguments: str) -> str:
        """Run ``python -m workbench ARGUMENTS`` writing to the data folder ``name``."""
        completed = subprocess.run(
            [sys.executable, "-m", "workbench", *arguments],
            capture_output=True,
            text=True,
            cwd=self.folder,
            env=self.environment(name),
            check=False,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr
        return completed.stdout


def written(folder: Path) -> dict[str, Any]:
    """Every file a run wrote, by path relative to its data folder, parsed from JSON."""
    return {
        path.relative_to(folder).as_posix(): json.loads(path.read_text())
        for path in sorted(folder.rglob("*.json"))
    }


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Guide:
    """The notebook run in a kernel with its saved form edits, and exported to both targets."""
    pytest.importorskip("dagster")
    pytest.importorskip("nbclient")
    import nbformat
    from nbclient import NotebookClient

    from workbench.storage.edits import EditStore
    from workbench.testing import notebook_errors

    guide = Guide(tmp_path_factory.mktemp("guide"))
    (guide.folder / "dagster-home").mkdir()
    shutil.copy(CASE / "input.ipynb", guide.notebook)
    for name in ("materialize.yaml", "launch.yaml"):
        shutil.copy(CASE / name, guide.folder / name)
    store = EditStore(guide.home)
    for key, config in json.loads((CASE / "edits.json").read_text()).items():
        store.save(str(guide.notebook), key, config)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in guide.environment("notebook").items():
            patch.setenv(name, value)
        executed = nbformat.read(guide.notebook, as_version=4)
        NotebookClient(
            executed,
            timeout=180,
            kernel_name="python3",
            resources={"metadata": {"path": str(guide.folder)}},
        ).execute()
    # the one failing cell is the typo the notebook keeps to show the validation message
    [error] = notebook_errors(executed)
    assert re.match(r"cell \d+: ValidationError: 1 validation error for Warehouse\nport\n", error)
    assert "input_value='not-a-port'" in error
    assert SECRET not in nbformat.writes(executed)
    for target in ("workbench", "dagster"):
        guide.workbench(
            "export", "export", str(guide.notebook), "--target", target, "-o", target + "_defs.py"
        )
    return guide


def test_the_notebook_ran_with_its_form_edits(guide: Guide):
    files = written(guide.data_dir("notebook"))
    info = files["warehouse_info.json"]
    assert info == {
        "address": "analyst@warehouse.internal:6543",
        "password_set": True,
        "region": "eu-west-1",
        "use_ssl": True,
        "timeout": 2.5,
        "mode": "write",
        "schemas": ["public", "sales"],
        "options": {"sslmode": "require"},
        "nickname": "primary",
        "batch_size": 25,
        "tuning_region": "eu-west-1",
    }
    assert files["exported_at.json"] == {
        "url": "s3://loader:admin@archive/orders.json",
        "mirror": "s3://ops-team:read@mirror/orders.json",
        "by": "ops-team",
        "day": "2024-05-01",
        "session": "orders:open",
    }
    assert files["order_summary.json"] == {"total": 50, "count": 3, "mean": 50 / 3}
    # the job launched with factor 3, and the sensor's run with factor 6543 % 7 == 5
    assert files["ledger/scaled-by-3.json"] == (43 + 25) * 3
    assert files["ledger/scaled-by-5.json"] == (43 + 25) * 5
    # the job's default RunConfig: a PermissiveConfig keeps its extra fields
    assert files["ledger/labels.json"] == {"prefix": "nightly", "team": "core", "limit": 3}


def test_no_secret_in_the_exported_modules(guide: Guide):
    for target in ("workbench", "dagster"):
        source = (guide.folder / f"{target}_defs.py").read_text()
        assert SECRET not in source
        assert 'password=dg.EnvVar("WAREHOUSE_PASSWORD")' in source or (
            'password=wb.EnvVar("WAREHOUSE_PASSWORD")' in source
        )
        assert "region=Region.EU" in source


def test_dagster_validates_the_export(guide: Guide):
    completed = subprocess.run(
        [str(DAGSTER), "definitions", "validate", "-f", "dagster_defs.py"],
        capture_output=True,
        text=True,
        cwd=guide.folder,
        env=guide.environment("validate"),
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]


def _dagster_module(guide: Guide, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The exported module and its Definitions, imported with the Dagster run's environment."""
    for name, value in guide.environment("dagster").items():
        monkeypatch.setenv(name, value)
    module = load_module(guide.folder / "dagster_defs.py")
    return module, module.defs()


def test_dagster_materializes_launches_and_ticks_as_the_notebook_did(
    guide: Guide, monkeypatch: pytest.MonkeyPatch
):
    import dagster as dg

    module, defs = _dagster_module(guide, monkeypatch)
    resources = dict(defs.resources)
    assert dg.materialize(
        list(defs.assets), resources=resources, run_config=guide.materialize_config
    ).success
    job = defs.get_job_def("scale_job")
    launched = job.execute_in_process(run_config=guide.launch_config)
    assert launched.output_for_node("scaled") == (43 + 25) * 3

    with dg.build_sensor_context(resources=resources, definitions=defs) as context:
        tick = module.port_sensor.evaluate_tick(context)
    [request] = tick.run_requests
    assert request.run_key == "port-6543"
    assert job.execute_in_process(run_config=request.run_config).success
    assert defs.get_job_def("label_job").execute_in_process().success

    assert written(guide.data_dir("dagster")) == written(guide.data_dir("notebook"))


def test_dagster_and_workbench_schedule_ticks_agree(guide: Guide, monkeypatch):
    import dagster as dg

    module, defs = _dagster_module(guide, monkeypatch)
    at = datetime.datetime.fromisoformat(SCHEDULED_AT)
    with dg.build_schedule_context(
        scheduled_execution_time=at, resources=dict(defs.resources)
    ) as context:
        [request] = module.morning.evaluate_tick(context).run_requests
    text = guide.workbench(
        "schedule", "schedule", "workbench_defs.py", "morning", "--at", SCHEDULED_AT
    )
    assert f"run_key={request.run_key!r}" in text
    assert request.tags["region"] == "eu-west-1"
    assert "'region': 'eu-west-1'" in text


def _requests(tick: Any) -> list[tuple[Any, ...]]:
    return [
        (request.job_name, request.run_key, dict(request.tags), request.run_config)
        for request in tick.run_requests
    ]


def test_workbench_and_dagster_ticks_give_the_same_run_requests(guide: Guide, monkeypatch):
    import dagster as dg

    import workbench as wb

    module, defs = _dagster_module(guide, monkeypatch)
    mine = load_module(guide.folder / "workbench_defs.py")
    mine_defs = mine.defs()
    at = datetime.datetime.fromisoformat(SCHEDULED_AT)
    with dg.build_sensor_context(resources=dict(defs.resources), definitions=defs) as context:
        dagster_sensor = _requests(module.port_sensor.evaluate_tick(context))
    with dg.build_schedule_context(
        scheduled_execution_time=at, resources=dict(defs.resources)
    ) as context:
        dagster_schedule = _requests(module.morning.evaluate_tick(context))
    sensor_context = wb.build_sensor_context(
        resources=dict(mine_defs.resources), definitions=mine_defs
    )
    schedule_context = wb.build_schedule_context(
        scheduled_execution_time=at, resources=dict(mine_defs.resources)
    )
    assert _requests(mine.port_sensor.evaluate_tick(sensor_context)) == dagster_sensor
    assert _requests(mine.morning.evaluate_tick(schedule_context)) == dagster_schedule
    assert dagster_sensor == [
        (
            None,
            "port-6543",
            {"dagster/sensor_name": "port_sensor"},
            {"ops": {"scaled": {"config": {"factor": 5}}}},
        )
    ]


def test_python_m_workbench_runs_the_export_as_the_notebook_did(guide: Guide):
    module = "workbench_defs.py"
    guide.workbench("cli", "materialize", module, "--config", "materialize.yaml")
    guide.workbench("cli", "launch", module, "scale_job", "--config", "launch.yaml")
    guide.workbench("cli", "launch", module, "label_job")
    sensor = guide.workbench("cli", "sensor", module, "port_sensor", "--launch")
    assert "run_key='port-6543'" in sensor
    assert written(guide.data_dir("cli")) == written(guide.data_dir("notebook"))


def test_the_export_turned_back_into_a_notebook_runs_and_exports_the_same(guide: Guide):
    back = guide.folder / "back.ipynb"
    notebook_from_module(guide.folder / "workbench_defs.py", back)
    guide.workbench("back", "materialize", str(back), "--config", "materialize.yaml")
    guide.workbench("back", "launch", str(back), "scale_job", "--config", "launch.yaml")
    guide.workbench("back", "launch", str(back), "label_job")
    guide.workbench("back", "sensor", str(back), "port_sensor", "--launch")
    assert written(guide.data_dir("back")) == written(guide.data_dir("notebook"))
    exported = (guide.folder / "workbench_defs.py").read_text()
    again = export_notebook(back)
    assert again.split('"""', 2)[2] == exported.split('"""', 2)[2]
    assert re.search(r"@wb\.definitions\ndef defs\(\)", again)
