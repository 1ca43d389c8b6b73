"""Each benchmark workload runs once at a tiny size, so the suite cannot rot (no timings)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from typing import TYPE_CHECKING

import pytest

from benchmarks.harness import SMOKE, Row, environment, format_table, write_json
from benchmarks.workloads import WORKLOADS
from workbench.core import instance as instance_module

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

HAS_DAGSTER = importlib.util.find_spec("dagster") is not None
# Workloads whose Dagster side is cheap at smoke size (the others start Dagster processes).
DAGSTER_IN_SMOKE = {
    "rematerialize",
    "chain",
    "fan-out",
    "ops-job",
    "automation",
    "build-validate",
    "materialize-memory",
    "dagster-engine",
}
WORKBENCH_ONLY = {"form", "export", "runs-history"}


@pytest.fixture
def bench_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name, value in environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    instance_module.reset_default_instance()
    yield tmp_path
    if "benchmarks.dg_side" in sys.modules:
        sys.modules["benchmarks.dg_side"].dispose()


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_workload_runs_once(name: str, bench_home: Path) -> None:
    dagster = HAS_DAGSTER and name in DAGSTER_IN_SMOKE
    rows = WORKLOADS[name].measure(SMOKE, dagster)
    assert rows, f"{name} gave no rows"
    for row in rows:
        assert row.workload == name
        assert all(math.isfinite(value) and value >= 0 for value in row.workbench.samples), row
        if name in WORKBENCH_ONLY:
            assert row.baseline is None
        if row.target:
            assert row.met is not None
    if dagster:
        assert any(row.baseline is not None for row in rows), f"{name}: Dagster did not run"


def test_every_workload_has_a_smoke_decision() -> None:
    assert set(WORKLOADS) >= DAGSTER_IN_SMOKE | WORKBENCH_ONLY


def test_table_and_json_hold_every_row(tmp_path: Path) -> None:
    rows = WORKLOADS["automation"].measure(SMOKE, False)
    path = tmp_path / "results" / "latest.json"
    write_json(path, rows, profile=SMOKE, command="python -m benchmarks --only automation")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [row["case"] for row in document["rows"]] == [row.case for row in rows]
    assert document["machine"]["versions"]["workbench"]
    table = format_table(rows)
    assert all(row.case in table for row in rows)


def test_ratio_is_baseline_over_workbench() -> None:
    from benchmarks.harness import Stats

    row = Row("w", "c", "ms", Stats.of([2.0, 4.0, 3.0]), Stats.of([30.0]))
    assert row.workbench.median == 3.0
    assert row.ratio == 10.0


def test_both_sides_are_timed_alike_one_call_per_sample() -> None:
    from benchmarks.harness import time_pair

    calls = {"workbench": 0, "dagster": 0}

    def side(name: str) -> Callable[[], None]:
        def call() -> None:
            calls[name] += 1

        return call

    found = time_pair({name: side(name) for name in calls}, rounds=7, warmup=2)
    assert calls == {"workbench": 9, "dagster": 9}
    assert [len(stats.samples) for stats in found.values()] == [7, 7]


def test_the_import_rows_touch_the_core_on_every_side() -> None:
    from benchmarks.workloads import IMPORTS

    touched = ("asset", "ConfigurableResource", "Definitions", "materialize", "EnvVar")
    for name in ("workbench+core", "dagster+core"):
        assert all(f".{attribute}" in IMPORTS[name] for attribute in touched), name
    assert "class Model(pydantic.BaseModel)" in IMPORTS["pydantic+model"]


def test_children_load_compiled_bytecode_for_every_package(bench_home: Path) -> None:
    import os

    from benchmarks.harness import run_child

    code = (
        "import json, sys\n"
        "print(json.dumps({'prefix': sys.pycache_prefix, 'off': sys.flags.dont_write_bytecode}))"
    )
    found = run_child(code, env=os.environ)
    assert found["prefix"] == str(bench_home / "pycache")
    assert found["off"] == 0


def test_the_dagster_engine_row_measures_what_workbench_adds(bench_home: Path) -> None:
    pytest.importorskip("dagster")
    [row] = WORKLOADS["dagster-engine"].measure(SMOKE, True)

    own = row.extra["workbench_own_ms"]
    assert row.baseline is not None
    assert 0 < own["median"] < row.workbench.median  # Dagster's run is not counted as ours
    assert row.extra["overhead"] == own["median"] / row.baseline.median
    assert row.met == (row.extra["overhead"] <= 0.05)
