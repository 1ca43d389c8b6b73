"""The Dagster engine's overhead: ``%wb materialize`` on Dagster definitions vs Dagster alone.

Both sides materialize the same 100-asset chain into the same persistent DagsterInstance (the
one ``DAGSTER_HOME`` names). workbench's side is what the magic does: gather the notebook's
Dagster definitions, bind form edits, and hand the run to Dagster with live progress; Dagster's
side is ``dagster.materialize`` alone. The target: workbench adds at most 5%.

On a shared machine one run of the chain varies several-fold (every event is a SQLite write), so
the difference of two medians says little. The row therefore also measures what workbench adds
directly: each workbench-side call's wall time minus the time Dagster spends inside
``execute_in_process``, plus the time workbench's progress forwarding takes inside it. That
figure, over Dagster's own median, decides the target; the side-by-side figures stay in the row.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from benchmarks.harness import Row, Stats, time_pair

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from benchmarks.harness import Profile

__all__ = ["engine_overhead"]

OVERHEAD = 0.05
"""At most this share of Dagster's own time may be workbench's."""


class Attribution:
    """Time spent inside Dagster's run, and inside workbench's forwarding within it, per call."""

    def __init__(self) -> None:
        self.in_dagster = 0.0
        self.forwarding = 0.0

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Time ``JobDefinition.execute_in_process`` and the engine's event conversion."""
        import dagster as dg

        from workbench.app.engines import dagster as engine_module

        run = dg.JobDefinition.execute_in_process
        convert = engine_module.to_run_event

        def timed_run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return run(*args, **kwargs)
            finally:
                self.in_dagster += time.perf_counter() - started

        def timed_convert(entry: Any) -> Any:
            started = time.perf_counter()
            try:
                return convert(entry)
            finally:
                self.forwarding += time.perf_counter() - started

        dg.JobDefinition.execute_in_process = timed_run  # type: ignore[method-assign]
        engine_module.to_run_event = timed_convert
        try:
            yield
        finally:
            dg.JobDefinition.execute_in_process = run  # type: ignore[method-assign]
            engine_module.to_run_event = convert


def engine_overhead(profile: Profile, dagster: bool) -> list[Row]:
    """Materialize a chain through the Dagster engine and through ``dagster.materialize``.

    The engine needs Dagster on both sides; without ``dagster`` (``--no-dagster``, the smoke
    test) only workbench's side is timed, with no target.
    """
    import dagster as dg

    from benchmarks import dg_side
    from workbench.app.engines import DagsterEngine
    from workbench.app.engines.dagster import dagster_instance

    size = profile.graph
    assets = dg_side.chain(size)
    namespace: dict[str, Any] = {f"a{index}": item for index, item in enumerate(assets)} | {
        "defs": dg.Definitions(resources={"counter": dg_side.Counter()})
    }
    engine = DagsterEngine()
    instance = dagster_instance()
    events: list[Any] = []

    own_ms: list[float] = []  # per call: workbench's time around (and within) Dagster's run

    def through_workbench() -> None:
        attribution = Attribution()
        with dg_side._quiet(), attribution.watching():
            started = time.perf_counter()
            defs = engine.gather(namespace)
            result = engine.materialize(defs, run_config=dg_side.QUIET, on_event=events.append)
            total = time.perf_counter() - started
        assert result.success
        own_ms.append((total - attribution.in_dagster + attribution.forwarding) * 1000)

    def dagster_alone() -> None:
        with dg_side._quiet():
            result = dg.materialize(
                assets,
                resources={"counter": dg_side.Counter()},
                instance=instance,
                run_config=dg_side.QUIET,
            )
        assert result.success

    sides: dict[str, Callable[[], object]] = {"workbench": through_workbench}
    if dagster:
        sides["dagster"] = dagster_alone
    found = time_pair(sides, rounds=profile.rounds, warmup=profile.warmup)
    mine = found["workbench"]
    if not dagster:
        return [Row("dagster-engine", f"{size}-asset chain on Dagster", "ms", mine)]
    theirs = found["dagster"]
    own = Stats.of(own_ms[-profile.rounds :])
    overhead = own.median / theirs.median
    difference = (mine.min - theirs.min) / theirs.min
    row = Row(
        "dagster-engine",
        f"{size}-asset chain on Dagster, workbench adds {overhead:.1%} "
        f"(best runs side by side: {difference:+.1%})",
        "ms",
        mine,
        theirs,
        target=f"overhead <= {OVERHEAD:.0%}",
        met=overhead <= OVERHEAD,
        note="workbench: gather the definitions + the Dagster engine's materialize (progress "
        "on); dagster: dagster.materialize; both into DAGSTER_HOME's instance. Overhead: "
        "workbench's own time per call (outside Dagster's run, plus its event forwarding) "
        "over Dagster's median",
        extra={
            "overhead": overhead,
            "workbench_own_ms": own.to_json(),
            "best_runs_difference": difference,
        },
    )
    return [row]
