"""The Dagster side of each workload: the same definitions, written for real Dagster.

Dagster's run logs go to ERROR (``QUIET`` run config) and its warnings are ignored, so the
figures measure work, not console output.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
import warnings
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


_shared: list[tuple[Any, tempfile.TemporaryDirectory[str]]] = []


def _default_instance() -> Any:
    # One ephemeral instance for every call, its artifacts in a folder this module removes:
    # Dagster would make a new one per call and leave its temporary folder to the GC.
    if not _shared:
        folder = tempfile.TemporaryDirectory(prefix="dagster-bench-")
        with _quiet():
            _shared.append((dg.DagsterInstance.ephemeral(tempdir=folder.name), folder))
    return _shared[0][0]


def dispose() -> None:
    """Dispose the shared ephemeral instance and remove its folder."""
    while _shared:
        instance, folder = _shared.pop()
        with _quiet():
            instance.dispose()
        folder.cleanup()


def materialize(assets: list[Any], *, instance: Any = None, in_memory: bool = False) -> None:
    """Materialize with ``counter`` bound (values through the default or the memory IO manager)."""
    function = dg.materialize_to_memory if in_memory else dg.materialize
    with _quiet():
        result = function(
            assets,
            resources={"counter": Counter()},
            instance=instance or _default_instance(),
            run_config=QUIET,
        )
    assert result.success


def one_asset() -> Any:
    """The one asset re-materialized in a loop."""
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


def execute(job: Any, instance: Any = None) -> None:
    """Run the op job in process (an ephemeral instance, Dagster's default)."""
    with _quiet():
        result = job.execute_in_process(run_config=QUIET, instance=instance or _default_instance())
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
