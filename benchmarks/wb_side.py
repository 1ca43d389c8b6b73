"""The workbench side of each workload: definitions built the way a notebook builds them."""

from __future__ import annotations

import itertools
import json
import random
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, create_model

import workbench as wb
from workbench.core.run import EventType, RunEvent, RunRecord, RunStatus

if TYPE_CHECKING:
    from pathlib import Path


class Counter(wb.ConfigurableResource):
    """The resource every workload injects: one int field, read by every step."""

    step: int = 1


class Inner(wb.Config):
    """A nested section of the wide resource."""

    host: str = "localhost"
    port: int = 5432


def first(counter: Counter) -> int:
    return counter.step


def chain(size: int) -> list[Any]:
    """``a0 -> a1 -> ... -> a{size-1}``; every asset takes the previous one and ``counter``."""
    items = [wb.asset(name="a0")(first)]
    for index in range(1, size):

        def step(up: int, counter: Counter) -> int:
            return up + counter.step

        items.append(wb.asset(name=f"a{index}", ins={"up": wb.AssetIn(key=f"a{index - 1}")})(step))
    return items


def fan_out(size: int) -> list[Any]:
    """``root`` and ``size - 1`` leaves that each take it and ``counter``."""
    items = [wb.asset(name="root")(first)]
    for index in range(1, size):

        def leaf(up: int, counter: Counter) -> int:
            return up + counter.step

        items.append(wb.asset(name=f"leaf{index}", ins={"up": wb.AssetIn(key="root")})(leaf))
    return items


_steps = itertools.count(2)
"""A new ``counter.step`` for every run, so that every asset's value changes every time."""


def pairing_instance(pairing: str) -> Any:
    """The instance of a pairing: ``ephemeral`` (all in memory) or ``persistent`` (the default).

    ``persistent`` is the default instance: runs in SQLite and values in the value store,
    both under WORKBENCH_HOME.
    """
    return wb.Instance.ephemeral() if pairing == "ephemeral" else None


def materialize(assets: list[Any], *, pairing: str = "persistent") -> None:
    """Materialize with a new ``counter`` config, so every value is new and must be stored."""
    resources = {"counter": Counter(step=next(_steps))}
    result = wb.materialize(assets, resources=resources, instance=pairing_instance(pairing))
    assert result.success


def one_asset(size: int = 1) -> Any:
    """The one asset re-materialized over and over (``size`` is ignored)."""
    return [wb.asset(name="single")(first)]


def ops_job(size: int) -> Any:
    """A job of ``size`` ops in a chain."""

    def start() -> int:
        return 1

    def add(x: int) -> int:
        return x + 1

    ops = [wb.op(name="op0")(start)] + [wb.op(name=f"op{index}")(add) for index in range(1, size)]

    def body() -> None:
        value = ops[0]()
        for item in ops[1:]:
            value = item(value)

    return wb.job(name=f"ops_{size}")(body)


def execute(job: Any, *, pairing: str = "persistent") -> None:
    """Run the op job in process, recorded by the pairing's instance."""
    assert job.execute_in_process(instance=pairing_instance(pairing)).success


def _target_job() -> Any:
    def noop() -> None:
        return None

    noop_op = wb.op(name="noop")(noop)

    def body() -> None:
        noop_op()

    return wb.job(name="target")(body)


def sensor_and_schedule() -> tuple[Any, Any]:
    """A sensor and a schedule that each read ``counter``."""
    target = _target_job()

    def watch(counter: Counter) -> Any:
        return wb.RunRequest(run_key=f"k{counter.step}")

    def nightly(counter: Counter) -> Any:
        return wb.RunRequest(run_key=f"k{counter.step}")

    return (
        wb.sensor(job=target, name="watch")(watch),
        wb.schedule("0 0 * * *", job=target, name="nightly")(nightly),
    )


def evaluate_sensor(sensor: Any) -> None:
    """Build a context with ``counter`` and evaluate the sensor through it."""
    context = wb.build_sensor_context(resources={"counter": Counter()})
    assert sensor(context) is not None


def evaluate_schedule(schedule: Any) -> None:
    """Build a context with ``counter`` and evaluate the schedule through it."""
    context = wb.build_schedule_context(resources={"counter": Counter()})
    assert schedule(context) is not None


def build_and_validate(size: int) -> None:
    """Decorate ``size`` assets, gather them in Definitions with ``counter``, validate."""
    wb.Definitions(assets=chain(size), resources={"counter": Counter()}).validate()


