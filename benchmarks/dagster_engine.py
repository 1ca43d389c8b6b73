"""The Dagster engine's overhead: ``%wb materialize`` on Dagster definitions vs Dagster alone.

Both sides materialize the same 100-asset chain into the same persistent DagsterInstance (the
one ``DAGSTER_HOME`` names). workbench's side is what the magic does: gather the notebook's
Dagster definitions, bind form edits, and hand the run to Dagster with live progress; Dagster's
side is ``dagster.materialize`` alone. The target: workbench adds at most 5%.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmarks.harness import Row, time_pair

if TYPE_CHECKING:
    from collections.abc import Callable

    from benchmarks.harness import Profile

__all__ = ["engine_overhead"]

OVERHEAD = 0.05
"""At most this share of Dagster's own time may be workbench's."""


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

    def through_workbench() -> None:
        with dg_side._quiet():
            defs = engine.gather(namespace)
            result = engine.materialize(defs, run_config=dg_side.QUIET, on_event=events.append)
        assert result.success

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
    overhead = (mine.median - theirs.median) / theirs.median
    row = Row(
        "dagster-engine",
        f"{size}-asset chain on Dagster, overhead {overhead:+.1%}",
        "ms",
        mine,
        theirs,
        target=f"overhead <= {OVERHEAD:.0%}",
        met=overhead <= OVERHEAD,
        note="workbench: gather the definitions + the Dagster engine's materialize (progress "
        "on); dagster: dagster.materialize; both into DAGSTER_HOME's instance",
        extra={"overhead": overhead},
    )
    return [row]
