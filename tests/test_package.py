from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

import workbench as wb

if TYPE_CHECKING:
    from collections.abc import Callable

    from workbench.core.instance import Instance

HEAVY = ("IPython", "ipywidgets", "nbformat", "pandas")


def test_import_workbench_stays_light() -> None:
    code = (
        "import json, sys\n"
        "import workbench as wb\n"
        "wb.ConfigurableResource, wb.asset, wb.Definitions, wb.materialize, wb.sensor\n"
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(output.stdout) == []


def test_the_guard_would_notice_a_heavy_import() -> None:
    code = (
        "import json, sys\n"
        "import workbench, nbformat\n"
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "nbformat" in json.loads(output.stdout)


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert wb.__all__ == sorted(wb.__all__)
    assert len(set(wb.__all__)) == len(wb.__all__)
    for name in wb.__all__:
        assert getattr(wb, name) is not None, name
    assert sorted(dir(wb)) == sorted(wb.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = wb.nothing_here


# public names other modules import that their own module does not list yet; those modules are
# being rebuilt (#17): drop an entry once its module's __all__ has it
def _imported_names() -> dict[tuple[str, str], set[str]]:
    """(module, name) -> the workbench modules that import the public ``name`` from it."""
    import ast
    from pathlib import Path

    root = Path(wb.__file__).parent
    found: dict[tuple[str, str], set[str]] = {}
    for path in root.rglob("*.py"):
        importer = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbench."):
                for alias in node.names:
                    if not alias.name.startswith("_"):
                        found.setdefault((str(node.module), alias.name), set()).add(importer)
    return found


def test_every_name_imported_from_another_module_is_in_its_all() -> None:
    unlisted = set()
    for module_name, name in _imported_names():
        module = importlib.import_module(module_name)
        if name in getattr(module, "__all__", ()) or inspect.ismodule(getattr(module, name, None)):
            continue
        unlisted.add((module_name, name))
    assert unlisted == set(), "add these names to their module's __all__"


def test_public_names_follow_dagster() -> None:
    expected = {
        "ConfigurableResource", "Config", "PermissiveConfig", "EnvVar", "ResourceParam",
        "ConfigurableIOManager", "asset", "multi_asset", "AssetKey", "AssetIn", "AssetSpec",
        "AssetExecutionContext", "MaterializeResult", "AssetSelection", "define_asset_job",
        "materialize", "op", "job", "In", "Out", "OpExecutionContext", "sensor", "schedule",
        "RunRequest", "SkipReason", "SensorResult", "SensorEvaluationContext",
        "ScheduleEvaluationContext", "build_sensor_context", "build_schedule_context",
        "DefaultSensorStatus", "DefaultScheduleStatus", "Definitions", "definitions",
        "RunConfig", "ExecuteInProcessResult", "load_definitions", "export_notebook",
        "notebook_from_module", "runs", "show_resources", "launchpad", "show_graph",
    }  # fmt: skip
    assert expected <= set(wb.__all__)


def _classes_with_mimebundle() -> set[type]:
    found: set[type] = set()
    for info in pkgutil.walk_packages(wb.__path__, "workbench."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and "_repr_mimebundle_" in vars(value):
                found.add(value)
    return found


class Conn(wb.ConfigurableResource):
    user: str = "u"


def _factories(instance: Instance) -> dict[str, Callable[[], Any]]:
    from workbench.app.engines import NativeEngine
    from workbench.core.sensor import TickResult

    @wb.asset
    def shown(conn: Conn) -> int:
        return 1

    @wb.op
    def step() -> int:
        return 1

    @wb.job
    def shown_job() -> None:
        step()

    @wb.schedule(cron_schedule="@daily", job=shown_job)
    def daily(context: wb.ScheduleEvaluationContext) -> wb.RunRequest:
        return wb.RunRequest()

    defs = wb.Definitions(assets=[shown], jobs=[shown_job], resources={"conn": Conn()})
    result = wb.materialize([shown], resources={"conn": Conn()}, instance=instance)
    tick = TickResult("daily", [wb.RunRequest(run_key="k")])

    def widget(module: str, name: str, *args: Any, **kwargs: Any) -> Callable[[], Any]:
        return lambda: getattr(importlib.import_module(module), name)(*args, **kwargs)

    return {
        "workbench.core.asset.Asset": lambda: shown,
        "workbench.core.resource.ConfigurableResource": lambda: Conn(),
        "workbench.core.job.Job": lambda: shown_job,
        "workbench.core.definitions.Definitions": lambda: defs,
        "workbench.core.result.ExecuteInProcessResult": lambda: result,
        "workbench.core.sensor.TickResult": lambda: tick,
        "workbench.widgets.runs.RunsView": widget("workbench.widgets.runs", "RunsView",
                                                  instance.run_store),
        "workbench.widgets._run_detail.RunDetail": widget("workbench.widgets.runs", "RunDetail",
                                                          instance.run_store, result.run_id),
        "workbench.widgets._tick_view.TickView": widget("workbench.widgets.runs", "TickView",
                                                        tick, daily),
        "workbench.widgets.launchpad.Launchpad": widget("workbench.widgets.launchpad",
                                                        "Launchpad", defs, instance=instance),
        "workbench.widgets.graph.GraphView": widget("workbench.widgets.graph", "GraphView", defs,
                                                    instance.run_store),
        "workbench.widgets._form.ResourceForm": widget("workbench.widgets.forms", "ResourceForm",
                                                       "conn", Conn()),
        "workbench.widgets.forms.ResourcesPanel": widget("workbench.widgets.forms",
                                                         "ResourcesPanel", {"conn": Conn()}),
        "workbench.app.engines.launchpad.EngineLaunchpad": widget(
            "workbench.app.engines.launchpad", "EngineLaunchpad", defs, NativeEngine()),
    }  # fmt: skip


def test_every_repr_mimebundle_has_text_plain(instance: Instance) -> None:
    classes = {f"{cls.__module__}.{cls.__qualname__}" for cls in _classes_with_mimebundle()}
    factories = _factories(instance)
    assert classes - set(factories) == set(), "add a factory for each new displayable class"
    assert {"workbench.core.asset.Asset", "workbench.core.result.ExecuteInProcessResult"} <= classes
    for name in sorted(classes):
        bundle = factories[name]()._repr_mimebundle_()
        text = bundle.get("text/plain")
        assert isinstance(text, str), name
        assert text.strip(), name


def test_distribution_name_and_the_demo_extra() -> None:
    import tomllib
    from pathlib import Path

    from workbench.errors import DISTRIBUTION, MissingExtraError

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION == "dagster-workbench"
    extras = project["optional-dependencies"]
    # `make demo` installs the package and a kernel, nothing of dev, dagster or browser
    assert sorted(item.split(">")[0] for item in extras["demo"]) == ["ipykernel", "nbclient"]
    error = MissingExtraError("running notebooks headless", "nbclient", "demo")
    assert str(error).endswith("run: pip install 'dagster-workbench[demo]'")
    assert set(extras) >= {"demo"}
    plain = MissingExtraError("the resource forms", "ipywidgets")
    assert str(plain) == "the resource forms needs ipywidgets; run: pip install 'ipywidgets'"


def test_make_demo_installs_only_the_demo_extra(tmp_path) -> None:
    import shutil
    from pathlib import Path

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).parents[1]
    venv = tmp_path / "venv"

    def plan(target: str) -> str:
        return subprocess.run(
            ["make", "-n", "-C", str(root), target, f"VENV={venv}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout

    demo = plan("demo")
    assert "install -q -e '.[demo]'" in demo
    assert "dev" not in demo
    assert "browser" not in demo
    assert "install -q -e '.[dev,dagster,browser]'" in plan("test")