def wide_resource(fields: int) -> Any:
    """An instance of a resource class with ``fields`` fields of mixed types."""
    kinds: list[tuple[Any, Any]] = [
        (str, "text"),
        (int, 3),
        (float, 1.5),
        (bool, True),
        (str | None, None),
        (Literal["a", "b", "c"], "a"),
        (list[str], Field(default_factory=lambda: ["x", "y"])),
        (str, Field(default="described", description="a field with a description")),
        (SecretStr, SecretStr("hunter22")),
        (Inner, Field(default_factory=Inner)),
    ]
    spec = {f"field_{index:02d}": kinds[index % len(kinds)] for index in range(fields)}
    model = create_model(  # type: ignore[call-overload]
        f"Wide{fields}", __base__=wb.ConfigurableResource, __module__=__name__, **spec
    )
    return model()


def render_form(resource: Any) -> None:
    """Build the resource's form and its display bundle."""
    from workbench.widgets.forms import ResourceForm

    form = ResourceForm("wide", resource)
    form._repr_mimebundle_()


def notebook(cells: int) -> dict[str, Any]:
    """A notebook of ``cells`` cells: imports, a resource, assets, exploration, markdown."""

    def code(source: str) -> dict[str, Any]:
        return {
            "cell_type": "code",
            "execution_count": None,
            "id": uuid.uuid4().hex[:8],
            "metadata": {},
            "outputs": [],
            "source": source,
        }

    def markdown(source: str) -> dict[str, Any]:
        return {
            "cell_type": "markdown",
            "id": uuid.uuid4().hex[:8],
            "metadata": {},
            "source": source,
        }

    body: list[dict[str, Any]] = [
        code("import workbench as wb"),
        code(
            "class Counter(wb.ConfigurableResource):\n"
            '    """Counts."""\n\n'
            "    step: int = 1\n"
            '    token: str = wb.EnvVar("COUNTER_TOKEN")'
        ),
    ]
    names: list[str] = []
    index = 0
    while len(body) < cells - 1:
        kind = index % 5
        if kind == 0:
            body.append(markdown(f"## Section {index}\n\nWhat the next assets do."))
        elif kind == 4:
            previous = names[-1] if names else "None"
            body.append(code(f"print({previous})\n{previous}"))
        else:
            name = f"asset_{index}"
            upstream = f"{names[-1]}: int, " if names else ""
            body.append(
                code(
                    "@wb.asset\n"
                    f"def {name}({upstream}counter: Counter) -> int:\n"
                    f'    """Asset number {index}."""\n'
                    f"    return {names[-1] + ' + ' if names else ''}counter.step"
                )
            )
            names.append(name)
        index += 1
    body.append(
        code(
            "defs = wb.Definitions(\n"
            f"    assets=[{', '.join(names)}],\n"
            '    resources={"counter": Counter()},\n'
            ")"
        )
    )
    return {
        "cells": body,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_notebook(path: Path, cells: int) -> Path:
    """Write :func:`notebook` to ``path``."""
    path.write_text(json.dumps(notebook(cells), indent=1), encoding="utf-8")
    return path


def export(path: Path, target: Literal["workbench", "dagster"]) -> None:
    """Export the notebook to module source (nothing written)."""
    from workbench.export import export_notebook

    assert export_notebook(path, target=target)


def fill_store(path: Path, events: int, per_run: int) -> Any:
    """A SQLite run store at ``path`` holding ``events`` events in runs of ``per_run``."""
    from workbench.storage import SqliteRunStore

    store = SqliteRunStore(path)
    rng = random.Random(6)
    now = time.time() - events
    for number in range(max(1, events // per_run)):
        run_id = uuid.uuid4().hex
        steps = [f"a{index}" for index in range(per_run // 3)]
        failed = rng.random() < 0.05
        record = RunRecord(
            run_id=run_id,
            job_name=f"job_{number % 7}",
            start_time=now + number,
            tags={"owner": "bench", "attempt": str(number % 3)},
            config_snapshot={"resources": {"counter": {"class": "Counter", "config": {}}}},
            steps=steps,
        )
        store.add_run(record)
        batch = [
            RunEvent(
                run_id,
                EventType.STEP_SUCCESS if index % 2 else EventType.STEP_START,
                timestamp=now + number + index / 1000,
                step_key=steps[index % len(steps)] if steps else None,
                message=f"step event {index}",
                data={"duration": 0.001} if index % 2 else {},
            )
            for index in range(per_run)
        ]
        store.add_events(batch)
        store.finish_run(
            run_id,
            RunStatus.FAILURE if failed else RunStatus.SUCCESS,
            end_time=now + number + 0.5,
            error="ValueError: boom" if failed else None,
        )
    return store


def list_runs(store: Any) -> None:
    """``runs()`` over the store: every run as a DataFrame."""
    from workbench.storage.history import runs

    frame = runs(store)
    assert len(frame) > 0
