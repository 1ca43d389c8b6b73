"""The Dagster side of each workload: the same definitions, written for real Dagster.

Dagster's run logs go to ERROR (``QUIET`` run config) and its warnings are ignored, so the
figures measure work, not console output.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import sys
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:
    from collections.abc import Iterator

QUIET: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
"""Run config that keeps Dagster's console logger at ERROR."""

logging.getLogger("dagster").setLevel(logging.ERROR)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class Counter(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The resource every workload injects: one int field, read by every step."""

    step: int = 1


def first(counter: Counter) -> int:
    return counter.step


def chain(size: int) -> list[Any]:
    """``a0 -> a1 -> ... -> a{size-1}``; every asset takes the previous one and ``counter``."""
    with _quiet():
        items = [dg.asset(name="a0")(first)]
        for index in range(1, size):

            def step(up: int, counter: Counter) -> int:
                return up + counter.step

            items.append(
                dg.asset(name=f"a{index}", ins={"up": dg.AssetIn(key=f"a{index - 1}")})(step)
            )
    return items


def fan_out(size: int) -> list[Any]:
    """``root`` and ``size - 1`` leaves that each take it and ``counter``."""
    with _quiet():
        items = [dg.asset(name="root")(first)]
        for index in range(1, size):

            def leaf(up: int, counter: Counter) -> int:
                return up + counter.step

            items.append(dg.asset(name=f"leaf{index}", ins={"up": dg.AssetIn(key="root")})(leaf))
    return items


_shared: dict[str, tuple[Any, tempfile.TemporaryDirectory[str]]] = {}
_steps = itertools.count(2)
"""A new ``counter.step`` for every run, so that every asset's value changes every time."""


def pairing_instance(pairing: str) -> Any:
    """One instance per pairing for every call, its files in a folder this module removes.

    ``ephemeral`` is ``DagsterInstance.ephemeral()`` (runs and events in memory);
    ``persistent`` is ``DagsterInstance.local_temp()`` on a temporary folder (runs, events and
    schedules in SQLite files, as an instance under DAGSTER_HOME keeps them by default). Dagster
    would make a new ephemeral instance per call and leave its temporary folder to the GC.
    """
    if pairing not in _shared:
        folder = tempfile.TemporaryDirectory(prefix=f"dagster-bench-{pairing}-")
        with _quiet():
            if pairing == "ephemeral":
                instance = dg.DagsterInstance.ephemeral(tempdir=folder.name)
            else:
                # its own dagster.yaml, so that it neither warns of a missing one nor reports
                Path(folder.name, "dagster.yaml").write_text(
                    "telemetry:\n  enabled: false\n", encoding="utf-8"
                )
                instance = dg.DagsterInstance.local_temp(tempdir=folder.name)
        _shared[pairing] = (instance, folder)
    return _shared[pairing][0]


def dispose() -> None:
    """Dispose the shared instances and remove their folders."""
    while _shared:
        _pairing, (instance, folder) = _shared.popitem()
        with _quiet():
            instance.dispose()
        folder.cleanup()


def materialize(assets: list[Any], *, pairing: str = "persistent") -> None:
    """Materialize with a new ``counter`` config, so every value is new and must be stored.

    ``ephemeral``: ``materialize_to_memory`` on an ephemeral instance (runs and values in
    memory). ``persistent``: ``materialize`` on an instance in SQLite, values through Dagster's
    default IO manager (pickle files under the instance's folder). ``default``: ``materialize``
    as called with no instance (an ephemeral instance, values in pickle files).
    """
    function = dg.materialize_to_memory if pairing == "ephemeral" else dg.materialize
    instance = pairing_instance("persistent" if pairing == "persistent" else "ephemeral")
    with _quiet():
        result = function(
            assets,
            resources={"counter": Counter(step=next(_steps))},
            instance=instance,
            run_config=QUIET,
        )
    assert result.success


def one_asset(size: int = 1) -> Any:
    """The one asset re-materialized over and over (``size`` is ignored)."""
    with _quiet():
        return [dg.asset(name="single")(first)]


def ops_job(size: int) -> Any:
    """A job of ``size`` ops in a chain."""

    def start() -> int:
        return 1

    def add(x: int) -> int:
        return x + 1

    with _quiet():
        ops = [dg.op(name="op0")(start)] + [
            dg.op(name=f"op{index}")(add) for index in range(1, size)
        ]

        def body() -> None:
            value = ops[0]()
            for item in ops[1:]:
                value = item(value)

        return dg.job(name=f"ops_{size}")(body)


def execute(job: Any, *, pairing: str = "persistent") -> None:
    """Run the op job in process, recorded by the pairing's instance."""
    with _quiet():
        result = job.execute_in_process(run_config=QUIET, instance=pairing_instance(pairing))
        assert result.success


def sensor_and_schedule() -> tuple[Any, Any]:
    """A sensor and a schedule that each read ``counter``."""
    with _quiet():

        @dg.op(name="noop")
        def noop() -> None:
            return None

        @dg.job(name="target")
        def target() -> None:
            noop()

        def watch(counter: Counter) -> Any:
            return dg.RunRequest(run_key=f"k{counter.step}")

        def nightly(counter: Counter) -> Any:
            return dg.RunRequest(run_key=f"k{counter.step}")

        return (
            dg.sensor(job=target, name="watch")(watch),
            dg.schedule("0 0 * * *", job=target, name="nightly")(nightly),
        )


def evaluate_sensor(sensor: Any) -> None:
    """Build a context with ``counter`` and evaluate the sensor through it."""
    with _quiet():
        context = dg.build_sensor_context(resources={"counter": Counter()})
        assert sensor(context) is not None


def evaluate_schedule(schedule: Any) -> None:
    """Build a context with ``counter`` and evaluate the schedule through it."""
    with _quiet():
        context = dg.build_schedule_context(resources={"counter": Counter()})
        assert schedule(context) is not None


def build_and_validate(size: int) -> None:
    """Decorate ``size`` assets, gather them in Definitions with ``counter``, validate."""
    # Dagster walks a long chain recursively; give it the stack it needs at 1,000 assets.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20 * size))
    try:
        with _quiet():
            defs = dg.Definitions(assets=chain(size), resources={"counter": Counter()})
            dg.Definitions.validate_loadable(defs)
    finally:
        sys.setrecursionlimit(limit)
